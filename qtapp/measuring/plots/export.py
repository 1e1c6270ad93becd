"""Save any pyqtgraph plot as PNG (pyqtgraph's ImageExporter) or SVG (Qt's SVG generator).

pyqtgraph's own SVGExporter cannot parse the path syntax of recent Qt versions, so SVG files are
drawn by QSvgGenerator from the plot's view: still vector graphics, text stays text.
"""

from __future__ import annotations

import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator


def export_plot(graphics: pg.GraphicsView, path: str, width: int = 1600) -> None:
    """Write the plot shown by `graphics` to `path`; the suffix (.png or .svg) chooses the format."""
    if path.lower().endswith(".svg"):
        _export_svg(graphics, path)
        return
    if isinstance(graphics, pg.PlotWidget):
        item = graphics.getPlotItem()
    elif isinstance(graphics, pg.GraphicsLayoutWidget):
        item = graphics.ci
    else:
        item = graphics.scene()
    exporter = pyqtgraph.exporters.ImageExporter(item)
    exporter.parameters()["width"] = width
    exporter.export(path)


def _export_svg(graphics: pg.GraphicsView, path: str) -> None:
    size = graphics.viewport().size()
    generator = QSvgGenerator()
    generator.setFileName(path)
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle("IPC Lab plot")
    painter = QPainter(generator)
    try:
        graphics.render(painter)
    finally:
        painter.end()
