"""Cross-language discovery demo: ``python -m paddock.discovery_demo --server H:P --base /services
--service NAME --mode register|find|dubbo-register|dubbo-find [--id ID --address A --port P]``.

``register`` registers the instance, prints "REGISTERED ID", keeps it until stdin closes and then
unregisters; ``find`` prints every instance of the service as one JSON line each. The ``dubbo-``
modes do the same in Dubbo 3's application-level layout: the service is an interface, the id the
application's name, and ``dubbo-find`` prints app, id, address, port and metadata per instance.
``dubbo-url-register`` registers ``dubbo://ADDRESS:PORT/SERVICE?application=ID&interface=SERVICE&side=provider``
in Dubbo's interface-level layout; ``dubbo-url-find`` prints the interface's provider URLs.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import errors
from .client import Client
from .discovery import ServiceDiscovery, ServiceInstance
from .dubbo import DubboRegistry
from .dubbo_apps import DubboApplications, DubboInstance


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paddock.discovery_demo", description=__doc__)
    ap.add_argument("--server", required=True, help="host:port[,host:port...]")
    ap.add_argument("--base", default="/services")
    ap.add_argument("--service", required=True)
    ap.add_argument(
        "--mode",
        choices=(
            "register",
            "find",
            "dubbo-register",
            "dubbo-find",
            "dubbo-url-register",
            "dubbo-url-find",
        ),
        default="find",
    )
    ap.add_argument("--id", default="py-1")
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    args = ap.parse_args(argv)
    try:
        with Client(args.server, timeout=10) as client:
            discovery = ServiceDiscovery(client, args.base)
            if args.mode.startswith("dubbo-url-"):
                dubbo_url(DubboRegistry(client), args)
            elif args.mode.startswith("dubbo-"):
                dubbo(DubboApplications(client, args.base), args)
            elif args.mode == "register":
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


def dubbo(apps: DubboApplications, args: argparse.Namespace) -> None:
    if args.mode == "dubbo-register":
        mine = apps.register(DubboInstance(args.id, args.address, args.port), (args.service,))
        print(f"REGISTERED {args.id}", flush=True)
        sys.stdin.read()  # registered until the caller closes stdin
        apps.unregister(mine.app, mine.id)
        return
    for i in apps.providers_of(args.service):
        line = {
            "app": i.app,
            "id": i.id,
            "address": i.address,
            "port": i.port,
            "metadata": i.metadata,
        }
        print(json.dumps(line), flush=True)


def dubbo_url(registry: DubboRegistry, args: argparse.Namespace) -> None:
    if args.mode == "dubbo-url-find":
        for url in registry.lookup(args.service):
            print(url, flush=True)
        return
    query = f"application={args.id}&interface={args.service}&side=provider"
    url = f"dubbo://{args.address}:{args.port}/{args.service}?{query}"
    registry.register(url)
    print(f"REGISTERED {args.id}", flush=True)
    sys.stdin.read()  # registered until the caller closes stdin
    registry.unregister(url)


if __name__ == "__main__":
    sys.exit(main())
