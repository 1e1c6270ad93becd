"""Distribution of the returned numbers: a bar per value (or bins), the uniform level, chi-square."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication

from qtapp.measuring.model import TRANSPORT_NAMES, TransportSeries
from qtapp.measuring.plots.style import (
    EXPECTED_COLOUR,
    TRANSPORT_COLOURS,
    CompactAxis,
    PlotCard,
    ReadableAxis,
    TextThrottle,
    add_legend,
    style_plot,
)
from qtapp.measuring.plots.view_range import SteppedRange

BARS_UP_TO = 64  # one bar per value up to this many values, a stepped histogram beyond


class DistributionPlot(PlotCard):
    """Counts per returned value for the current transport, against the expected uniform level."""

    def __init__(self) -> None:
        self.widget = pg.PlotWidget(axisItems={"left": CompactAxis("left", integer=True),
                                                "bottom": ReadableAxis("bottom", integer=True)})
        super().__init__(QCoreApplication.translate("Plots", "Numbers returned"), self.widget)
        plot = self.widget.getPlotItem()
        style_plot(plot, QCoreApplication.translate("Plots", "value returned"), QCoreApplication.translate("Plots", "how many times"))
        self.bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.8, brush=TRANSPORT_COLOURS["fifo"], pen=None)
        self.steps = pg.PlotDataItem(stepMode="center", fillLevel=0, brush=TRANSPORT_COLOURS["fifo"], pen=None)
        self.expected = pg.PlotDataItem(stepMode="center", pen=pg.mkPen(EXPECTED_COLOUR, width=2,
                                                                         style=pg.QtCore.Qt.PenStyle.DashLine))
        legend = add_legend(plot, (-10, 10))
        for item in (self.bars, self.steps, self.expected):
            plot.addItem(item)
        legend.addItem(self.expected, QCoreApplication.translate("Plots", "expected if uniform"))
        self.bars.setVisible(False)
        self.steps.setVisible(False)
        self.y_range = SteppedRange(plot, "y")
        self.shown_counts = np.zeros(0, dtype=np.int64)
        self.chi_square_text = ""
        self._text_throttle = TextThrottle()
        self._key: tuple = ()

    def refresh(self, series: TransportSeries | None, final: bool = False) -> None:
        if series is None:
            return
        key = (series.transport, id(series), series.version)
        if key == self._key and not final:
            return
        new_series = self._key[:2] != key[:2] if self._key else True
        self._key = key
        histogram = series.statistics.values
        counts = histogram.counts
        edges = histogram.bin_edges.astype(np.float64)
        colour = TRANSPORT_COLOURS[series.transport]
        self.shown_counts = counts.copy()
        if histogram.one_bin_per_value and len(counts) <= BARS_UP_TO:
            self.bars.setOpts(x=edges[:-1], height=counts.astype(np.float64), width=0.8, brush=colour)
            self.bars.setVisible(True)
            self.steps.setVisible(False)
            self.expected.setData(edges - 0.5, histogram.expected_per_bin())
        else:
            self.steps.setData(edges, counts.astype(np.float64), brush=colour)
            self.steps.setVisible(True)
            self.bars.setVisible(False)
            self.expected.setData(edges, histogram.expected_per_bin())
        self.y_range.include([counts.astype(np.float64), histogram.expected_per_bin()])
        if not self._text_throttle.due(force=final or new_series):
            return
        chi = histogram.chi_square()
        name = TRANSPORT_NAMES[series.transport]
        if chi.degrees_of_freedom:
            p_value = "–" if math.isnan(chi.p_value) else f"{chi.p_value:.3f}"
            self.chi_square_text = QCoreApplication.translate(
                "Plots", "{name}: {total} numbers · χ² = {statistic} ({dof} dof), p = {p}").format(
                name=name, total=f"{histogram.total:,}", statistic=f"{chi.statistic:,.1f}",
                dof=chi.degrees_of_freedom, p=p_value)
        else:
            self.chi_square_text = QCoreApplication.translate("Plots", "{name}: {total} numbers").format(
                name=name, total=f"{histogram.total:,}")
        self.note.setText(self.chi_square_text)
