"""`paddock bench`'s Python generator (--generator python): bench/load-worker.ts in Python.

It opens `clients` sessions, each its own connection, runs `concurrency` closed loops on each
and records the latency of operations that start after the warm-up and end before the deadline.
Paddock goes through clients/python's asyncio client (paddock.aio: one task per loop, awaiting
each call; the calls of one event-loop turn leave in one envelope). ZooKeeper, and Paddock's
ZooKeeper door (--paddock-client jute), go through kazoo's *_async calls: each loop issues the
next call from the previous one's completion callback, on kazoo's own callback thread.

The coordinator (bench/load-runner.ts) talks to it in JSON lines: on stdin a job, then a go; on
stdout ready, then a result (or failed). The messages are load-worker.ts's WorkerJob, WorkerGo
and WorkerReply; the histogram is bench/histogram.ts's. Logs go to stderr. The process exits when
its stdin closes, so it never outlives the coordinator.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
import random
import resource
import sys
import threading
import time
from typing import Any

import paddock.aio
from kazoo.client import KazooClient
from paddock import CreateMode

from histogram import Histogram

CONNECT_DEADLINE_S = 15.0
_out = threading.Lock()


def post(message: dict[str, Any]) -> None:
    line = json.dumps(message, separators=(",", ":")) + "\n"
    with _out:
        sys.stdout.write(line)
        sys.stdout.flush()


def fail(message: str) -> None:
    post({"type": "failed", "message": message})
    os._exit(1)


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def value_of_size(n: int) -> bytes:
    return bytes(97 + i % 26 for i in range(n))


def shuffled(connect: str) -> list[str]:
    servers = connect.split(",")
    random.shuffle(servers)
    return servers


def uses_zookeeper_protocol(job: dict[str, Any]) -> bool:
    """The zookeeper target, or Paddock's ZooKeeper door (--paddock-client jute)."""
    target = job["target"]
    return target == "zookeeper" or (target == "paddock" and job.get("paddockClient") == "jute")


class Window:
    """The measured window and the counters every loop of this process shares. A loop asks
    `begin` before each operation and reports to `end` after it; both say when to stop."""

    def __init__(self, go: dict[str, Any]) -> None:
        self.start_ms = float(go["measureStartEpochMs"])
        end = go.get("measureEndEpochMs")
        self.end_ms = math.inf if end is None else float(end)
        quota = go.get("opsQuota")
        self.quota = -1 if quota is None else int(quota)
        # One clock read per boundary: epoch ms derived from the monotonic clock.
        self.offset_ms = time.time() * 1000 - time.perf_counter_ns() / 1e6
        self.started = itertools.count(1)  # next() is atomic under the GIL (kazoo's threads)
        self.errors = 0
        self.any_ok = False
        self.sample: str | None = None
        self.lock = threading.Lock()
        # Read as the first measured operation starts, not by a timer: a timer that fires late
        # on a loaded machine would miss a short window entirely.
        self.cpu_at_start: float | None = None

    def begin(self) -> tuple[int, bool] | None:
        """(start ns, measured), or None when the loop should end."""
        t0 = time.perf_counter_ns()
        e0 = self.offset_ms + t0 / 1e6
        if e0 >= self.end_ms:
            return None
        measured = e0 >= self.start_ms
        if measured:
            if self.quota >= 0 and next(self.started) > self.quota:
                return None
            if self.cpu_at_start is None:
                with self.lock:
                    if self.cpu_at_start is None:
                        self.cpu_at_start = cpu_seconds()
        return t0, measured

    def end(self, loop: LoopStats, t0: int, measured: bool, error: BaseException | None) -> bool:
        """Records one operation; True when the loop should stop."""
        t1 = time.perf_counter_ns()
        if error is not None:
            if measured:
                with self.lock:
                    self.errors += 1
                    if self.sample is None:
                        self.sample = f"{type(error).__name__}: {error}"
            # Nothing works: stop this loop instead of spinning.
            return self.errors > 1000 and not self.any_ok
        e1 = self.offset_ms + t1 / 1e6
        if measured and e1 <= self.end_ms:
            loop.histogram.record((t1 - t0) / 1e3)
            loop.ops += 1
            self.any_ok = True
            loop.first_ms = min(loop.first_ms, self.offset_ms + t0 / 1e6)
            loop.last_end_ms = max(loop.last_end_ms, e1)
        return False


