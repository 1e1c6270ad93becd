"""Help → Guided tour: FIFO, then TCP, then Unix socket, then Compare, in a few steps a teacher can
click through in front of a class. Each step says what to look at and sets the window up for it
(tab, transport, servers, an exchange).

The tour's box is a panel of the window, beside the tabs, in place of the side panel (which folds
away while the tour runs, as in presentation mode): it never covers the drawing it talks about and
never makes the window wider. While a step talks about an exchange, a `HeldClient` keeps that exchange's subject on
screen: it stays connected (its TCP connection or reply FIFO stays drawn) and repeats its request
every few seconds, and the drawing's dots travel in slow motion.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout

from backend.measuring.runner import WorkloadSpec
from qtapp.classroom.kernel_lessons import tour_steps as kernel_tour_steps
from qtapp.classroom.architecture import ClientNode
from qtapp.classroom.tour_client import HeldClient
from qtapp.measuring.model import ClientLogEntry
from qtapp.window.run_display import exchange_line

TOUR_WIDTH = 420
SLOW_PULSE_S = 2.5  # the drawing's dots during the tour: slow enough to follow while reading


@dataclass
class TourStep:
    title: str
    text: str
    action: Callable[[], None]
    held: str = ""  # the transport whose exchange this step keeps on screen ("" for none)


class GuidedTour(QFrame):
    """The tour's panel with Back / Next, shown beside the window's tabs."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.setObjectName("guidedTour")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(320)
        self.counter = QLabel("")
        self.title = QLabel("")
        self.title.setObjectName("plotTitle")
        self.title.setWordWrap(True)
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.text.setObjectName("bigExplanation")
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.back_button = QPushButton(self.tr("◀ Back"))
        self.next_button = QPushButton(self.tr("Next ▶"))
        self.next_button.setDefault(True)
        self.close_button = QPushButton(self.tr("Close"))
        self.back_button.clicked.connect(lambda: self.go(self.index - 1))
        self.next_button.clicked.connect(lambda: self.go(self.index + 1))
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counter)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.held: HeldClient | None = None
        self._side_panel_was_shown = False
        self._normal_pulse_s = window.architecture_view.pulse_seconds
        self.steps = self._steps()
        self.index = 0
        self.hide()

    def _steps(self) -> list[TourStep]:
        window = self.window

        def show(widget, transport: str | None = None, start: bool = False):
            def action() -> None:
                window.tabs.setCurrentWidget(widget)
                if transport:
                    window.client_panel.set_transport(transport)
                    if start:
                        window.servers[transport].start()
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
                "both sides with their pids. While you read, this client keeps its reply FIFO open and asks "
                "again every few seconds."), show(architecture, "fifo"), held="fifo"),
            TourStep(self.tr("1 · FIFO: the bytes"), self.tr(
                "These are the real bytes of that request and reply: the magic word IPCL, the version, the "
                "client's pid, how many numbers, the range, and the numbers themselves, 4 bytes each."),
                show(window.wire_view)),
            TourStep(self.tr("2 · TCP: a connection between two ports"), self.tr(
                "A TCP server listens on a port. The client calls connect(); the server's accept() returns a "
                "new socket. The drawing shows the connection with both port numbers, read from the kernel: "
                "this client stays connected while you read, and asks again every few seconds."),
                show(architecture, "tcp"), held="tcp"),
            TourStep(self.tr("3 · Unix socket: a socket with a path"), self.tr(
                "Same calls as TCP — socket, connect, accept, send, recv — but the address is a path in the "
                "file system and the bytes never touch the network stack. This client, too, stays "
                "connected while you read."),
                show(architecture, "unix"), held="unix"),
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
        """Show the tour beside the tabs (a panel of the window, so it covers nothing) at step 1."""
        window = self.window
        splitter = window.tabs.parentWidget()
        if isinstance(splitter, QSplitter) and splitter.indexOf(self) < 0:
            splitter.insertWidget(splitter.indexOf(window.tabs), self)  # left of the tabs
            splitter.setCollapsible(splitter.indexOf(self), False)
        if not self.isVisible():
            self._side_panel_was_shown = window.side_panel_action.isChecked()
            window.side_panel_action.setChecked(False)  # the tour takes the side panel's place
        window.architecture_view.pulse_seconds = SLOW_PULSE_S
        if window.statusBar().currentMessage() == getattr(window, "welcome_hint", None):
            window.statusBar().clearMessage()
        self.show()
        if isinstance(splitter, QSplitter):
            sizes = splitter.sizes()
            mine, tabs = splitter.indexOf(self), splitter.indexOf(window.tabs)
            total = sizes[mine] + sizes[tabs]
            sizes[mine] = min(TOUR_WIDTH, total // 3)
            sizes[tabs] = total - sizes[mine]
            splitter.setSizes(sizes)
        self.go(0)

    def go(self, index: int) -> None:
        index = max(0, min(len(self.steps) - 1, index))
        self.index = index
        step = self.steps[index]
        self.counter.setText(self.tr("Step {number} of {total}").format(number=index + 1, total=len(self.steps)))
        self.title.setText(step.title)
        self.text.setText(step.text)
        self.back_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.steps) - 1)
        self._release()
        step.action()
        if step.held:
            transport = step.held
            self.window.ensure_server(transport, lambda: self._hold(transport) if self.steps[self.index] is step
                                      and self.isVisible() else None)

    def current_title(self) -> str:
        return self.title.text()

    # -- the held exchange --------------------------------------------------------------------
    def _hold(self, transport: str) -> None:
        """Start this step's client (its server listens now)."""
        self._release()
        held = HeldClient(transport, self.window.servers[transport].address, parent=self)
        held.exchanged.connect(self._on_exchanged)
        held.failed.connect(lambda message: self.window.statusBar().showMessage(
            self.tr("Tour: the client could not exchange: {error}").format(error=message), 8000))
        self.held = held
        key = f"tour:{transport}"
        self.window.extra_clients[key] = ClientNode(key, transport, self.tr("tour client (stays connected)"))
        held.start()
        self.window.refresh_architecture()

    def _on_exchanged(self, exchange: dict) -> None:
        held = self.held
        if held is None:
            return
        window = self.window
        text = self.tr("asked for {count} numbers in {lo}..{hi}, round trip {latency} µs: {values}").format(
            count=exchange["count"], lo=exchange["lo"], hi=exchange["hi"], latency=f"{exchange['latency_us']:,.1f}",
            values=" ".join(str(value) for value in exchange["values"]))
        window.client_log.add_line(exchange_line(ClientLogEntry(time.time(), held.transport, window.client_pid,
                                                                exchange["server_pid"], text)))
        if exchange["number"] == 1 and exchange["wire"] is not None:
            window.last_wire = exchange["wire"]
            window.wire_captured.emit(exchange["wire"])
        window.refresh_architecture()

    def _release(self) -> None:
        held, self.held = self.held, None
        if held is None:
            return
        held.exchanged.disconnect(self._on_exchanged)
        held.release()
        self.window.extra_clients.pop(f"tour:{held.transport}", None)
        held.deleteLater()
        self.window.refresh_architecture()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._release()
        window = self.window
        window.architecture_view.pulse_seconds = self._normal_pulse_s
        if self.isVisible() and self._side_panel_was_shown:
            window.side_panel_action.setChecked(True)
        super().closeEvent(event)
