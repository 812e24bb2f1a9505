"""`pos-app --version [--verbose]`: the app's version, and with --verbose what it runs on and
the version of every library it bundles, for a support call or a bug report.

The libraries are the runtime dependencies of the `pos-app` distribution, followed through
their own requirements (extras asked for on the way, such as python-escpos[usb], included;
pos-app's own extras, such as the hub's, left out), with each environment marker evaluated for
this machine. A frozen build carries the metadata of only a few distributions, so the build
records the list beside this module (`python -m pos_app.cli.version --record FILE`, added to
the bundle by build.spec); without it, a library whose metadata is missing is still named.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from pos_app import __version__

# Written at build time next to this module in the bundle (build.spec's datas: "pos_app/cli").
RECORD_NAME = "bundled-versions.json"
NOT_RECORDED = "(version not recorded)"
ROOT_DISTRIBUTION = "pos-app"


def version_line() -> str:
    return f"pos-app {__version__}"


def version_text(verbose: bool) -> str:
    """What `--version` prints; with `verbose`, the machine and the bundled libraries too."""
    if not verbose:
        return version_line()
    lines = [
        version_line(),
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"platform {platform.platform()} ({platform.machine() or 'unknown machine'})",
        f"Qt {qt_version()}",
        *(f"{name} {version}" for name, version in bundled_libraries()),
    ]
    return "\n".join(lines)


def qt_version() -> str:
    """Qt's own version (PySide6's wheels may lag or lead it). QtCore only, imported here and
    only now: it needs no display, and plain `--version` stays as fast as before."""
    try:
        from PySide6.QtCore import qVersion
    except ImportError:  # pragma: no cover - PySide6 is a dependency; said rather than raised
        return "(not found)"
    return str(qVersion())


def bundled_libraries() -> list[tuple[str, str]]:
    """(name, version) of every bundled library, sorted by name: what the build recorded when
    frozen, else what the installed metadata says."""
    if getattr(sys, "frozen", False) and (recorded := read_record()) is not None:
        return recorded
    return runtime_libraries()


def read_record(path: Path | None = None) -> list[tuple[str, str]] | None:
    """The list the build recorded, or None without one (or with a damaged one: --version
    must answer, so it falls back to the metadata it can find)."""
    path = path or record_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [(str(name), str(version)) for name, version in data["libraries"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_path() -> Path:
    """Where a bundle keeps the list: beside this module, under PyInstaller's _MEIPASS too."""
    return Path(__file__).with_name(RECORD_NAME)


def record(path: Path) -> int:
    """Write the list for a build to carry (build.spec calls this in the build environment);
    returns how many libraries it lists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    libraries = [list(entry) for entry in runtime_libraries()]
    text = json.dumps({"python": platform.python_version(), "libraries": libraries}, indent=1)
    path.write_text(text + "\n", encoding="utf-8")
    return len(libraries)


def runtime_libraries(
    root: str = ROOT_DISTRIBUTION, environment: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """Walk `root`'s requirements without its extras, then each dependency's with the extras
    asked of it, keeping those whose markers hold in `environment` (this machine's)."""
    # These load here, for --verbose only: cli/main imports this module at start.
    from importlib import metadata

    from packaging.markers import default_environment
    from packaging.utils import canonicalize_name

    environment = environment or {k: str(v) for k, v in default_environment().items()}
    found: dict[str, tuple[str, str]] = {}
    seen: set[tuple[str, str]] = set()  # (distribution, extra) already walked; "" = none
    todo: list[tuple[str, tuple[str, ...]]] = [(root, ())]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key == canonicalize_name(root) and extras:
            continue  # pos-app's own extras (the hub, the tests) are not bundled
        wanted = [extra for extra in ("", *extras) if (key, extra) not in seen]
        if not wanted:
            continue
        seen.update((key, extra) for extra in wanted)
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            if key != canonicalize_name(root):  # a frozen build copies only some metadata
                found.setdefault(key, (name, NOT_RECORDED))
            continue
        if key != canonicalize_name(root):
            found[key] = (distribution.metadata["Name"] or name, distribution.version)
        todo.extend(applicable(distribution.requires or [], wanted, environment))
    return sorted(found.values(), key=lambda entry: canonicalize_name(entry[0]))


def applicable(
    requirements: Sequence[str], extras: Sequence[str], environment: dict[str, str]
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(name, extras) of the requirements that apply when any of `extras` is asked for."""
    from packaging.requirements import Requirement

    for text in requirements:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or any(
            marker.evaluate({**environment, "extra": extra}) for extra in extras
        ):
            yield requirement.name, tuple(sorted(requirement.extras))


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m pos_app.cli.version --record FILE`: for build.spec, in the build
    environment, where every library's metadata is still at hand."""
    parser = argparse.ArgumentParser(prog="python -m pos_app.cli.version")
    parser.add_argument("--record", metavar="FILE", type=Path, required=True)
    args = parser.parse_args(argv)
    print(f"recorded {record(args.record)} libraries in {args.record}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