class LoopStats:
    """One closed loop's own figures, merged once every loop has ended."""

    def __init__(self) -> None:
        self.histogram = Histogram()
        self.ops = 0
        self.first_ms = math.inf
        self.last_end_ms = 0.0


class Workload:
    def __init__(self, job: dict[str, Any]) -> None:
        self.kind = job["workload"]
        size = {"create-100": 100, "create-1k": 1024}.get(self.kind, job["valueSize"])
        self.value = value_of_size(size)
        self.prefix = job["prefix"]
        self.worker = job.get("workerIndex", 0)
        self.read_ratio = job.get("readRatio", 0.9)

    def key(self, c: int, loop: int) -> str:
        return f"{self.prefix}/k-{self.worker}-{c}-{loop}"

    def next_op(self) -> str:
        """create, set or get."""
        if self.kind.startswith("create"):
            return "create"
        if self.kind == "mixed":
            return "get" if random.random() < self.read_ratio else "set"
        return self.kind


class PaddockSession:
    """Paddock through clients/python's asyncio client: its own gRPC channel per session."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.client = paddock.aio.Client(
            shuffled(job["address"]),
            timeout=job["sessionTimeoutMs"] / 1000,
            max_queued_requests=max(4096, 2 * job["concurrency"]),
        )

    async def open(self) -> None:
        await self.client.start(timeout=CONNECT_DEADLINE_S)

    async def create(self, path: str, value: bytes, sequential: bool) -> None:
        mode = CreateMode.PERSISTENT_SEQUENTIAL if sequential else CreateMode.PERSISTENT
        await self.client.create(path, value, mode=mode)

    async def loop(self, w: Window, wl: Workload, c: int, loop: int, st: LoopStats) -> None:
        client, key, value, prefix = self.client, wl.key(c, loop), wl.value, wl.prefix

        while (b := w.begin()) is not None:
            t0, measured = b
            error = None
            try:
                op = wl.next_op()
                if op == "set":
                    await client.set_data(key, value)
                elif op == "get":
                    await client.get_data(key)
                else:
                    await client.create(
                        prefix + "/n-", value, mode=CreateMode.PERSISTENT_SEQUENTIAL
                    )
            except Exception as e:
                error = e
            if w.end(st, t0, measured, error):
                return

    async def close(self) -> None:
        await self.client.close(timeout=2)


class KazooSession:
    """ZooKeeper's protocol through kazoo: one TCP connection per session."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.zk = KazooClient(hosts=job["address"], timeout=job["sessionTimeoutMs"] / 1000)

    async def open(self) -> None:
        await asyncio.to_thread(self.zk.start, CONNECT_DEADLINE_S)

    async def create(self, path: str, value: bytes, sequential: bool) -> None:
        await asyncio.to_thread(self.zk.create, path, value, sequence=sequential)

    async def loop(self, w: Window, wl: Workload, c: int, loop: int, st: LoopStats) -> None:
        zk, key, value, seq = self.zk, wl.key(c, loop), wl.value, wl.prefix + "/n-"
        aloop = asyncio.get_running_loop()
        done = aloop.create_future()

        def finished() -> None:
            aloop.call_soon_threadsafe(lambda: done.done() or done.set_result(None))

        def issue() -> None:
            while (b := w.begin()) is not None:
                t0, measured = b
                try:
                    op = wl.next_op()
                    if op == "set":
                        a = zk.set_async(key, value)
                    elif op == "get":
                        a = zk.get_async(key)
                    else:
                        a = zk.create_async(seq, value, sequence=True)
                except Exception as e:  # refused before it left (e.g. the connection closed)
                    if w.end(st, t0, measured, e):
                        break
                    continue
                a.rawlink(lambda r, t0=t0, measured=measured: completed(r, t0, measured))
                return
            finished()

        def completed(r: Any, t0: int, measured: bool) -> None:
            if w.end(st, t0, measured, None if r.successful() else r.exception):
                finished()
            else:
                issue()

        issue()
        await done

    async def close(self) -> None:
        def stop() -> None:
            self.zk.stop()
            self.zk.close()

        await asyncio.to_thread(stop)


