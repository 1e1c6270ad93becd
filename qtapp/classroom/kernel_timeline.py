"""The kernel timeline: one lane per process or thread, coloured by what the kernel says it is
doing over the last seconds (running; blocked on a channel; waiting in accept or poll; asleep),
with the system call's name written in each stretch — so a class sees who waits for whom.

Fed with KernelSnapshots (from the KernelMonitor, already off the GUI thread); which threads get a
lane and what they are called is the owner's choice (`lane_label(pid, thread)`, None for no lane)."""

from __future__ import annotations

import collections
from typing import Callable, NamedTuple

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
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
    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        font = QFont("DejaVu Sans")
        font.setPixelSize(self.pixels)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        legend_height = metrics.height() + 10
        keys = list(self.lanes)
        label_width = max([metrics.horizontalAdvance(self.labels[key]) for key in keys] + [120]) + 16
        label_width = min(label_width, int(self.width() * 0.45))
        left, right = label_width, self.width() - 10
        top = legend_height + metrics.height() + 6
        lane_height = max(metrics.height() + 12, min(3 * metrics.height(), (self.height() - top - 4) / max(1, len(keys))))
        self._paint_legend(painter, metrics)
        span = max(right - left, 1)
        # The time axis: seconds ago.
        painter.setPen(QPen(QColor("#555555"), 1))
        for seconds in range(0, int(self.window_seconds) + 1, 5 if self.window_seconds > 10 else 2):
            x = right - span * seconds / self.window_seconds
            painter.drawLine(int(x), int(top - 4), int(x), int(top + lane_height * len(keys)))
            words = "now" if seconds == 0 else f"−{seconds} s"
            width = metrics.horizontalAdvance(words) + 8
            painter.drawText(int(min(x - width / 2, self.width() - width)), int(legend_height), width, metrics.height(),
                             Qt.AlignmentFlag.AlignCenter, words)
        if not keys:
            painter.drawText(self.rect().adjusted(10, int(top), -10, 0), Qt.AlignmentFlag.AlignLeft,
                             "No process to show yet: start a server or a lesson.")
        for row, key in enumerate(keys):
            y = top + row * lane_height
            painter.setPen(QColor("#111111"))
            painter.drawText(QRectF(4, y, label_width - 10, lane_height), Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(self.labels[key], Qt.TextElideMode.ElideRight, label_width - 10))
            for stretch in self.lanes[key]:
                x0 = right - span * (self.now - stretch.start) / self.window_seconds
                x1 = right - span * (self.now - stretch.end) / self.window_seconds
                x0, x1 = max(x0, left), max(x1, x0 + 3)
                box = QRectF(x0, y + 3, x1 - x0, lane_height - 6)
                painter.fillRect(box, QColor(KIND_COLOURS.get(stretch.kind, "#888888")))
                text = f"{stretch.call}()" if stretch.call else ""
                if text and metrics.horizontalAdvance(text) + 8 < box.width():
                    painter.setPen(QColor("white"))
                    painter.drawText(box.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, text)
        painter.end()

    def _paint_legend(self, painter: QPainter, metrics) -> None:
        x = 6
        for kind in ("running", "blocked", "waiting", "sleeping"):
            painter.fillRect(QRectF(x, 4, metrics.height(), metrics.height()), QColor(KIND_COLOURS[kind]))
            x += metrics.height() + 6
            painter.setPen(QColor("#111111"))
            painter.drawText(int(x), 4, 400, metrics.height(), Qt.AlignmentFlag.AlignVCenter, KIND_WORDS[kind])
            x += metrics.horizontalAdvance(KIND_WORDS[kind]) + 24
