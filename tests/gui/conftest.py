"""GUI test fixtures: a private settings file, a main window that is closed for sure, and strict
checks (napari-style) that fail a test which leaves a QThread running, a qtapp QTimer active, a
child process alive, or a FIFO directory or socket behind."""

from __future__ import annotations

import os
import sys
import time

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, QThread, QTimer  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def private_settings(tmp_path_factory):
    """QSettings of the tests live in a temporary directory, never in the user's."""
    path = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path))
    yield path


@pytest.fixture(scope="session", autouse=True)
def garbage_collected_in_gui_thread(qapp):
    """As in the app (qtapp.app): cycles are collected in the GUI thread only, never in a worker."""
    from qtapp.window.garbage_collection import collect_garbage_in_gui_thread

    collector = collect_garbage_in_gui_thread(qapp)
    yield collector
    collector.stop()


def _child_processes() -> list[tuple[int, str]]:
    """Live (non-zombie) children of this process, from /proc."""
    children = []
    me = os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, parent = fields[0], int(fields[1])
        if parent == me and state != "Z":
            try:
                with open(f"/proc/{name}/cmdline", "rb") as handle:
                    command = handle.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                command = "?"
            children.append((int(name), command))
    return children


@pytest.fixture(autouse=True)
def no_leaked_child_processes():
    before = {pid for pid, _ in _child_processes()}
    yield
    deadline = time.monotonic() + 2.0
    leaked = [child for child in _child_processes() if child[0] not in before]
    while leaked and time.monotonic() < deadline:
        time.sleep(0.02)  # the kernel may need a moment to show a reaped child as gone
        leaked = [child for child in _child_processes() if child[0] not in before]
    for pid, _ in leaked:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    assert not leaked, f"child processes left running: {leaked}"


@pytest.fixture(autouse=True)
def no_leaked_qthreads(monkeypatch, qapp):
    """Fail if a QThread started during the test is still running at its end."""
    started: list[QThread] = []
    original_start = QThread.start

    def recording_start(self, *arguments):
        started.append(self)
        return original_start(self, *arguments)

    monkeypatch.setattr(QThread, "start", recording_start)
    yield
    monkeypatch.setattr(QThread, "start", original_start)
    leaked = []
    for thread in started:
        try:
            if thread.isRunning() and not thread.wait(2000):
                leaked.append(thread.objectName() or repr(thread))
        except RuntimeError:  # already deleted by Qt: not running
            continue
    assert not leaked, f"QThreads left running: {leaked}"


@pytest.fixture(autouse=True)
def no_leaked_qtimers(monkeypatch, qapp):
    """Fail if a QTimer started by qtapp code is still active at the end of the test."""
    started: list[tuple[QTimer, str]] = []
    original_start = QTimer.start

    def recording_start(self, *arguments):
        caller = sys._getframe(1)
        module = caller.f_globals.get("__name__", "")
        if module.startswith("qtapp"):
            started.append((self, f"{module}:{caller.f_lineno}"))
        return original_start(self, *arguments)

    monkeypatch.setattr(QTimer, "start", recording_start)
    yield
    monkeypatch.setattr(QTimer, "start", original_start)
    leaked = []
    for timer, where in started:
        try:
            if timer.isActive():
                leaked.append(where)
                timer.stop()
        except RuntimeError:
            continue
    assert not leaked, f"QTimers left active (started at): {sorted(set(leaked))}"


@pytest.fixture
def runtime_leftovers(runtime_directory):
    """A function listing private FIFO directories and sockets under the runtime directory."""
    base = os.path.join(runtime_directory, "ipclab")

    def leftovers() -> list[str]:
        if not os.path.isdir(base):
            return []
        return sorted(name for name in os.listdir(base) if name.startswith("run-"))

    return leftovers


@pytest.fixture
def make_window(qtbot, runtime_leftovers):
    """Create main windows; each is closed (servers and workers shut down) after the test, which
    then checks that no FIFO directory or socket of it is left behind."""
    from qtapp.measuring.plots.style import configure_pyqtgraph
    from qtapp.window.main_window import MainWindow
    from qtapp.window.settings import Settings

    configure_pyqtgraph()
    windows: list[MainWindow] = []

    def make(**options) -> MainWindow:
        window = MainWindow(settings=Settings(), **options)
        windows.append(window)
        window.show()
        return window

    yield make
    for window in windows:
        window.close()
        window.deleteLater()
    assert runtime_leftovers() == [], "FIFO directories or sockets left behind"


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture(scope="session")
def c_examples(tmp_path_factory):
    """examples/c built with `make` in a temporary copy; skipped where there is no C compiler."""
    import shutil
    import subprocess

    if shutil.which("cc") is None or shutil.which("make") is None:
        pytest.skip("no C compiler (cc) or make")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    target = tmp_path_factory.mktemp("c-examples") / "c"
    shutil.copytree(os.path.join(root, "examples", "c"), target,
                    ignore=shutil.ignore_patterns("ipclab_client", "ipclab_server", "*.o"))
    result = subprocess.run(["make", "-C", str(target)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return target
