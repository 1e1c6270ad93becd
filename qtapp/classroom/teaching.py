"""The classroom tabs of the main window: step by step, the bytes on the wire, why one FIFO per
client, the fault demos and the kernel's view. Each page is built here and registered in `window.teaching_pages`
(which the window zooms and shuts down)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from qtapp.classroom.faults import FaultsPage
from qtapp.classroom.mixup import MixupPage
from qtapp.classroom.step_mode import StepModePage
from qtapp.classroom.wire_view import WireView


def add_teaching_tabs(window) -> None:
    window.step_page = StepModePage(window)
    window.wire_view = WireView(window)
    window.mixup_page = MixupPage(window)
    window.faults_page = FaultsPage(window)
    window.teaching_pages = [window.step_page, window.wire_view, window.mixup_page, window.faults_page]
    window.tabs.addTab(window.step_page, QCoreApplication.translate("MainWindow", "Step by step"))
    window.tabs.addTab(window.wire_view, QCoreApplication.translate("MainWindow", "Wire bytes"))
    window.tabs.addTab(window.mixup_page, QCoreApplication.translate("MainWindow", "Naive vs textbook"))
    window.tabs.addTab(window.faults_page, QCoreApplication.translate("MainWindow", "Faults"))
    from qtapp.classroom.kernel_page import install_kernel_view

    window.teaching_pages.append(install_kernel_view(window))
    window.tabs.addTab(window.kernel_page, QCoreApplication.translate("MainWindow", "Kernel"))
