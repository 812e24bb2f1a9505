"""Refresh the translation sources (.ts) from the code, then compile them (.qm).

    .venv/bin/python resources/translations/update.py

pyside6-lupdate finds the texts of the ui layer and of the day's report (tr(), translate(),
QT_TRANSLATE_NOOP). The layers below cannot use Qt, so their texts (the input-error templates
and the `Text` messages) are written into a temporary file as QT_TRANSLATE_NOOP entries for
lupdate to read as well, with what each installed provider's spec shows (found through the
registry: its reasons, settings rows, secrets' labels, receipt code's name).
Translate the new entries of each .ts (Qt Linguist: pyside6-linguist), then run this again.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LANGUAGES = ("fr",)
# Calls in the layers below whose first argument is a text for a person, and its context.
TEMPLATES = {
    **dict.fromkeys(
        (
            "ValidationError",
            "AmountError",
            "PhoneError",
            "WrongPin",
            "AmountTooLarge",
            "WrongNetwork",
        ),
        "Validation",
    ),
    "Text": "Messages",
}


def tool(name: str) -> str:
    return str(Path(sys.executable).with_name(f"pyside6-{name}"))


def domain_texts() -> Iterator[tuple[str, str]]:
    """(context, text) for every text of the domain a cashier may read."""
    yield from provider_texts()
    for path in sorted((ROOT / "pos_app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in TEMPLATES
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield TEMPLATES[node.func.id], node.args[0].value


def provider_texts() -> Iterator[tuple[str, str]]:
    """(context, text) for what each installed provider's spec brings to the window: its
    settings rows and secrets (the settings dialog), what to type before its sandbox makes
    credentials, the name of its receipt code, and its reasons (the app's own too)."""
    sys.path.insert(0, str(ROOT))
    from pos_app.domain.reasons import APP
    from pos_app.providers import registry

    for catalog in (APP, *registry.catalogs().values()):
        for reason in catalog.reasons.values():
            yield "Reasons", reason.message
            if reason.customer_action:
                yield "Reasons", reason.customer_action
    for spec in registry.specs():
        for row in spec.settings:
            texts = (row.label, row.hint, *(label for _, label in row.choices))
            yield from (("SettingsDialog", text) for text in texts if text)
        yield from (("SettingsDialog", name.label) for name in spec.secrets if name.label)
        if spec.provisioning is not None:
            yield "Messages", spec.provisioning.ask_for_key
        if spec.receipt_code is not None:
            yield "ReceiptCode", spec.receipt_code.name


def sources(extra: Path) -> list[str]:
    lines = [
        f"QT_TRANSLATE_NOOP({context!r}, {text!r})\n"
        for context, text in dict.fromkeys(domain_texts())
    ]
    extra.write_text("".join(lines), encoding="utf-8")
    shown = [
        *sorted((ROOT / "pos_app" / "ui").glob("*.py")),
        ROOT / "pos_app" / "reports" / "day_report.py",
        *sorted((ROOT / "pos_app" / "printing").glob("*.py")),
    ]
    return [*map(str, shown), str(extra)]


def update(ts_dir: Path = HERE) -> list[Path]:
    """Refresh every .ts in ts_dir and compile it next to itself; returns the .ts files."""
    with tempfile.TemporaryDirectory() as scratch:
        files = sources(Path(scratch) / "domain_texts.py")
        written = []
        for language in LANGUAGES:
            ts = ts_dir / f"pos_app_{language}.ts"
            subprocess.run(  # noqa: S603 - Qt's own tools, our own files
                [
                    tool("lupdate"),
                    "-silent",
                    "-locations",
                    "none",
                    "-no-obsolete",
                    "-target-language",
                    language,
                    *files,
                    "-ts",
                    str(ts),
                ],
                check=True,
            )
            subprocess.run(  # noqa: S603 - Qt's own tools, our own files
                [tool("lrelease"), "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))],
                check=True,
            )
            written.append(ts)
    return written


if __name__ == "__main__":
    for ts in update():
        print(f"updated {ts.relative_to(ROOT)} and its .qm")
