"""kazoo's reconfig against a one-member quorum: prints what happened as JSON.

Usage: reconfig.py CONNECT JOINING_LINE. Run by test/clients/zk/reconfig.test.ts against ZooKeeper
and Paddock alike.
"""

import json
import sys

from kazoo.client import KazooClient


def outcome(call):
    try:
        call()
        return "OK"
    except Exception as error:  # the exception's class is the outcome
        return type(error).__name__


def main():
    connect, joining = sys.argv[1], sys.argv[2]
    anonymous = KazooClient(hosts=connect)
    admin = KazooClient(hosts=connect, auth_data=[("digest", "super:secret")])
    anonymous.start()
    admin.start()
    try:
        seen = []
        anonymous.get("/zookeeper/config", watch=lambda event: seen.append(event.type))
        result = {
            "no_auth": outcome(lambda: anonymous.reconfig(joining=joining, leaving=None, new_members=None)),
            "no_voter_left": outcome(lambda: admin.reconfig(joining=None, leaving="1", new_members=None)),
            "bad_version": outcome(
                lambda: admin.reconfig(joining=joining, leaving=None, new_members=None, from_config=5)
            ),
        }
        data, stat = admin.reconfig(joining=joining, leaving=None, new_members=None)
        text = data.decode()
        result["lines"] = text.split("\n")[:-1]
        result["version_is_mzxid"] = text.endswith("version=%x" % stat.mzxid)
        result["data_version"] = stat.version
        anonymous.sync("/zookeeper/config")
        result["watch"] = seen
        print(json.dumps(result))
    finally:
        admin.stop()
        anonymous.stop()


if __name__ == "__main__":
    main()
