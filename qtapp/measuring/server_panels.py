"""Server panels: one per transport, with Start / Stop / Restart, state, pid, uptime and requests."""

from __future__ import annotations

import html

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qtapp.measuring.model import TRANSPORT_NAMES
from qtapp.measuring.server_qprocess import QtServerProcess, ServerState

STATE_COLOURS = {
    ServerState.STOPPED: "#6c757d", ServerState.STARTING: "#b8860b", ServerState.LISTENING: "#2a9d3a",
    ServerState.STOPPING: "#b8860b", ServerState.CRASHED: "#c0392b", ServerState.FAILED: "#c0392b",
}
ADDRESS_HINTS = {
    "fifo": QT_TRANSLATE_NOOP("ServerPanel", "private directory (automatic)"),
    "tcp": QT_TRANSLATE_NOOP("ServerPanel", "127.0.0.1, free port (automatic)"),
    "unix": QT_TRANSLATE_NOOP("ServerPanel", "private socket path (automatic)"),
}


def format_uptime(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class ServerPanel(QGroupBox):
    """Controls and state of one `QtServerProcess`."""

    def __init__(self, server: QtServerProcess, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("{name} server").format(name=TRANSPORT_NAMES[server.transport]), parent)
        self.server = server
        self.setObjectName(f"server-{server.transport}")
        self.start_button = QPushButton(self.tr("Start"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.restart_button = QPushButton(self.tr("Restart"))
        self.start_button.clicked.connect(server.start)
        self.stop_button.clicked.connect(server.stop)
        self.restart_button.clicked.connect(server.restart)
        self.state_label = QLabel()
        self.state_label.setObjectName("serverState")
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_label = QLabel()
        self.details_label.setObjectName("serverDetails")
        self.address_edit = QLineEdit(server.configured_address)
        self.address_edit.setPlaceholderText(QCoreApplication.translate("ServerPanel", ADDRESS_HINTS[server.transport]))
        self.address_edit.setToolTip(self.tr("Leave empty for a private address; e.g. 127.0.0.1:5000 for a fixed "
                                             "TCP port"))
        self.address_edit.editingFinished.connect(self._on_address_edited)
        self.command_edit = QLineEdit(server.custom_command)
        self.command_edit.setObjectName("serverCommand")
        self.command_edit.setPlaceholderText(self.tr("built-in server (or your own command)"))
        self.command_edit.setToolTip(self.tr(
            "Bring your own server: any program that speaks docs/PROTOCOL.md and prints a JSON ready line, "
            "e.g. examples/c/ipclab_server {transport} {{address}} — {{address}} is replaced by a fresh "
            "private address").format(transport=server.transport))
        self.command_edit.editingFinished.connect(self._on_command_edited)
        self.settings_button = QToolButton()
        self.settings_button.setObjectName("serverSettingsToggle")
        self.settings_button.setText("⚙")
        self.settings_button.setCheckable(True)
        self.settings_button.setToolTip(self.tr("Show the address and command of this server"))
        self.settings_button.toggled.connect(self._show_settings)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.restart_button):
            buttons.addWidget(button)
        buttons.addWidget(self.settings_button)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        self.address_caption = QLabel(self.tr("Address:"))
        self.command_caption = QLabel(self.tr("Command:"))
        grid.addWidget(self.address_caption, 0, 0)
        grid.addWidget(self.address_edit, 0, 1)
        grid.addWidget(self.command_caption, 1, 0)
        grid.addWidget(self.command_edit, 1, 1)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self.state_label)
        layout.addWidget(self.details_label)
        layout.addLayout(buttons)
        layout.addLayout(grid)
        server.state_changed.connect(self.refresh)
        server.ready.connect(lambda _event: self.refresh())
        server.failed.connect(lambda _message: self.refresh())
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh_details)
        self._timer.start()
        self._compact = False
        self._show_settings(bool(server.configured_address or server.custom_command))
        self.refresh()

    def _on_address_edited(self) -> None:
        self.server.configured_address = self.address_edit.text().strip()

    def _on_command_edited(self) -> None:
        self.set_command(self.command_edit.text())

    def set_command(self, command: str) -> None:
        """Run `command` instead of the built-in server from the next start ("" for the built-in one)."""
        command = command.strip()
        if self.command_edit.text() != command:
            self.command_edit.setText(command)
        if command:
            self._show_settings(True)
        self.server.custom_command = command
        title = TRANSPORT_NAMES[self.server.transport]
        self.setTitle(self.tr("{name} server: your own command").format(name=title) if command
                      else self.tr("{name} server").format(name=title))
        self.refresh()

    def set_compact(self, compact: bool) -> None:
        """Presentation mode: hide the address and command rows a teacher does not need."""
        self._compact = compact
        self.settings_button.setVisible(not compact)
        self._show_settings(self.settings_button.isChecked())

    def _show_settings(self, shown: bool) -> None:
        """The address and command rows fold away (⚙ shows them), so the side panel fits the window."""
        if self.settings_button.isChecked() != shown:
            self.settings_button.setChecked(shown)  # calls back here
            return
        for widget in (self.address_caption, self.address_edit, self.command_caption, self.command_edit):
            widget.setVisible(shown and not self._compact)

    def stop_timers(self) -> None:
        self._timer.stop()

    def state_text(self) -> str:
        """The server's state in words, with the reason when it failed or crashed (may span lines)."""
        server = self.server
        state = server.state
        if state == ServerState.LISTENING:
            return self.tr("listening at {address}").format(address=server.address)
        if state in (ServerState.CRASHED, ServerState.FAILED):
            text = server.message or state
            if state == ServerState.FAILED and not text.startswith("cannot"):
                text = self.tr("could not start: {reason}").format(reason=text)
            return text
        return {ServerState.STOPPED: self.tr("stopped"), ServerState.STARTING: self.tr("starting"),
                ServerState.STOPPING: self.tr("stopping")}.get(state, state)

    def refresh(self, *_arguments: object) -> None:
        server = self.server
        state = server.state
        text = self.state_text()
        colour = STATE_COLOURS.get(state, "#000000")
        shown = html.escape(text).replace("\n", "<br>")  # a command's stderr is text, never markup
        self.state_label.setText(f"<b style='color:{colour}'>●</b> {shown}")
        self.state_label.setToolTip(text)
        self.start_button.setEnabled(not server.running)
        self.stop_button.setEnabled(server.running and state != ServerState.STOPPING)
        self.restart_button.setEnabled(state in (ServerState.LISTENING, ServerState.CRASHED, ServerState.FAILED,
                                                 ServerState.STOPPED))
        self.address_edit.setEnabled(not server.running and not server.custom_command)
        self.command_edit.setEnabled(not server.running)
        self.refresh_details()

    def refresh_details(self) -> None:
        server = self.server
        if server.state == ServerState.LISTENING:
            self.details_label.setText(self.tr("pid {pid} · up {uptime} · %Ln request(s) served", "",
                                               server.requests_served).format(
                pid=server.pid, uptime=format_uptime(server.uptime_s)))
        elif server.state == ServerState.STARTING:
            self.details_label.setText(self.tr("waiting for its ready line…"))
        else:
            self.details_label.setText(self.tr("%Ln request(s) served", "", server.requests_served)
                                       if server.requests_served else "")
