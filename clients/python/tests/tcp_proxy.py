"""A loopback TCP proxy that a test can cut, to make a client lose its connection on demand.

``pause()`` drops every proxied connection and refuses new ones (they are accepted and closed
at once) until ``resume()``; the server behind it keeps running, so the client's session lives
on (and expires if the pause outlasts its timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._paused = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self.accepted = 0
        # Set by freeze() / by a cut: the connections opened before it see it.
        self._frozen = asyncio.Event()
        self._cut = asyncio.Event()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _call(self, coro):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    def start(self) -> TcpProxy:
        self._thread.start()

        async def listen() -> int:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            return self._server.sockets[0].getsockname()[1]

        self.port = self._call(listen())
        return self

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._paused:
            writer.close()
            return
        self.accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))
        frozen, cut = self._frozen, self._cut

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while True:
                    data = await src.read(65536)
                    if frozen.is_set():
                        await cut.wait()  # silent and open until cut
                        return
                    if not data:
                        return
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers.discard(writer)
        self._writers.discard(up_writer)

    def _drop_all(self) -> None:
        for w in list(self._writers):
            with contextlib.suppress(Exception):
                w.transport.abort()
        self._writers.clear()
        self._cut.set()
        self._cut = asyncio.Event()

    def freeze(self) -> None:
        async def go() -> None:
            self._frozen.set()
            self._frozen = asyncio.Event()

        self._call(go())

    def pause(self) -> None:
        async def go() -> None:
            self._paused = True
            self._drop_all()

        self._call(go())

    def resume(self) -> None:
        async def go() -> None:
            self._paused = False

        self._call(go())

    def drop(self) -> None:
        async def go() -> None:
            self._drop_all()

        self._call(go())

    def close(self) -> None:
        async def go() -> None:
            self._drop_all()
            if self._server is not None:
                self._server.close()
            me = asyncio.current_task()
            rest = [t for t in asyncio.all_tasks() if t is not me]
            for t in rest:
                t.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        with contextlib.suppress(Exception):
            self._call(go())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
