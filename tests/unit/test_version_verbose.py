"""`pos-app --version --verbose`: the app's version, then Python, the platform, Qt and every
library the app bundles, read from the installed metadata (or, frozen, from what the build
recorded). Real processes for the command line; the walk itself is checked against `packaging`,
which reads requirements and markers the way pip does."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pos_app import __version__
from pos_app.cli import version

NO_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
SCRIPT = Path(sys.executable).with_name("pos-app")  # the console script pip installed


def pos_app(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed `pos-app` with no display at all: --version must not need one."""
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pos_app"]
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in NO_DISPLAY},
        timeout=60,
        check=False,
    )


def libraries(output: str) -> dict[str, str]:
    """The library lines of a verbose answer (after pos-app, Python, platform and Qt)."""
    lines = output.splitlines()[4:]
    return {canonicalize_name(name): rest for name, rest in (line.split(" ", 1) for line in lines)}


def reference_walk() -> set[str]:
    """The bundled distributions as pip would see them, through `packaging`."""
    found: set[str] = set()
    todo: list[tuple[str, frozenset[str]]] = [("pos-app", frozenset())]
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        if (canonicalize_name(name), extras) in done:
            continue
        done.add((canonicalize_name(name), extras))
        for text in importlib.metadata.distribution(name).requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in {"", *extras}):
                found.add(canonicalize_name(requirement.name))
                todo.append((requirement.name, frozenset(requirement.extras)))
    return found


def test_plain_version_is_one_line_as_before() -> None:
    result = pos_app("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"pos-app {__version__}\n"
    assert result.stderr == ""


@pytest.mark.parametrize("order", [("--version", "--verbose"), ("--verbose", "--version")])
def test_verbose_version_lists_the_machine_and_the_bundled_libraries(
    order: tuple[str, str],
) -> None:
    result = pos_app(*order)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"pos-app {__version__}"
    assert lines[1].startswith(f"Python {platform.python_version()} ")
    assert lines[2].startswith("platform ") and platform.machine() in lines[2]
    from PySide6.QtCore import qVersion

    assert lines[3] == f"Qt {qVersion()}"
    found = libraries(result.stdout)
    assert found["httpx"] == importlib.metadata.version("httpx")
    assert found["pyside6-essentials"] == importlib.metadata.version("PySide6-Essentials")
    assert found["pyside6-addons"] == importlib.metadata.version("PySide6-Addons")
    # Transitive (httpx -> httpcore -> h11) and through extras asked for (python-escpos[usb]).
    assert found["h11"] == importlib.metadata.version("h11")
    assert found["pyusb"] == importlib.metadata.version("pyusb")
    assert found["pyserial"] == importlib.metadata.version("pyserial")
    # The hub's and the tests' libraries are installed here but not bundled; pywin32's marker
    # holds on Windows only.
    for absent in ("psycopg", "psycopg-pool", "jinja2", "pytest", "pyinstaller", "pywin32"):
        assert absent not in found
    assert "pos-app" not in found
    assert list(found) == sorted(found)


def test_the_walk_matches_packaging() -> None:
    mine = {canonicalize_name(name) for name, _ in version.runtime_libraries()}
    assert mine == reference_walk()


def test_verbose_alone_is_a_usage_error() -> None:
    result = pos_app("--verbose")
    assert result.returncode == 2
    assert "--verbose goes with --version" in result.stderr


def test_frozen_without_metadata_names_each_library_without_crashing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bundle copies the metadata of pos-app and keyring only: the rest are still named."""
    real = importlib.metadata.distribution

    def only_some(name: str) -> importlib.metadata.Distribution:
        if canonicalize_name(name) not in ("pos-app", "keyring"):
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(version, "record_path", lambda: Path("/nonexistent/record.json"))
    monkeypatch.setattr(importlib.metadata, "distribution", only_some)
    found = libraries(version.version_text(verbose=True))
    assert found["httpx"] == version.NOT_RECORDED
    assert found["pyside6-essentials"] == version.NOT_RECORDED
    assert found["keyring"] == importlib.metadata.version("keyring")
    assert found["jaraco-classes"] == version.NOT_RECORDED  # keyring's, read from its metadata


def test_frozen_reads_what_the_build_recorded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    recorded = tmp_path / "build" / version.RECORD_NAME
    made = subprocess.run(
        [sys.executable, "-m", "pos_app.cli.version", "--record", str(recorded)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(recorded.read_text())["libraries"] == [
        list(entry) for entry in version.runtime_libraries()
    ]
    # What the bundle prints comes from the file, not from metadata it does not carry.
    recorded.write_text(json.dumps({"libraries": [["httpx", "0.0-recorded"]]}))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(version, "record_path", lambda: recorded)
    assert version.version_text(verbose=True).splitlines()[4:] == ["httpx 0.0-recorded"]
    # A damaged file is no reason to fail: the metadata at hand is read instead.
    recorded.write_text("{not json")
    assert libraries(version.version_text(verbose=True))["httpx"] == importlib.metadata.version(
        "httpx"
    )
