"""Clients: a single request on each transport, workloads, Stop, a server killed mid-run."""

from __future__ import annotations

import os
import re
import signal
import time

import numpy as np
import pytest

from backend.measuring.runner import WorkloadSpec
from qtapp.measuring.server_qprocess import ServerState
from tests.gui.helpers import wait_listening

TRANSPORTS = ("fifo", "tcp", "unix")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_single_request_shows_both_log_lines_and_updates_the_distribution(qtbot, window, transport):
    window.client_panel.set_transport(transport)
    window.client_panel.random_count.setChecked(True)  # the classic exercise: a random count 1..10
    window.client_panel.lo_spin.setValue(1)
    window.client_panel.hi_spin.setValue(10)
    assert transport.upper()[:3] in window.primary_button.text().upper()
    with qtbot.waitSignal(window.run_finished, timeout=20000) as finished:
        window.primary_button.click()  # starts the server first: no configuration needed
    assert finished.args[0] == transport and finished.args[2] == []
    server_pid = window.servers[transport].pid
    client_pid = os.getpid()
    qtbot.waitUntil(lambda: f"request #1 from client pid {client_pid}" in window.server_log.plain_text(),
                    timeout=5000)
    qtbot.waitUntil(lambda: f"client {client_pid} → server {server_pid}" in window.client_log.plain_text(),
                    timeout=5000)
    server_text = window.server_log.plain_text()
    assert f"pid {server_pid}" in server_text
    client_line = [line for line in window.client_log.plain_text().splitlines() if "asked for" in line][-1]
    count = int(re.search(r"asked for (\d+) numbers in 1\.\.10", client_line).group(1))
    values = [int(value) for value in client_line.split(": ")[-1].split()]
    assert 1 <= count <= 10 and len(values) == count and all(1 <= value <= 10 for value in values)
    shown = window.distribution_plot.shown_counts
    assert shown.sum() == count
    assert np.array_equal(shown, np.bincount(np.array(values) - 1, minlength=10))

    with qtbot.waitSignal(window.run_finished, timeout=10000):
        window.primary_button.click()
    assert window.distribution_plot.shown_counts.sum() > count  # single requests accumulate


def test_workload_updates_counts_percentiles_and_plots(qtbot, window):
    wait_listening(qtbot, window, "unix")
    panel = window.client_panel
    panel.set_spec({"transport": "unix", "requests": 3000, "count": 20, "lo": 1, "hi": 6, "seed": "",
                    "concurrency": 2, "duration": 0})
    with qtbot.waitSignal(window.run_finished, timeout=30000) as finished:
        panel.start_button.click()
    assert finished.args[2] == []
    window.refresh_plots(force=True)
    series = window.model.series["unix"]
    statistics = series.statistics
    assert statistics.exchanges == 3000 and statistics.numbers == 60000 and statistics.errors == 0
    assert int(window.summary_labels["exchanges"].text().replace(",", "")) == 3000
    assert window.summary_labels["p50"].text().endswith("µs")
    assert window.distribution_plot.shown_counts.sum() == 60000 and len(window.distribution_plot.shown_counts) == 6
    assert "χ²" in window.distribution_plot.note.text()
    x, y = window.latency_histogram_plot.curves["unix"].getData()
    assert x is not None and y.sum() == 3000
    assert window.latency_histogram_plot.markers.values_us["p50"] > 0
    times, latencies = window.latency_time_plot.curves["unix"].getData()
    assert len(times) > 0 and np.nanmin(latencies) > 0
    _, rates = window.throughput_plot.exchange_curves["unix"].getData()
    assert rates is not None and rates.max() > 0
    assert panel.progress.value() == 1000 and "done" in panel.progress.format()


def test_stop_stops_a_workload_within_100_ms(qtbot, window):
    wait_listening(qtbot, window, "tcp")
    panel = window.client_panel
    panel.set_spec({"transport": "tcp", "requests": 0, "count": 1000, "lo": 1, "hi": 1000,
                    "concurrency": 3, "duration": 60})
    panel.start_button.click()
    qtbot.waitUntil(lambda: "tcp" in window.model.series and window.model.series["tcp"].completed > 200,
                    timeout=20000)
    assert panel.stop_button.isEnabled()
    stop_latencies: list[float] = []
    window.run_stopped.connect(lambda _transport, seconds: stop_latencies.append(seconds))
    with qtbot.waitSignal(window.run_finished, timeout=2000) as finished:
        started = time.monotonic()
        panel.stop_button.click()
    noticed = time.monotonic() - started
    assert len(stop_latencies) == 1
    assert stop_latencies[0] < 0.1, f"the client threads took {stop_latencies[0] * 1000:.0f} ms to stop"
    assert noticed < 1.0, f"the GUI took {noticed * 1000:.0f} ms to notice"
    assert finished.args[2] == []
    assert window.model.series["tcp"].stopped_early
    assert "stopped" in panel.progress.format()
    assert panel.start_button.isEnabled()


@pytest.mark.parametrize("transport", ("fifo", "unix"))
def test_server_killed_mid_run(qtbot, window, transport, runtime_leftovers):
    wait_listening(qtbot, window, transport)
    server = window.servers[transport]
    spec = WorkloadSpec(transport=transport, requests=None, count=10, duration=60, concurrency=2, timeout=5)
    window.start_workload(spec)
    qtbot.waitUntil(lambda: transport in window.model.series and window.model.series[transport].completed > 50,
                    timeout=20000)
    finished_runs: list[list] = []
    window.run_finished.connect(lambda _transport, _run_id, errors: finished_runs.append(errors))
    with qtbot.waitSignals([server.failed, window.run_finished], timeout=15000, order="none"):
        os.kill(server.pid, signal.SIGKILL)
    assert server.state == ServerState.CRASHED
    assert "crashed" in window.server_panels[transport].state_label.text()
    assert finished_runs and finished_runs[0], "the worker must report the failure"
    qtbot.waitUntil(lambda: "error" in window.client_log.plain_text(), timeout=5000)
    assert window.client_panel.error_label.text()
    assert runtime_leftovers() == []
    # The app keeps working: restart the server and do a request.
    with qtbot.waitSignal(server.ready, timeout=15000):
        window.server_panels[transport].restart_button.click()
    with qtbot.waitSignal(window.run_finished, timeout=15000) as finished:
        window.single_request(transport)
    assert finished.args[2] == []


def test_compare_runs_each_transport_and_fills_the_table(qtbot, window):
    spec = WorkloadSpec(transport="fifo", requests=300, count=50, lo=1, hi=100, concurrency=1)
    with qtbot.waitSignal(window.idle, timeout=60000):
        window.start_compare(spec)
    assert set(window.model.series) == {"fifo", "tcp", "unix"}
    window.refresh_plots(force=True)
    table = window.compare_view.table
    for row in range(3):
        assert table.item(row, 1).text() == "300"
        assert table.item(row, 2).text() not in ("", "–")
    assert all(window.model.series[name].statistics.numbers == 15000 for name in ("fifo", "tcp", "unix"))
