"""kazoo with SASL (pure-sasl): DIGEST-MD5 users and sasl ACLs, as test/clients/zk/identity.test.ts runs it.

Run: .cache/kazoo-venv/bin/python sasl.py CONNECT ROOT MECHANISM USER PASSWORD
Prints one JSON object per line: {"step","ok"} or {"step","err"} (the exception's class name).
"""

import json
import sys

from kazoo.client import KazooClient
from kazoo.security import make_acl


def step(name, fn):
    try:
        out = fn()
        print(json.dumps({"step": name, "ok": out}), flush=True)
        return True
    except Exception as e:  # noqa: BLE001 - the class name is the observation
        print(json.dumps({"step": name, "err": type(e).__name__}), flush=True)
        return False


def main():
    connect, root, mechanism, user, password = sys.argv[1:6]
    sasl = {"mechanism": mechanism, "username": user, "password": password}
    # One connection attempt: a refused SASL exchange must not be retried for ten seconds.
    c = KazooClient(hosts=connect, timeout=5, sasl_options=sasl, connection_retry={"max_tries": 0})
    # start() checks `connected` after the handshake but while SASL may still run: whether a failed
    # exchange is seen there is a race inside kazoo. The first request waits for the exchange.
    c.start_async().wait(timeout=5)
    if not step("ensure root", lambda: c.ensure_path(root) and None):
        c.stop()
        c.close()
        return
    step("create kazoo-" + user, lambda: c.create(root + "/kazoo-" + user, b"k",
                                                  acl=[make_acl("sasl", user, all=True)]) and None)
    step("get /bob", lambda: c.get(root + "/bob")[0].decode())
    step("get kazoo-bob", lambda: c.get(root + "/kazoo-bob")[0].decode())
    step("getACL kazoo-" + user, lambda: [[a.perms, a.id.scheme, a.id.id] for a in c.get_acls(root + "/kazoo-" + user)[0]])
    c.stop()
    c.close()


main()
