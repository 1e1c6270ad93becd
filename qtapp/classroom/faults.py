"""Fault demos, one click each, with what happened explained on screen: kill the server (SIGKILL)
mid-run; a client that connects and never sends; a client that sends garbage; 64 clients at once."""

from __future__ import annotations

import os
import signal

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from backend.measuring.runner import WorkloadSpec
from qtapp.classroom.architecture import ArchitectureView, ClientNode
from qtapp.measuring.client_panel import transport_combo_box
from qtapp.measuring.model import TRANSPORT_NAMES
from qtapp.measuring.server_qprocess import ServerState
from qtapp.window.background import BackgroundCall
from qtapp.window.retranslating import Retranslating

KILL_AFTER_EXCHANGES = 50
CROWD_CLIENTS = 64
CROWD_REQUESTS_EACH = 20
SILENT_HOLD_S = 3.0
WATCH_INTERVAL_MS = 50
PRESENTATION_FROM_POINTS = 15  # the window's text size from which the page lays out for a class


class FaultsPage(Retranslating, QWidget):
    """The Fault demos tab. `demo_finished(str name, str explanation)` after each demo."""

    demo_finished = Signal(str, str)

    translation_contexts = ("FaultsPage", "KernelPage", "MainWindow", "Transports")

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.transport_combo = transport_combo_box()
        self.buttons: dict[str, QPushButton] = {}
        descriptions = {
            "kill": (self.tr("Kill the server mid-run (SIGKILL)"),
                     self.tr("Two clients are busy; the server is killed with no chance to clean up.")),
            "silent": (self.tr("A client that connects and never sends"),
                       self.tr("Does one silent client block everybody else?")),
            "garbage": (self.tr("A client that sends garbage"),
                        self.tr("256 random bytes instead of a request.")),
            "crowd": (self.tr("64 clients at once"),
                      self.tr("64 client threads, 20 requests each, all at the same time.")),
        }
        grid = QGridLayout()
        self.grid = grid
        self.descriptions: list[QLabel] = []
        for row, (name, (title, description)) in enumerate(descriptions.items()):
            button = QPushButton(title)
            button.setObjectName("faultButton")
            button.setToolTip(description)
            button.clicked.connect(lambda _checked=False, n=name: self.run_demo(n))
            self.buttons[name] = button
            label = QLabel(description)
            label.setWordWrap(True)
            self.descriptions.append(label)
            grid.addWidget(button, row, 0)
            grid.addWidget(label, row, 1)
        grid.setColumnStretch(1, 1)
        self.headline = QLabel(self.tr("Choose a demo. What happens is explained here."))
        self.headline.setObjectName("bigExplanation")
        self.headline.setWordWrap(True)
        self.explanation = QLabel("")
        self.explanation.setWordWrap(True)
        self.explanation.setObjectName("bigExplanation")
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.restart_button = QPushButton(self.tr("Restart the server"))
        self.restart_button.clicked.connect(lambda: window.servers[self.transport].restart())
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Transport")))
        top.addWidget(self.transport_combo)
        top.addWidget(self.restart_button)
        top.addStretch(1)
        # The demo's transport only, drawn from the same snapshots as the Architecture tab: one lane
        # is large enough to read. Beside the explanation; below it in presentation mode, where
        # the drawing needs the whole width for its texts to be 24 px high.
        self.diagram = ArchitectureView(lanes=(self.transport,))
        self.diagram.setObjectName("faultsDiagram")
        window.architecture_changed.connect(self.diagram.set_snapshot)
        self.transport_combo.currentIndexChanged.connect(lambda _index: self.diagram.set_lanes((self.transport,)))
        lower = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.lower_layout = lower
        text = QVBoxLayout()
        text.addWidget(self.headline)
        text.addWidget(self.explanation, 1)
        lower.addLayout(text, 1)
        lower.addWidget(self.diagram, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid)
        from qtapp.classroom.kernel_page import lesson_row  # the kernel-view lessons start from here too

        layout.addLayout(lesson_row(window, lambda: self.transport))
        layout.addLayout(lower, 1)
        self.current = ""
        self.call: BackgroundCall | None = None
        self._victim_pid = 0
        self._run_errors: list = []
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_INTERVAL_MS)
        self._watch.timeout.connect(self._watch_kill)
        window.run_finished.connect(self._on_run_finished)
        for server in window.servers.values():
            server.failed.connect(self._on_server_failed)

    @property
    def transport(self) -> str:
        return str(self.transport_combo.currentData())

    def set_transport(self, transport: str) -> None:
        self.transport_combo.setCurrentIndex(self.transport_combo.findData(transport))

    @property
    def running(self) -> bool:
        return bool(self.current)

    def run_demo(self, name: str) -> None:
        if self.current:
            return
        self.current = name
        self._set_buttons(False)
        transport = self.transport
        self.explanation.setText("")
        titles = {"kill": self.tr("Killing the {transport} server mid-run…"),
                  "silent": self.tr("A silent client connects to the {transport} server…"),
                  "garbage": self.tr("A client sends garbage to the {transport} server…"),
                  "crowd": self.tr("64 clients at once on the {transport} server…")}
        self.headline.setText(titles[name].format(transport=TRANSPORT_NAMES[transport]))
        self.window.ensure_server(transport, lambda: self._start(name, transport))

    # -- the demos ----------------------------------------------------------------------------
    def _start(self, name: str, transport: str) -> None:
        window = self.window
        address = window.servers[transport].address
        if name == "kill":
            self._victim_pid = window.servers[transport].pid
            self._run_errors = []
            window.start_workload(WorkloadSpec(transport=transport, requests=None, count=10, duration=30,
                                               concurrency=2, timeout=5))
            self._watch.start()
        elif name == "crowd":
            window.start_workload(WorkloadSpec(transport=transport, requests=CROWD_CLIENTS * CROWD_REQUESTS_EACH,
                                               count=10, concurrency=CROWD_CLIENTS, timeout=30))
        else:
            from backend.classroom import fault_demos
            from backend.transports.cancel import Cancellation

            cancellation = Cancellation()
            if name == "silent":
                function = lambda: fault_demos.silent_client(transport, address, SILENT_HOLD_S,  # noqa: E731
                                                             cancellation=cancellation)
                # Meanwhile ordinary clients keep asking: the class sees they are not blocked.
                QTimer.singleShot(300, lambda: self._side_workload(transport))
            else:
                function = lambda: fault_demos.garbage_client(transport, address, 256,  # noqa: E731
                                                              cancellation=cancellation)
            window.extra_clients[f"fault-{name}"] = ClientNode(
                f"fault-{name}", transport, self.tr("silent client") if name == "silent" else self.tr("garbage client"))
            self.call = BackgroundCall(function, f"fault-{name}", cancel=cancellation.cancel, parent=self)
            self.call.done.connect(self._on_backend_done)
            self.call.failed.connect(lambda message: self._finish(self.tr("The demo failed: {message}").format(
                message=message)))
            self.call.start()
            window.refresh_architecture()

    def _side_workload(self, transport: str) -> None:
        if self.current == "silent" and transport not in self.window.runs:
            self.window.start_workload(WorkloadSpec(transport=transport, requests=200, count=10, concurrency=2))

    def _watch_kill(self) -> None:
        series = self.window.model.series.get(self.transport)
        server = self.window.servers[self.transport]
        if series is None or series.completed < KILL_AFTER_EXCHANGES:
            return
        self._watch.stop()
        if server.state == ServerState.LISTENING and server.pid == self._victim_pid:
            os.kill(self._victim_pid, signal.SIGKILL)

    def _on_server_failed(self, _message: str) -> None:
        if self.current == "kill":
            self._maybe_finish_kill()

    def _on_run_finished(self, transport: str, _run_id: int, errors: list) -> None:
        if self.current == "kill" and transport == self.transport:
            self._run_errors = list(errors) or [self.tr("(no error reported)")]
            self._maybe_finish_kill()
        elif self.current == "crowd" and transport == self.transport:
            self._finish_crowd(errors)
        elif self.current == "silent" and transport == self.transport:
            self._side_done = True
            self._maybe_finish_silent()

    def _maybe_finish_kill(self) -> None:
        server = self.window.servers[self.transport]
        if server.state != ServerState.CRASHED or not self._run_errors:
            return
        fifo_note = ""
        if self.transport == "fifo":
            fifo_note = self.tr(" A killed process cannot remove its files: IPC Lab removed the FIFO directory it "
                                "left behind.")
        elif self.transport == "unix":
            fifo_note = self.tr(" A killed process cannot remove its socket file: IPC Lab removed it.")
        self._finish(self.tr(
            "Server pid {pid} was killed with SIGKILL: the kernel ends it at once, it cannot catch the signal "
            "nor clean up. The server panel and the Architecture view turn red ({state}). The clients noticed "
            "at once instead of hanging — the kernel closes the dead process's end of every channel: "
            "“{error}”.{note} Press “Restart the server” to go on.").format(
                pid=self._victim_pid, state=server.message, error=self._run_errors[0], note=fifo_note))

    def _finish_crowd(self, errors: list) -> None:
        series = self.window.model.series.get(self.transport)
        if series is None:
            self._finish(self.tr("The run did not start."))
            return
        statistics = series.statistics
        p99 = statistics.latency.percentile(99.0) / 1e6 if statistics.latency.count else 0.0
        note = ""
        if self.transport == "fifo":
            note = self.tr(" All 64 write to the same request FIFO: a request is 48 bytes, less than PIPE_BUF "
                           "(4096), so the kernel never mixes two requests; each reply has its own FIFO.")
        else:
            note = self.tr(" The server accepts each connection and serves each client in its own thread.")
        self._finish(self.tr(
            "{clients} client threads sent {sent} requests at once. Answered: {ok}; errors: {errors}. "
            "Slowest 1 %: {p99:.1f} ms or more.{note}").format(
                clients=CROWD_CLIENTS, sent=f"{CROWD_CLIENTS * CROWD_REQUESTS_EACH:,}", ok=f"{series.completed:,}",
                errors=f"{series.failed:,}", p99=p99, note=note))

    def _on_backend_done(self, result: dict) -> None:
        self._backend_result = result
        if self.current == "silent":
            self._maybe_finish_silent()
        else:
            self.window.extra_clients.pop(f"fault-{self.current}", None)
            self._finish(str(result.get("explanation", result)))

    def _maybe_finish_silent(self) -> None:
        result = getattr(self, "_backend_result", None)
        if result is None or (self.transport in self.window.runs):
            return
        self.window.extra_clients.pop("fault-silent", None)
        series = self.window.model.series.get(self.transport)
        served = self.tr(" Meanwhile {count} requests of other clients were answered: one silent client "
                         "blocks nobody.").format(count=f"{series.completed:,}") if series is not None else ""
        self._finish(str(result.get("explanation", result)) + served)

    def _finish(self, text: str) -> None:
        name, self.current = self.current, ""
        self.headline.setText("<b>" + self.tr("What happened") + "</b>")
        self._backend_result = None
        self._side_done = False
        self._watch.stop()
        self.explanation.setText(text)
        self._set_buttons(True)
        self.window.refresh_architecture()
        self.demo_finished.emit(name, text)

    def _set_buttons(self, enabled: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(enabled)

    def set_point_size(self, point_size: int) -> None:
        """Presentation mode (large text): the drawing under the explanation, across the whole
        width, its texts as large as the window's."""
        presentation = point_size >= PRESENTATION_FROM_POINTS
        # For a class the four buttons stand two by two (their descriptions become tooltips and
        # the explanation says what happened), which leaves the drawing the height it needs.
        for row, (button, label) in enumerate(zip(self.buttons.values(), self.descriptions)):
            self.grid.addWidget(button, *((row // 2, row % 2) if presentation else (row, 0)))
            if not presentation:
                self.grid.addWidget(label, row, 1)
            label.setVisible(not presentation)
        self.grid.setColumnStretch(0, 1 if presentation else 0)
        self.lower_layout.setStretch(0, 0 if presentation else 1)  # the explanation takes what it needs
        self.lower_layout.setDirection(QBoxLayout.Direction.TopToBottom if presentation
                                       else QBoxLayout.Direction.LeftToRight)
        font = QFont(self.font())
        font.setPointSize(point_size)
        self.diagram.set_line_scale(1.6 if presentation else 1.0)
        self.diagram.set_minimum_text_pixels(QFontInfo(font).pixelSize() if presentation else 0)

    def shutdown(self) -> None:
        self._watch.stop()
        self.diagram.stop()
        if self.call is not None:
            self.call.shutdown(5000)
