"""Why the textbook design matters: several clients at once against the naive design of the
original exercise (two fixed FIFOs shared by every client), side by side with the per-client-FIFO
design. The naive server (`ipclab serve naive-fifo`) exists only for this demonstration, is
labelled as such, and is never started anywhere else."""

from __future__ import annotations

import os
import shutil

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend.processes.server_child import private_address, serve_command
from qtapp.measuring.server_qprocess import QtServerProcess, ServerState
from qtapp.window.background import BackgroundCall
from qtapp.window.retranslating import Retranslating

GOOD, BAD = "#1e7b2f", "#c0392b"


class NaiveServerProcess(QtServerProcess):
    """`ipclab serve naive-fifo --dir DIR`, in a private directory removed when it stops."""

    def __init__(self, parent=None) -> None:
        super().__init__("naive-fifo", parent)

    def command(self) -> list[str]:
        directory = private_address("fifo") or ""
        self._private_path = directory
        return serve_command(["serve", "naive-fifo", "--die-with-parent", "--dir", directory])

    def _remove_leftovers(self) -> None:
        path, self._private_path = self._private_path, ""
        if path and os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)


class DesignColumn(QGroupBox):
    """One design's result: a verdict in large letters, a table per client, examples."""

    def __init__(self, title: str, description: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)  # a short title: a group box title cannot wrap
        self.description = QLabel(description)
        self.description.setWordWrap(True)
        self.verdict = QLabel("")
        self.verdict.setObjectName("bigExplanation")
        self.verdict.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.examples = QPlainTextEdit()
        self.examples.setReadOnly(True)
        self.examples.setMaximumHeight(140)
        layout = QVBoxLayout(self)
        layout.addWidget(self.description)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.examples)
        self.report = None

    def show_report(self, report) -> None:

        self.report = report
        total = report.correct + report.mixed + report.lost
        if report.mixed or report.lost:
            text = QCoreApplication.translate(
                "MixupPage", "{mixed} of {total} replies went to the wrong client, {lost} were lost").format(
                mixed=report.mixed, total=total, lost=report.lost)
            colour = BAD
        else:
            text = QCoreApplication.translate(
                "MixupPage", "all {total} replies reached the client that asked").format(total=total)
            colour = GOOD
        self.verdict.setText(f"<span style='color:{colour}; font-weight:bold'>{text}</span>")
        rows = report.per_client
        columns = list(rows[0].keys()) if rows else []
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels([str(column).replace("_", " ") for column in columns])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setRowCount(len(rows))
        for row, entry in enumerate(rows):
            for column, key in enumerate(columns):
                item = QTableWidgetItem(str(entry.get(key, "")))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        self.examples.setPlainText("\n".join(report.examples[:8]))

    def show_message(self, text: str, colour: str = "#000000") -> None:
        self.verdict.setText(f"<span style='color:{colour}'>{text}</span>")


