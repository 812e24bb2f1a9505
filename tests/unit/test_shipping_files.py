"""What ships the app on Windows and macOS, checked here since its runners are not: the lock file
(every runtime dependency and PyInstaller pinned with hashes), the workflow that installs from
it and runs the frozen smoke test, and the Inno Setup script (per user, start menu,
uninstaller). The workflow's schema is checked by check-jsonschema in the check command."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from pos_app.providers import registry

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "build.lock"
WORKFLOW = ROOT / ".github" / "workflows" / "build.yml"
INNO = ROOT / "packaging" / "windows" / "pos-app.iss"


def lock_pins() -> dict[str, tuple[str, int, str]]:
    """name -> (version, number of hashes, marker) of each pin in the lock file."""
    pins: dict[str, tuple[str, int, str]] = {}
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        if not line or line.lstrip().startswith("#"):
            continue
        found = re.match(r"([A-Za-z0-9._-]+)==(\S+)\s*(?:;\s*(.*?))?\s*(--hash=.*)?$", line)
        assert found, f"not a pinned line: {line!r}"
        name, version, marker, hashes = found.groups()
        pins[canonicalize_name(name)] = (
            version,
            len(re.findall(r"--hash=sha256:", hashes or "")),
            marker or "",
        )
    return pins


def runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in project["dependencies"]]


def test_the_lock_pins_every_runtime_dependency_with_hashes() -> None:
    pins = lock_pins()
    for requirement in runtime_requirements():
        version, hashes, _ = pins[canonicalize_name(requirement.name)]
        assert hashes >= 1, requirement.name
        assert requirement.specifier.contains(Version(version)), (requirement, version)
    # --require-hashes refuses a file without one: no pin may lack it.
    assert [name for name, (_, hashes, _) in pins.items() if hashes == 0] == []


def test_the_lock_pins_the_pyinstaller_the_set_up_environment_has() -> None:
    version, hashes, _ = lock_pins()["pyinstaller"]
    assert version == importlib.metadata.version("pyinstaller")
    assert hashes >= 1


def test_the_lock_is_universal_with_each_system_s_own_packages_marked() -> None:
    pins = lock_pins()
    windows = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"}
    assert Marker(pins["pywin32"][2]).evaluate(windows)
    assert not Marker(pins["pywin32"][2]).evaluate({"sys_platform": "linux"})
    assert Marker(pins["macholib"][2]).evaluate({"sys_platform": "darwin"})  # PyInstaller's
    # pos-app is built from the tree (pip install --no-deps .), never from the lock.
    assert "pos-app" not in pins


def test_the_lock_says_how_it_was_made_and_the_readme_says_the_same() -> None:
    header = LOCK.read_text(encoding="utf-8").splitlines()[1].lstrip("# ").strip()
    assert header.startswith("uv pip compile pyproject.toml requirements/build.in")
    assert "--universal" in header and "--generate-hashes" in header
    readme = (ROOT / "requirements" / "README.md").read_text(encoding="utf-8")
    assert " ".join(header.split()[3:]) in " ".join(readme.replace("\\\n", " ").split())


def workflow() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def steps_running() -> str:
    return "\n".join(step.get("run", "") for step in workflow()["jobs"]["build"]["steps"])


def test_the_workflow_builds_on_windows_and_macos_from_the_lock_with_hashes() -> None:
    job = workflow()["jobs"]["build"]
    assert {entry["os"] for entry in job["strategy"]["matrix"]["include"]} == {
        "windows-latest",
        "macos-latest",
    }
    run = steps_running()
    assert "pip install --require-hashes -r requirements/build.lock" in run
    assert "pip install --no-deps --no-build-isolation ." in run
    assert "pyinstaller build.spec" in run
    assert "packaging/smoke_test.py" in run
    assert (
        "iscc" in run.lower()
        and "/DAppVersion=" in run
        and "packaging\\windows\\pos-app.iss" in run
    )
    assert "hdiutil create" in run


def test_the_workflow_uses_the_set_up_python_and_actions_by_major_version() -> None:
    steps = workflow()["jobs"]["build"]["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == f"{sys.version_info.major}.{sys.version_info.minor}"
    uses = [step["uses"] for step in steps if "uses" in step]
    assert "actions/upload-artifact@v4" in uses
    assert all(re.fullmatch(r"[\w-]+/[\w-]+@v\d+", action) for action in uses), uses


def test_the_workflow_runs_on_tags_and_by_hand() -> None:
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "workflow_dispatch" in triggers
    assert triggers["push"]["tags"]


def inno() -> dict[str, list[str]]:
    """The script's lines by [Section], comments and preprocessor lines left out."""
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in INNO.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].lower()
            sections.setdefault(current, [])
        else:
            sections[current].append(line)
    return sections


def setup_directives() -> dict[str, str]:
    return {
        key.strip().lower(): value.strip()
        for key, _, value in (line.partition("=") for line in inno()["setup"])
    }


def entries(section: str) -> list[dict[str, str]]:
    """`Name: "x"; Filename: "y"` lines as dictionaries."""
    return [
        {
            key.strip().lower(): value.strip().strip('"')
            for key, _, value in (part.partition(":") for part in line.split("; "))
        }
        for line in inno()[section]
    ]


def test_the_installer_is_per_user_with_a_fixed_app_id() -> None:
    setup = setup_directives()
    assert setup["privilegesrequired"] == "lowest"
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["appid"])
    assert setup["defaultdirname"] in ("{autopf}\\pos-app", "{localappdata}\\Programs\\pos-app")
    assert setup["appversion"] == "{#AppVersion}"  # iscc /DAppVersion=... from the workflow
    assert "privilegesrequiredoverridesallowed" not in setup  # no switch to a machine install


def test_the_installer_has_a_start_menu_entry_and_an_uninstaller() -> None:
    setup = setup_directives()
    assert setup.get("uninstallable", "yes").lower() not in ("no", "false", "0")
    icons = entries("icons")
    assert {"name": "{group}\\pos-app", "filename": "{app}\\pos-app.exe"} in icons
    assert any(icon["filename"] == "{uninstallexe}" for icon in icons)
    files = entries("files")
    assert files[0]["source"] == "{#BundleDir}\\*" and "recursesubdirs" in files[0]["flags"]


def test_the_installer_requires_a_version_and_packs_build_spec_s_folder() -> None:
    text = INNO.read_text(encoding="utf-8")
    assert "#ifndef AppVersion\n  #error" in text
    assert '#define BundleDir "..\\..\\dist\\pos-app"' in text


@pytest.fixture(scope="module")
def smoke_test() -> Any:
    spec = importlib.util.spec_from_file_location(
        "smoke_test", ROOT / "packaging" / "smoke_test.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_smoke_test_charges_through_every_provider(smoke_test: Any) -> None:
    assert set(smoke_test.CHARGES) == set(registry.ids())
