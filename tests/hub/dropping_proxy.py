"""A TCP proxy between tills and their hub that now and then drops the hub's answer to an
upload: the hub has stored the batch, the till never hears back (and must not send it twice
in effect)."""

from __future__ import annotations

import asyncio
import random
import threading
from concurrent.futures import Future


class DroppingProxy:
    def __init__(self, upstream_port: int, drop: float, seed: int = 7) -> None:
        self.upstream_port = upstream_port
        self.drop = drop
        self.dropped = 0
        self._rng = random.Random(seed)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    def start(self) -> DroppingProxy:
        self._thread.start()
        ready: Future[int] = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self.port = ready.result(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _listen(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:  # the hub is down: so is the proxy, as the till sees it
            writer.close()
            return
        uploading = [False]

        async def to_hub() -> None:
            while chunk := await reader.read(65536):
                if chunk.startswith(b"POST /v1/sync"):
                    uploading[0] = True
                elif chunk[:4] in (b"GET ", b"POST", b"HEAD"):
                    uploading[0] = False
                up_writer.write(chunk)
                await up_writer.drain()

        async def to_till() -> None:
            while chunk := await up_reader.read(65536):
                if uploading[0] and self._rng.random() < self.drop:
                    self.dropped += 1
                    return  # the answer is lost: both sides are closed below
                writer.write(chunk)
                await writer.drain()

        tasks = [asyncio.create_task(to_hub()), asyncio.create_task(to_till())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        except OSError:
            pass
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for w in (writer, up_writer):
                w.close()
