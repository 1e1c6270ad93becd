"""Help → Guided tour: FIFO, then TCP, then Unix socket, then Compare, in a few steps a teacher can
click through in front of a class. Each step says what to look at and sets the window up for it
(tab, transport, servers, one exchange)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from backend.measuring.runner import WorkloadSpec
from qtapp.classroom.kernel_lessons import tour_steps as kernel_tour_steps


@dataclass
class TourStep:
    title: str
    text: str
    action: Callable[[], None]


class GuidedTour(QDialog):
    """A small non-modal window with Back / Next that walks through the transports."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.setWindowTitle(self.tr("Guided tour"))
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.counter = QLabel("")
        self.title = QLabel("")
        self.title.setObjectName("plotTitle")
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.text.setObjectName("bigExplanation")
        self.text.setMinimumWidth(560)
        self.text.setMinimumHeight(190)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.back_button = QPushButton(self.tr("◀ Back"))
        self.next_button = QPushButton(self.tr("Next ▶"))
        self.next_button.setDefault(True)
        self.close_button = QPushButton(self.tr("Close"))
        self.back_button.clicked.connect(lambda: self.go(self.index - 1))
        self.next_button.clicked.connect(lambda: self.go(self.index + 1))
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.counter)
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.steps = self._steps()
        self.index = 0

    def _steps(self) -> list[TourStep]:
        window = self.window

        def show(widget, transport: str | None = None, start: bool = False, exchange: bool = False):
            def action() -> None:
                window.tabs.setCurrentWidget(widget)
                if transport:
                    window.client_panel.set_transport(transport)
                    if start:
                        window.servers[transport].start()
                    if exchange:
                        window.single_request(transport)
            return action

        def compare() -> None:
            window.start_compare(WorkloadSpec(transport="fifo", requests=2000, count=100, lo=1, hi=10,
                                              concurrency=2))

        architecture = window.architecture_view
        return [
            TourStep(self.tr("Welcome"), self.tr(
                "IPC Lab shows how two processes talk: a client asks a server for random numbers, the server "
                "answers. We will look at three ways to carry the bytes: a FIFO, a TCP socket, a Unix socket."),
                show(architecture)),
            TourStep(self.tr("1 · FIFO: a named pipe on disk"), self.tr(
                "The FIFO server is starting. On the right: its process and its real pid. In the middle: the "
                "request FIFO, a file of a special kind that the server made with mkfifo(). Every client writes "
                "its request into this one FIFO."), show(architecture, "fifo", start=True)),
            TourStep(self.tr("1 · FIFO: one exchange"), self.tr(
                "The client wrote 48 bytes into request.fifo (blue dot); the server read them, generated the "
                "numbers and wrote them into this client's own reply FIFO (orange dot). The logs below show "
                "both sides with their pids."), show(architecture, "fifo", exchange=True)),
            TourStep(self.tr("1 · FIFO: the bytes"), self.tr(
                "These are the real bytes of that request and reply: the magic word IPCL, the version, the "
                "client's pid, how many numbers, the range, and the numbers themselves, 4 bytes each."),
                show(window.wire_view)),
            TourStep(self.tr("2 · TCP: a connection between two ports"), self.tr(
                "A TCP server listens on a port. The client calls connect(); the server's accept() returns a "
                "new socket. The drawing shows the connection with both port numbers, read from the kernel."),
                show(architecture, "tcp", start=True, exchange=True)),
            TourStep(self.tr("3 · Unix socket: a socket with a path"), self.tr(
                "Same calls as TCP — socket, connect, accept, send, recv — but the address is a path in the "
                "file system and the bytes never touch the network stack."),
                show(architecture, "unix", start=True, exchange=True)),
            TourStep(self.tr("4 · Compare"), self.tr(
                "The same workload on each transport in turn: 2,000 exchanges of 100 numbers with 2 clients. "
                "The table and the curves compare the round-trip times and the throughput."),
                lambda: (window.tabs.setCurrentWidget(window.compare_view), compare())),
            *kernel_tour_steps(window, TourStep),
            TourStep(self.tr("Going further"), self.tr(
                "Step by step: follow one exchange system call by system call. Why one FIFO per client?: see "
                "replies get mixed up with the naive design. Fault demos: kill a server, send garbage, 64 "
                "clients at once."), show(window.step_page)),
        ]

    def restart(self) -> None:
        self.go(0)
        self.show()
        self.raise_()

    def go(self, index: int) -> None:
        index = max(0, min(len(self.steps) - 1, index))
        self.index = index
        step = self.steps[index]
        self.counter.setText(self.tr("Step {number} of {total}").format(number=index + 1, total=len(self.steps)))
        self.title.setText(step.title)
        self.text.setText(step.text)
        self.back_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.steps) - 1)
        step.action()

    def current_title(self) -> str:
        return self.title.text()



