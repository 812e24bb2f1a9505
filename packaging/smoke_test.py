"""The frozen smoke test for an already built bundle, on any system:

    python packaging/smoke_test.py dist/pos-app/pos-app[.exe] [--expect-version X.Y.Z]

What tests/e2e/test_frozen_app.py proves on Linux after building the bundle itself, for the
Windows and macOS builds of .github/workflows/build.yml: the version (plain and verbose), the
doctor in demo mode, a demo charge through each provider, and the window opening offscreen. The
app runs as a shop's would: its own empty data, log and config folders, no virtual environment.
Only the standard library: the build machine's Python runs it, not the bundle's."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# One number per provider, as tests/e2e/test_frozen_app.py charges them.
CHARGES = {"mtn": "0772 123 456", "mpesa": "0722 000 555", "airtel": "0752 123 456"}


class Bundle:
    def __init__(self, executable: Path, work: Path) -> None:
        self.executable = executable
        self.work = work
        (work / "config.toml").write_text("", encoding="utf-8")  # every setting at its default

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTHON", "VIRTUAL_ENV", "POS_APP_"))
        }
        env.update(
            POS_APP_DATA_DIR=str(self.work / "data"),
            POS_APP_LOG_DIR=str(self.work / "logs"),
            POS_APP_CONFIG=str(self.work / "config.toml"),
            XDG_CONFIG_HOME=str(self.work / "config"),
            QT_QPA_PLATFORM="offscreen",
        )
        return env

    def run(self, *args: str) -> str:
        """Run the app; its output, or a failure that shows everything it said."""
        print(f"$ pos-app {' '.join(args)}", flush=True)
        result = subprocess.run(  # noqa: S603 - the bundle under test, by design
            [str(self.executable), *args],
            cwd=self.work,
            env=self.env(),
            capture_output=True,
            text=True,
            # A Windows console program writes in the system's code page: what is checked is
            # ASCII, so an undecodable byte (the title's dash) must not fail the test.
            encoding="utf-8",
            errors="replace",
            timeout=180,
            check=False,
        )
        print(result.stdout + result.stderr, flush=True)
        if result.returncode != 0:
            raise SystemExit(f"FAILED (exit {result.returncode}): pos-app {' '.join(args)}")
        return result.stdout


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"FAILED: {what}")


def smoke_test(bundle: Bundle, version: str | None) -> None:
    plain = bundle.run("--version").strip()
    expect(plain.startswith("pos-app "), "--version names pos-app")
    expect(version is None or plain == f"pos-app {version}", f"--version is {version}")
    verbose = bundle.run("--version", "--verbose").splitlines()
    expect(verbose[0] == plain, "--version --verbose starts with the plain version")
    expect(any(line.startswith("Qt 6.") for line in verbose), "Qt's version is listed")
    for library in ("httpx", "keyring", "PySide6"):
        expect(any(line.startswith(library) for line in verbose), f"{library} is listed")
    doctor = bundle.run("doctor", "--demo")
    expect("intact, schema" in doctor, "the doctor finds the database intact")
    for provider, phone in CHARGES.items():
        charge = ("charge", "--demo", "--provider", provider, "--amount", "1500", "--phone", phone)
        last = json.loads(bundle.run(*charge, "--json").splitlines()[-1])
        expect(last["status"] == "successful", f"a demo {provider} charge succeeds")
    window = bundle.run("--demo", "--smoke-test")
    expect("window shown in" in window, "the window opens")
    expect("icon ok" in window, "the window has its icon (Qt's SVG plugins travelled)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("executable", type=Path, help="the bundle's pos-app or pos-app.exe")
    parser.add_argument("--expect-version", metavar="X.Y.Z", help="the version it must say")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pos-app-smoke-") as work:
        smoke_test(Bundle(args.executable.resolve(), Path(work)), args.expect_version)
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