class MixupPage(Retranslating, QWidget):
    """The “Why one FIFO per client?” tab."""

    finished = Signal()

    translation_contexts = ("MixupPage", "MainWindow")

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window = window
        intro = QLabel(self.tr(
            "The original exercise used two fixed FIFOs shared by every client: one for requests, one for "
            "replies. With one client it works. With several at once, a client reads whatever reply comes "
            "first — often another client's. The textbook design gives each client its own reply FIFO."))
        intro.setWordWrap(True)
        intro.setObjectName("bigExplanation")
        warning = QLabel(self.tr("⚠ The naive server runs only here, for this demonstration. It is never the default."))
        warning.setObjectName("demoWarning")
        warning.setWordWrap(True)
        self.clients_spin = QSpinBox()
        self.clients_spin.setRange(2, 16)
        self.clients_spin.setValue(4)
        self.requests_spin = QSpinBox()
        self.requests_spin.setRange(1, 200)
        self.requests_spin.setValue(20)
        self.run_button = QPushButton(self.tr("Run both designs with several clients at once"))
        self.run_button.setObjectName("startWorkload")
        self.run_button.clicked.connect(self.run_demo)
        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Clients")))
        controls.addWidget(self.clients_spin)
        controls.addWidget(QLabel(self.tr("Requests each")))
        controls.addWidget(self.requests_spin)
        controls.addWidget(self.run_button)
        controls.addStretch(1)
        self.naive_column = DesignColumn(self.tr("Naive design (DEMONSTRATION ONLY)"),
                                         self.tr("Two FIFOs shared by every client: one for requests, one for replies."))
        self.textbook_column = DesignColumn(self.tr("Textbook design"),
                                            self.tr("One request FIFO, and one reply FIFO per client."))
        columns = QHBoxLayout()
        columns.addWidget(self.naive_column)
        columns.addWidget(self.textbook_column)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(warning)
        layout.addLayout(controls)
        layout.addLayout(columns, 1)
        self.naive_server = NaiveServerProcess(self)
        self.naive_server.ready.connect(lambda _event: self._run_naive())
        self.naive_server.failed.connect(lambda message: self._design_failed("naive-fifo", message))
        self.calls: list[BackgroundCall] = []
        self.reports: dict[str, object] = {}
        self._pending: set[str] = set()  # designs whose result has not come yet
        window.servers["fifo"].failed.connect(self._on_textbook_server_failed)

    @property
    def running(self) -> bool:
        return bool(self._pending)

    def run_demo(self) -> None:
        if self.running:
            return
        self.reports = {}
        self._pending = {"naive-fifo", "fifo"}
        self.run_button.setEnabled(False)
        for column in (self.naive_column, self.textbook_column):
            column.show_message(self.tr("running…"))
        if self.naive_server.state == ServerState.LISTENING:
            self._run_naive()
        else:
            self.naive_server.start()
        self.window.ensure_server("fifo", self._run_textbook)

    def _start_call(self, transport: str, address: str, column: DesignColumn) -> None:
        from backend.classroom.naive import run_mixup_demo

        clients, requests = self.clients_spin.value(), self.requests_spin.value()
        call = BackgroundCall(lambda: run_mixup_demo(transport, address, clients=clients,
                                                     requests_per_client=requests, timeout=2.0),
                              f"mixup-{transport}", parent=self)
        call.done.connect(lambda report, t=transport, c=column: self._on_report(t, c, report))
        call.failed.connect(lambda message, t=transport: self._design_failed(t, message))
        call.finished.connect(lambda t=transport: self._on_call_finished(t))
        self.calls.append(call)
        for index in range(clients):
            self.window.extra_clients[f"mixup-{transport}-{index}"] = _client_node(transport, index)
        call.start()

    def _run_naive(self) -> None:
        if self.naive_server.state == ServerState.LISTENING and not any(
                call.running and call.name == "mixup-naive-fifo" for call in self.calls):
            self._start_call("naive-fifo", self.naive_server.address, self.naive_column)

    def _run_textbook(self) -> None:
        self._start_call("fifo", self.window.servers["fifo"].address, self.textbook_column)

    def _on_report(self, transport: str, column: DesignColumn, report) -> None:
        self.reports[transport] = report
        column.show_report(report)

    def _on_textbook_server_failed(self, message: str) -> None:
        if "fifo" in self._pending and not any(call.name == "mixup-fifo" and call.running for call in self.calls):
            self._design_failed("fifo", message)

    def _design_failed(self, transport: str, message: str) -> None:
        column = self.naive_column if transport == "naive-fifo" else self.textbook_column
        column.show_message(self.tr("could not run: {message}").format(message=message), BAD)
        self._settled(transport)

    def _on_call_finished(self, transport: str) -> None:
        self.calls = [call for call in self.calls if call.running]
        for key in [key for key in self.window.extra_clients if key.startswith(f"mixup-{transport}-")]:
            self.window.extra_clients.pop(key, None)
        self._settled(transport)

    def _settled(self, transport: str) -> None:
        if transport not in self._pending:
            return
        self._pending.discard(transport)
        if not self._pending:
            self.run_button.setEnabled(True)
            self.finished.emit()

    def shutdown(self) -> None:
        for call in self.calls:
            call.shutdown(5000)
        self.naive_server.shutdown()


def _client_node(transport: str, index: int):
    from qtapp.classroom.architecture import ClientNode

    lane = "fifo"  # both designs are FIFOs: drawn in the FIFO lane
    return ClientNode(f"mixup-{transport}-{index}", lane,
                      QCoreApplication.translate("MixupPage", "demo client {number}").format(number=index + 1))
