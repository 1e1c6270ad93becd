"""Remembered settings (QSettings, INI format): window geometry, last workload, server addresses and
commands, language, zoom, engine."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

if TYPE_CHECKING:
    from qtapp.window.main_window import MainWindow

ORGANIZATION = "ipclab"
APPLICATION = "ipclab"


def open_settings() -> QSettings:
    """The user's settings file (INI, so tests can redirect it with QSettings.setPath)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


class Settings:
    """Typed access to the few things IPC Lab remembers."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store or open_settings()

    def geometry(self) -> QByteArray | None:
        value = self.store.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, geometry: QByteArray) -> None:
        self.store.setValue("window/geometry", geometry)

    def workload(self) -> dict:
        try:
            value = json.loads(str(self.store.value("workload/last", "{}")))
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def set_workload(self, workload: dict) -> None:
        self.store.setValue("workload/last", json.dumps(workload))

    def address(self, transport: str) -> str:
        return str(self.store.value(f"servers/{transport}/address", "") or "")

    def set_address(self, transport: str, address: str) -> None:
        self.store.setValue(f"servers/{transport}/address", address)

    def command(self, transport: str) -> str:
        return str(self.store.value(f"servers/{transport}/command", "") or "")

    def set_command(self, transport: str, command: str) -> None:
        self.store.setValue(f"servers/{transport}/command", command)

    def language(self) -> str:
        """"" (the system locale), "en" or "fr"."""
        return str(self.store.value("view/language", "") or "")

    def set_language(self, language: str) -> None:
        self.store.setValue("view/language", language)

    def zoom(self) -> float:
        try:
            return float(self.store.value("view/zoom", 1.0))
        except (TypeError, ValueError):
            return 1.0

    def set_zoom(self, zoom: float) -> None:
        self.store.setValue("view/zoom", zoom)

    def engine(self) -> str:
        """The data plane of the GUI's clients and servers: "auto" (the default), "native" or "python"."""
        value = str(self.store.value("run/engine", "auto") or "auto")
        return value if value in ("auto", "native", "python") else "auto"

    def set_engine(self, engine: str) -> None:
        self.store.setValue("run/engine", engine)

    def save_window(self, window: MainWindow) -> None:
        """Remember what the window shows at exit: geometry, workload, server addresses and
        commands, zoom (the engine is saved when chosen)."""
        self.set_geometry(window.saveGeometry())
        self.set_workload(window.client_panel.saved_spec())
        for transport, panel in window.server_panels.items():
            self.set_address(transport, panel.address_edit.text().strip())
            self.set_command(transport, panel.command_edit.text().strip())
        self.set_zoom(window.zoom)
        self.sync()

    def sync(self) -> None:
        self.store.sync()
