"""Throughput over time: exchanges per second and numbers per second, one curve per transport."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication

from qtapp.measuring.model import TRANSPORT_NAMES, TransportSeries, time_extent_s
from qtapp.measuring.plots.style import (
    TRANSPORT_COLOURS,
    CompactAxis,
    PlotCard,
    TimeAxis,
    add_legend,
    style_plot,
)
from qtapp.measuring.plots.view_range import SteppedRange, TimeAxisRange, link_x_by_value


class SharedWidthAxis(CompactAxis):
    """A left axis as wide as the widest axis of its group. Plots stacked one above the other then
    have their data areas at the same place and of the same width, so their time axes, already
    equal in values, share one scale on screen too: a moment is at the same x in every plot."""

    def __init__(self, orientation: str, group: list[SharedWidthAxis]) -> None:
        self.group = group
        self.natural_width = 0.0
        super().__init__(orientation)
        group.append(self)

    def _updateWidth(self) -> None:  # noqa: N802 - pyqtgraph's name
        super()._updateWidth()
        self.natural_width = self.minimumWidth()
        group = [axis for axis in getattr(self, "group", []) if axis is not self] + [self]
        width = max(axis.natural_width for axis in group)
        for axis in group:
            if axis.minimumWidth() != width or axis.maximumWidth() != width:
                axis.setMinimumWidth(width)
                axis.setMaximumWidth(width)
                axis.picture = None


class ThroughputPlot(PlotCard):
    """Two stacked plots sharing the time axis: exchanges/s on top, numbers/s below. Each says what
    it counts in a title above it (two rotated axis titles would not fit the height of half a plot).
    Their left axes keep one width, so the two time axes share one scale in pixels as well as in
    values."""

    def __init__(self) -> None:
        self.widget = pg.GraphicsLayoutWidget()
        super().__init__(QCoreApplication.translate("Plots", "Throughput"), self.widget)
        left_axes: list[SharedWidthAxis] = []
        self.exchanges_plot = self.widget.addPlot(row=0, col=0, axisItems={
            "left": SharedWidthAxis("left", left_axes), "bottom": TimeAxis("bottom")})
        self.numbers_plot = self.widget.addPlot(row=1, col=0, axisItems={
            "left": SharedWidthAxis("left", left_axes), "bottom": TimeAxis("bottom")})
        link_x_by_value(self.exchanges_plot, self.numbers_plot)
        style_plot(self.exchanges_plot, "", "")
        style_plot(self.numbers_plot, QCoreApplication.translate("Plots", "time since start"), "", x_units="s")
        self.exchanges_plot.getAxis("bottom").setStyle(showValues=False)  # the lower plot's axis says it
        self.exchanges_plot.setTitle(QCoreApplication.translate("Plots", "exchanges/s"), justify="left")
        self.numbers_plot.setTitle(QCoreApplication.translate("Plots", "numbers/s"), justify="left")
        self.widget.ci.layout.setVerticalSpacing(0)
        add_legend(self.exchanges_plot, (-10, 5))
        self.exchange_curves: dict[str, pg.PlotDataItem] = {}
        self.number_curves: dict[str, pg.PlotDataItem] = {}
        for transport, colour in TRANSPORT_COLOURS.items():
            pen = pg.mkPen(colour, width=2)
            self.exchange_curves[transport] = self.exchanges_plot.plot(pen=pen, name=TRANSPORT_NAMES[transport])
            self.number_curves[transport] = self.numbers_plot.plot(pen=pen)
        self.x_range = TimeAxisRange(self.exchanges_plot, self.numbers_plot)  # one time scale for both
        self.exchanges_range = SteppedRange(self.exchanges_plot, "y")
        self.numbers_range = SteppedRange(self.numbers_plot, "y")
        self._keys: dict[str, tuple] = {}

    def refresh(self, all_series: dict[str, TransportSeries]) -> None:
        changed = False
        for transport in TRANSPORT_COLOURS:
            series = all_series.get(transport)
            key = (id(series), series.version if series else -1)
            if self._keys.get(transport) == key:
                continue
            self._keys[transport] = key
            changed = True
            if series is None:
                self.exchange_curves[transport].setData([], [])
                self.number_curves[transport].setData([], [])
                continue
            times, rates = series.throughput.rates()
            self.exchange_curves[transport].setData(times, rates[:, 0])
            self.number_curves[transport].setData(times, rates[:, 1])
        if changed:
            exchanges = [curve.getData() for curve in self.exchange_curves.values()]
            numbers = [curve.getData() for curve in self.number_curves.values()]
            self.x_range.show(time_extent_s(all_series))
            self.exchanges_range.include([y for _, y in exchanges if y is not None])
            self.numbers_range.include([y for _, y in numbers if y is not None])
