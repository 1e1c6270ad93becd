"""The time plots show the current run: single exchanges are drawn, a request after a run does not
stretch the run's axis, and the round-trip and throughput plots share one time axis from 0."""

from __future__ import annotations

import numpy as np

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
