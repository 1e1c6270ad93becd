"""The GUI's entry point: `main(options)` builds the QApplication and the main window.

`ipclab` and `ipclab gui [--demo] [--screenshot FILE] [--presentation] [--language en|fr]
[--demo-feature NAME]` call `main` with their argparse namespace; attributes may be missing for bare
`ipclab`. `--demo-feature NAME --screenshot FILE` sets up one classroom feature (see
qtapp.classroom.feature_demos.FEATURES), saves the window and quits.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from qtapp.window.garbage_collection import collect_garbage_in_gui_thread
from qtapp.window.style_sheet import apply_style

SCREENSHOT_SIZE = (1600, 1000)
PRESENTATION_SCREENSHOT_SIZE = (1920, 1080)
EXIT_OK, EXIT_FAILED = 0, 1


def _application() -> QApplication:
    application = QApplication.instance()
    if application is None:
        application = QApplication(sys.argv[:1])
    application.setApplicationName("IPC Lab")
    application.setOrganizationName("ipclab")
    application.setApplicationVersion(_version())
    collect_garbage_in_gui_thread(application)
    return application  # type: ignore[return-value]


def _version() -> str:
    from backend import __version__

    return __version__


def create_window(presentation: bool = False, settings=None):
    """Build the styled main window (imports pyqtgraph and the plots)."""
    from qtapp.measuring.plots.style import configure_pyqtgraph
    from qtapp.window.main_window import MainWindow

    configure_pyqtgraph()
    return MainWindow(settings=settings, presentation=presentation)


def main(options: argparse.Namespace | None = None) -> int:
    """Run the GUI until its window closes; return the exit code."""
    launched = time.perf_counter()
    demo = bool(getattr(options, "demo", False))
    screenshot = getattr(options, "screenshot", None)
    presentation = bool(getattr(options, "presentation", False))
    feature = getattr(options, "demo_feature", None) or os.environ.get("IPCLAB_DEMO_FEATURE")
    if screenshot and not feature:
        demo = True
    application = _application()
    from qtapp.window.i18n import install_translator
    from qtapp.window.settings import Settings

    settings = Settings()
    language = getattr(options, "language", None) or ("fr" if feature == "french" else settings.language())
    if not install_translator(language):
        print(f"ipclab gui: no compiled translation for {language!r}; showing English "
              "(run packaging/compile_translations.py)", file=sys.stderr)
    if feature and feature.startswith("presentation"):
        presentation = True
    apply_style(application, presentation, settings.zoom() if not screenshot else 1.0)
    window = create_window(presentation, settings)
    if screenshot:
        window.zoom = 1.0
        window.fixed_size = True  # the picture's size, whatever the screen
        window.resize(*(PRESENTATION_SCREENSHOT_SIZE if presentation else SCREENSHOT_SIZE))
    window.show()
    # Ctrl+C in the terminal, `kill` (SIGTERM) and a closed terminal (SIGHUP) close the window
    # cleanly: its servers are stopped and their FIFOs and sockets removed (the timer lets Python
    # see the signal).
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, lambda *_: window.close())
    heartbeat = QTimer(window)
    heartbeat.start(200)
    heartbeat.timeout.connect(lambda: None)
    if os.environ.get("IPCLAB_FIRST_FRAME"):
        QTimer.singleShot(0, lambda: _report_first_frame(window, launched))
    result = {"ok": True}
    if feature:
        from qtapp.classroom.feature_demos import FeatureDemo

        feature_demo = FeatureDemo(window, feature, screenshot)

        def feature_finished(ok: bool, message: str) -> None:
            result["ok"] = ok
            print(f"ipclab gui: {message}", file=sys.stdout if ok else sys.stderr)
            if screenshot:
                window.close()

        feature_demo.done.connect(feature_finished)
        QTimer.singleShot(0, feature_demo.start)
    elif demo:
        from qtapp.window.demo import DemoScript

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
    if feature:
        feature_demo.cleanup()
    return EXIT_OK if result["ok"] else EXIT_FAILED


def _report_first_frame(window, launched: float) -> None:
    """For the benchmark: print the time from launch to the first painted frame, then quit."""
    window.repaint()
    QApplication.processEvents()
    elapsed = time.perf_counter() - launched
    print(f"first_frame_s {elapsed:.3f}", flush=True)
    window.close()
