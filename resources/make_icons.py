"""Render resources/icon.svg into the icon files the platforms' executables need:
icon.ico (Windows) and icon.icns (macOS). Run after changing the SVG:
    .venv/bin/python resources/make_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QImage, QImageReader

HERE = Path(__file__).resolve().parent
OUTPUTS = {"icon.ico": 256, "icon.icns": 512}


def render(size: int) -> QImage:
    reader = QImageReader(str(HERE / "icon.svg"))
    reader.setScaledSize(QSize(size, size))
    image = reader.read()
    if image.isNull():
        raise SystemExit(f"cannot render icon.svg: {reader.errorString()}")
    return image


def main() -> None:
    QGuiApplication(sys.argv[:1])  # image plugins need an application
    for name, size in OUTPUTS.items():
        target = HERE / name
        if not render(size).save(str(target), target.suffix[1:]):
            raise SystemExit(f"cannot write {target}")
        print(f"{target.name}: {size}x{size}, {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
