"""Decode an ESC/POS byte stream as python-escpos 3.1 writes it, so tests can read a receipt.

`decode(data)` gives the printed lines (text decoded with the code page in force, with their
bold / double width / double height flags and alignment), the data of the QR codes printed,
the number of cuts, the code pages selected by ESC t, the real-time status requests, and the
command sequences it did not understand.

What a real printer does, the decoder does too, so a stream that would misprint decodes wrong:
- ESC ! n sets bold (bit 3) and double height / width (bits 4 and 5) all at once: python-escpos's
  `set(double_height=True)` therefore turns bold off unless `bold=True` comes with it.
- ESC @ resets bold, size, alignment and the code page (back to CP437); python-escpos's magic
  encoder does not know it and emits no ESC t for a page it believes is still selected.
- GS ! n (custom size) and ESC ! n share the size: a line is double width (height) when its
  multiplier is 2 or more.

Lines: a LF ends a line (even an empty one); text still pending at a cut, ESC d / ESC J (print and
feed, whose feed adds no line), FF, ESC @ or the end of the stream also ends one. A line's flags
are on when they were on for any of its text (an empty line takes those in force at its LF).
CR is ignored, HT stays in the text as "\\t". Barcodes (GS k), images (GS v 0, GS ( L, GS 8 L,
ESC *) and other 2D codes than QR are skipped by their length. An unknown ESC / GS / FS / DLE
command goes to `unknown` as the prefix and its command byte, and decoding goes on after them;
a stream that ends inside a command puts its remaining bytes in `unknown`. Text of GB18030
(python-escpos's path for Chinese) is not recognised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
LF, CR, FF = 0x0A, 0x0D, 0x0C
DEFAULT_PAGE = "CP437"
_TEXT = re.compile(rb"[\x09\x20-\xff]+")
_ALIGN = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}
_QR = 0x31  # cn of GS ( k for QR Code
# ESC commands skipped with their number of parameter bytes (ESC ? takes two: python-escpos's
# hw("RESET") writes ESC ? LF NUL).
_ESC_SKIP = {
    **dict.fromkeys(b" %-3+=AGMRTUVer{", 1),
    **dict.fromkeys(b"$\\?Bc", 2),
    **dict.fromkeys(b"2SL<", 0),
    ord("p"): 3,  # cash drawer: ESC p m t1 t2
    ord("W"): 8,
}
_GS_SKIP = {
    **dict.fromkeys(b"Bb|HfhwarIT/", 1),
    **dict.fromkeys(b"LWP$\\", 2),
    ord(":"): 0,
}
_FS_SKIP = {**dict.fromkeys(b".&", 0), **dict.fromkeys(b"!-CW", 1), **dict.fromkeys(b"pS", 2)}
# When python-escpos's capabilities.json cannot be read.
_FALLBACK_PAGES = {"0": "CP437", "2": "CP850", "16": "CP1252", "19": "CP858"}


@dataclass
class Line:
    text: str
    bold: bool
    double_width: bool
    double_height: bool
    align: str


@dataclass
class Decoded:
    lines: list[Line] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    cuts: int = 0
    code_pages: list[str] = field(default_factory=list)
    status_queries: int = 0
    unknown: list[bytes] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    def text(self) -> str:
        return "\n".join(self.texts())


class _Truncated(Exception):
    """The stream ends inside a command."""


@lru_cache(maxsize=1)
def _capabilities() -> dict[str, Any]:
    try:
        source = resources.files("escpos") / "capabilities.json"
        loaded: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    except (ModuleNotFoundError, OSError, ValueError):
        encodings = {name: {"python_encode": name.lower()} for name in _FALLBACK_PAGES.values()}
        return {"encodings": encodings, "profiles": {"default": {"codePages": _FALLBACK_PAGES}}}
    return loaded


def code_page_names(profile: str | None = None) -> dict[int, str]:
    """The code pages of a python-escpos profile by their ESC t number (default profile)."""
    pages = _capabilities()["profiles"][profile or "default"]["codePages"]
    return {int(number): str(name) for number, name in pages.items()}


def decode_text(raw: bytes, page: str) -> str:
    """Bytes printed while `page` (a capabilities.json encoding name) is selected."""
    info = _capabilities()["encodings"].get(page, {})
    codec = info.get("python_encode")
    if codec:
        try:
            return raw.decode(codec, errors="replace")
        except LookupError:
            pass
    if info.get("data"):
        table = "".join(info["data"])
        return "".join(chr(b) if b < 0x80 else table[b - 0x80] for b in raw)
    return raw.decode("ascii", errors="replace")


def decode(data: bytes, *, profile: str | None = None) -> Decoded:
    """Decode `data`; ESC t numbers are named after python-escpos's `profile` (default)."""
    return _Decoder(bytes(data), code_page_names(profile)).run()


