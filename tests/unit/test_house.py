"""The shape of the house (ARCHITECTURE.md): providers named only where they plug in, small
modules and functions, every provider package kept behind the registry."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from pos_app.providers import registry

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "pos_app"
# Where a provider may be named: its own package, its simulator, and the wiring.
PLUG_IN_ROOMS = ("providers", "sandbox", "app")
# Lines that must name a provider: history cannot be rewritten (the first schema's CHECK,
# which a later migration removes, stays as it was for files made before).
ALLOWED = {("store/migrations.py", "provider TEXT NOT NULL CHECK (provider IN ('mtn', 'mpesa')),")}
# Words of a brand that name no provider by themselves ("Airtel Money" is found by "airtel").
GENERIC_WORDS = {"money"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _provider_words() -> set[str]:
    words = {"daraja"}  # Safaricom's API, by its own name
    for spec in registry.specs():
        for text in (spec.id, spec.name, spec.short_name, *spec.networks):
            words |= {w.lower() for w in re.split(r"[^\w-]+", text) if len(w) >= 3}
    return words - GENERIC_WORDS


def _modules(*, outside: tuple[str, ...] = ()) -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in outside
    ]


def _naming() -> re.Pattern[str]:
    words = sorted(_provider_words())
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])", re.I)


def test_no_module_outside_the_plug_in_rooms_names_a_provider() -> None:
    pattern = _naming()
    found = []
    for path in _modules(outside=PLUG_IN_ROOMS):
        relative = path.relative_to(PACKAGE).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and (relative, line.strip()) not in ALLOWED:
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []


@pytest.mark.parametrize(
    "line",
    [
        'PROVIDER_NAMES = {"mtn": "MTN MoMo"}',
        "see the customer's M-Pesa SMS",
        "if payment.provider == 'mpesa':",
        "# Daraja refuses such URLs",
        "a Safaricom number",
        "from pos_app.providers.mtn.provider import MtnProvider",
    ],
)
def test_the_word_search_finds_a_provider_where_one_is_named(line: str) -> None:
    assert _naming().search(line)


@pytest.mark.parametrize(
    "line",
    ["amtnx = 1", "the payment's provider", "mpesa_like_name", "# a sandbox's test currency"],
)
def test_the_word_search_leaves_other_words_alone(line: str) -> None:
    assert not _naming().search(line)


def test_no_module_is_over_400_lines() -> None:
    long = {
        path.relative_to(PACKAGE).as_posix(): lines
        for path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_over_60_lines_except_qt_layout_constructors() -> None:
    long = []
    for path in _modules():
        relative = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            layout = relative.startswith("ui/") and node.name == "__init__"
            if size > MAX_FUNCTION_LINES and not layout:
                long.append(f"{relative}:{node.lineno} {node.name} ({size} lines)")
    assert long == []


def test_every_provider_package_is_installed_and_kept_behind_the_registry() -> None:
    packages = {path.parent.name for path in (PACKAGE / "providers").glob("*/spec.py")}
    assert packages == set(registry.ids())
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    forbidding = [
        contract
        for contract in contracts["tool"]["importlinter"]["contracts"]
        if contract["type"] == "forbidden"
        and any(module.startswith("pos_app.providers.") for module in contract["forbidden_modules"])
    ]
    assert len(forbidding) == 1
    assert set(forbidding[0]["forbidden_modules"]) == {
        f"pos_app.providers.{name}" for name in packages
    }
