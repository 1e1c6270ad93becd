"""Shared look of the plots: colours per transport, pens, fonts, and the card that frames a plot."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from qtapp.plots.export import export_plot

TRANSPORT_COLOURS = {"fifo": "#d95f02", "tcp": "#1f6fb4", "unix": "#2a9d3a"}
ACCENT = "#1f6fb4"
EXPECTED_COLOUR = "#c0392b"
PERCENTILE_COLOURS = {"p50": "#2a9d3a", "p90": "#b8860b", "p99": "#d95f02", "p99.9": "#c0392b"}
PERCENTILES = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p99.9": 99.9}


def configure_pyqtgraph() -> None:
    """White background, black text, antialiased lines: readable on a projector."""
    pg.setConfigOptions(background="w", foreground="k", antialias=True)


def style_plot(plot: pg.PlotItem, x_label: str, y_label: str, point_size: int = 11) -> None:
    """Label the axes (with units) in a readable font and show a light grid."""
    font = QFont()
    font.setPointSize(point_size)
    for name, label in (("bottom", x_label), ("left", y_label)):
        axis = plot.getAxis(name)
        axis.setLabel(label, **{"font-size": f"{point_size}pt"})
        axis.setTickFont(font)
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setMenuEnabled(True)


class PlotCard(QFrame):
    """A titled frame around a pyqtgraph widget, with a button to save it as PNG or SVG."""

    def __init__(self, title: str, graphics: pg.GraphicsView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.graphics = graphics
        self.title = QLabel(title)
        self.title.setObjectName("plotTitle")
        self.note = QLabel("")
        self.note.setObjectName("plotNote")
        self.note.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        save = QToolButton()
        save.setText("Save…")
        save.setToolTip("Save this plot as PNG or SVG")
        save.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(save)
        menu.addAction("As PNG image…", lambda: self._save("png"))
        menu.addAction("As SVG drawing…", lambda: self._save("svg"))
        save.setMenu(menu)
        header = QHBoxLayout()
        header.setContentsMargins(6, 2, 6, 0)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.note)
        header.addWidget(save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(graphics, 1)

    def _save(self, kind: str) -> None:
        name = self.title.text().lower().replace(" ", "-")
        filters = "PNG image (*.png)" if kind == "png" else "SVG drawing (*.svg)"
        path, _ = QFileDialog.getSaveFileName(self, f"Save plot as {kind.upper()}", f"{name}.{kind}", filters)
        if path:
            export_plot(self.graphics, path)
