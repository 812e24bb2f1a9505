"""Start-up: time from launch to the main window shown, and resident memory, from source and
frozen (one folder, and one file if built), side by side in one run.

Each round starts every variant once, in turn, so a busy machine slows them alike. The clock
runs from just before the process is launched until it prints that its window is shown (the
hidden --smoke-test flag, which then closes it); memory is the process's peak resident set at
that moment. The first round only warms the file cache and creates the databases; it is not
counted. Uses the real display if there is one, else Qt's offscreen platform.

    .venv/bin/pyinstaller build.spec                         # the one-folder app, dist/pos-app/
    .venv/bin/pyinstaller build.spec --distpath dist/onefile -- --onefile   # optional
    .venv/bin/python benchmarks/startup.py [--runs 7]

The baseline, in the same run: a checkout of the earlier commit (`git worktree add
/tmp/before REV`, with its own `dist/` built there if the frozen variants are wanted), timed
beside this one with `--before /tmp/before`. Each tree's source runs in its own `.venv` when
it has one (`python -m venv .venv && .venv/bin/pip install -e .` there: the dependencies
changed), else in this Python.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = "pos-app.exe" if sys.platform == "win32" else "pos-app"
SHOWN = re.compile(r"window shown in .*peak memory (\d+) MB")


Variant = tuple[list[str], Path]  # the command, and the folder it starts in


def variants(args: argparse.Namespace) -> dict[str, Variant]:
    found = _variants(ROOT, Path(args.dist), "")
    if args.before:
        before = Path(args.before).resolve()
        found |= _variants(before, before / "dist", "before: ")
    return found


def _variants(tree: Path, dist: Path, label: str) -> dict[str, Variant]:
    # `python -m` puts the starting folder first on the path: that tree's pos_app is used,
    # with the tree's own environment's libraries when it has one.
    own = tree / ".venv" / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    python = str(own) if own.is_file() else sys.executable
    found = {f"{label}source (python -m pos_app)": ([python, "-m", "pos_app"], tree)}
    onedir = dist / "pos-app" / EXE
    onefile = dist / "onefile" / EXE
    if onedir.is_file():
        found[f"{label}frozen, one folder"] = ([str(onedir)], tree)
    else:
        print(f"no one-folder build at {onedir}: run `pyinstaller build.spec` first")
    if onefile.is_file():
        found[f"{label}frozen, one file"] = ([str(onefile)], tree)
    return found


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def launch(variant: Variant, env: dict[str, str]) -> tuple[float, int]:
    """Seconds from launch to the window shown, and peak resident memory in MB."""
    command, folder = variant
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own executables
        [*command, "--demo", "--smoke-test"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    for line in process.stdout or ():
        if match := SHOWN.search(line):
            elapsed = time.perf_counter() - started
            process.wait(timeout=30)
            return elapsed, int(match.group(1))
    process.wait(timeout=30)
    raise SystemExit(f"{command[0]} exited ({process.returncode}) without showing its window")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="counted runs per variant")
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="PyInstaller's dist folder")
    parser.add_argument("--before", metavar="DIR", help="a checkout of the baseline commit")
    args = parser.parse_args()
    chosen = variants(args)
    env = dict(os.environ)
    # A user's Python keeps the modules it compiled (__pycache__); where the environment
    # turns that off (this machine's does), every launch from source compiled pos-app again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if (
        sys.platform.startswith("linux")
        and not env.get("DISPLAY")
        and not env.get("QT_QPA_PLATFORM")
    ):
        env["QT_QPA_PLATFORM"] = "offscreen"
    print(f"display: {env.get('QT_QPA_PLATFORM') or env.get('DISPLAY') or 'native'}")
    times: dict[str, list[float]] = {name: [] for name in chosen}
    memory: dict[str, list[int]] = {name: [] for name in chosen}
    with tempfile.TemporaryDirectory() as scratch:
        homes = {}
        for n, name in enumerate(chosen):
            home = Path(scratch) / str(n)
            homes[name] = {
                **env,
                "POS_APP_DATA_DIR": str(home / "data"),
                "POS_APP_LOG_DIR": str(home / "logs"),
                "XDG_CONFIG_HOME": str(home / "config"),
            }
        for round_ in range(args.runs + 1):
            for name, variant in chosen.items():
                elapsed, peak = launch(variant, homes[name])
                if round_:  # round 0 warms up
                    times[name].append(elapsed)
                    memory[name].append(peak)
    print(f"\n{args.runs} runs each, after one warm-up run")
    print(f"{'':36} {'median':>9} {'min':>9} {'max':>9} {'peak memory':>12}")
    for name in chosen:
        ms = [t * 1000 for t in times[name]]
        print(
            f"{name:36} {statistics.median(ms):7.0f}ms {min(ms):7.0f}ms {max(ms):7.0f}ms "
            f"{statistics.median(memory[name]):9.0f} MB"
        )
    onedir = Path(args.dist) / "pos-app"
    if onedir.is_dir():
        print(f"\none-folder bundle: {folder_size(onedir) / 2**20:.0f} MiB")
    onefile = Path(args.dist) / "onefile" / EXE
    if onefile.is_file():
        print(f"one-file executable: {onefile.stat().st_size / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
