"""The wire view: the real bytes of the last request and reply as a hex dump, each field coloured
and labelled (magic, version, pid, count, range, values, ...), from the frames the client actually
sent and received (`backend.wire.WireCapture`)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from qtapp.window.retranslating import Retranslating

GROUP_COLOURS = {
    "header": "#c9d7f2", "identity": "#e3cdf2", "workload": "#c8ecc9", "values": "#ffd9b3",
    "checksum": "#f5c6c6", "timing": "#c4ecea", "error": "#ff9e9e",
}
BYTES_PER_LINE = 8


def _value_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex(" ")
    if isinstance(value, (list, tuple)):
        shown = " ".join(str(item) for item in value[:16])
        return shown + (" …" if len(value) > 16 else "")
    return str(value)


def field_value(fields: list, name: str) -> object:
    """The value of the first field called `name` (None if absent)."""
    return next((field.value for field in fields if field.name == name), None)


def coloured_hex_dump(data: bytes, fields: list, base_offset: int = 0) -> str:
    """HTML: a hex dump of `data`, each byte's background the colour of the field it belongs to."""
    group_at: dict[int, str] = {}
    for field in fields:
        for offset in range(field.offset - base_offset, field.offset - base_offset + field.length):
            group_at.setdefault(offset, field.group)
    lines = []
    for start in range(0, len(data), BYTES_PER_LINE):
        cells = []
        for offset in range(start, min(start + BYTES_PER_LINE, len(data))):
            colour = GROUP_COLOURS.get(group_at.get(offset, ""), "#ffffff")
            cells.append(f"<span style='background:{colour}'>{data[offset]:02x}</span>")
        text = "".join(chr(byte) if 32 <= byte < 127 else "." for byte in data[start:start + BYTES_PER_LINE])
        lines.append(f"<span style='color:#555555'>{start:04x}</span>  " + " ".join(cells)
                     + "&nbsp;" * (3 * (BYTES_PER_LINE - len(cells)) + 2) + html.escape(text))
    return "<pre style='margin:0'>" + "<br>".join(lines) + "</pre>"


class FrameView(QWidget):
    """One frame (or a reply's head and end): the coloured hex dump and the table of its fields."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setObjectName("plotTitle")
        self.dump = QTextEdit()
        self.dump.setReadOnly(True)
        self.dump.setLineWrapMode(QTextEdit.LineWrapMode.NoWrap)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("offset"), self.tr("bytes"), self.tr("field"),
                                              self.tr("value")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.dump, 2)
        layout.addWidget(self.table, 3)
        self.fields: list = []
        self.set_point_size(11)

    def set_point_size(self, point_size: int) -> None:
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(point_size + 1)
        self.dump.setFont(font)

    def show_frames(self, parts: list[tuple[str, bytes, list]]) -> None:
        """`parts`: (caption, bytes, fields whose offsets are within those bytes)."""
        self.fields = [field for _, _, fields in parts for field in fields]
        html_parts = []
        for caption, data, fields in parts:
            if caption:
                html_parts.append(f"<p style='margin:4px 0'><b>{html.escape(caption)}</b></p>")
            html_parts.append(coloured_hex_dump(data, fields))
        self.dump.setHtml("".join(html_parts))
        self.table.setRowCount(len(self.fields))
        for row, field in enumerate(self.fields):
            colour = QColor(GROUP_COLOURS.get(field.group, "#ffffff"))
            for column, text in enumerate((str(field.offset), str(field.length), field.name, _value_text(field.value))):
                item = QTableWidgetItem(text)
                item.setBackground(colour)
                item.setForeground(QColor("#000000"))
                if column < 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)


class WireView(Retranslating, QWidget):
    """The last exchange's request and reply, byte by byte."""

    translation_contexts = ("WireView", "FrameView", "MainWindow", "Transports")

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.capture = None
        self.summary = QLabel(self.tr("No exchange yet. Press the button to send one request and see its bytes."))
        self.summary.setObjectName("bigExplanation")
        self.summary.setWordWrap(True)
        self.send_button = QPushButton(self.tr("Send one request and show its bytes"))
        self.send_button.clicked.connect(lambda: window.single_request(window.client_panel.transport))
        legend = QLabel(" ".join(
            f"<span style='background:{colour}'>&nbsp;{html.escape(name)}&nbsp;</span>"
            for name, colour in ((self.tr("header"), GROUP_COLOURS["header"]),
                                 (self.tr("identity"), GROUP_COLOURS["identity"]),
                                 (self.tr("workload"), GROUP_COLOURS["workload"]),
                                 (self.tr("values"), GROUP_COLOURS["values"]),
                                 (self.tr("checksum"), GROUP_COLOURS["checksum"]),
                                 (self.tr("timing"), GROUP_COLOURS["timing"]))))
        self.request_view = FrameView(self.tr("Request: client → server"))
        self.reply_view = FrameView(self.tr("Reply: server → client"))
        frames = QSplitter(Qt.Orientation.Horizontal)
        frames.addWidget(self.request_view)
        frames.addWidget(self.reply_view)
        top = QHBoxLayout()
        top.addWidget(self.send_button)
        top.addWidget(legend, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(frames, 1)
        window.wire_captured.connect(self.show_capture)

    def set_point_size(self, point_size: int) -> None:
        self.request_view.set_point_size(point_size)
        self.reply_view.set_point_size(point_size)

    def after_language_change(self) -> None:
        if self.capture is not None:
            self.show_capture(self.capture)  # the summary and field notes in the new language

    def show_capture(self, capture) -> None:
        """Decode and show a `backend.wire.WireCapture`."""
        if capture is None:
            return
        from backend.classroom import wire_fields as wire

        self.capture = capture
        request_fields = wire.describe_request(capture.request)
        self.request_view.show_frames([(self.tr("{count} bytes").format(count=len(capture.request)),
                                        capture.request, request_fields)])
        head_fields = wire.describe_reply(capture.reply_head, b"")
        parts = [(self.tr("the reply as read, first {count} bytes").format(count=len(capture.reply_head)),
                  capture.reply_head, head_fields)]
        closed_in_head = any(field.name in ("end: total count", "error code") for field in head_fields)
        if capture.reply_end and not closed_in_head:
            parts.append((self.tr("… its last frame, {count} bytes").format(count=len(capture.reply_end)),
                          capture.reply_end, wire.describe_reply(b"", capture.reply_end)))
        self.reply_view.show_frames(parts)
        count = field_value(request_fields, "count")
        pid = field_value(request_fields, "pid")
        lo, hi = field_value(request_fields, "lo"), field_value(request_fields, "hi")
        self.summary.setText(self.tr(
            "The client (pid {pid}) sent {size} bytes asking for {count} numbers in {lo}..{hi}; the server "
            "answered with {total} bytes in all. Every number travels as 4 bytes, most significant byte first "
            "(big-endian).").format(pid=pid, size=len(capture.request), count=count, lo=lo, hi=hi,
                                     total=f"{capture.reply_total_bytes:,}"))

    def shutdown(self) -> None:
        pass