async def run(job: dict[str, Any], go: asyncio.Future[dict[str, Any]]) -> dict[str, Any]:
    kind = KazooSession if uses_zookeeper_protocol(job) else PaddockSession
    sessions = [kind(job) for _ in range(job["clients"])]

    async def close_all() -> None:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)

    wl = Workload(job)
    concurrency = job["concurrency"]
    try:
        await asyncio.gather(*(s.open() for s in sessions))
        if wl.kind in ("set", "get", "mixed"):
            await asyncio.gather(
                *(
                    s.create(wl.key(c, loop), wl.value, False)
                    for c, s in enumerate(sessions)
                    for loop in range(concurrency)
                )
            )
    except Exception as e:
        await close_all()
        fail(f"gen-py: {type(e).__name__}: {e}")
    post({"type": "ready"})
    w = Window(await go)

    stats = [LoopStats() for _ in range(len(sessions) * concurrency)]
    await asyncio.gather(
        *(
            s.loop(w, wl, c, loop, stats[c * concurrency + loop])
            for c, s in enumerate(sessions)
            for loop in range(concurrency)
        )
    )
    cpu_end = cpu_seconds()

    total = Histogram()
    for st in stats:
        total.merge(st.histogram)
    ops = sum(st.ops for st in stats)
    first = min(st.first_ms for st in stats)
    last = max(st.last_end_ms for st in stats)
    await close_all()
    result: dict[str, Any] = {
        "type": "result",
        "histogram": total.data(),
        "ops": ops,
        "errors": w.errors,
        "elapsedMs": last - first if ops > 0 else 0,
        "cpuSeconds": 0 if w.cpu_at_start is None else cpu_end - w.cpu_at_start,
    }
    if w.sample is not None:
        result["errorSample"] = w.sample
    return result


def read_messages(aloop: asyncio.AbstractEventLoop, go: asyncio.Future[Any]) -> None:
    """The rest of stdin, on a thread: the go message, then the coordinator's end."""
    for line in sys.stdin:
        try:
            m = json.loads(line)
        except ValueError:
            fail(f"gen-py: bad message {line!r}")
        if m.get("type") == "go":
            aloop.call_soon_threadsafe(lambda m=m: go.done() or go.set_result(m))
    # The coordinator is gone: do not outlive it.
    print("gen-py: stdin closed; exiting", file=sys.stderr)
    os._exit(2)


async def main() -> None:
    line = sys.stdin.readline()
    if not line:
        os._exit(2)
    try:
        job = json.loads(line)
    except ValueError:
        job = None
    if not isinstance(job, dict) or job.get("type") != "job":
        fail(f"gen-py: expected a job, got {line!r}")
    if job.get("clients", 0) < 1 or job.get("concurrency", 0) < 1:
        clients, concurrency = job.get("clients"), job.get("concurrency")
        fail(f"gen-py: clients {clients} and concurrency {concurrency} must be at least 1")
    go: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    threading.Thread(
        target=read_messages, args=(asyncio.get_running_loop(), go), daemon=True
    ).start()
    post(await run(job, go))
    # kazoo's and grpc's threads need not wind down: the result is out.
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
