"""Latency plots: round trip per exchange over time, and the latency histogram and CDF (log axis)
with p50/p90/p99/p99.9 marked; one curve per transport, so runs overlay."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QTimer

from backend.measuring.stats import LatencyHistogram
from qtapp.measuring.model import TRANSPORT_NAMES, TransportSeries, time_extent_s
from qtapp.measuring.plots.style import (
    PERCENTILE_COLOURS,
    PERCENTILES,
    TRANSPORT_COLOURS,
    PlotCard,
    TextThrottle,
    add_legend,
    format_microseconds,
    readable_axes,
    set_log_time_ticks,
    style_plot,
)
from qtapp.measuring.plots.view_range import SteppedRange, TimeAxisRange

REBIN = 8  # 240 buckets per decade -> 30 per decade on screen
GAP_S = 0.25  # no line is drawn across a pause longer than this
ISOLATED_POINTS_SHOWN = 200  # up to this many points, each exchange is also drawn as a dot


def histogram_steps(histogram: LatencyHistogram) -> tuple[np.ndarray, np.ndarray]:
    """(bucket edges in µs, counts) over the non-empty range, re-binned for display."""
    counts = histogram.counts
    nonzero = np.flatnonzero(counts)
    if not len(nonzero):
        return np.zeros(0), np.zeros(0)
    first = (int(nonzero[0]) // REBIN) * REBIN
    last = (int(nonzero[-1]) // REBIN + 1) * REBIN
    grouped = counts[first:last].reshape(-1, REBIN).sum(axis=1).astype(np.float64)
    edges = histogram.bucket_edges_ns[first:last + 1:REBIN] / 1e3
    return edges, grouped


class PercentileMarkers:
    """Vertical lines at p50/p90/p99/p99.9 of one transport's histogram, on a plot with a log x
    axis, each labelled with the transport and its value ("FIFO p99 8.70 ms").

    The labels are stacked one under the other from the top of the plot (below the legend, if the
    plot has one), so they never cover each other however close the lines are; a label that does
    not fit to the right of its line is written to the left of it, so it stays inside the plot."""

    def __init__(self, plot: pg.PlotItem, below_legend: bool = False) -> None:
        self.plot = plot
        self.below_legend = below_legend
        self.lines: dict[str, pg.InfiniteLine] = {}
        self.labels: dict[str, pg.TextItem] = {}
        for name, colour in PERCENTILE_COLOURS.items():
            line = pg.InfiniteLine(angle=90, pen=pg.mkPen(colour, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine))
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
            self.lines[name] = line
            label = pg.TextItem("", color=colour, fill=(255, 255, 255, 225), anchor=(0, 0))
            label.setVisible(False)
            plot.addItem(label, ignoreBounds=True)
            self.labels[name] = label
        self.values_us: dict[str, float] = {}
        plot.percentile_markers = self  # found by scale_plot_widget, which re-lays the labels out
        plot.getViewBox().sigResized.connect(self.layout)
        plot.getViewBox().sigRangeChanged.connect(self.layout)

    def refresh(self, histogram: LatencyHistogram | None, transport: str = "") -> None:
        if histogram is None or histogram.count == 0:
            for item in (*self.lines.values(), *self.labels.values()):
                item.setVisible(False)
            self.values_us = {}
            return
        prefix = f"{TRANSPORT_NAMES[transport]} " if transport in TRANSPORT_NAMES else ""
        for name, q in PERCENTILES.items():
            value = histogram.percentile(q) / 1e3
            self.values_us[name] = value
            self.lines[name].setPos(math.log10(max(value, 1e-3)))
            self.lines[name].setVisible(True)
            self.labels[name].setText(f"{prefix}{name} {format_microseconds(value)}")
            self.labels[name].setVisible(True)
        self.layout()
        # Once more after pyqtgraph has applied a pending auto-range and the new fonts (it does so
        # lazily, before painting): the labels are placed against the range that is drawn.
        QTimer.singleShot(0, self.plot, self.layout)

    def layout(self, *_arguments: object) -> None:
        """Stack the labels from the top of the view, one text height apart."""
        view = self.plot.getViewBox()
        (x_low, x_high), (y_low, y_high) = view.viewRange()
        height_pixels = view.height()
        if height_pixels <= 0 or y_high <= y_low:
            return
        units_per_pixel = (y_high - y_low) / height_pixels
        x_units_per_pixel = (x_high - x_low) / max(1.0, view.width())
        top = y_high
        if self.below_legend and self.plot.legend is not None and self.plot.legend.isVisible():
            legend = self.plot.legend
            top -= (legend.boundingRect().height() + 10) * units_per_pixel
        for row, name in enumerate(PERCENTILES):
            label = self.labels[name]
            row_pixels = label.textItem.boundingRect().height() + 2
            x = self.lines[name].value()
            width = (label.textItem.boundingRect().width() + 4) * x_units_per_pixel
            # Right of its line if it fits there, else left of it if it fits there; where it fits
            # on neither side, against the plot's nearer edge: always inside the plot.
            y = top - (4 + row * row_pixels) * units_per_pixel
            if x + width <= x_high:
                label.setAnchor((0, 0))
                label.setPos(max(x, x_low), y)
            elif x - width >= x_low:
                label.setAnchor((1, 0))
                label.setPos(x, y)
            else:
                label.setAnchor((0, 0))
                label.setPos(max(x_low, x_high - width), y)


class TransportCurvesCard(PlotCard):
    """A plot card with one curve per transport on a log time axis; `changed_curves` names the
    curves whose series changed since they were last drawn."""

    def __init__(self, title: str, x_label: str, y_label: str, log_x: bool,
                 legend_offset: tuple[int, int] | None = None, axis_items: dict | None = None,
                 x_units: str = "") -> None:
        self.widget = pg.PlotWidget(axisItems=axis_items or readable_axes())
        super().__init__(title, self.widget)
        plot = self.widget.getPlotItem()
        style_plot(plot, x_label, y_label, x_units=x_units)
        plot.setLogMode(x=log_x, y=not log_x)
        set_log_time_ticks(plot.getAxis("bottom" if log_x else "left"))
        if legend_offset is not None:
            add_legend(plot, legend_offset)
        self.curves: dict[str, pg.PlotDataItem] = {}
        for transport, colour in TRANSPORT_COLOURS.items():
            curve = self._make_curve(colour, TRANSPORT_NAMES[transport])
            plot.addItem(curve)
            self.curves[transport] = curve
        self._keys: dict[str, tuple] = {}

    def _make_curve(self, colour: str, name: str) -> pg.PlotDataItem:
        raise NotImplementedError

    def changed_curves(self, all_series: dict[str, TransportSeries]) -> list[tuple[pg.PlotDataItem,
                                                                                   TransportSeries | None]]:
        """(curve, its series or None) for each transport whose series changed since the last call."""
        changed = []
        for transport, curve in self.curves.items():
            series = all_series.get(transport)
            key = (id(series), series.version if series else -1)
            if self._keys.get(transport) != key:
                self._keys[transport] = key
                changed.append((curve, series))
        return changed

    def include_in_ranges(self, x_range: SteppedRange, y_range: SteppedRange) -> None:
        """Widen the stepped view ranges to every curve's data."""
        data = [curve.getData() for curve in self.curves.values()]
        x_range.include([x for x, _ in data if x is not None])
        y_range.include([y for _, y in data if y is not None])


