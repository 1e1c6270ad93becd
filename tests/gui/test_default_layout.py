"""At the default 1600×1000 window nothing a user needs is cut or scrolled away: the client
controls fit the side panel, the Naive vs textbook titles fit their boxes, and client log lines
show their numbers."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication


def _settle(qtbot, window) -> None:
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.width() == 1600 and window.height() == 1000, timeout=5000)
    QApplication.processEvents()


def test_the_client_controls_need_no_scrolling(qtbot, window):
    _settle(qtbot, window)
    assert window.left_scroll.isVisible()
    qtbot.waitUntil(lambda: window.left_scroll.widget().height() > 0, timeout=5000)
    assert window.left_scroll.verticalScrollBar().maximum() == 0, (
        f"side panel needs {window.left_scroll.widget().minimumSizeHint().height()} px, "
        f"has {window.left_scroll.viewport().height()}")
    panel = window.client_panel
    for widget in (panel.start_button, panel.stop_button, panel.compare_button, panel.progress, panel.single_button):
        bottom = widget.mapTo(window.left_scroll.viewport(), widget.rect().bottomLeft()).y()
        assert widget.isVisible() and bottom <= window.left_scroll.viewport().height()


def test_the_naive_and_textbook_titles_fit(qtbot, window):
    _settle(qtbot, window)
    window.tabs.setCurrentWidget(window.mixup_page)
    QApplication.processEvents()
    for column in (window.mixup_page.naive_column, window.mixup_page.textbook_column):
        font = QFont(column.font())
        font.setBold(True)
        assert QFontMetrics(font).horizontalAdvance(column.title()) + 24 <= column.width(), column.title()
        assert column.description.wordWrap()


def test_a_client_log_line_shows_its_numbers(qtbot, window):
    _settle(qtbot, window)
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.single_request("fifo")
    log = window.client_log
    qtbot.waitUntil(lambda: "asked for" in log.plain_text(), timeout=5000)
    QApplication.processEvents()
    document = log.text.document()
    block = document.lastBlock()
    while block.isValid() and "asked for" not in block.text():
        block = block.previous()
    layout = block.layout()
    width = log.text.viewport().width()
    assert layout.lineCount() >= 1
    assert all(layout.lineAt(index).naturalTextWidth() <= width for index in range(layout.lineCount()))
    assert log.text.horizontalScrollBar().maximum() == 0
