"""The main window's menu bar and the dialogs its actions open (export, save as PNG, about).

The texts keep the main window's translation context ("MainWindow").
"""

from __future__ import annotations

import platform
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

import backend
from qtapp.window.engine_choice import add_engine_menu
from qtapp.window.i18n import number

if TYPE_CHECKING:
    from qtapp.window.main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    """The menu bar: File (export, save, quit), View (presentation, zoom, tabs, language), Run (servers,
    engine), Help.

    Called again after a language change: the old menus and the window's shortcut actions go first."""
    for action in getattr(window, "shortcut_actions", []):
        window.removeAction(action)
    window.shortcut_actions = []
    side_panel_shown = not window.left_scroll.isHidden() if hasattr(window, "side_panel_action") else True
    window.menuBar().clear()
    file_menu = window.menuBar().addMenu(QCoreApplication.translate("MainWindow", "&File"))
    window.export_json_action = file_menu.addAction(
        QCoreApplication.translate("MainWindow", "Export results as &JSON…"), lambda: export_dialog(window, "json"))
    window.export_csv_action = file_menu.addAction(
        QCoreApplication.translate("MainWindow", "Export results as &CSV…"), lambda: export_dialog(window, "csv"))
    file_menu.addAction(QCoreApplication.translate("MainWindow", "Save &window as PNG…"),
                        lambda: save_window_dialog(window))
    file_menu.addSeparator()
    quit_action = QAction(QCoreApplication.translate("MainWindow", "&Quit"), window)
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.triggered.connect(window.close)
    file_menu.addAction(quit_action)
    view_menu = window.menuBar().addMenu(QCoreApplication.translate("MainWindow", "&View"))
    window.presentation_action = QAction(QCoreApplication.translate("MainWindow", "&Presentation"), window)
    window.presentation_action.setCheckable(True)
    window.presentation_action.setChecked(window.presentation)
    window.presentation_action.setShortcut(QKeySequence("F5"))
    window.presentation_action.setToolTip(QCoreApplication.translate("MainWindow", 
        "Large fonts, thick lines, high contrast; hides what a class does not need"))
    window.presentation_action.toggled.connect(window.set_presentation)
    view_menu.addAction(window.presentation_action)
    window.side_panel_action = QAction(QCoreApplication.translate("MainWindow", "&Side panel (servers and client)"),
                                       window)
    window.side_panel_action.setCheckable(True)
    window.side_panel_action.setChecked(side_panel_shown)
    window.side_panel_action.setShortcut(QKeySequence("Ctrl+L"))
    window.side_panel_action.toggled.connect(lambda shown: window.left_scroll.setVisible(shown))
    view_menu.addAction(window.side_panel_action)
    window.addAction(window.side_panel_action)
    window.shortcut_actions.append(window.side_panel_action)
    zooms = ((QCoreApplication.translate("MainWindow", "Zoom &in"), (QKeySequence.StandardKey.ZoomIn, "Ctrl+="), 1),
             (QCoreApplication.translate("MainWindow", "Zoom &out"), (QKeySequence.StandardKey.ZoomOut,), -1),
             (QCoreApplication.translate("MainWindow", "&Reset zoom"), ("Ctrl+0",), 0))
    for text, keys, direction in zooms:
        action = QAction(text, window)
        action.setShortcuts([QKeySequence(key) for key in keys])
        action.triggered.connect(lambda _checked=False, d=direction: window.change_zoom(d))
        view_menu.addAction(action)
        window.addAction(action)  # shortcuts work in presentation mode too
        window.shortcut_actions.append(action)
    view_menu.addSeparator()
    for index in range(window.tabs.count()):
        action = view_menu.addAction(window.tabs.tabText(index), lambda i=index: window.tabs.setCurrentIndex(i))
        if index < 9:
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
    view_menu.addSeparator()
    language_menu = view_menu.addMenu(QCoreApplication.translate("MainWindow", "&Language"))
    from qtapp.window.i18n import LANGUAGES

    from qtapp.window.i18n import active_language

    current = window.settings.language() or ""
    if current and current != active_language():
        current = active_language()
    for code, name in LANGUAGES:
        action = language_menu.addAction(name if code else QCoreApplication.translate("MainWindow", "System language"))
        action.setCheckable(True)
        action.setChecked(code == current)
        action.triggered.connect(lambda _checked=False, c=code: window.choose_language(c))
    view_menu.addSeparator()
    view_menu.addAction(QCoreApplication.translate("MainWindow", "&Clear plots and logs"), window.clear_results)
    runs_menu = window.menuBar().addMenu(QCoreApplication.translate("MainWindow", "&Run"))
    runs_menu.addAction(QCoreApplication.translate("MainWindow", "Start all &servers"),
                        lambda: [server.start() for server in window.servers.values()])
    runs_menu.addAction(QCoreApplication.translate("MainWindow", "S&top all servers"),
                        lambda: [server.stop() for server in window.servers.values()])
    runs_menu.addSeparator()
    add_engine_menu(window, runs_menu)
    help_menu = window.menuBar().addMenu(QCoreApplication.translate("MainWindow", "&Help"))
    help_menu.addAction(QCoreApplication.translate("MainWindow", "&Guided tour"), window.start_tour)
    help_menu.addAction(QCoreApplication.translate("MainWindow", "&About IPC Lab"), lambda: show_about(window))


def export_dialog(window: MainWindow, kind: str) -> None:
    """File → Export results as JSON (`kind` "json") or CSV ("csv")."""
    if not window.model.series:
        window.statusBar().showMessage(QCoreApplication.translate("MainWindow", "Nothing to export yet: run something "
                                                                  "first."), 5000)
        return
    name = kind.upper()
    path, _ = QFileDialog.getSaveFileName(window, QCoreApplication.translate("MainWindow", "Export results as {kind}").format(
                                              kind=name), f"ipclab-results.{kind}",
                                          f"{name} (*.{kind})")
    if not path:
        return
    if kind == "json":
        window.export_json(path)
        window.statusBar().showMessage(QCoreApplication.translate("MainWindow", "Results written to {path}").format(
            path=path), 5000)
    else:
        rows = window.export_csv(path)
        window.statusBar().showMessage(QCoreApplication.translate("MainWindow", "{rows} exchanges written to {path}").format(
            rows=number(rows), path=path), 5000)


def save_window_dialog(window: MainWindow) -> None:
    """File → Save window as PNG."""
    path, _ = QFileDialog.getSaveFileName(window, QCoreApplication.translate("MainWindow", "Save window as PNG"),
                                          "ipclab.png", QCoreApplication.translate("PlotCard", "PNG image (*.png)"))
    if path:
        window.grab().save(path)


def about_text() -> str:
    """The versions of IPC Lab and of what it runs on."""
    return (f"<h3>IPC Lab {backend.__version__}</h3>"
            "<p>Shows and measures interprocess communication: FIFOs, TCP and Unix sockets.</p>"
            f"<p>Python {platform.python_version()}<br>Qt {qVersion()} (PySide6 {pyside_version})<br>"
            f"pyqtgraph {pg.__version__}<br>numpy {np.__version__}</p>")


def show_about(window: MainWindow) -> None:
    QMessageBox.about(window, QCoreApplication.translate("MainWindow", "About IPC Lab"), about_text())
