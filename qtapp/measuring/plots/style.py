"""Shared look of the plots: colours per transport, pens, fonts, and the card that frames a plot."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qtapp.measuring.plots.export import export_plot
from qtapp.window.retranslating import Retranslating

TRANSPORT_COLOURS = {"fifo": "#d95f02", "tcp": "#1f6fb4", "unix": "#2a9d3a"}
ACCENT = "#1f6fb4"
EXPECTED_COLOUR = "#c0392b"
PERCENTILE_COLOURS = {"p50": "#2a9d3a", "p90": "#b8860b", "p99": "#d95f02", "p99.9": "#c0392b"}
PERCENTILES = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p99.9": 99.9}


def configure_pyqtgraph() -> None:
    """White background, black text, antialiased lines: readable on a projector."""
    pg.setConfigOptions(background="w", foreground="k", antialias=False)


class CompactAxis(pg.AxisItem):
    """Tick labels like 600k or 1.2M instead of 600000 or 1.2e6."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        return [compact_number(value * scale) for value in values]


def compact_number(value: float) -> str:
    magnitude = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def duration_label(microseconds: float) -> str:
    """A round number of µs written with the clearest unit: 100 µs, 1 ms, 10 s."""
    if microseconds >= 1e6:
        return f"{microseconds / 1e6:g} s"
    if microseconds >= 1e3:
        return f"{microseconds / 1e3:g} ms"
    return f"{microseconds:g} µs"


def format_microseconds(value: float) -> str:
    """A measured duration in µs with sensible precision (e.g. 12.3 µs, 4,512 µs)."""
    from qtapp.window.i18n import number

    return f"{number(value, 1)} µs" if value < 1000 else f"{number(value)} µs"


def set_log_time_ticks(axis: pg.AxisItem) -> None:
    """Decade ticks labelled with units (1 µs, 10 µs, ... 10 s) on a log-mode axis in µs."""
    major = [(float(power), duration_label(10.0 ** power)) for power in range(-1, 8)]
    minor = [(float(np.log10(multiple * 10.0 ** power)), "") for power in range(-1, 8) for multiple in range(2, 10)]
    axis.setTicks([major, minor])


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
    for name in ("bottom", "left"):
        # Axes are drawn into a cached pixmap, redrawn only when their range changes: replaying
        # their text on every frame would cost more than drawing the data.
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


TEXT_INTERVAL_S = 0.3  # text labels change at most ~3 times a second (cheap plots, readable numbers)


