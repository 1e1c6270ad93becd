"""Shared look of the plots: colours per transport, pens, fonts, and the card that frames a plot."""

from __future__ import annotations

import time

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QLocale
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

from qtapp.measuring.plots.axes import CompactAxis, ReadableAxis, TimeAxis, set_log_time_ticks  # noqa: F401
from qtapp.measuring.plots.export import export_plot
from qtapp.measuring.plots import units
from qtapp.measuring.plots.units import compact_number, duration_label  # noqa: F401
from qtapp.window.retranslating import Retranslating

def localized(text: str) -> str:
    """A number written by plots.units ("1,234.5") with the current locale's separators ("1 234,5")."""
    locale = QLocale()
    group, decimal = locale.groupSeparator(), locale.decimalPoint()
    return text.translate({ord(","): group, ord("."): decimal}) if (group, decimal) != (",", ".") else text


def format_microseconds(value: float) -> str:
    """plots.units.format_microseconds in the current locale: "1.50 ms" in English, "1,50 ms" in French."""
    return localized(units.format_microseconds(value))


TRANSPORT_COLOURS = {"fifo": "#d95f02", "tcp": "#1f6fb4", "unix": "#2a9d3a"}
ACCENT = "#1f6fb4"
EXPECTED_COLOUR = "#c0392b"
# Dark enough to be read as text on white (≥ 5:1): the percentile labels are drawn in these.
PERCENTILE_COLOURS = {"p50": "#1e7b2f", "p90": "#8a6500", "p99": "#b34700", "p99.9": "#c0392b"}
PERCENTILES = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p99.9": 99.9}


def configure_pyqtgraph() -> None:
    """White background, black text, antialiased lines: readable on a projector."""
    pg.setConfigOptions(background="w", foreground="k", antialias=False)


def style_plot(plot: pg.PlotItem, x_label: str, y_label: str, point_size: int = 11, x_units: str = "") -> None:
    """Label the axes (with units) in a readable font and show a light grid. `x_units` ("s"): the
    axis title shows the SI unit that fits the range (time since start (ms))."""
    font = QFont()
    font.setPointSize(point_size)
    for name, label, axis_units in (("bottom", x_label, x_units), ("left", y_label, "")):
        axis = plot.getAxis(name)
        if not isinstance(axis, TimeAxis):
            axis.enableAutoSIPrefix(False)  # never "(x0.001)": tick labels say k, M, µs, ms
        axis.setLabel(label, units=axis_units or None, **{"font-size": f"{point_size}pt"})
        axis.setTickFont(font)
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setMenuEnabled(True)
    for name in ("bottom", "left"):
        # Axes are drawn into a cached pixmap, redrawn only when their range changes: replaying
        # their text on every frame would cost more than drawing the data.
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def readable_axes(integer_left: bool = False, compact_left: bool = False, time_bottom: bool = False) -> dict:
    """The axisItems of a plot: tick labels that never collide; counts in whole numbers (k, M);
    time in SI units."""
    left = CompactAxis("left", integer=integer_left) if compact_left or integer_left else ReadableAxis("left")
    return {"left": left, "bottom": TimeAxis("bottom") if time_bottom else ReadableAxis("bottom")}


def add_legend(plot: pg.PlotItem, offset: tuple[float, float]) -> pg.LegendItem:
    """A one-row legend (one column per entry): short, so it stays clear of the plot's other texts."""
    return plot.addLegend(offset=offset, colCount=3, verSpacing=-4, horSpacing=18)


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

    def transports_shown(self) -> list[str]:
        """Names of the curves that hold data (the transports this plot shows now)."""
        names = []
        for plot in _plot_items(self.graphics):
            for item in plot.items:
                if isinstance(item, pg.PlotDataItem) and item.name() and item.isVisible():
                    x, _y = item.getData()
                    if x is not None and len(x) and item.name() not in names:
                        names.append(item.name())
        return names

    def export_header(self) -> tuple[str, str]:
        """(title, subtitle) written above the plot in a saved file."""
        transports = self.transports_shown()
        title = self.title.text() + (f" — {', '.join(transports)}" if transports else "")
        return title, self.note.text()

    def save_to(self, path: str) -> None:
        """Save the plot as PNG or SVG (by the suffix), titled with what it shows."""
        title, subtitle = self.export_header()
        export_plot(self.graphics, path, title, subtitle)

    def _save(self, kind: str) -> None:
        name = self.title.text().lower().replace(" ", "-")
        filters = (QCoreApplication.translate("PlotCard", "PNG image (*.png)") if kind == "png"
                   else QCoreApplication.translate("PlotCard", "SVG drawing (*.svg)"))
        title = QCoreApplication.translate("PlotCard", "Save plot as {kind}").format(kind=kind.upper())
        path, _ = QFileDialog.getSaveFileName(self, title, f"{name}.{kind}", filters)
        if path:
            self.save_to(path)


def _plot_items(graphics: pg.GraphicsView) -> list[pg.PlotItem]:
    scene = graphics.scene()
    return [item for item in scene.items() if isinstance(item, pg.PlotItem)] if scene is not None else []


def scale_plot_widget(graphics: pg.GraphicsView, point_size: int, line_scale: float) -> None:
    """Presentation mode and zoom: axis fonts of `point_size` and every curve's and marker's line
    `line_scale` times its normal width (remembered on the item, so scaling never accumulates)."""
    font = QFont()
    font.setPointSize(point_size)
    for plot in _plot_items(graphics):
        if plot.titleLabel.isVisible() and plot.titleLabel.text:
            plot.setTitle(plot.titleLabel.text, size=f"{point_size}pt", justify="left")
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
            if isinstance(item, pg.TextItem):
                item.setFont(font)
                continue
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
                if getattr(item, "label", None) is not None:
                    item.label.textItem.setFont(font)
        markers = getattr(plot, "percentile_markers", None)
        if markers is not None:
            markers.layout()