class RoundTripCard(TransportCurvesCard):
    """A card over the round trip (log x axis) with the current transport's percentiles marked."""

    def __init__(self, title: str, y_label: str, legend_offset: tuple[int, int] | None = None,
                 axis_items: dict | None = None) -> None:
        super().__init__(title, QCoreApplication.translate("Plots", "round trip (log scale)"), y_label, True,
                         legend_offset, axis_items)
        self.markers = PercentileMarkers(self.widget.getPlotItem(), below_legend=legend_offset is not None)
        self._text_throttle = TextThrottle()

    def refresh_markers(self, current: TransportSeries | None, changed: bool, final: bool) -> bool:
        """Move the percentile lines to `current` (at a text-friendly rate, always if `final`)."""
        if not ((changed or final) and self._text_throttle.due(force=final)):
            return False
        self.markers.refresh(current.statistics.latency if current else None,
                             current.transport if current else "")
        return True


class LatencyOverTimePlot(TransportCurvesCard):
    """Round trip of recent exchanges (a bounded, downsampled sample) against run time."""

    def __init__(self) -> None:
        # "round trip", not "round trip (log scale)": a rotated title longer than a short plot is
        # cut off, and the decade ticks (100 µs, 1 ms, 10 ms) show the scale.
        super().__init__(QCoreApplication.translate("Plots", "Round trip over time"),
                         QCoreApplication.translate("Plots", "time since start"),
                         QCoreApplication.translate("Plots", "round trip"), False, (-10, 10),
                         readable_axes(time_bottom=True), x_units="s")
        plot = self.widget.getPlotItem()
        self.x_range = TimeAxisRange(plot)  # the same time axis as the throughput plot's
        self.y_range = SteppedRange(plot, "y", log=True)

    def _make_curve(self, colour: str, name: str) -> pg.PlotDataItem:
        curve = pg.PlotDataItem(pen=pg.mkPen(colour, width=1), name=name)
        curve.setDownsampling(auto=True, method="peak")
        curve.setClipToView(True)
        return curve

    def refresh(self, all_series: dict[str, TransportSeries]) -> None:
        changed = self.changed_curves(all_series)
        for curve, series in changed:
            if series is None or not len(series.latency_points):
                curve.setData([], [])
                continue
            rows = series.latency_points.rows()
            rows = rows[np.argsort(rows[:, 0], kind="stable")]
            times, latencies = rows[:, 0], np.maximum(rows[:, 1], 1e-3)
            gaps = np.flatnonzero(np.diff(times) > GAP_S) + 1
            if len(gaps):  # break the line across pauses (e.g. between single requests)
                times = np.insert(times, gaps, np.nan)
                latencies = np.insert(latencies, gaps, np.nan)
            # A dot for every exchange while there are few: a single exchange, cut off from the others by
            # the gaps, would otherwise draw nothing at all.
            few = len(rows) <= ISOLATED_POINTS_SHOWN
            curve.setData(times, latencies, connect="finite", symbol="o" if few else None, symbolSize=7,
                          symbolPen=None, symbolBrush=curve.opts["pen"].color())
        if changed:
            data = [curve.getData() for curve in self.curves.values()]
            self.x_range.show(time_extent_s(all_series))
            self.y_range.include([y for _, y in data if y is not None])


