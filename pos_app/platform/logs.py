"""The log file: rotating, in the platform's log folder, with secrets and phone numbers masked.

Masking happens on the final text of every record (message, arguments and traceback), so a
library's log line — httpx printing a URL with a phone number in its path, an exception quoting
a header — is covered as well as our own.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path
from types import TracebackType
from typing import TypeAlias

from pos_app import __version__
from pos_app.platform import paths

ExcInfo: TypeAlias = (
    tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
)

LOG_NAME = "pos-app.log"
MAX_BYTES = 1_000_000
BACKUPS = 5  # about 6 MB in all: weeks of a shop's days at INFO
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# 9 to 15 digits, optionally with + and single spaces or dashes between digits: phone numbers in
# any of their written forms. Not inside a longer word or after a dash, so the last group of a
# UUID (12 digits after "-") stays readable, and not a date ("2026-11-24 07:47") nor the start of
# a UUID whose first groups happen to be all digits ("59753728-7143-4b4f-...": a payment's
# reference, which the log must keep whole).
_PHONE = re.compile(
    r"(?<![\w\-])(?!\d{4}-\d\d-\d\d)(?![0-9a-fA-F]{8}-[0-9a-fA-F]{4}-)"
    r"\+?\d(?:[ \-]?\d){8,14}(?![\w])"
)
_AUTHORIZATION = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=\-]+", re.IGNORECASE)
_SECRET_FIELD = re.compile(
    r"""(?P<key>[\w\-]*(?:key|secret|password|passkey|token|credential)s?["']?\s*[:=]\s*["']?)"""
    r"""(?P<value>[^\s"',&;}]+)""",
    re.IGNORECASE,
)
_known_secrets: set[str] = set()


def hide(secret: str) -> None:
    """Mask this value wherever it appears in the log (every secret the app reads)."""
    if len(secret) >= 4:  # shorter would mask ordinary words
        _known_secrets.add(secret)


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return f"{digits[:3]}***{digits[-3:]}"


def redact(text: str) -> str:
    for secret in sorted(_known_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _AUTHORIZATION.sub(lambda m: f"{m.group(1)} ***", text)
    text = _SECRET_FIELD.sub(lambda m: f"{m.group('key')}***", text)
    return _PHONE.sub(_mask_phone, text)


class RedactingFormatter(logging.Formatter):
    """Masks the message and any traceback; the time stamp is ours and stays as it is."""

    def format(self, record: logging.LogRecord) -> str:
        cached = record.exc_text
        record.exc_text = None  # another handler may have cached the traceback unmasked
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = redact(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: ExcInfo) -> str:
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return redact(super().formatStack(stack_info))


class _PosAppHandler(logging.handlers.RotatingFileHandler):
    """Marks the handler this module installed, so a second set-up replaces it."""

    def handleError(self, record: logging.LogRecord) -> None:
        # A full or read-only disk must not print a traceback per log line over the
        # cashier's messages; the line is lost, the store's own error says what is wrong.
        if not self.lost:
            self.lost = True
            print(f"pos-app: the log {self.baseFilename} cannot be written", file=sys.stderr)

    lost = False


def _log_uncaught_errors() -> None:
    """An error nobody caught (in a Qt slot it would only reach stderr, which a packaged
    window app does not have) goes to the log too, then on to the previous hook."""
    previous = sys.excepthook
    if getattr(previous, "pos_app_logs", False):
        return

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        logging.getLogger("pos_app").critical("uncaught error", exc_info=(kind, error, trace))
        previous(kind, error, trace)

    hook.pos_app_logs = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def log_path() -> Path:
    return paths.log_dir() / LOG_NAME


def level_from_environment() -> int:
    """INFO, or the level named in POS_APP_LOG_LEVEL (DEBUG adds every provider request)."""
    name = os.environ.get("POS_APP_LOG_LEVEL", "").strip().upper()
    level = logging.getLevelNamesMapping().get(name)
    return level if level is not None else logging.INFO


def start_logging(level: int | None = None) -> Path | None:
    """Send pos-app's log to the rotating file; returns its path, or None if it cannot be
    written (a read-only profile must not stop the till: the problem goes to stderr)."""
    level = level_from_environment() if level is None else level
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _PosAppHandler)]:
        root.removeHandler(handler)
        handler.close()
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _PosAppHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as exc:
        print(f"pos-app: no log file ({exc.strerror}: {path})", file=sys.stderr)
        return None
    handler.setFormatter(RedactingFormatter(_FORMAT))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    # One line per HTTP request is noise at INFO; our clients log what matters.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    _log_uncaught_errors()
    frozen = " (packaged)" if getattr(sys, "frozen", False) else ""
    logging.getLogger("pos_app").info("pos-app %s%s starting", __version__, frozen)
    return path
