"""The GUI's entry point: `main(options)` builds the QApplication and the main window.

`ipclab` and `ipclab gui [--demo] [--screenshot FILE] [--presentation]` call `main` with their
argparse namespace; attributes may be missing for bare `ipclab`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from qtapp.style_sheet import apply_style

SCREENSHOT_SIZE = (1600, 1000)
EXIT_OK, EXIT_FAILED = 0, 1


def _application() -> QApplication:
    application = QApplication.instance()
    if application is None:
        application = QApplication(sys.argv[:1])
    application.setApplicationName("IPC Lab")
    application.setOrganizationName("ipclab")
    application.setApplicationVersion(_version())
    return application  # type: ignore[return-value]


def _version() -> str:
    from backend import __version__

    return __version__


def create_window(presentation: bool = False):
    """Build the styled main window (imports pyqtgraph and the plots)."""
    from qtapp.main_window import MainWindow
    from qtapp.plots.style import configure_pyqtgraph

    configure_pyqtgraph()
    return MainWindow(presentation=presentation)


def main(options: argparse.Namespace | None = None) -> int:
    """Run the GUI until its window closes; return the exit code."""
    launched = time.perf_counter()
    demo = bool(getattr(options, "demo", False))
    screenshot = getattr(options, "screenshot", None)
    presentation = bool(getattr(options, "presentation", False))
    if screenshot:
        demo = True
    application = _application()
    apply_style(application, presentation)
    window = create_window(presentation)
    if screenshot:
        window.resize(*SCREENSHOT_SIZE)
    window.show()
    # Ctrl+C in the terminal closes the window cleanly (the timer lets Python see the signal).
    signal.signal(signal.SIGINT, lambda *_: window.close())
    heartbeat = QTimer(window)
    heartbeat.start(200)
    heartbeat.timeout.connect(lambda: None)
    if os.environ.get("IPCLAB_FIRST_FRAME"):
        QTimer.singleShot(0, lambda: _report_first_frame(window, launched))
    result = {"ok": True}
    if demo:
        from qtapp.demo import DemoScript

        script = DemoScript(window, screenshot)

        def finished(ok: bool) -> None:
            result["ok"] = ok
            if screenshot:
                if ok:
                    print(f"ipclab gui: screenshot saved to {screenshot}")
                else:
                    print("ipclab gui: the demo did not complete; no screenshot", file=sys.stderr)
                window.close()

        script.done.connect(finished)
        QTimer.singleShot(0, script.start)
    application.exec()
    window.shutdown()
    return EXIT_OK if result["ok"] else EXIT_FAILED


def _report_first_frame(window, launched: float) -> None:
    """For the benchmark: print the time from launch to the first painted frame, then quit."""
    window.repaint()
    QApplication.processEvents()
    elapsed = time.perf_counter() - launched
    print(f"first_frame_s {elapsed:.3f}", flush=True)
    window.close()