class LatencyHistogramPlot(RoundTripCard):
    """How many exchanges took how long (log time axis), with percentiles of the current transport."""

    def __init__(self) -> None:
        super().__init__(QCoreApplication.translate("Plots", "Round-trip histogram"),
                         QCoreApplication.translate("Plots", "exchanges"), axis_items=readable_axes(integer_left=True))
        plot = self.widget.getPlotItem()
        self.x_range = SteppedRange(plot, "x", log=True)
        self.y_range = SteppedRange(plot, "y")

    def _make_curve(self, colour: str, name: str) -> pg.PlotDataItem:
        fill = pg.mkColor(colour)
        fill.setAlpha(70)
        return pg.PlotDataItem(stepMode="center", fillLevel=0, brush=fill, pen=pg.mkPen(colour, width=1.5), name=name)

    def refresh(self, all_series: dict[str, TransportSeries], current: TransportSeries | None,
                final: bool = False) -> None:
        changed = self.changed_curves(all_series)
        for curve, series in changed:
            edges, counts = histogram_steps(series.statistics.latency) if series else (np.zeros(0), np.zeros(0))
            if len(counts):
                curve.setData(edges, counts)
            else:
                curve.setData([], [])
        if changed:
            self.include_in_ranges(self.x_range, self.y_range)
        if self.refresh_markers(current, bool(changed), final) and current is not None and self.markers.values_us:
            values = self.markers.values_us
            self.note.setText(QCoreApplication.translate("Plots", "{name}: p50 {p50} · p99 {p99}").format(
                name=TRANSPORT_NAMES[current.transport], p50=format_microseconds(values["p50"]),
                p99=format_microseconds(values["p99"])))


class LatencyCdfPlot(RoundTripCard):
    """Cumulative fraction of exchanges under each round trip (log time axis), percentiles marked."""

    def __init__(self, title: str | None = None) -> None:
        super().__init__(title if title is not None else QCoreApplication.translate("Plots", "Round-trip CDF"),
                         QCoreApplication.translate("Plots", "fraction of exchanges"), (10, 10))
        self.widget.getPlotItem().setYRange(0, 1.02, padding=0)

    def _make_curve(self, colour: str, name: str) -> pg.PlotDataItem:
        return pg.PlotDataItem(pen=pg.mkPen(colour, width=2.5), name=name)

    def refresh(self, all_series: dict[str, TransportSeries], current: TransportSeries | None,
                final: bool = False) -> None:
        changed = self.changed_curves(all_series)
        for curve, series in changed:
            if series is None or series.statistics.latency.count == 0:
                curve.setData([], [])
                continue
            upper_ns, fraction = series.statistics.latency.cdf()
            curve.setData(upper_ns / 1e3, fraction)
        self.refresh_markers(current, bool(changed), final)
