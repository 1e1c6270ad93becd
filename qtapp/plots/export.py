"""Save any pyqtgraph plot as PNG or SVG (pyqtgraph's exporters)."""

from __future__ import annotations

import pyqtgraph as pg
import pyqtgraph.exporters


def export_plot(graphics: pg.GraphicsView, path: str, width: int = 1600) -> None:
    """Write the plot shown by `graphics` to `path`; the suffix (.png or .svg) chooses the format."""
    if isinstance(graphics, pg.PlotWidget):
        item = graphics.getPlotItem()
    elif isinstance(graphics, pg.GraphicsLayoutWidget):
        item = graphics.ci
    else:
        item = graphics.scene()
    if path.lower().endswith(".svg"):
        exporter = pyqtgraph.exporters.SVGExporter(item)
    else:
        exporter = pyqtgraph.exporters.ImageExporter(item)
        exporter.parameters()["width"] = width
    exporter.export(path)
