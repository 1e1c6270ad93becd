"""The kernel timeline: one lane per process or thread, coloured by what the kernel says it is
doing over the last seconds (running; blocked on a channel; waiting in accept or poll; asleep),
with the system call's name written in each stretch — so a class sees who waits for whom.

Fed with KernelSnapshots (from the KernelMonitor, already off the GUI thread); which threads get a
lane and what they are called is the owner's choice (`lane_label(pid, thread)`, None for no lane)."""

from __future__ import annotations

import collections
from typing import Callable, NamedTuple

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from backend.kernel_view.badges import badge_for_thread
from backend.kernel_view.sampler import KernelSnapshot
from qtapp.classroom.kernel_badges import KIND_COLOURS

WINDOW_SECONDS = 15.0
MAX_LANES = 8
KIND_WORDS = {"running": "running", "blocked": "blocked", "waiting": "waiting (accept/poll)", "sleeping": "asleep",
              "gone": "exited", "hidden": "not visible"}


class Stretch(NamedTuple):
    start: float
    end: float
    kind: str
    call: str


LaneKey = tuple[int, int]  # (pid, tid)


class KernelTimeline(QWidget):
    """`add(snapshot)` records one sample; the widget paints the last WINDOW_SECONDS."""

    def __init__(self, lane_label: Callable[[int, object], str | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kernelTimeline")
        self.lane_label = lane_label
        self.window_seconds = WINDOW_SECONDS
        self.pixels = 15
        self.lanes: dict[LaneKey, collections.deque[Stretch]] = {}
        self.labels: dict[LaneKey, str] = {}
        self.now = 0.0
        self._geometry: tuple = (0.0, 0.0, 1.0, 0.0, 1.0, 0)
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_pixels(self, pixels: int) -> None:
        """The text size (24 in presentation mode)."""
        self.pixels = pixels
        self.update()

    def clear(self) -> None:
        self.lanes.clear()
        self.labels.clear()
        self.update()

    def add(self, snapshot: KernelSnapshot) -> None:
        if not snapshot.supported:
            return
        self.now = snapshot.time
        for process in snapshot.processes:
            for thread in process.threads:
                key = (process.pid, thread.tid)
                label = self.labels.get(key) or self.lane_label(process.pid, thread)
                if label is None:
                    continue
                if key not in self.lanes and len(self.lanes) >= MAX_LANES:
                    self._forget_oldest()
                    if len(self.lanes) >= MAX_LANES:
                        continue
                self.labels[key] = label
                badge = badge_for_thread(thread)
                stretches = self.lanes.setdefault(key, collections.deque())
                if stretches and stretches[-1].kind == badge.kind and stretches[-1].call == badge.call \
                        and snapshot.time - stretches[-1].end < 1.0:
                    stretches[-1] = stretches[-1]._replace(end=snapshot.time)
                else:
                    if stretches and snapshot.time - stretches[-1].end < 1.0:
                        stretches[-1] = stretches[-1]._replace(end=snapshot.time)
                    stretches.append(Stretch(snapshot.time, snapshot.time, badge.kind, badge.call))
        for key, stretches in list(self.lanes.items()):
            while stretches and self.now - stretches[0].end > self.window_seconds:
                stretches.popleft()
            if not stretches:
                del self.lanes[key]
                self.labels.pop(key, None)
        self.update()

    def _forget_oldest(self) -> None:
        stale = [key for key, stretches in self.lanes.items() if stretches and self.now - stretches[-1].end > 1.0]
        for key in stale:
            del self.lanes[key]
            self.labels.pop(key, None)

    def stretches_of(self, label_part: str) -> list[Stretch]:
        """Every stretch of the lanes whose label contains `label_part` (for tests and captions)."""
        return [stretch for key, label in self.labels.items() if label_part in label for stretch in self.lanes[key]]

    # -- painting -----------------------------------------------------------------------------------
    def _font(self) -> QFont:
        font = QFont("DejaVu Sans")
        font.setPixelSize(self.pixels)
        return font

    def text_layout(self) -> list[tuple[str, QRectF]]:
        """Every text the timeline paints and where (widget coordinates), in painting order: the
        legend, the time axis, the lane labels and the calls written in the stretches. Lanes that
        do not fit the height are left out and counted in a last line ("+2 more lanes")."""
        metrics = QFontMetrics(self._font())
        height = metrics.height()
        texts: list[tuple[str, QRectF]] = []
        x = 6.0
        for kind in ("running", "blocked", "waiting", "sleeping"):
            x += height + 6
            words = KIND_WORDS[kind]
            texts.append((words, QRectF(x, 4, metrics.horizontalAdvance(words), height)))
            x += metrics.horizontalAdvance(words) + 24
        legend_height = height + 10
        keys = list(self.lanes)
        label_width = max([metrics.horizontalAdvance(self.labels[key]) for key in keys] + [120]) + 16
        label_width = min(label_width, int(self.width() * 0.45))
        left, right = label_width, self.width() - 10
        top = legend_height + height + 6
        lane_height = max(height + 12, min(3 * height, (self.height() - top - 4) / max(1, len(keys))))
        fitting = max(0, int((self.height() - top - 4) / lane_height + 1e-6))  # (a whole lane: not lost to rounding)
        if fitting < len(keys):
            fitting = max(0, fitting - 1)  # room for the line that says how many are left out
        span = max(right - left, 1)
        step = 5 if self.window_seconds > 10 else 2
        last_right = float("inf")
        for seconds in range(0, int(self.window_seconds) + 1, step):  # from "now" leftwards
            x = right - span * seconds / self.window_seconds
            words = "now" if seconds == 0 else f"−{seconds} s"
            width = metrics.horizontalAdvance(words)
            box = QRectF(min(x - width / 2, self.width() - width - 2), legend_height, width, height)
            if box.right() + 8 > last_right or box.left() < 0:
                continue  # no room: this tick keeps its line, not its figure
            texts.append((words, box))
            last_right = box.left()
        if not keys:
            words = "No process to show yet: start a server or a lesson."
            texts.append((words, QRectF(10, top, metrics.horizontalAdvance(words), height)))
        for row, key in enumerate(keys[:fitting]):
            y = top + row * lane_height
            label = metrics.elidedText(self.labels[key], Qt.TextElideMode.ElideRight, label_width - 10)
            texts.append((label, QRectF(4, y + (lane_height - height) / 2, metrics.horizontalAdvance(label), height)))
            for stretch in self.lanes[key]:
                box = self._stretch_box(stretch, left, right, span, y, lane_height)
                text = f"{stretch.call}()" if stretch.call else ""
                if text and metrics.horizontalAdvance(text) + 8 < box.width():
                    texts.append((text, QRectF(box.x() + 4, y + (lane_height - height) / 2,
                                               metrics.horizontalAdvance(text), height)))
        if fitting < len(keys):
            words = f"+{len(keys) - fitting} more lanes (make the window taller)"
            texts.append((words, QRectF(4, top + fitting * lane_height + 4, metrics.horizontalAdvance(words), height)))
        self._geometry = (left, right, span, top, lane_height, fitting)
        return texts

    def _stretch_box(self, stretch: Stretch, left: float, right: float, span: float, y: float,
                     lane_height: float) -> QRectF:
        x0 = right - span * (self.now - stretch.start) / self.window_seconds
        x1 = right - span * (self.now - stretch.end) / self.window_seconds
        x0, x1 = max(x0, left), max(x1, x0 + 3)
        return QRectF(x0, y + 3, x1 - x0, lane_height - 6)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        texts = self.text_layout()
        left, right, span, top, lane_height, fitting = self._geometry
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setFont(self._font())
        height = painter.fontMetrics().height()
        x = 6
        for kind in ("running", "blocked", "waiting", "sleeping"):  # the legend's colour squares
            painter.fillRect(QRectF(x, 4, height, height), QColor(KIND_COLOURS[kind]))
            x += height + 6 + painter.fontMetrics().horizontalAdvance(KIND_WORDS[kind]) + 24
        painter.setPen(QPen(QColor("#555555"), 1))
        for seconds in range(0, int(self.window_seconds) + 1, 5 if self.window_seconds > 10 else 2):
            x = right - span * seconds / self.window_seconds
            painter.drawLine(int(x), int(top - 4), int(x), int(top + lane_height * fitting))
        for row, key in enumerate(list(self.lanes)[:fitting]):
            for stretch in self.lanes[key]:
                painter.fillRect(self._stretch_box(stretch, left, right, span, top + row * lane_height, lane_height),
                                 QColor(KIND_COLOURS.get(stretch.kind, "#888888")))
        calls = {f"{stretch.call}()" for stretches in self.lanes.values() for stretch in stretches if stretch.call}
        for words, box in texts:
            inside_stretch = words in calls and box.left() >= left
            painter.setPen(QColor("white") if inside_stretch else QColor("#111111"))
            painter.drawText(box.adjusted(0, 0, 2, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, words)
        painter.end()
