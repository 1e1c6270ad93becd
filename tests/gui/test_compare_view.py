"""Compare ranks only like runs and says which workload it compares; while a comparison runs, it
shows live figures (never "0 exchanges/s · until you press Stop")."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QApplication

from backend.measuring.runner import WorkloadSpec
from tests.gui.helpers import wait_listening


def _row_text(window, row: int) -> str:
    table = window.compare_view.table
    return " | ".join(table.item(row, column).text() for column in range(table.columnCount())
                      if table.item(row, column) is not None)


def test_only_like_runs_are_ranked_and_the_workload_is_named(qtbot, window):
    spec = WorkloadSpec(transport="fifo", requests=300, count=50, lo=1, hi=100, concurrency=1)
    with qtbot.waitSignal(window.idle, timeout=60000):
        window.start_compare(spec)
    window.refresh_plots(force=True)
    view = window.compare_view
    assert view.comparable == {"fifo": True, "tcp": True, "unix": True}
    assert "300 requests" in view.workload_label.text() and "50 numbers in 1..100" in view.workload_label.text()
    table = view.table
    assert any(table.item(row, 2).font().bold() for row in range(3)), "the best p50 is marked"

    window.client_panel.random_count.setChecked(False)
    window.client_panel.count_spin.setValue(5)
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.single_request("tcp")
    wait_listening(qtbot, window, "unix")
    with qtbot.waitSignal(window.run_finished, timeout=30000):
        window.start_workload(WorkloadSpec(transport="unix", requests=400, count=50, lo=1, hi=100, concurrency=4))
    window.tabs.setCurrentWidget(view)
    window.refresh_plots(force=True)
    assert view.comparable == {"fifo": True, "tcp": False, "unix": False}
    assert "not compared: single exchanges" in _row_text(window, 1)
    assert "not compared: another workload" in _row_text(window, 2)
    assert not any(table.item(row, column).font().bold() for row in range(3) for column in range(2, 7)
                   if table.item(row, column) is not None), "one comparable run: nothing to rank"


def test_a_running_comparison_shows_live_figures(qtbot, window):
    seen_live: list[str] = []
    seen_progress: list[str] = []

    def sample() -> None:
        seen_live.append(window.compare_view.live_label.text())
        seen_progress.append(window.client_panel.progress_label.text())

    window.figures_updated.connect(sample)
    spec = WorkloadSpec(transport="fifo", requests=None, duration=0.8, count=10, lo=1, hi=10, concurrency=1)
    with qtbot.waitSignal(window.idle, timeout=60000):
        window.start_compare(spec)
    window.figures_updated.disconnect(sample)
    QApplication.processEvents()
    running = [text for text in seen_live if text]
    for number, name in ((1, "FIFO"), (2, "TCP"), (3, "Unix socket")):
        lines = [text for text in running if text.startswith(f"Running {name} ({number} of 3)")]
        assert lines, f"no live line for {name}: {running[:5]}"
        assert any(int(re.search(r": ([\d,]+) exchanges", line).group(1).replace(",", "")) > 0 for line in lines)
    assert not any("0 exchanges/s" in text.split("·")[0] and text.startswith("0 ") for text in seen_progress)
    assert not any("until you press Stop" in text for text in seen_progress), "a timed run has an end"
    assert window.compare_view.live_label.text() == ""
