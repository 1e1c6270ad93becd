"""Save a plot as PNG or SVG with a header that says what it is: the plot's title, the transports it
shows and its note (e.g. "Round-trip CDF — FIFO, TCP" / "FIFO: p50 130 µs · p99 8.70 ms").

Both formats are drawn by QPainter from the plot's view — on a QImage for PNG (scaled up to
`width` pixels, still sharp: the scene is redrawn, not the screen's pixels) and on QSvgGenerator for
SVG (vector graphics, text stays text; pyqtgraph's own SVGExporter cannot parse the path syntax of
recent Qt versions).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem

TITLE_PIXELS, SUBTITLE_PIXELS = 26, 18


def export_plot(graphics: pg.GraphicsView, path: str, title: str = "", subtitle: str = "",
                width: int = 1600) -> None:
    """Write the plot shown by `graphics`, under `title` and `subtitle`, to `path`; the suffix
    (.png or .svg) chooses the format."""
    size = graphics.viewport().size()
    if path.lower().endswith(".svg"):
        generator = QSvgGenerator()
        generator.setFileName(path)
        generator.setTitle(title or "IPC Lab plot")
        generator.setDescription(subtitle)
        header = _header_height(title, subtitle, 1.0)
        total = QSize(size.width(), size.height() + header)
        generator.setSize(total)
        generator.setViewBox(QRect(0, 0, total.width(), total.height()))
        _paint(generator, graphics, title, subtitle, 1.0)
        return
    scale = max(1.0, width / max(1, size.width()))
    header = _header_height(title, subtitle, scale)
    image = QImage(round(size.width() * scale), round(size.height() * scale) + header, QImage.Format.Format_RGB32)
    image.fill(QColor("#ffffff"))
    _paint(image, graphics, title, subtitle, scale)
    if not image.save(path):
        raise OSError(f"could not write {path}")


def _header_height(title: str, subtitle: str, scale: float) -> int:
    lines = (TITLE_PIXELS * 1.5 if title else 0) + (SUBTITLE_PIXELS * 1.5 if subtitle else 0)
    return round((lines + 8) * scale) if lines else 0


def _paint(device, graphics: pg.GraphicsView, title: str, subtitle: str, scale: float) -> None:
    size = graphics.viewport().size()
    header = _header_height(title, subtitle, scale)
    cached = [item for item in graphics.scene().items()
              if item.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    modes = [item.cacheMode() for item in cached]
    for item in cached:  # draw axes from the scene, not from their on-screen pixmaps (sharp when scaled)
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    painter = QPainter(device)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        top = 6 * scale
        for text, pixels, bold in ((title, TITLE_PIXELS, True), (subtitle, SUBTITLE_PIXELS, False)):
            if not text:
                continue
            font = QFont()
            font.setPixelSize(round(pixels * scale))
            font.setBold(bold)
            painter.setFont(font)
            painter.setPen(QColor("#000000"))
            line = QRectF(10 * scale, top, size.width() * scale - 20 * scale, pixels * 1.5 * scale)
            painter.drawText(line, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            top += pixels * 1.5 * scale
        target = QRectF(0, header, size.width() * scale, size.height() * scale)
        graphics.render(painter, target, QRect(0, 0, size.width(), size.height()))
    finally:
        painter.end()
        for item, mode in zip(cached, modes):
            item.setCacheMode(mode)
