"""Step mode and slow motion: one exchange, one system call at a time.

The client side is `backend.classroom.traced_exchange.traced_exchange` in a QThread, paced by a
`backend.classroom.stepping.Stepper`; the server side is a dedicated `ipclab serve TRANSPORT --step`
driven through its stdin (`next`, `delay SECONDS`, `step`). Both sides' steps go through a
`backend.classroom.step_order.StepOrder`, which lets them out in causal order (accept after
connect, a read after the write that sent its bytes, otherwise by the CLOCK_MONOTONIC time their
call returned), whatever order their reports arrive in; the list and the step diagram
(`qtapp.classroom.step_diagram`) show them in that order.

In step mode every step waits until it is let go. The Step button shows exactly one new step per
click: the next step in causal order if it has arrived; otherwise a side whose shown step waits is
let go, and if it then blocks inside a system call (a read waiting for the other side), the other
waiting side is let go too, until one new step can be shown. A side is let go only after its last
step is on screen, so nothing happens unseen.
"""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from backend.classroom.step_order import StepOrder
from backend.classroom.stepping import Step, step_from_record
from qtapp.classroom.architecture import ArchitectureView, ClientNode, build_snapshot
from qtapp.classroom.step_diagram import ACTOR_COLOURS, StepDiagram, call_text, number_badge
from qtapp.classroom.step_sentences import shown_sentence
from qtapp.measuring.client_panel import transport_combo_box
from qtapp.measuring.model import TRANSPORT_NAMES
from qtapp.measuring.server_qprocess import QtServerProcess, ServerState
from qtapp.window.background import BackgroundCall
from qtapp.window.retranslating import Retranslating

NUDGE_MS = 150  # a released side that shows nothing within this is blocked in a system call
LATE_MS = 2000  # after the client is done, steps still held back this long are shown anyway
WRITE_CALLS = ("write", "writev", "sendto", "sendmsg")


class StepBridge(QObject):
    """Carries the client stepper's steps (called in the worker thread) to the GUI thread."""

    step = Signal(object)


def step_label(number: int, step: Step) -> str:
    """ "12 · client · openat() — The client opened ..." (plain digits: they render in any font), in
    the current language."""
    actor = (QCoreApplication.translate("StepModePage", "client") if step.actor == "client"
             else QCoreApplication.translate("StepModePage", "server"))
    return f"{number} · {actor} · {call_text(step)} — {shown_sentence(step)}"


