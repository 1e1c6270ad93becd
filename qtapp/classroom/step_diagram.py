"""The step diagram: both processes' system calls as a sequence diagram, the explained one highlighted.

Two lifelines, the client's and the server's; each step is a numbered circle on the lifeline of
the process that made the call, one row per step in causal order, and an arrow joins a call that
sent bytes to the other side's call that received them ("request", "reply", "connection"). The
numbers are drawn here, in circles of our own, so they render for any count (fonts lack ⑪⑫...).
Text sizes follow the widget's font, so presentation mode makes them large.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from backend.classroom.stepping import Step

ACTOR_COLOURS = {"client": "#1f4fbf", "server": "#b34700"}
HIGHLIGHT = "#ffd400"  # the step being explained: yellow, with black text (contrast > 10:1)
BAND = "#fff4b8"


def call_text(step: Step) -> str:
    """ "openat()" for a system call, "generate" for numpy's work."""
    return step.syscall if step.syscall == "generate" else f"{step.syscall}()"


def draw_number(painter: QPainter, centre: QPointF, radius: float, number: int, fill: str, text: str) -> None:
    """A number in a filled circle, any number of digits (the font shrinks to fit)."""
    painter.save()
    painter.setPen(QPen(QColor("#000000"), max(1.0, radius / 8)))
    painter.setBrush(QColor(fill))
    painter.drawEllipse(centre, radius, radius)
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(max(6, int(radius * 1.1)))
    label = str(number)
    while font.pixelSize() > 6 and QFontMetricsF(font).horizontalAdvance(label) > radius * 1.6:
        font.setPixelSize(font.pixelSize() - 1)
    painter.setFont(font)
    painter.setPen(QColor(text))
    painter.drawText(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius),
                     Qt.AlignmentFlag.AlignCenter, label)
    painter.restore()


def number_badge(number: int, colour: str, size: int) -> QPixmap:
    """The numbered circle as a picture (for list rows and tests)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw_number(painter, QPointF(size / 2, size / 2), size / 2 - 1, number, colour, "#ffffff")
    painter.end()
    return pixmap


class StepDiagram(QWidget):
    """Sequence diagram of the shown steps; `highlighted` is the row being explained."""

    step_clicked = Signal(int)  # index into steps

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps: list[Step] = []
        self.highlighted = -1
        self.pids: dict[str, int] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(320)

    def set_steps(self, steps: list[Step], highlighted: int) -> None:
        self.steps = list(steps)
        self.highlighted = highlighted
        for step in steps:
            self.pids.setdefault(step.actor, step.pid)
        self.setMinimumHeight(self.sizeHint().height())  # taller than the view: the scroll area scrolls
        self.update()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.setMinimumHeight(self.sizeHint().height())

    def clear(self) -> None:
        self.pids.clear()
        self.set_steps([], -1)

    # -- geometry -----------------------------------------------------------------------------
    def _row_height(self) -> float:
        return QFontMetricsF(self.font()).height() * 2.0

    def _top(self) -> float:
        return QFontMetricsF(self.font()).height() * 2.2

    def lifeline_x(self, actor: str) -> float:
        return self.width() * (0.3 if actor == "client" else 0.7)

    def row_centre(self, index: int) -> QPointF:
        step = self.steps[index]
        return QPointF(self.lifeline_x(step.actor), self._top() + (index + 0.5) * self._row_height())

    def row_rect(self, index: int) -> QRectF:
        return QRectF(0, self._top() + index * self._row_height(), self.width(), self._row_height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(480, int(self._top() + max(4, len(self.steps)) * self._row_height() + 10))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(320, int(self._top() + self._row_height()))

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        index = int((event.position().y() - self._top()) // self._row_height())
        if 0 <= index < len(self.steps):
            self.step_clicked.emit(index)

    # -- drawing ------------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        metrics = QFontMetricsF(self.font())
        bottom = self._top() + max(1, len(self.steps)) * self._row_height()
        if 0 <= self.highlighted < len(self.steps):
            painter.fillRect(self.row_rect(self.highlighted), QColor(BAND))
        for actor in ("client", "server"):
            x = self.lifeline_x(actor)
            painter.setPen(QColor("#000000"))
            pid = self.pids.get(actor)
            title = f"{actor} (pid {pid})" if pid else actor
            painter.drawText(QRectF(x - self.width() * 0.25, 0, self.width() * 0.5, self._top() * 0.8),
                             Qt.AlignmentFlag.AlignCenter, title)
            painter.setPen(QPen(QColor(ACTOR_COLOURS[actor]), 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, self._top() * 0.85), QPointF(x, bottom))
        self._draw_arrows(painter)
        radius = min(metrics.height() * 0.8, self._row_height() * 0.45)
        for index, step in enumerate(self.steps):
            centre = self.row_centre(index)
            current = index == self.highlighted
            fill, text = (HIGHLIGHT, "#000000") if current else (ACTOR_COLOURS.get(step.actor, "#444444"), "#ffffff")
            draw_number(painter, centre, radius * (1.15 if current else 1.0), index + 1, fill, text)
            font = QFont(self.font())
            font.setBold(current)
            painter.setFont(font)
            painter.setPen(QColor("#000000"))
            label_width = self.width() * 0.28 - radius
            if step.actor == "client":
                box = QRectF(centre.x() - radius * 1.4 - label_width, centre.y() - self._row_height() / 2,
                             label_width, self._row_height())
                align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            else:
                box = QRectF(centre.x() + radius * 1.4, centre.y() - self._row_height() / 2, label_width,
                             self._row_height())
                align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(box, align, QFontMetricsF(font).elidedText(call_text(step), Qt.TextElideMode.ElideRight,
                                                                         label_width))
        painter.end()

    def _draw_arrows(self, painter: QPainter) -> None:
        """sender → receiver for every receive whose sender is shown."""
        for index, step in enumerate(self.steps):
            if step.receives is None:
                continue
            stream, offset = step.receives
            senders = [position for position, other in enumerate(self.steps[:index])
                       if other.actor != step.actor and other.sends and other.sends[0] == stream
                       and other.sends[1] > offset]
            if not senders:
                continue
            start, end = self.row_centre(senders[0]), self.row_centre(index)
            colour = QColor(ACTOR_COLOURS.get(self.steps[senders[0]].actor, "#444444"))
            painter.setPen(QPen(colour, 2))
            path = QPainterPath(start)
            path.lineTo(end)
            painter.drawPath(path)
            direction = 1 if end.x() > start.x() else -1
            tip = QPointF(end.x() - direction * self._row_height() * 0.45, end.y())
            head = QPainterPath(tip)
            head.lineTo(tip.x() - direction * 10, tip.y() - 6)
            head.lineTo(tip.x() - direction * 10, tip.y() + 6)
            head.closeSubpath()
            painter.fillPath(head, colour)
            middle = QPointF((start.x() + end.x()) / 2, (start.y() + end.y()) / 2)
            painter.setPen(QColor("#000000"))
            painter.drawText(QRectF(middle.x() - 80, middle.y() - self._row_height() / 2 - 2, 160,
                                    self._row_height() / 2), Qt.AlignmentFlag.AlignCenter, stream)
