"""Cross-language discovery demo: ``python -m paddock.discovery_demo --server H:P --base /services
--service NAME --mode register|find [--id ID --address A --port P]``.

``register`` registers the instance, prints "REGISTERED ID", keeps it until stdin closes and then
unregisters; ``find`` prints every instance of the service as one JSON line each.
"""

from __future__ import annotations

import argparse
import sys

from . import errors
from .client import Client
from .discovery import ServiceDiscovery, ServiceInstance


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paddock.discovery_demo", description=__doc__)
    ap.add_argument("--server", required=True, help="host:port[,host:port...]")
    ap.add_argument("--base", default="/services")
    ap.add_argument("--service", required=True)
    ap.add_argument("--mode", choices=("register", "find"), default="find")
    ap.add_argument("--id", default="py-1")
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    args = ap.parse_args(argv)
    try:
        with Client(args.server, timeout=10) as client:
            discovery = ServiceDiscovery(client, args.base)
            if args.mode == "register":
                instance = ServiceInstance(
                    args.service, args.id, address=args.address, port=args.port
                )
                discovery.register(instance)
                print(f"REGISTERED {args.id}", flush=True)
                sys.stdin.read()  # registered until the caller closes stdin
                discovery.unregister(args.service, args.id)
            else:
                for instance in discovery.query_for_instances(args.service):
                    print(instance.to_json().decode(), flush=True)
    except errors.PaddockError as e:
        print(f"ERROR {e}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
