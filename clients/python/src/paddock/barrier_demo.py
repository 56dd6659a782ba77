"""Cross-language double barrier member: ``python -m paddock.barrier_demo --server H:P --path P
--count N``. Enters (prints "ENTERED" once N members are in), waits until stdin closes, leaves
(prints "LEFT" once every member left) and exits."""

from __future__ import annotations

import argparse
import sys

from . import errors
from .client import Client
from .double_barrier import DoubleBarrier

TIMEOUT = 120.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paddock.barrier_demo", description=__doc__)
    ap.add_argument("--server", required=True, help="host:port[,host:port...]")
    ap.add_argument("--path", required=True)
    ap.add_argument("--count", type=int, required=True)
    args = ap.parse_args(argv)
    try:
        with Client(args.server, timeout=10) as client:
            barrier = DoubleBarrier(client, args.path, args.count)
            if not barrier.enter(TIMEOUT):
                print(f"ERROR enter {args.path}: timed out", file=sys.stderr, flush=True)
                return 1
            print("ENTERED", flush=True)
            sys.stdin.read()  # inside until the caller closes stdin
            if not barrier.leave(TIMEOUT):
                print(f"ERROR leave {args.path}: timed out", file=sys.stderr, flush=True)
                return 1
            print("LEFT", flush=True)
    except errors.PaddockError as e:
        print(f"ERROR {e}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
