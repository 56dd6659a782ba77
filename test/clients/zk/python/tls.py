"""kazoo over TLS with client certificates: the x509 scheme, as test/clients/zk/tls.test.ts runs it.

Run: .cache/kazoo-venv/bin/python tls.py CONNECT CA CERT KEY OTHER_CERT OTHER_KEY PATH DN
Prints one JSON object per line: each step's outcome ({"step","ok"} or {"step","err"}).
"""

import json
import sys

from kazoo.client import KazooClient
from kazoo.exceptions import ZookeeperError
from kazoo.security import make_acl


def client(connect, ca, cert, key):
    c = KazooClient(hosts=connect, timeout=10, use_ssl=True, verify_certs=True, check_hostname=True,
                    ca=ca, certfile=cert, keyfile=key)
    c.start(timeout=10)
    return c


def step(name, fn):
    try:
        out = fn()
        print(json.dumps({"step": name, "ok": out}), flush=True)
    except ZookeeperError as e:
        print(json.dumps({"step": name, "err": type(e).__name__}), flush=True)


def main():
    connect, ca, cert, key, other_cert, other_key, path, dn = sys.argv[1:9]
    owner = client(connect, ca, cert, key)
    other = client(connect, ca, other_cert, other_key)
    acl = [make_acl("x509", dn, all=True)]
    step("create", lambda: owner.create(path, b"secret", acl=acl))
    step("owner get", lambda: owner.get(path)[0].decode())
    step("acl", lambda: [[a.perms, a.id.scheme, a.id.id] for a in owner.get_acls(path)[0]])
    step("other get", lambda: other.get(path)[0].decode())
    step("other set", lambda: other.set(path, b"stolen").version)
    step("owner set", lambda: owner.set(path, b"changed").version)
    step("auth acl", lambda: owner.create(path + "-auth", b"", acl=[make_acl("auth", "", all=True)]))
    step("auth acl is", lambda: [[a.perms, a.id.scheme, a.id.id] for a in owner.get_acls(path + "-auth")[0]])
    step("bad x509 id", lambda: owner.create(path + "-bad", b"", acl=[make_acl("x509", "nonsense", all=True)]))
    owner.stop()
    other.stop()
    owner.close()
    other.close()


main()
