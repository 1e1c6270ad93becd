""""Send one request" asks for "Numbers each" numbers (or a random 1..10 when that box is ticked),
and a large single reply is counted without holding every value in memory."""

from __future__ import annotations

import re

from tests.gui.helpers import wait_listening


def _asked_counts(window) -> list[int]:
    return [int(match) for match in re.findall(r"asked for (\d+) numbers", window.client_log.plain_text())]


def test_send_one_request_uses_numbers_each(qtbot, window):
    wait_listening(qtbot, window, "tcp")
    panel = window.client_panel
    panel.set_transport("tcp")
    panel.random_count.setChecked(False)
    panel.count_spin.setValue(7)
    requested = []
    window.servers["tcp"].event.connect(lambda event: requested.append(event["count"])
                                        if event.get("event") == "request" else None)
    for _ in range(2):
        with qtbot.waitSignal(window.run_finished, timeout=20000):
            panel.single_button.click()
    qtbot.waitUntil(lambda: len(requested) == 2 and len(_asked_counts(window)) == 2, timeout=5000)
    assert requested == [7, 7] and _asked_counts(window) == [7, 7]
    assert list(window.model.series["tcp"].records.records()["count"]) == [7, 7]
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.primary_button.click()  # the big button sends the same request
    qtbot.waitUntil(lambda: len(requested) == 3, timeout=5000)
    assert requested[-1] == 7


def test_random_count_when_ticked(qtbot, window):
    panel = window.client_panel
    panel.random_count.setChecked(True)
    try:
        with qtbot.waitSignal(window.run_finished, timeout=20000):
            window.single_request("unix")
        qtbot.waitUntil(lambda: len(_asked_counts(window)) == 1, timeout=5000)
        assert 1 <= _asked_counts(window)[0] <= 10
    finally:
        panel.random_count.setChecked(False)


def test_a_large_single_request_is_counted_in_full(qtbot, window):
    panel = window.client_panel
    panel.random_count.setChecked(False)
    panel.count_spin.setValue(300_000)
    panel.lo_spin.setValue(1)
    panel.hi_spin.setValue(6)
    with qtbot.waitSignal(window.run_finished, timeout=30000) as finished:
        window.single_request("fifo")
    assert finished.args[2] == []
    window.refresh_plots(force=True)
    series = window.model.series["fifo"]
    assert series.statistics.numbers == 300_000 and series.statistics.values.total == 300_000
    assert window.distribution_plot.shown_counts.sum() == 300_000
    assert len(series.last_values) == 20 and all(1 <= value <= 6 for value in series.last_values)
    panel.count_spin.setValue(10)
    panel.hi_spin.setValue(10)