class _Decoder:
    def __init__(self, data: bytes, pages: dict[int, str]) -> None:
        self.data = data
        self.pos = 0
        self.pages = pages
        self.out = Decoded()
        self.segments: list[tuple[str, bool, bool, bool]] = []
        self.qr_stored: bytes | None = None
        self._reset()
        self.prefixes: dict[int, Callable[[], None]] = {
            ESC: self._esc,
            GS: self._gs,
            DLE: self._dle,
            FS: self._fs,
        }
        self.esc: dict[int, Callable[[], None]] = {
            ord("@"): self._init,
            ord("!"): self._print_mode,
            ord("E"): self._bold,
            ord("a"): self._align,
            ord("t"): self._code_page,
            ord("d"): self._print_and_feed,
            ord("J"): self._print_and_feed,
            ord("i"): self._cut_now,
            ord("m"): self._cut_now,
            ord("D"): self._skip_to_nul,
            ord("*"): self._column_image,
            ord("("): self._esc_block,
        }
        self.gs: dict[int, Callable[[], None]] = {
            ord("!"): self._char_size,
            ord("V"): self._cut,
            ord("("): self._gs_block,
            ord("v"): self._raster_image,
            ord("k"): self._barcode,
            ord("8"): self._large_block,
        }

    def _reset(self) -> None:
        self.page = DEFAULT_PAGE
        self.bold = False
        self.width = 1
        self.height = 1
        self.align = "left"

    def run(self) -> Decoded:
        while self.pos < len(self.data):
            start = self.pos
            try:
                self._step()
            except _Truncated:
                self.out.unknown.append(self.data[start:])
                break
        self._flush()
        return self.out

    def _take(self, count: int) -> bytes:
        end = self.pos + count
        if end > len(self.data):
            raise _Truncated
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def _byte(self) -> int:
        return self._take(1)[0]

    def _step(self) -> None:
        run = _TEXT.match(self.data, self.pos)
        if run:
            self.pos = run.end()
            flags = (self.bold, self.width > 1, self.height > 1)
            self.segments.append((decode_text(run.group(), self.page), *flags))
            return
        byte = self._byte()
        if byte == LF:
            self._end_line()
        elif byte == FF:
            self._flush()
        elif byte in self.prefixes:
            self.prefixes[byte]()
        elif byte != CR:
            self.out.unknown.append(bytes([byte]))

    def _end_line(self) -> None:
        texted = [s for s in self.segments if s[0]]
        if not texted:
            texted = [("", self.bold, self.width > 1, self.height > 1)]
        self.out.lines.append(
            Line(
                text="".join(s[0] for s in self.segments),
                bold=any(s[1] for s in texted),
                double_width=any(s[2] for s in texted),
                double_height=any(s[3] for s in texted),
                align=self.align,
            )
        )
        self.segments = []

    def _flush(self) -> None:
        if self.segments:
            self._end_line()

    def _dispatch(
        self, prefix: int, table: dict[int, Callable[[], None]], skip: dict[int, int]
    ) -> None:
        command = self._byte()
        if command in table:
            table[command]()
        elif command in skip:
            self._take(skip[command])
        else:
            self.out.unknown.append(bytes([prefix, command]))

    def _esc(self) -> None:
        self._dispatch(ESC, self.esc, _ESC_SKIP)

    def _gs(self) -> None:
        self._dispatch(GS, self.gs, _GS_SKIP)

    def _fs(self) -> None:
        self._dispatch(FS, {}, _FS_SKIP)

    def _dle(self) -> None:
        command = self._byte()
        if command == 0x04:  # DLE EOT n: real-time status
            self._byte()
            self.out.status_queries += 1
        elif command == 0x05:  # DLE ENQ n: real-time request
            self._byte()
        else:
            self.out.unknown.append(bytes([DLE, command]))

    # ESC commands

    def _init(self) -> None:
        self._flush()
        self._reset()

    def _print_mode(self) -> None:
        mode = self._byte()
        self.bold = bool(mode & 0x08)
        self.height = 2 if mode & 0x10 else 1
        self.width = 2 if mode & 0x20 else 1

    def _bold(self) -> None:
        self.bold = bool(self._byte() & 0x01)

    def _align(self) -> None:
        value = self._byte()
        if value in _ALIGN:
            self.align = _ALIGN[value]
        else:
            self.out.unknown.append(bytes([ESC, ord("a"), value]))

    def _code_page(self) -> None:
        number = self._byte()
        self.page = self.pages.get(number, f"#{number}")
        self.out.code_pages.append(self.page)

    def _print_and_feed(self) -> None:
        self._byte()
        self._flush()

    def _cut_now(self) -> None:
        self._flush()
        self.out.cuts += 1

    def _skip_to_nul(self) -> None:
        end = self.data.find(b"\x00", self.pos)
        if end < 0:
            raise _Truncated
        self.pos = end + 1

    def _column_image(self) -> None:
        mode, low, high = self._take(3)
        self._take((low + 256 * high) * (1 if mode in (0, 1) else 3))

    def _skip_block(self) -> bytes:
        """`( fn pL pH payload`: returns the payload."""
        self._byte()
        low, high = self._take(2)
        return self._take(low + 256 * high)

    def _esc_block(self) -> None:
        self._skip_block()

    # GS commands

    def _char_size(self) -> None:
        size = self._byte()
        self.width = (size >> 4) + 1
        self.height = (size & 0x0F) + 1

    def _cut(self) -> None:
        mode = self._byte()
        if mode in (65, 66, 97, 98, 103, 104):
            self._byte()
        elif mode not in (0, 1, 48, 49):
            self.out.unknown.append(bytes([GS, ord("V"), mode]))
            return
        self._cut_now()

    def _gs_block(self) -> None:
        function = self.data[self.pos] if self.pos < len(self.data) else None
        payload = self._skip_block()
        if function == ord("k") and len(payload) >= 2 and payload[0] == _QR:
            self._qr(payload[1], payload[2:])

    def _qr(self, function: int, rest: bytes) -> None:
        if function == 80:  # store: m d1...dk
            self.qr_stored = rest[1:]
        elif function == 81 and self.qr_stored is not None:  # print
            try:
                self.out.qr_codes.append(self.qr_stored.decode("utf-8"))
            except UnicodeDecodeError:
                self.out.qr_codes.append(self.qr_stored.decode("latin-1"))

    def _raster_image(self) -> None:
        if self._byte() != ord("0"):
            self.out.unknown.append(self.data[self.pos - 3 : self.pos])
            return
        _mode, x_low, x_high, y_low, y_high = self._take(5)
        self._take((x_low + 256 * x_high) * (y_low + 256 * y_high))

    def _barcode(self) -> None:
        system = self._byte()
        if system <= 6:  # GS k m d1...dk NUL
            self._skip_to_nul()
        else:  # GS k m n d1...dn
            self._take(self._byte())

    def _large_block(self) -> None:
        self._byte()  # GS 8 L / GS 8 B: p1 p2 p3 p4 then the payload
        self._take(int.from_bytes(self._take(4), "little"))
