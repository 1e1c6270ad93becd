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
    window.start_workload(WorkloadSpec(transport="unix", requests=None, duration=60.0, count=10, concurrency=2))
    # Until the header has moved three times (however busy the machine), then Stop.
    qtbot.waitUntil(lambda: len({header for header, _ in samples if header > 0}) >= 3, timeout=30000)
    with qtbot.waitSignal(window.run_finished, timeout=30000):
        window.stop_runs()
    window.figures_updated.disconnect(sample)
    assert all(header == progress for header, progress in samples), samples
    final_header = int(window.summary_labels["exchanges"].text().replace(",", ""))
    assert final_header == _number(window.client_panel.progress.format()) == window.model.series["unix"].completed


def _wrapped_lines(label) -> list[str]:
    """The lines Qt breaks the label's text into at its current width."""
    from PySide6.QtGui import QTextLayout, QTextOption

    layout = QTextLayout(label.text(), label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(label.contentsRect().width())
        lines.append(label.text()[line.textStart():line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


def test_header_captions_in_presentation_mode_never_break_inside_a_unit(qtbot, make_window):
    window = make_window(presentation=True)
    window.resize(1600, 1000)
    qtbot.waitExposed(window)
    for key in ("rate", "chi"):
        caption = window.summary_caption_labels[key]
        lines = [line.strip().replace("\u2060", "") for line in _wrapped_lines(caption)]
        assert not any(line.endswith("/") or line.endswith("(χ²") or line == "s" for line in lines), (key, lines)
