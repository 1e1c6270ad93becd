"""The time plots show the current run: single exchanges are drawn, a request after a run does not
stretch the run's axis, and the round-trip and throughput plots share one time axis from 0."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF

import qtapp.measuring.model as model_module
from backend.measuring.runner import WorkloadSpec
from tests.gui.helpers import wait_listening


def _x_range(plot_item) -> tuple[float, float]:
    low, high = plot_item.getViewBox().viewRange()[0]
    return round(low, 6), round(high, 6)


def test_three_single_exchanges_are_drawn(qtbot, window):
    for _ in range(3):
        with qtbot.waitSignal(window.run_finished, timeout=20000):
            window.single_request("fifo")
    window.refresh_plots(force=True)
    curve = window.latency_time_plot.curves["fifo"]
    times, latencies = curve.getData()
    assert np.isfinite(times).sum() == 3 and np.isfinite(latencies).sum() == 3
    drawn = [point for point in curve.scatter.points() if np.isfinite(point.pos().x())]
    assert len(drawn) == 3, "each single exchange needs a visible dot"
    low, high = _x_range(window.latency_time_plot.widget.getPlotItem())
    assert low == 0 and all(low <= time <= high for time in times[np.isfinite(times)])


def test_a_request_after_a_run_starts_a_new_current_run(qtbot, window):
    wait_listening(qtbot, window, "unix")
    with qtbot.waitSignal(window.run_finished, timeout=30000):
        window.start_workload(WorkloadSpec(transport="unix", requests=None, duration=1.2, count=10, lo=1, hi=10))
    window.refresh_plots(force=True)
    assert _x_range(window.latency_time_plot.widget.getPlotItem())[1] >= 1.2
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.single_request("unix")
    window.refresh_plots(force=True)
    series = window.model.series["unix"]
    assert series.single_exchanges and series.statistics.exchanges == 1
    # The axis fits the current run (one exchange, a few ms in), not the run before plus the pause.
    assert _x_range(window.latency_time_plot.widget.getPlotItem()) == (0, 1)
    assert _x_range(window.throughput_plot.exchanges_plot) == (0, 1)


def test_a_long_run_is_shown_from_its_start_on_one_time_axis(qtbot, window, monkeypatch):
    monkeypatch.setattr(model_module, "LATENCY_POINTS", 400)  # a "long" run in a second: 10 times more points
    wait_listening(qtbot, window, "fifo")
    with qtbot.waitSignal(window.run_finished, timeout=60000):
        window.start_workload(WorkloadSpec(transport="fifo", requests=None, duration=1.5, count=10, concurrency=2))
    window.refresh_plots(force=True)
    series = window.model.series["fifo"]
    assert series.latency_points.thinned > 0, "the test must overflow the kept points"
    times, _ = window.latency_time_plot.curves["fifo"].getData()
    bins, _ = window.throughput_plot.exchange_curves["fifo"].getData()
    first_exchange = window.model.series["fifo"].records.records()["start_ns"].min() / 1e9
    assert np.nanmin(times) <= max(first_exchange, 0) + 0.1, "the round-trip plot lost the start of the run"
    assert bins[0] < 0.2
    shared = _x_range(window.latency_time_plot.widget.getPlotItem())
    assert shared[0] == 0 and shared[1] >= np.nanmax(times)
    assert _x_range(window.throughput_plot.exchanges_plot) == shared
    assert _x_range(window.throughput_plot.numbers_plot) == shared


def _scene_x(plot_item, time_s: float) -> float:
    return plot_item.getViewBox().mapViewToScene(QPointF(time_s, 0)).x()


def test_both_throughput_plots_share_one_time_scale_on_screen(qtbot, window):
    """numbers/s runs a hundred times higher than exchanges/s, so its tick labels are wider: the
    two plots still put every moment at the same x, from the first time tick to the last."""
    wait_listening(qtbot, window, "tcp")
    window.tabs.setCurrentIndex(0)  # the overview, where the throughput plots are
    with qtbot.waitSignal(window.run_finished, timeout=30000):
        window.start_workload(WorkloadSpec(transport="tcp", requests=None, duration=1.0, count=100, lo=1, hi=10))
    window.refresh_plots(force=True)
    plot = window.throughput_plot
    assert plot.isVisible()
    top, bottom = plot.exchanges_plot, plot.numbers_plot
    _, exchanges = plot.exchange_curves["tcp"].getData()
    _, numbers = plot.number_curves["tcp"].getData()
    assert np.nanmax(numbers) > 50 * np.nanmax(exchanges), "the labels of the two axes differ in width"
    low, high = _x_range(top)
    assert (low, high) == _x_range(bottom)

    def aligned() -> bool:
        return all(abs(_scene_x(top, time) - _scene_x(bottom, time)) < 0.5 for time in (low, (low + high) / 2, high))

    qtbot.waitUntil(aligned, timeout=5000)
    assert top.getAxis("left").width() == bottom.getAxis("left").width()
    assert _scene_x(top, high) - _scene_x(top, low) > 100, "the plots are really drawn"
