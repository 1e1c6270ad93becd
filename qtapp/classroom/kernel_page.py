"""The Kernel tab and the wiring of the kernel's view into the window.

`install_kernel_view(window)` makes one KernelMonitor (sampling /proc in its own thread), puts
kernel badges on the Architecture view and on the Step-by-step diagram, and adds the Kernel tab:
the architecture drawing (badges and buffer fills included), the kernel timeline, and the lessons
with their explanation. Sampling runs only while one of those is on screen or a lesson runs.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from backend.kernel_view.plain_words import LINUX_ONLY
from qtapp.classroom.architecture import ArchitectureView
from qtapp.classroom.kernel_badges import KernelBadges
from qtapp.classroom.kernel_lessons import LESSONS, Lesson, lesson_by_name
from qtapp.classroom.kernel_sampling import KernelMonitor
from qtapp.classroom.kernel_timeline import KernelTimeline
from qtapp.measuring import client_threads
from qtapp.window.retranslating import Retranslating

SERVER_NAMES = {"fifo": "FIFO", "tcp": "TCP", "unix": "Unix socket", "naive-fifo": "naive FIFO"}
QUIET_WAITS = ("futex", "signal")  # a server's helper threads: no lane unless they do something else


class KernelPage(Retranslating, QWidget):
    """The Kernel tab: lesson buttons, the explanation, the drawing and the timeline."""

    translation_contexts = ("KernelPage", "MainWindow")

    def retranslate(self) -> None:
        """Fixed texts, and every lesson button of the window (here and on the Faults tab)."""
        super().retranslate()
        for button in self.window.findChildren(QPushButton):
            name = button.property("lesson")
            if name:
                button.setText(button.text().split(" ", 1)[0] + " " + _short(name))

    def __init__(self, window, monitor: KernelMonitor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.monitor = monitor
        self.lesson: Lesson | None = None
        self.title = QLabel(self.tr("The kernel's view: what each real process and thread is doing"))
        self.title.setObjectName("plotTitle")
        self.explanation = QLabel(self.tr(
            "Each lane below is a real process or thread, coloured by what the kernel says it is doing: running, "
            "blocked in a system call on a channel, waiting for a connection or in poll(), or asleep. Choose a "
            "lesson.") if sys.platform.startswith("linux") else LINUX_ONLY)
        self.explanation.setObjectName("bigExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for entry in LESSONS:
            button = QPushButton(entry.title.split(" ", 1)[0] + " " + _short(entry.name))
            button.setToolTip(entry.title)
            button.setProperty("lesson", entry.name)
            button.setObjectName("faultButton")
            button.clicked.connect(lambda _checked=False, name=entry.name: self.run_lesson(name))
            button.setEnabled(sys.platform.startswith("linux"))
            self.buttons[entry.name] = button
            row.addWidget(button)
        self.stop_button = QPushButton(self.tr("Stop the lesson"))
        self.stop_button.setObjectName("faultButton")
        self.stop_button.clicked.connect(self.stop_lesson)
        row.addWidget(self.stop_button)
        row.addStretch(1)
        # The lesson's transport only, drawn from the window's snapshots (one lane is large enough to read).
        self.mirror = ArchitectureView(lanes=("tcp",))
        self.mirror.setObjectName("kernelDiagram")
        window.architecture_changed.connect(self.mirror.set_snapshot)
        self.timeline = KernelTimeline(self.lane_label)
        splitter = QSplitter(Qt.Orientation.Horizontal)  # the drawing beside the timeline: both stay tall
        splitter.addWidget(self.mirror)
        splitter.addWidget(self.timeline)
        splitter.setSizes([820, 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.explanation)
        layout.addWidget(splitter, 1)
        monitor.snapshot_changed.connect(self.timeline.add)

    # -- lessons ------------------------------------------------------------------------------------
    def run_lesson(self, name: str, **options) -> Lesson:
        """Start lesson `name` (see kernel_lessons.LESSONS) on this tab; stops the one running."""
        self.stop_lesson()
        lesson = lesson_by_name(name).make(self.window, self.monitor, **options)
        self.lesson = lesson
        lesson.explained.connect(self._explain)
        self.window.tabs.setCurrentWidget(self)
        self.timeline.clear()
        self.timeline.window_seconds = lesson.timeline_seconds
        self._show_drawing()
        self.mirror.set_lanes((getattr(lesson, "transport", "tcp"),))
        self.mirror.set_snapshot(self.window.refresh_architecture())
        self.monitor.start()
        lesson.start()
        return lesson

    def stop_lesson(self) -> None:
        if self.lesson is not None:
            self.lesson.stop()
            self.lesson.deleteLater()
            self.lesson = None

    def _explain(self, title: str, html: str) -> None:
        self.title.setText(title)
        self.explanation.setText(html)

    # -- the timeline's lanes ---------------------------------------------------------------------------
    def lane_label(self, pid: int, thread) -> str | None:
        window = self.window
        if self.lesson is not None:
            label = self.lesson.labels.get((pid, thread.tid)) or self.lesson.labels.get(pid)
            if label is not None:
                if thread.tid == pid:
                    return label
                return None if thread.wait_kind in QUIET_WAITS else f"{label} · thread {thread.tid}"
        if pid == window.client_pid:
            nodes = {node.key: node.label for node in window.client_nodes()}
            for key, tid in client_threads.all_threads().items():
                if tid == thread.tid and (key in nodes or key.replace("-client", "") in nodes):
                    return "GUI · " + nodes.get(key, nodes.get(key.replace("-client", ""), key))
            return None
        for transport, server in self._servers().items():
            if server.pid == pid:
                name = f"{SERVER_NAMES.get(transport, transport)} server {pid}"
                if thread.tid == pid:
                    return name
                return None if thread.wait_kind in QUIET_WAITS else f"{name} · thread {thread.tid}"
        return None

    def _servers(self) -> dict:
        servers = dict(self.window.servers)
        naive = getattr(getattr(self.window, "mixup_page", None), "naive_server", None)
        if naive is not None:
            servers["naive-fifo"] = naive
        return servers

    def _show_drawing(self) -> None:
        """The drawing beside the timeline helps at a desk; in presentation mode half a screen is too
        small for its texts, so the timeline takes the width (the Architecture tab has the badges)."""
        wanted = self.lesson is None or self.lesson.shows_drawing
        self.mirror.setVisible(wanted and not self.window.presentation)

    def set_point_size(self, point_size: int) -> None:
        self.timeline.set_pixels(24 if self.window.presentation else max(12, round(point_size * 1.3)))
        self._show_drawing()

    def shutdown(self) -> None:
        self.stop_lesson()
        self.monitor.stop()
        self.mirror.stop()


def _short(name: str) -> str:
    return {"fifo-open": QCoreApplication.translate("KernelPage", "FIFO open"),
            "back-pressure": QCoreApplication.translate("KernelPage", "Back-pressure"),
            "tcp-accept": QCoreApplication.translate("KernelPage", "Idle TCP server"),
            "naive-mixup": QCoreApplication.translate("KernelPage", "Naive mix-up")}[name]


def _watched_pids(window) -> list[int]:
    pids = [window.client_pid]
    for server in window.servers.values():
        if server.pid > 0 and server.state in ("listening", "stopping"):
            pids.append(server.pid)
    step_server = getattr(getattr(window, "step_page", None), "server", None)
    if step_server is not None and step_server.pid > 0:
        pids.append(step_server.pid)
    naive = getattr(getattr(window, "mixup_page", None), "naive_server", None)
    if naive is not None and naive.pid > 0 and naive.state == "listening":
        pids.append(naive.pid)
    return list(dict.fromkeys(pids))


def install_kernel_view(window) -> KernelPage:
    """The monitor, the badges on both drawings, and the Kernel tab (returned; the caller adds it)."""
    monitor = KernelMonitor(lambda: _watched_pids(window), parent=window)
    window.kernel_monitor = monitor
    presentation = lambda: bool(window.presentation)  # noqa: E731
    window.kernel_badges = KernelBadges(window.architecture_view, monitor, presentation)
    window.step_kernel_badges = KernelBadges(window.step_page.architecture, monitor, presentation)
    page = KernelPage(window, monitor)
    window.kernel_page = page
    window.lesson_kernel_badges = KernelBadges(page.mirror, monitor, presentation)
    watching = (window.architecture_view, window.step_page, page, window.faults_page)

    def follow_tab(_index: int) -> None:
        if not sys.platform.startswith("linux"):
            return
        if window.tabs.currentWidget() in watching or page.lesson is not None:
            monitor.start()
        else:
            monitor.stop()

    window.tabs.currentChanged.connect(follow_tab)
    return page


def lesson_row(window, transport=lambda: "tcp") -> QHBoxLayout:
    """A row of buttons that start the kernel lessons (for the Faults tab); back-pressure uses
    `transport()` (the tab's transport)."""
    row = QHBoxLayout()
    row.addWidget(QLabel(QCoreApplication.translate("KernelPage", "In the kernel:")))
    for entry in LESSONS:
        button = QPushButton(entry.title.split(" ", 1)[0] + " " + _short(entry.name))
        button.setToolTip(entry.title)
        button.setProperty("lesson", entry.name)
        button.setObjectName("faultButton")
        options = (lambda: {"transport": transport()}) if entry.name == "back-pressure" else dict
        button.clicked.connect(lambda _checked=False, name=entry.name, options=options:
                               window.kernel_page.run_lesson(name, **options()))
        button.setEnabled(sys.platform.startswith("linux"))
        row.addWidget(button)
    row.addStretch(1)
    return row
