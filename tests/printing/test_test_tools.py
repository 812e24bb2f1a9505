"""The printing test tools against real python-escpos output: the ESC/POS decoder reads what
`escpos.printer.Dummy` writes, and the fake network printer answers `escpos.printer.Network`."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy, Network
from PIL import Image

from tests.printing.escpos_decode import Line, decode
from tests.printing.fake_printer import FakePrinter, _status_requests, refused_url

SHOP = "Épicerie Générale de la Côte d'Ivoire — chez Adélaïde"
AMOUNT = "Montant : 12 500 F CFA"
ONLINE, PAPER = b"\x10\x04\x01", b"\x10\x04\x04"


def _receipt(profile: str | None = None) -> bytes:
    printer = Dummy(profile=profile)
    printer.hw("INIT")
    printer.set(align="center", bold=True, double_width=True, double_height=True)
    printer.text(SHOP + "\n")
    printer.set_with_default()
    printer.text(AMOUNT + "\n")
    printer.qr("REF 123 CODE ABC", native=True)
    printer.cut()
    return bytes(printer.output)


@pytest.mark.parametrize("profile", [None, "TM-T88III"])
def test_the_decoder_reads_a_receipt(profile: str | None) -> None:
    decoded = decode(_receipt(profile), profile=profile)

    assert decoded.lines == [
        Line(SHOP, bold=True, double_width=True, double_height=True, align="center"),
        Line(AMOUNT, bold=False, double_width=False, double_height=False, align="left"),
    ]
    assert decoded.text() == f"{SHOP}\n{AMOUNT}"
    assert decoded.qr_codes == ["REF 123 CODE ABC"]
    assert decoded.cuts == 1
    # The magic encoder finds É in CP437 first, then the em dash only in CP1252, where it stays.
    assert decoded.code_pages == ["CP437", "CP1252"]
    assert decoded.status_queries == 0
    assert decoded.unknown == []


def test_accents_come_back_through_the_code_pages_the_encoder_picks() -> None:
    printer = Dummy()
    words = ["é è à ç ï ô É", "Noël à l'hôtel", "Côte d'Ivoire", "Çà et là: 5 €", "ñ ü ß"]
    for word in words:
        printer.textln(word)
    decoded = decode(printer.output)
    assert decoded.texts() == words
    assert decoded.code_pages[0] == "CP437"
    assert decoded.unknown == []


def test_a_forced_code_page_decodes_with_its_codec() -> None:
    printer = Dummy()
    printer.charcode("CP858")
    printer.textln("Café à 5 €")
    assert printer.output == b"\x1bt\x13Caf\x82 \x85 5 \xd5\n"
    decoded = decode(printer.output)
    assert decoded.code_pages == ["CP858"]
    assert decoded.texts() == ["Café à 5 €"]


def test_sizes_and_styles_follow_the_printer() -> None:
    printer = Dummy()
    printer.set(custom_size=True, width=3, height=1, align="right")
    printer.textln("wide")
    printer.set(bold=True)
    printer.set(double_height=True)  # ESC ! 0x10 turns bold off, as on a printer
    printer.textln("tall")
    printer.set_with_default()
    printer.text("plain ")
    printer.set(bold=True)
    printer.text("half bold")
    printer.ln(2)
    decoded = decode(printer.output)
    assert decoded.lines == [
        Line("wide", bold=False, double_width=True, double_height=False, align="right"),
        Line("tall", bold=False, double_width=False, double_height=True, align="right"),
        Line("plain half bold", bold=True, double_width=False, double_height=False, align="left"),
        Line("", bold=True, double_width=False, double_height=False, align="left"),
    ]
    assert decoded.unknown == []


def test_images_barcodes_and_other_commands_are_skipped() -> None:
    printer = Dummy()
    printer.textln("before")
    for impl in ("bitImageRaster", "graphics"):
        printer.image(Image.new("1", (24, 16)), impl=impl)
    printer.barcode("4006381333931", "EAN13")
    printer.cashdraw(2)
    printer.line_spacing(30)
    printer.line_spacing()
    printer.panel_buttons(False)
    printer.buzzer()
    printer.control("HT")
    printer.control("CR")
    printer.set(underline=1, invert=True, flip=True, smooth=True, font="b", density=3)
    printer.text("pending")
    printer.print_and_feed(2)
    printer.cut(mode="PART")
    printer.textln("after")
    printer.cut(feed=False)
    decoded = decode(printer.output)
    assert decoded.texts() == ["before", "pending", "after"]
    assert decoded.lines[1].align == "center"  # barcode() centres and leaves it so
    assert decoded.cuts == 2
    assert decoded.unknown == []


def test_a_column_image_feeds_empty_lines_and_nothing_else() -> None:
    printer = Dummy()
    printer.image(Image.new("1", (8, 48)), impl="bitImageColumn")
    decoded = decode(printer.output)
    assert set(decoded.texts()) == {""}
    assert decoded.unknown == []


def test_init_resets_the_code_page_the_encoder_still_believes_in() -> None:
    printer = Dummy()
    printer.textln("é")
    printer.textln("€")  # ISO_8859-7 (ESC t 15) is the first page that has it
    printer.hw("INIT")  # the printer is back on CP437, the encoder still on ISO_8859-7
    printer.textln("€")
    decoded = decode(printer.output)
    assert decoded.code_pages == ["CP437", "ISO_8859-7"]
    assert decoded.texts() == ["é", "€", "ñ"]  # 0xA4 in CP437


def test_status_requests_unknown_commands_and_truncated_streams() -> None:
    decoded = decode(b"\x1bZab\n" + ONLINE + b"cd\x10\x04\x04\r\nzz\x1d(k\x05\x001P0")
    assert decoded.texts() == ["ab", "cd", "zz"]
    assert decoded.status_queries == 2
    assert decoded.unknown == [b"\x1bZ", b"\x1d(k\x05\x001P0"]
    assert decode(b"\x1d(k\x03\x001Q0").qr_codes == []  # printed before anything was stored
    assert decode(b"\x1d(k\x04\x001P0\xe9\x1d(k\x03\x001Q0").qr_codes == ["é"]  # latin-1


# The fake printer


@contextlib.contextmanager
def _network(printer: FakePrinter, timeout: float = 2.0) -> Iterator[Network]:
    sender = Network(host="127.0.0.1", port=printer.port, timeout=timeout)
    sender.open()
    try:
        yield sender
    finally:
        sender.close()


def test_an_ok_printer_receives_the_job_and_answers_status_requests() -> None:
    data = _receipt()
    with FakePrinter("ok") as printer, _network(printer) as sender:
        assert printer.url == f"tcp://127.0.0.1:{printer.port}"
        sender._raw(data)
        assert sender.is_online() is True
        assert sender.paper_status() == 2
    assert printer.wait_for_jobs(1) == [data + ONLINE + PAPER]
    assert decode(printer.jobs[0]).qr_codes == ["REF 123 CODE ABC"]
    assert decode(printer.jobs[0]).status_queries == 2


@pytest.mark.parametrize(
    ("mode", "online", "paper"), [("no_paper", True, 0), ("offline", False, 2)]
)
def test_a_printer_in_trouble_says_so(mode: str, online: bool, paper: int) -> None:
    with FakePrinter(mode) as printer, _network(printer) as sender:
        assert sender.is_online() is online
        assert sender.paper_status() == paper


def test_several_connections_one_after_another_and_at_once() -> None:
    with FakePrinter("ok") as printer:
        for n in range(2):
            with _network(printer) as sender:
                sender._raw(b"job %d" % n)
        assert printer.wait_for_jobs(2) == [b"job 0", b"job 1"]
        clients = [socket.create_connection(("127.0.0.1", printer.port), 2) for _ in range(3)]
        for n, client in enumerate(clients):
            client.sendall(b"at once %d" % n + ONLINE)
        assert [client.recv(16) for client in clients] == [b"\x16"] * 3
        for client in clients:
            client.close()
        jobs = printer.wait_for_jobs(5)
    assert sorted(jobs[2:]) == [b"at once %d" % n + ONLINE for n in range(3)]


def test_a_request_split_across_chunks_is_answered_once() -> None:
    assert _status_requests(bytearray(b"ab\x10"), 0) == ([], 2)
    assert _status_requests(bytearray(b"ab\x10\x04\x04\x10\x04\x09"), 2) == ([4], 7)
    with FakePrinter("ok") as printer:
        with socket.create_connection(("127.0.0.1", printer.port), 2) as client:
            client.sendall(b"text\x10")
            _wait(lambda: printer.received() == b"text\x10")
            client.sendall(b"\x04")
            _wait(lambda: printer.received() == b"text\x10\x04")
            client.sendall(b"\x04")
            assert client.recv(16) == b"\x12"
        assert printer.wait_for_jobs(1) == [b"text" + PAPER]


def test_a_printer_that_never_reads_times_the_sender_out() -> None:
    started = time.monotonic()
    with FakePrinter("never_reads") as printer:
        with _network(printer, timeout=0.5) as sender:
            # The kernel takes about 3 MB into the sender's buffer (tcp_wmem 4 MB) before a
            # send blocks: keep the sender's own buffer small.
            sender.device.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
            with pytest.raises(TimeoutError):  # socket.timeout since Python 3.10
                sender._raw(b"x" * 2_000_000)
        with _network(printer, timeout=0.5) as sender, pytest.raises(TimeoutError):
            sender.is_online()
        assert printer.received() == b""
    assert time.monotonic() - started < 3
    assert printer.jobs == []


def _send_then_ask(sender: Network, data: bytes) -> bool:
    sender._raw(data)  # all in the kernel's buffers: it may not fail yet...
    return bool(sender.is_online())  # ...but the answer is a reset


def test_a_printer_that_resets_the_connection() -> None:
    resets = (ConnectionResetError, BrokenPipeError)
    with FakePrinter("reset") as printer, _network(printer) as sender, pytest.raises(resets):
        _send_then_ask(sender, b"x" * 1_000_000)
    assert printer.wait_for_jobs(1) == [b"x" * 64]
    with (
        FakePrinter("reset", reset_after=0) as printer,
        _network(printer) as sender,
        pytest.raises(resets),
    ):
        sender.is_online()
    assert printer.wait_for_jobs(1) == [b""]


def test_nothing_listens_at_the_refused_url() -> None:
    host, port = refused_url().removeprefix("tcp://").split(":")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, int(port)), 1).close()
    with pytest.raises(DeviceNotFoundError) as raised:
        Network(host=host, port=int(port), timeout=1).open()
    assert isinstance(raised.value.__context__, ConnectionRefusedError)


def test_received_waiting_and_stopping() -> None:
    printer = FakePrinter("ok")
    with contextlib.ExitStack() as client_stays_open:
        with printer:
            client = socket.create_connection(("127.0.0.1", printer.port), 2)
            client_stays_open.callback(client.close)
            client.sendall(b"so far")
            _wait(lambda: printer.received() == b"so far")
            with pytest.raises(AssertionError, match="0 of 1 connections ended"):
                printer.wait_for_jobs(1, timeout=0.1)
            started = time.monotonic()
        assert time.monotonic() - started < 1  # stopping ends the open connection
    assert printer.jobs == [b"so far"]
    assert not [t for t in threading.enumerate() if t.name == f"fake-printer-{printer.port}"]


def _wait(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)
