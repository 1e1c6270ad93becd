"""Render resources/icons/ipclab.svg to the PNG sizes desktops need (run after editing the SVG)."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources", "icons")


def main() -> int:
    application = QGuiApplication(sys.argv)  # noqa: F841 - needed by QImage painting
    renderer = QSvgRenderer(os.path.join(ICONS, "ipclab.svg"))
    if not renderer.isValid():
        print("render_icons: the SVG is not valid", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        image.save(os.path.join(ICONS, f"ipclab-{size}.png"))
        if size == 256:  # Windows (Inno Setup, the .exe) takes an .ico
            image.save(os.path.join(ICONS, "ipclab.ico"))
    print(f"wrote {len(SIZES)} PNG sizes and ipclab.ico to {ICONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
