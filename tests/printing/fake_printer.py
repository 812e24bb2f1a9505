"""A network receipt printer on 127.0.0.1 for tests: a real TCP server in a daemon thread.

    with FakePrinter("ok") as printer:
        send_a_receipt(printer.url)          # tcp://127.0.0.1:PORT
        job = printer.wait_for_jobs(1)[0]

Modes:
- "ok": reads everything and answers each real-time status request DLE EOT n as soon as it
  arrives, with the connection still open: n=1 -> 0x16 (online), n=2, 3, 4 -> 0x12 (paper
  present).
- "no_paper": like "ok", but DLE EOT 4 answers 0x7E (paper end: python-escpos's
  paper_status() gives 0).
- "offline": like "ok", but DLE EOT 1 answers 0x1E (bit 3: offline; is_online() gives False).
- "goes_quiet": like "ok" for the first two status requests (before a job), then reads
  everything and answers nothing more.
- "never_reads": accepts and never reads nor answers; its receive buffer is small
  (SO_RCVBUF 4096 on the listening socket), so a sender soon blocks. Sockets stay open until
  stop.
- "reset": reads `reset_after` bytes (answering status requests among them as "ok" does),
  then closes with a TCP reset (SO_LINGER on, 0 seconds); with reset_after=0 it reads nothing
  and resets when the first bytes arrive. A job shorter than `reset_after` is read and left
  unanswered past its status requests: the sender's read times out instead.

Limit: status requests are found by scanning the stream for 0x10 0x04 followed by 1..4 (also
across recv() chunks) without parsing ESC/POS, so those three bytes inside a GS ( k payload or
an image would be answered too. Streams of text and QR codes, as python-escpos writes them,
never hold them but in a status request.

`jobs` holds one entry per connection, which appears when the connection ends (in every mode
but "never_reads"; in "reset" mode, the bytes read before the reset), in the order the
connections were accepted (so one print after another gives jobs in that order even when the
server sees the first end after the second); a connection still open when the printer stops
ends then.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import select
import socket
import struct
import threading
import time
from types import TracebackType

DLE_EOT = b"\x10\x04"
_ANSWERS = {
    "ok": {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12},
    "no_paper": {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x7E},
    "offline": {1: 0x1E, 2: 0x12, 3: 0x12, 4: 0x12},
}
_ANSWERS["goes_quiet"] = _ANSWERS["ok"]
MODES = (*_ANSWERS, "never_reads", "reset")
_POLL = 0.02  # seconds between looks at the stop flag
_JOIN = 2.0


class FakePrinter:
    def __init__(self, mode: str = "ok", *, reset_after: int = 64) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}, expected one of {MODES}")
        self.mode = mode
        self.reset_after = reset_after
        self.jobs: list[bytes] = []
        self._ended: list[tuple[int, bytes]] = []  # (accept number, bytes), kept in order
        self._numbers = itertools.count()
        self._open: dict[int, bytearray] = {}  # buffers of the connections still open
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if mode == "never_reads":
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._listener.bind(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.url = f"tcp://127.0.0.1:{self.port}"
        self._server = threading.Thread(target=self._serve, name=f"fake-printer-{self.port}")
        self._server.daemon = True

    def __enter__(self) -> FakePrinter:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self._listener.listen(16)
        self._server.start()

    def stop(self) -> None:
        """Closes every socket and joins the threads; never waits more than a few seconds."""
        self._stop.set()
        if self._server.is_alive():
            self._server.join(_JOIN)
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(_JOIN)
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in [self._listener, *sockets]:
            with contextlib.suppress(OSError):
                sock.close()

    def received(self) -> bytes:
        """Every byte received so far: the ended jobs, then the connections still open."""
        with self._lock:
            return b"".join([*self.jobs, *(bytes(b) for b in self._open.values())])

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """Waits until `count` connections have ended; returns `jobs`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.jobs) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"fake printer ({self.mode}) on port {self.port}: {len(self.jobs)} of "
                        f"{count} connections ended within {timeout} s "
                        f"({len(self._open)} still open)"
                    )
                self._lock.wait(left)
            return list(self.jobs)

    # The server

    def _serve(self) -> None:
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([self._listener], [], [], _POLL)
                if not ready:
                    continue
                conn, _address = self._listener.accept()
                self._accepted(conn)
        except OSError:
            pass  # the listener was closed under it: stopping
        finally:
            with contextlib.suppress(OSError):
                self._listener.close()

    def _accepted(self, conn: socket.socket) -> None:
        with self._lock:
            self._sockets.append(conn)
            if self.mode == "never_reads":
                return
            number = next(self._numbers)
            thread = threading.Thread(target=self._handle, args=(conn, number), daemon=True)
            self._threads.append(thread)
        thread.start()

    def _handle(self, conn: socket.socket, number: int) -> None:
        buffer = bytearray()
        with self._lock:
            self._open[id(buffer)] = buffer
        try:
            if self.mode == "reset":
                self._read_then_reset(conn, buffer)
            else:
                self._read_and_answer(conn, buffer)
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with self._lock:
                del self._open[id(buffer)]
                bisect.insort(self._ended, (number, bytes(buffer)))
                self.jobs[:] = [job for _number, job in self._ended]
                self._lock.notify_all()

    def _recv(self, conn: socket.socket, size: int) -> bytes | None:
        """Bytes received (b"" at the end of the stream), None while nothing arrived."""
        ready, _, _ = select.select([conn], [], [], _POLL)
        if not ready:
            return None
        try:
            return conn.recv(size)
        except (ConnectionError, TimeoutError):
            return b""

    def _read_and_answer(self, conn: socket.socket, buffer: bytearray) -> None:
        self._read(conn, buffer, limit=None)

    def _read(self, conn: socket.socket, buffer: bytearray, limit: int | None) -> bool:
        """Reads (up to `limit` bytes), answering status requests; False at the stream's end."""
        answers = _ANSWERS["ok" if self.mode == "reset" else self.mode]
        scanned, answered = 0, 0
        while (limit is None or len(buffer) < limit) and not self._stop.is_set():
            chunk = self._recv(conn, 65536 if limit is None else limit - len(buffer))
            if chunk is None:
                continue
            if not chunk:
                return False
            with self._lock:
                buffer += chunk
            replies, scanned = _status_requests(buffer, scanned)
            for n in replies:
                answered += 1
                if self.mode == "goes_quiet" and answered > 2:
                    continue
                with contextlib.suppress(OSError):
                    conn.sendall(bytes([answers[n]]))
        return True

    def _read_then_reset(self, conn: socket.socket, buffer: bytearray) -> None:
        if not self._read(conn, buffer, limit=self.reset_after):
            return
        # reset_after=0: not before the first bytes arrive, so that the sender's connect() has
        # surely succeeded (a reset racing it would fail the connect instead).
        while self.reset_after == 0 and not self._stop.is_set():
            if select.select([conn], [], [], _POLL)[0]:
                break
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _status_requests(buffer: bytearray, scanned: int) -> tuple[list[int], int]:
    """The n of each DLE EOT n (n in 1..4) starting at or after `scanned` and complete in
    `buffer`, and where the next scan starts (a request split across chunks is found then)."""
    found: list[int] = []
    while True:
        start = buffer.find(DLE_EOT, scanned)
        if start < 0:
            return found, max(scanned, len(buffer) - 1)
        if start + 2 >= len(buffer):
            return found, start
        n = buffer[start + 2]
        if 1 <= n <= 4:
            found.append(n)
            scanned = start + 3
        else:
            scanned = start + 1


def refused_url() -> str:
    """A tcp://127.0.0.1:PORT URL where nothing listens (a port just bound, then freed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"
