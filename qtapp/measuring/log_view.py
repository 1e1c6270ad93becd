"""A live log view: bounded, appended in batches on a timer, searchable, with a pause-scroll toggle.

Producers call `add_line` as often as they like: lines wait in a bounded queue and are appended
once per flush (a few times a second). When more arrive between two flushes than a flush shows,
the surplus is summarized in one line, so a flood of events never slows the app.
"""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from qtapp.window.retranslating import Retranslating

MAXIMUM_LINES = 3000
LINES_PER_FLUSH = 60
FLUSH_INTERVAL_MS = 150
HIGHLIGHT_LIMIT = 300


def format_time(wall_time: float) -> str:
    """HH:MM:SS.mmm in local time."""
    return time.strftime("%H:%M:%S", time.localtime(wall_time)) + f".{int(wall_time * 1000) % 1000:03d}"


class LogView(Retranslating, QWidget):
    """A titled, bounded log with a search field and a pause toggle."""

    translation_contexts = ("LogView", "MainWindow")

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setObjectName("logTitle")
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search… (Enter: next)"))
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.find_next)
        self.search.textChanged.connect(self._highlight)
        self.pause = QPushButton(self.tr("Pause scroll"))
        self.pause.setCheckable(True)
        self.pause.setToolTip(self.tr("Stop following new lines (they are kept and shown when you resume)"))
        self.pause.toggled.connect(self._on_pause_toggled)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.clicked.connect(self.clear)
        self.status = QLabel("")
        self.status.setObjectName("logStatus")
        self.text = QPlainTextEdit()
        self.text.setObjectName("logText")
        self.text.setReadOnly(True)
        self.text.setMaximumBlockCount(MAXIMUM_LINES)
        # Long lines wrap: the numbers at the end of a client line stay readable in half a window.
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setUndoRedoEnabled(False)
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(max(9, self.font().pointSize() - 1))
        self.text.setFont(font)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.status, 1)
        header.addWidget(self.search, 1)
        header.addWidget(self.pause)
        header.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.text, 1)
        self._pending: deque[str] = deque(maxlen=MAXIMUM_LINES)
        self._dropped = 0
        self.lines_added = 0
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_INTERVAL_MS)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    def set_compact(self, compact: bool) -> None:
        """Presentation mode: only the title and the lines, no search, pause or clear."""
        for widget in (self.search, self.pause, self.clear_button):
            widget.setVisible(not compact)

    def set_point_size(self, point_size: int) -> None:
        font = self.text.font()
        font.setPointSize(point_size)
        self.text.setFont(font)

    @property
    def paused(self) -> bool:
        return self.pause.isChecked()

    def add_line(self, line: str) -> None:
        """Queue a line; it shows at the next flush. Cheap: safe to call at any rate."""
        if len(self._pending) == self._pending.maxlen:
            self._dropped += 1
        self._pending.append(line)
        self.lines_added += 1

    def flush(self) -> None:
        """Append the queued lines (summarizing a surplus) unless paused."""
        if self.paused:
            if self._pending:
                self.status.setText(f"paused · {len(self._pending) + self._dropped:,} new lines")
            return
        if not self._pending and not self._dropped:
            return
        lines = list(self._pending)
        self._pending.clear()
        skipped = self._dropped
        if len(lines) > LINES_PER_FLUSH:
            skipped += len(lines) - LINES_PER_FLUSH
            lines = lines[-LINES_PER_FLUSH:]
        self._dropped = 0
        if skipped:
            lines.insert(0, f"… {skipped:,} lines summarized (too many to show at this rate)")
        self.text.appendPlainText("\n".join(lines))
        self.text.verticalScrollBar().setValue(self.text.verticalScrollBar().maximum())
        self.text.horizontalScrollBar().setValue(0)
        self.status.setText("")
        if self.search.text():
            self._highlight(self.search.text())

    def plain_text(self) -> str:
        return self.text.toPlainText()

    def clear(self) -> None:
        self._pending.clear()
        self._dropped = 0
        self.text.clear()

    def stop(self) -> None:
        """Stop the flush timer (window closing)."""
        self._timer.stop()

    def find_next(self) -> bool:
        """Select the next match of the search text (wrapping around); return whether found."""
        needle = self.search.text()
        if not needle:
            return False
        if not self.paused:
            self.pause.setChecked(True)  # stay on the match instead of following new lines
        found = self.text.find(needle)
        if not found:
            self.text.moveCursor(QTextCursor.MoveOperation.Start)
            found = self.text.find(needle)
        return found

    def _highlight(self, needle: str) -> None:
        selections = []
        if needle:
            document = self.text.document()
            cursor = QTextCursor(document)
            highlight = QTextCharFormat()
            highlight.setBackground(QColor("#ffe066"))
            while len(selections) < HIGHLIGHT_LIMIT:
                cursor = document.find(needle, cursor, QTextDocument.FindFlag(0))
                if cursor.isNull():
                    break
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = highlight
                selections.append(selection)
        self.text.setExtraSelections(selections)

    def _on_pause_toggled(self, paused: bool) -> None:
        self.pause.setText(self.tr("Resume scroll") if paused else self.tr("Pause scroll"))
        if not paused:
            self.flush()