class TextThrottle:
    """Says whether enough time has passed to update a text label again."""

    def __init__(self, interval_s: float = TEXT_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self._last = -1e9

    def due(self, force: bool = False) -> bool:
        now = time.monotonic()
        if force or now - self._last >= self.interval_s:
            self._last = now
            return True
        return False


PLOT_CONTEXTS = ("Plots", "Compare", "PlotCard")


def _plot_items(graphics: pg.GraphicsView) -> list[pg.PlotItem]:
    if isinstance(graphics, pg.PlotWidget):
        return [graphics.getPlotItem()]
    layout = getattr(graphics, "ci", None)
    return [item for item in getattr(layout, "items", {}) if isinstance(item, pg.PlotItem)]


class PlotCard(Retranslating, QFrame):
    """A titled frame around a pyqtgraph widget, with a button to save it as PNG or SVG.

    On a language change its title, axis labels and legend names are set again in the new language
    (see i18n.retranslated) and its notes are redrawn with the next refresh."""

    def __init__(self, title: str, graphics: pg.GraphicsView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.graphics = graphics
        self.title = QLabel(title)
        self.title.setObjectName("plotTitle")
        self.note = QLabel("")
        self.note.setObjectName("plotNote")
        save = QToolButton()
        self.save_button = save
        save.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(save)
        self._png_action = menu.addAction("", lambda: self._save("png"))
        self._svg_action = menu.addAction("", lambda: self._save("svg"))
        save.setMenu(menu)
        self._set_save_texts()
        header = QHBoxLayout()
        header.setContentsMargins(6, 2, 6, 0)
        header.addWidget(self.title)
        header.addSpacing(12)
        header.addWidget(self.note, 1)
        header.addWidget(save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(graphics, 1)

    def _set_save_texts(self) -> None:
        self.save_button.setText(QCoreApplication.translate("PlotCard", "Save…"))
        self.save_button.setToolTip(QCoreApplication.translate("PlotCard", "Save this plot as PNG or SVG"))
        self._png_action.setText(QCoreApplication.translate("PlotCard", "As PNG image…"))
        self._svg_action.setText(QCoreApplication.translate("PlotCard", "As SVG drawing…"))

    def retranslate(self) -> None:
        from qtapp.window.i18n import retranslated

        self._set_save_texts()
        self.title.setText(retranslated(self.title.text(), PLOT_CONTEXTS))
        for plot in _plot_items(self.graphics):
            for name in ("bottom", "left"):
                axis = plot.getAxis(name)
                if axis.labelText:
                    axis.setLabel(retranslated(axis.labelText, PLOT_CONTEXTS))
            legend = plot.legend
            if legend is not None:
                for _sample, label in legend.items:
                    label.setText(retranslated(label.text, PLOT_CONTEXTS))
        for attribute, empty in (("_key", ()), ("_keys", {})):  # redraw (notes included) on the next refresh
            if hasattr(self, attribute):
                setattr(self, attribute, type(empty)())
        if hasattr(self, "_text_throttle"):
            self._text_throttle = TextThrottle()

    def set_compact(self, compact: bool) -> None:
        """Presentation mode: no Save button."""
        self.save_button.setVisible(not compact)

    def _save(self, kind: str) -> None:
        name = self.title.text().lower().replace(" ", "-")
        filters = (QCoreApplication.translate("PlotCard", "PNG image (*.png)") if kind == "png"
                   else QCoreApplication.translate("PlotCard", "SVG drawing (*.svg)"))
        title = QCoreApplication.translate("PlotCard", "Save plot as {kind}").format(kind=kind.upper())
        path, _ = QFileDialog.getSaveFileName(self, title, f"{name}.{kind}", filters)
        if path:
            export_plot(self.graphics, path)


def _plot_items(graphics: pg.GraphicsView) -> list[pg.PlotItem]:
    scene = graphics.scene()
    return [item for item in scene.items() if isinstance(item, pg.PlotItem)] if scene is not None else []


def scale_plot_widget(graphics: pg.GraphicsView, point_size: int, line_scale: float) -> None:
    """Presentation mode and zoom: axis fonts of `point_size` and every curve's and marker's line
    `line_scale` times its normal width (remembered on the item, so scaling never accumulates)."""
    font = QFont()
    font.setPointSize(point_size)
    for plot in _plot_items(graphics):
        for name in ("bottom", "left"):
            axis = plot.getAxis(name)
            axis.setTickFont(font)
            axis.setLabel(axis.labelText, axis.labelUnits, **{"font-size": f"{point_size}pt"})
        legend = plot.legend
        if legend is not None:
            legend.opts["labelTextSize"] = f"{point_size}pt"
            for _sample, label in legend.items:
                label.setText(label.text, size=f"{point_size}pt")
            legend.updateSize()
        for item in plot.items:
            pen = None
            if isinstance(item, pg.PlotDataItem):
                pen = item.opts.get("pen")
            elif isinstance(item, pg.InfiniteLine):
                pen = item.pen
            if pen is None:
                continue
            pen = pg.mkPen(pen)
            base = getattr(item, "_ipclab_base_width", None)
            if base is None:
                base = pen.widthF() or 1.0
                item._ipclab_base_width = base
            pen.setWidthF(base * line_scale)
            if isinstance(item, pg.PlotDataItem):
                item.setPen(pen)
            else:
                item.setPen(pen)
                if item.label is not None:
                    item.label.textItem.setFont(font)
