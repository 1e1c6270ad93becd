"""The engine setting (Run ▸ Engine: auto, native, python) and the status bar's engine label.

The choice is remembered (Settings.engine) and applies to the GUI's measuring clients (each run's
WorkloadSpec.engine, set by the RunCoordinator) and to its built-in servers (`ipclab serve
--engine`, QtServerProcess.engine). Servers that listen when the choice changes are restarted
with it if no run uses them; a running workload keeps its engines to its end. The status bar's
permanent label says which engine measured: the clients' engine of the last run and the engine
each listening server names in its ready line. Step mode and the single traced exchange run on
the Python engine (they are for reading); the label says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QLabel, QMenu

from qtapp.measuring.server_qprocess import ServerState

if TYPE_CHECKING:
    from qtapp.measuring.client_worker import RunController
    from qtapp.window.main_window import MainWindow

ENGINE_CHOICES = ("auto", "native", "python")


def engine_names() -> dict[str, str]:
    """The menu's words for each choice (translated)."""
    return {"auto": QCoreApplication.translate("MainWindow", "&Auto (native when built)"),
            "native": QCoreApplication.translate("MainWindow", "&Native (compiled C)"),
            "python": QCoreApplication.translate("MainWindow", "&Python (reference)")}


def install_engine_choice(window: MainWindow) -> None:
    """Apply the remembered engine and add the status bar's engine label (once, at start)."""
    window.engine_label = QLabel()
    window.engine_label.setObjectName("engineLabel")
    window.statusBar().addPermanentWidget(window.engine_label)
    apply_engine(window, window.settings.engine(), restart_servers=False)
    window.coordinator.running_changed.connect(lambda: update_engine_label(window))
    for server in window.servers.values():
        server.ready.connect(lambda _event: update_engine_label(window))


def add_engine_menu(window: MainWindow, menu: QMenu) -> None:
    """Run ▸ Engine: three exclusive choices (rebuilt with the menus after a language change)."""
    submenu = menu.addMenu(QCoreApplication.translate("MainWindow", "&Engine"))
    group = QActionGroup(submenu)
    group.setExclusive(True)
    window.engine_actions = {}
    current = window.coordinator.engine
    for engine, name in engine_names().items():
        action = QAction(name, submenu)
        action.setCheckable(True)
        action.setChecked(engine == current)
        action.triggered.connect(lambda _checked=False, chosen=engine: choose_engine(window, chosen))
        group.addAction(action)
        submenu.addAction(action)
        window.engine_actions[engine] = action


def choose_engine(window: MainWindow, engine: str) -> None:
    """The user's choice: remembered, and used from now on by clients and servers."""
    window.settings.set_engine(engine)
    window.settings.sync()
    apply_engine(window, engine, restart_servers=True)
    message = QCoreApplication.translate("MainWindow", "Engine: {engine} for the clients and servers from now on")
    window.statusBar().showMessage(message.format(engine=engine), 4000)


def apply_engine(window: MainWindow, engine: str, restart_servers: bool) -> None:
    """Give `engine` to the coordinator (clients) and the built-in servers."""
    if engine not in ENGINE_CHOICES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINE_CHOICES)}")
    window.coordinator.engine = engine
    for transport, server in window.servers.items():
        changed = server.engine != engine
        server.engine = engine
        idle = transport not in window.coordinator.runs and not server.custom_command.strip()
        if restart_servers and changed and idle and server.state == ServerState.LISTENING:
            server.restart()
    for action_engine, action in getattr(window, "engine_actions", {}).items():
        action.setChecked(action_engine == engine)
    update_engine_label(window)


def client_engine(run: RunController) -> str:
    """The engine that runs a run's exchanges: "native", "python" or "unavailable"."""
    if run.capture_wire:
        return "python"  # the traced single exchange: the client's Python engine reads its frames
    from backend.native.loader import EngineUnavailable

    try:
        return run.spec.resolved_engine()
    except EngineUnavailable:
        return "unavailable"


def engine_label_text(window: MainWindow) -> str:
    """"Engine: clients native · servers tcp native, fifo python" (what measured the figures)."""
    runs = list(window.coordinator.runs.values())
    run = window.coordinator.focus_run if window.coordinator.focus_run in runs else next(iter(runs), None)
    if run is not None:
        clients = client_engine(run)
        window.last_client_engine = clients
    else:
        no_run = QCoreApplication.translate("MainWindow", "{engine} (no run yet)")
        clients = getattr(window, "last_client_engine", "") or no_run.format(engine=window.coordinator.engine)
    servers = [f"{transport} {server.ready_event.get('engine', '?')}" for transport, server in window.servers.items()
               if server.state == ServerState.LISTENING and server.ready_event]
    text = QCoreApplication.translate("MainWindow", "Engine: clients {clients}").format(clients=clients)
    if servers:
        listening = QCoreApplication.translate("MainWindow", "servers {servers}")
        text += " · " + listening.format(servers=", ".join(servers))
    return text


def update_engine_label(window: MainWindow) -> None:
    """Show which engines measure now (called on runs, server starts and language changes)."""
    label = getattr(window, "engine_label", None)
    if label is not None:
        label.setText(engine_label_text(window))
