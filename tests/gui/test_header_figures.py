"""The header's exchange count and the progress bar never disagree: one source, refreshed together."""

from __future__ import annotations

import re

from backend.measuring.runner import WorkloadSpec
from tests.gui.helpers import wait_listening


def _number(text: str) -> int:
    match = re.search(r"(\d[\d,]*) exchanges", text)
    assert match, text
    return int(match.group(1).replace(",", ""))


def test_header_and_progress_show_the_same_exchange_count(qtbot, window):
    wait_listening(qtbot, window, "unix")
    samples: list[tuple[int, int]] = []

    def sample() -> None:
        if window.running and "exchanges" in window.client_panel.progress.format():
            header = int(window.summary_labels["exchanges"].text().replace(",", "") or 0)
            samples.append((header, _number(window.client_panel.progress.format())))

    window.figures_updated.connect(sample)
    with qtbot.waitSignal(window.run_finished, timeout=30000):
        window.start_workload(WorkloadSpec(transport="unix", requests=None, duration=1.5, count=10, concurrency=2))
    window.figures_updated.disconnect(sample)
    moving = [pair for pair in samples if pair[0] > 0]
    assert len(moving) >= 3, samples
    assert all(header == progress for header, progress in samples), samples
    final_header = int(window.summary_labels["exchanges"].text().replace(",", ""))
    assert final_header == _number(window.client_panel.progress.format()) == window.model.series["unix"].completed
