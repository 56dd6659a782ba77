"""Cross-language lock demo: ``python -m paddock.lock_demo --server H:P --path /locks/x
--hold-ms N --id NAME [--recipe latch]``.

Prints "ACQUIRED NAME" once it holds the lock (with ``--recipe latch``: once it leads the
election), holds it for N ms, prints "RELEASED NAME" and
then deletes its lock node. RELEASED is printed while still holding, so when several demos share
one stdout pipe the lines alternate ACQUIRED X / RELEASED X for a correct lock. Exit code 0 on
success, 1 on a Paddock error.
"""

from __future__ import annotations

import argparse
import sys
import time

from . import errors
from .client import Client
from .recipes import LeaderElection, Lock


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paddock.lock_demo", description=__doc__)
    ap.add_argument("--server", required=True, help="host:port[,host:port...]")
    ap.add_argument("--path", required=True, help="lock znode, e.g. /locks/x")
    ap.add_argument("--hold-ms", type=int, default=0, help="how long to hold the lock")
    ap.add_argument("--id", required=True, help="name printed and stored in the lock node")
    ap.add_argument("--timeout", type=float, default=10.0, help="session timeout, seconds")
    ap.add_argument("--recipe", choices=("lock", "latch"), default="lock")
    args = ap.parse_args(argv)

    def hold() -> None:
        print(f"ACQUIRED {args.id}", flush=True)
        time.sleep(args.hold_ms / 1000)  # holding the lock is the point of the demo
        print(f"RELEASED {args.id}", flush=True)

    try:
        with Client(args.server, timeout=args.timeout) as client:
            if args.recipe == "latch":
                # run() deletes the node (hands leadership on) once hold() returns.
                LeaderElection(client, args.path, args.id).run(hold)
            else:
                lock = Lock(client, args.path, args.id)
                lock.acquire()
                hold()
                lock.release()
    except errors.PaddockError as e:
        print(f"ERROR {args.id} {e}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