class StepModePage(Retranslating, QWidget):
    """The Step by step tab."""

    step_shown = Signal(object)  # Step
    exchange_finished = Signal(bool, str)  # ok, message

    translation_contexts = ("StepModePage", "MainWindow", "Transports")

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.transport_combo = transport_combo_box()
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 100)
        self.count_spin.setValue(5)
        self.mode_combo = QComboBox()
        self.mode_combo.addItem(self.tr("Step by step"), "step")
        self.mode_combo.addItem(self.tr("Slow motion"), "slow")
        self.mode_combo.addItem(self.tr("Full speed"), "run")
        self.delay_spin = QDoubleSpinBox()
        self.delay_spin.setRange(0.1, 10.0)
        self.delay_spin.setSingleStep(0.5)
        self.delay_spin.setValue(1.5)
        self.delay_spin.setSuffix(self.tr(" s per step"))
        self.mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        self.delay_spin.valueChanged.connect(self._on_mode_changed)
        self.start_button = QPushButton(self.tr("Start one exchange"))
        self.start_button.clicked.connect(self.start_exchange)
        self.step_button = QPushButton(self.tr("Step ▶"))
        self.step_button.setObjectName("stepButton")
        self.step_button.setShortcut("Space")
        self.step_button.setEnabled(False)
        self.step_button.clicked.connect(self.step)
        self.current_label = QLabel(self.tr("Choose a transport and press “Start one exchange”: then press Step "
                                            "(or the space bar) to let each system call happen."))
        self.current_label.setObjectName("bigExplanation")
        self.current_label.setWordWrap(True)
        self.current_label.setMinimumHeight(80)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.currentRowChanged.connect(self.explain)
        self.diagram = StepDiagram()
        self.diagram.step_clicked.connect(self.explain)
        self.diagram_scroll = QScrollArea()
        self.diagram_scroll.setWidgetResizable(True)
        self.diagram_scroll.setWidget(self.diagram)
        self.architecture = ArchitectureView(lanes=(self.transport,))
        self.architecture.pulse_seconds = 1.2
        controls = QHBoxLayout()
        for widget in (QLabel(self.tr("Transport")), self.transport_combo, QLabel(self.tr("Numbers")), self.count_spin,
                       self.start_button):
            controls.addWidget(widget)
        controls.addStretch(1)
        speed = QHBoxLayout()
        for widget in (QLabel(self.tr("Speed")), self.mode_combo, self.delay_spin):
            speed.addWidget(widget)
        speed.addStretch(1)
        speed.addWidget(self.step_button)
        steps_row = QSplitter(Qt.Orientation.Horizontal)
        steps_row.addWidget(self.diagram_scroll)
        steps_row.addWidget(self.list)
        steps_row.setSizes([400, 600])
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.architecture)
        splitter.addWidget(steps_row)
        splitter.setSizes([250, 400])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(speed)
        layout.addWidget(self.current_label)
        layout.addWidget(splitter, 1)

        self.server: QtServerProcess | None = None
        self.stepper = None
        self.call: BackgroundCall | None = None
        self.shown: list[Step] = []
        self.explained = -1  # the index of the step the label explains and the diagram highlights
        self.clicks = 0
        self.order = StepOrder()
        self.started_ns = 0
        self._waiting: deque[str] = deque()  # sides whose shown step is waiting to be let go
        self._expecting = False
        self._draining = False  # the client is done: the server's last steps show as they come
        self._bridge = StepBridge()
        self._bridge.step.connect(self._on_client_step)
        self._nudge = QTimer(self)
        self._nudge.setSingleShot(True)
        self._nudge.timeout.connect(self._on_nudge)
        self._late = QTimer(self)
        self._late.setSingleShot(True)
        self._late.timeout.connect(self._show_late_steps)
        self._scroll = QTimer(self)
        self._scroll.setSingleShot(True)
        self._scroll.timeout.connect(self._scroll_to_explained)
        self._on_mode_changed()

    def after_language_change(self) -> None:
        """Tell the steps already shown again, in the new language."""
        for index, step in enumerate(self.shown[:self.list.count()]):
            self.list.item(index).setText(step_label(index + 1, step))
        if 0 <= self.explained < len(self.shown):
            self.current_label.setText(step_label(self.explained + 1, self.shown[self.explained]))

    # -- public -------------------------------------------------------------------------------
    @property
    def transport(self) -> str:
        return str(self.transport_combo.currentData())

    @property
    def mode(self) -> str:
        return str(self.mode_combo.currentData())

    def set_mode(self, mode: str, delay: float | None = None) -> None:
        if delay is not None:
            self.delay_spin.setValue(delay)
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode))

    def set_point_size(self, point_size: int) -> None:
        font = QFont(self.list.font())
        font.setPointSize(point_size + 2)
        self.list.setFont(font)
        self.diagram.setFont(font)
        self.architecture.set_line_scale(1.6 if point_size >= 15 else 1.0)
        if point_size >= 15:  # presentation: the drawing's fixed-size texts need its height
            total = sum(self.splitter.sizes()) or 650
            self.splitter.setSizes([int(total * 0.55), total - int(total * 0.55)])

    @property
    def running(self) -> bool:
        return self.call is not None and self.call.running

    def start_exchange(self) -> None:
        """Start the step-mode server of the chosen transport (if needed), then the traced client."""
        if self.running:
            return
        self.shown.clear()
        self.explained = -1
        self.list.clear()
        self.diagram.clear()
        self.order = StepOrder()
        self._late.stop()
        self._waiting.clear()
        self._draining = False
        self.clicks = 0
        transport = self.transport
        if self.server is not None and (self.server.transport != transport or self.server.state != ServerState.LISTENING):
            self.server.shutdown()
            self.server.deleteLater()
            self.server = None
        if self.server is None:
            self.server = QtServerProcess(transport, self)
            self.server.extra_arguments = ["--step"]
            self.server.keep_stdin_open = True
            self.server.event.connect(self._on_server_event)
            self.server.ready.connect(lambda _event: self._begin_client())
            self.server.state_changed.connect(lambda _state: self._refresh_architecture())
            self.server.failed.connect(self._on_server_failed)
            self.current_label.setText(self.tr("Starting a step-mode {transport} server…").format(
                transport=TRANSPORT_NAMES[transport]))
            self.start_button.setEnabled(False)
            self.server.start()
        else:
            self._begin_client()

    def step(self) -> None:
        """Show exactly one more step (see the module's docstring)."""
        self.clicks += 1
        ready = self.order.take()
        if ready is not None:
            self._show(ready)
            return
        if self._expecting:
            return
        self._expecting = True
        self._release_one()
        self._nudge.start(NUDGE_MS)
        self._update_buttons()

    def explain(self, index: int) -> None:
        """Explain step `index` (0-based) in the big label and highlight it in the step diagram."""
        if not 0 <= index < len(self.shown):
            return
        self.explained = index
        self.current_label.setText(step_label(index + 1, self.shown[index]))
        self.diagram.set_steps(self.shown, index)
        self._scroll.start(0)  # once the diagram has grown to its new size
        if self.list.currentRow() != index:
            self.list.setCurrentRow(index)

    def _scroll_to_explained(self) -> None:
        if 0 <= self.explained < len(self.diagram.steps):
            rect = self.diagram.row_rect(self.explained)
            self.diagram_scroll.ensureVisible(0, int(rect.center().y()), 0, int(rect.height()))

    def shutdown(self) -> None:
        self._nudge.stop()
        self._late.stop()
        self._scroll.stop()
        self.architecture.stop()
        if self.stepper is not None:
            self.stepper.release()
        if self.server is not None:
            self.server.write_line("delay 0")
            self.server.shutdown()
        if self.call is not None:
            self.call.shutdown()

    # -- internals ----------------------------------------------------------------------------
    def _on_mode_changed(self, *_arguments: object) -> None:
        mode = self.mode
        self.delay_spin.setEnabled(mode == "slow")
        delay = self.delay_spin.value() if mode == "slow" else 0.0
        if self.stepper is not None:
            self.stepper.set_mode(mode, delay)
        if self.server is not None:
            self.server.write_line("step" if mode == "step" else f"delay {delay:g}")
        if mode != "step":
            self._show_ready()
            while self._waiting:
                self._release(self._waiting.popleft())
        self._update_buttons()

    def _begin_client(self) -> None:
        from backend.classroom.stepping import Stepper
        from backend.classroom.traced_exchange import traced_exchange

        server = self.server
        if server is None or server.state != ServerState.LISTENING or self.running:
            return
        mode = self.mode
        delay = self.delay_spin.value() if mode == "slow" else 0.0
        server.write_line("step" if mode == "step" else f"delay {delay:g}")
        self.started_ns = time.monotonic_ns()  # a server step from before this belongs to an earlier exchange
        self.stepper = stepper = Stepper(on_step=self._bridge.step.emit, mode=mode, delay=delay)
        transport, address, count = server.transport, server.address, self.count_spin.value()
        self.call = BackgroundCall(lambda: traced_exchange(transport, address, count, 1, 100, stepper, timeout=600.0),
                                   "step-client", cancel=stepper.release, parent=self)
        self.call.done.connect(self._on_done)
        self.call.failed.connect(self._on_failed)
        self.call.finished.connect(self._on_call_finished)
        self.window.extra_clients["step"] = ClientNode("step", transport, self.tr("stepping client"))
        self.start_button.setEnabled(False)
        self.current_label.setText(self.tr("Press Step to let the client make its first system call.")
                                   if mode == "step" else self.tr("The exchange runs…"))
        self._expecting = mode == "step"  # the first step is shown as soon as it happens
        self.clicks = 1 if mode == "step" else 0  # Start counts as the click that shows step 1
        self.call.start()
        self._refresh_architecture()
        self._update_buttons()

    def _on_client_step(self, step: Step) -> None:
        self._arrived(step)

    def _on_server_event(self, event: dict) -> None:
        if event.get("event") != "step":
            return
        try:
            step = step_from_record(event)
        except ValueError:
            return  # a line that is not a step: nothing to show
        if step.time_ns >= self.started_ns:
            self._arrived(step)

    def _arrived(self, step: Step) -> None:
        self.order.add(step)
        if self.mode != "step" or self._draining:
            self._show_ready()
        elif self._expecting:
            ready = self.order.take()
            if ready is not None:
                self._expecting = False
                self._nudge.stop()
                self._show(ready)
        self._update_buttons()

    def _show_ready(self, complete: bool = False) -> None:
        for step in self.order.take_all(complete):
            self._show(step)

    def _show_late_steps(self) -> None:
        self._show_ready(complete=True)  # their senders never reported: show them in time order

    def _show(self, step: Step) -> None:
        self.shown.append(step)
        number = len(self.shown)
        text = step_label(number, step)
        colour = ACTOR_COLOURS.get(step.actor, "#000000")
        badge = int(self.list.fontMetrics().height() * 1.4)
        self.list.setIconSize(QSize(badge, badge))
        icon = QIcon(number_badge(number, colour, badge))
        icon.addPixmap(icon.pixmap(badge, badge), QIcon.Mode.Selected)  # not dimmed on the selected row
        item = QListWidgetItem(icon, text)
        item.setForeground(QColor(colour))
        self.list.addItem(item)
        self.list.scrollToBottom()
        self.explain(number - 1)
        if self.mode == "step" and not self._draining:
            self._waiting.append(step.actor)
        if step.syscall in WRITE_CALLS:
            self.architecture.pulse(self.server.transport if self.server else self.transport,
                                    "request" if step.actor == "client" else "reply", seconds=1.2)
        self._refresh_architecture()
        self.step_shown.emit(step)
        self._update_buttons()

    def _release(self, actor: str) -> None:
        if actor == "client":
            if self.stepper is not None:
                self.stepper.advance()
        elif self.server is not None:
            self.server.write_line("next")

    def _release_one(self) -> bool:
        if not self._waiting:
            return False
        self._release(self._waiting.popleft())
        return True

    def _on_nudge(self) -> None:
        if not self._expecting:
            return
        self._release_one()  # the side let go is blocked in a system call: let the other one go too
        if self._expecting and (self.running or self._waiting):
            self._nudge.start(NUDGE_MS)

    def _update_buttons(self) -> None:
        stepping = self.mode == "step"
        ready = self.order.peek() is not None
        self.step_button.setEnabled(stepping and not self._expecting and (ready or bool(self._waiting)))

    def _on_done(self, result) -> None:
        exchange, capture = result
        values = exchange.values.tolist() if exchange.values is not None else []
        message = self.tr("Done: the client (pid {client}) received {count} numbers from the server (pid {server}): "
                          "{values}").format(client=self.window.client_pid, count=len(values),
                                             server=exchange.server_pid, values=" ".join(map(str, values[:20])))
        self._finished_text = message
        if capture is not None:
            self.window.last_wire = capture
            self.window.wire_captured.emit(capture)
        self.exchange_finished.emit(True, message)

    def _on_failed(self, message: str) -> None:
        self._finished_text = self.tr("The exchange failed: {message}").format(message=message)
        self.exchange_finished.emit(False, message)

    def _on_call_finished(self) -> None:
        # The client is done: its story is told. The server may still report closing its end;
        # it runs freely now and those last steps show as they come.
        self._expecting = False
        self._nudge.stop()
        self._draining = True
        self._show_ready()
        self._waiting.clear()
        if len(self.order):
            self._late.start(LATE_MS)
        if self.server is not None:
            self.server.write_line("delay 0")
        self.window.extra_clients.pop("step", None)
        self.start_button.setEnabled(True)
        self.current_label.setText(getattr(self, "_finished_text", ""))
        self.explained = -1
        self.diagram.set_steps(self.shown, -1)
        self._refresh_architecture()
        self._update_buttons()

    def _on_server_failed(self, message: str) -> None:
        self.current_label.setText(self.tr("The step-mode server stopped: {message}").format(message=message))
        self.start_button.setEnabled(True)
        if self.stepper is not None:
            self.stepper.release()

    def _refresh_architecture(self) -> None:
        transport = self.server.transport if self.server is not None else self.transport
        servers = {transport: self.server} if self.server is not None else {}
        self.architecture.set_lanes((transport,))
        clients = [node for key, node in self.window.extra_clients.items() if key == "step"]
        self.architecture.set_snapshot(build_snapshot(self.window.client_pid, servers, clients))

