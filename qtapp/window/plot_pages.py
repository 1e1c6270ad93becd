"""The plots of the main window's tabs and when each is redrawn.

The overview is a grid of four plots (distribution, round trip over time, round-trip histogram,
throughput); the latency CDF and Compare are tabs of their own. Only the visible page is redrawn,
only when the model changed, and the overview in two halves on alternate ticks, so that no tick
repaints all four plots at once. While the event loop runs late (a loaded machine: the GUI thread
does not get the CPU it asks for), `RedrawPacer` skips redraws, at most for a quarter of a second,
so that the loop catches up instead of queueing repaints behind each other.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QWidget

from qtapp.measuring.model import RunModel
from qtapp.measuring.plots.compare import CompareView
from qtapp.measuring.plots.distribution import DistributionPlot
from qtapp.measuring.plots.latency import (
    LatencyCdfPlot,
    LatencyHistogramPlot,
    LatencyOverTimePlot,
)
from qtapp.measuring.plots.throughput import ThroughputPlot


LATE_TICK_S = 0.01  # a tick this much later than its interval: the event loop is behind
LONGEST_WITHOUT_REDRAW_S = 0.25  # however late the loop runs, the plots are redrawn this often


class RedrawPacer:
    """Whether a timer tick may redraw the plots: not while the ticks come late, unless the plots
    have not been redrawn for `LONGEST_WITHOUT_REDRAW_S`."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self.skipped = 0
        self._last_tick: float | None = None
        self._last_redraw = float("-inf")

    def may_redraw(self, now: float) -> bool:
        """Called once per tick with time.monotonic()."""
        late = self._last_tick is not None and now - self._last_tick > self.interval_s + LATE_TICK_S
        self._last_tick = now
        if late and now - self._last_redraw < LONGEST_WITHOUT_REDRAW_S:
            self.skipped += 1
            return False
        self._last_redraw = now
        return True


class PlotPages:
    """The plot widgets (the window puts `overview`, `latency_cdf_plot` and `compare_view` in tabs)."""

    def __init__(self) -> None:
        self.distribution_plot = DistributionPlot()
        self.latency_time_plot = LatencyOverTimePlot()
        self.latency_histogram_plot = LatencyHistogramPlot()
        self.throughput_plot = ThroughputPlot()
        self.latency_cdf_plot = LatencyCdfPlot()
        self.compare_view = CompareView()
        self.overview = QWidget()
        grid = QGridLayout(self.overview)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.addWidget(self.distribution_plot, 0, 0)
        grid.addWidget(self.latency_time_plot, 0, 1)
        grid.addWidget(self.latency_histogram_plot, 1, 0)
        grid.addWidget(self.throughput_plot, 1, 1)
        self._version_seen = -1
        self._overview_half = 0
        self._overview_versions = [-1, -1]

    def cards(self) -> list:
        """Every plot card, for zoom and presentation mode."""
        return [self.distribution_plot, self.latency_time_plot, self.latency_histogram_plot, self.throughput_plot,
                self.latency_cdf_plot, self.compare_view.cdf, self.compare_view.rates]

    def refresh(self, page: QWidget | None, model: RunModel, force: bool = False) -> bool:
        """Redraw the plots of `page` from the model (each skips work if nothing changed); return
        whether a whole page is now redrawn."""
        all_series = model.series
        current = model.current()
        if page is self.overview and not force:
            # Half the overview per tick: the event loop never waits for all four repaints.
            half = self._overview_half
            if self._overview_versions[half] == model.version:
                return False
            self._overview_versions[half] = model.version
            self._overview_half = 1 - half
            if half == 0:
                self.distribution_plot.refresh(current)
                self.throughput_plot.refresh(all_series)
                return False
            self.latency_time_plot.refresh(all_series)
            self.latency_histogram_plot.refresh(all_series, current)
            return True
        if not force and self._version_seen == model.version:
            return False
        self._version_seen = model.version
        self._overview_versions = [model.version, model.version]
        if page is self.overview:
            self.distribution_plot.refresh(current, final=force)
            self.latency_time_plot.refresh(all_series)
            self.latency_histogram_plot.refresh(all_series, current, final=force)
            self.throughput_plot.refresh(all_series)
        elif page is self.latency_cdf_plot:
            self.latency_cdf_plot.refresh(all_series, current, final=force)
        elif page is self.compare_view:
            self.compare_view.refresh(all_series, current)
        return True
