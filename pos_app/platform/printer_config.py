"""Where receipts print: the `[printer]` section, and printers given as URLs.

`tcp://HOST:PORT`, `usb://VID:PID`, `serial:///dev/ttyUSB0?baud=9600`, `win32://PRINTER NAME`
drive an ESC/POS thermal printer directly; `system` prints through the computer's printer
dialog (an OS driver); `none` prints nothing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import parse_qs, unquote, urlsplit

ENV_VARIABLE = "POS_APP_PRINTER"
PAPER_WIDTHS = {58: 32, 80: 48}  # mm -> characters per line in the printer's usual font
BAUDS = (2400, 4800, 9600, 19200, 38400, 57600, 115200)
COPIES_MAX = 5
# Code pages of Latin letters that ESC/POS printers commonly have (python-escpos's names).
CODE_PAGES = ("AUTO", "CP858", "CP850", "CP1252", "ISO_8859-15", "CP437", "CP860", "CP863")
_HEX4 = re.compile(r"(?:0x)?[0-9a-fA-F]{1,4}")


class PrinterUrlError(ValueError):
    """A printer URL that names no printer this app can drive; the message says why."""


@dataclass(frozen=True)
class PrinterTarget:
    """One printer, as parsed from its URL."""

    kind: str  # none | system | tcp | usb | serial | win32
    host: str = ""
    port: int = 9100
    vendor: int = 0
    product: int = 0
    device: str = ""
    baud: int = 9600
    name: str = ""

    @property
    def is_escpos(self) -> bool:
        return self.kind in ("tcp", "usb", "serial", "win32")

    @property
    def url(self) -> str:
        """The canonical URL, as written back into the config file."""
        if self.kind == "tcp":
            return f"tcp://{self.host}:{self.port}"
        if self.kind == "usb":
            return f"usb://{self.vendor:04x}:{self.product:04x}"
        if self.kind == "serial":
            return f"serial://{self.device}?baud={self.baud}"
        if self.kind == "win32":
            return f"win32://{self.name}"
        return self.kind


def parse_printer_url(url: str) -> PrinterTarget:
    """Raises PrinterUrlError with what is wrong and what is expected."""
    text = url.strip()
    if text.lower() in ("none", "system", ""):
        return PrinterTarget(kind=text.lower() or "none")
    scheme, _, rest = text.partition("://")
    parser = _PARSERS.get(scheme.lower())
    if parser is None or not rest:
        raise PrinterUrlError(
            f"{url!r} is not a printer: expected tcp://HOST:PORT, usb://VID:PID, "
            "serial:///dev/ttyUSB0?baud=9600, win32://PRINTER NAME, system or none"
        )
    return parser(text)


def _tcp(url: str) -> PrinterTarget:
    parts = urlsplit(url)
    try:
        port = parts.port or 9100
    except ValueError:
        raise PrinterUrlError(f"{url!r}: the port must be a number from 1 to 65535") from None
    if not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise PrinterUrlError(f"{url!r}: expected tcp://HOST:PORT, e.g. tcp://192.168.1.50:9100")
    return PrinterTarget(kind="tcp", host=parts.hostname, port=port)


def _usb(url: str) -> PrinterTarget:
    ids = url.split("://", 1)[1].strip("/")
    vendor, _, product = ids.partition(":")
    if not (_HEX4.fullmatch(vendor) and _HEX4.fullmatch(product)) or not (
        int(vendor, 16) and int(product, 16)
    ):
        raise PrinterUrlError(
            f"{url!r}: expected usb://VID:PID, the printer's vendor and product ids in "
            "hexadecimal, e.g. usb://04b8:0202"
        )
    return PrinterTarget(kind="usb", vendor=int(vendor, 16), product=int(product, 16))


def _serial(url: str) -> PrinterTarget:
    parts = urlsplit(url)
    device = unquote(parts.netloc + parts.path)
    query = parse_qs(parts.query)
    unknown = set(query) - {"baud"}
    baud_text = query.get("baud", ["9600"])[-1]
    if not device or unknown or not baud_text.isdigit() or int(baud_text) not in BAUDS:
        raise PrinterUrlError(
            f"{url!r}: expected serial:///dev/ttyUSB0?baud=9600 (or serial://COM3?baud=9600), "
            f"the speed one of {', '.join(map(str, BAUDS))}"
        )
    return PrinterTarget(kind="serial", device=device, baud=int(baud_text))


def _win32(url: str) -> PrinterTarget:
    name = unquote(url.split("://", 1)[1]).strip().strip("/")
    if not name:
        raise PrinterUrlError(f"{url!r}: expected win32://PRINTER NAME, as Windows lists it")
    return PrinterTarget(kind="win32", name=name)


_PARSERS = {"tcp": _tcp, "usb": _usb, "serial": _serial, "win32": _win32}


@dataclass(frozen=True)
class PrinterConfig:
    url: str = "system"  # see the module's docstring; POS_APP_PRINTER overrides it
    paper_mm: int = 80  # 58 or 80
    chars_per_line: int = 0  # 0: the paper's usual (32 on 58 mm, 48 on 80 mm)
    # The printer's code page for accented letters (é, à, ç), e.g. CP858 or CP1252; AUTO lets
    # the printer library pick one per letter among those the printer is known to have.
    code_page: str = "AUTO"
    auto_print: bool = False  # print the receipt as soon as a payment is paid
    copies: int = 1
    timeout_seconds: float = 8.0  # a printer that has not taken the receipt by then has failed
    # Ask the printer its state (DLE EOT) before and after each job; off for printers that
    # never answer: a job then counts as printed once sent.
    ask_status: bool = True

    @cached_property
    def target(self) -> PrinterTarget:
        """Parsed once: asked at every payment update (auto-print) and every print."""
        return parse_printer_url(self.url)

    @property
    def columns(self) -> int:
        return self.chars_per_line or PAPER_WIDTHS.get(self.paper_mm, 48)

    def problems(self) -> list[tuple[str, str]]:
        """(key, what is wrong) for every value this section cannot take."""
        found = []
        try:
            parse_printer_url(self.url)
        except PrinterUrlError as exc:
            found.append(("url", str(exc)))
        if self.paper_mm not in PAPER_WIDTHS:
            found.append(("paper_mm", "must be 58 or 80"))
        if self.chars_per_line and not 24 <= self.chars_per_line <= 64:
            found.append(("chars_per_line", "must be 0 (the paper's usual) or from 24 to 64"))
        if self.code_page not in CODE_PAGES:
            found.append(("code_page", f"must be one of {', '.join(CODE_PAGES)}"))
        if not 1 <= self.copies <= COPIES_MAX:
            found.append(("copies", f"must be from 1 to {COPIES_MAX}"))
        if not 1 <= self.timeout_seconds <= 60:
            found.append(("timeout_seconds", "must be from 1 to 60 seconds"))
        return found


def printer_url_override(explicit: str | None = None) -> str | None:
    """--printer, else POS_APP_PRINTER, else None; raises PrinterUrlError if it is not one."""
    url = explicit if explicit is not None else os.environ.get(ENV_VARIABLE)
    if url is None:
        return None
    parse_printer_url(url)
    return url
