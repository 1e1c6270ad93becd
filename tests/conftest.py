"""Shared fixtures: an isolated runtime directory, real server processes, leak checks."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from backend.processes.server_child import ServerProcess  # noqa: E402


def _offscreen_projector() -> str:
    """The offscreen platform with one 1920x1080 screen at 96 dpi (a classroom projector); Qt's
    default offscreen screen is 800x800, smaller than any window the app is made for."""
    directory = tempfile.mkdtemp(prefix="ipl-screen-")
    atexit.register(shutil.rmtree, directory, True)
    path = os.path.join(directory, "screen.json")
    with open(path, "w") as handle:
        handle.write('{"screens": [{"name": "projector", "x": 0, "y": 0, "width": 1920, "height": 1080, '
                     '"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}')
    return f"offscreen:configfile={path}"


if "QT_QPA_PLATFORM" not in os.environ:
    os.environ["QT_QPA_PLATFORM"] = _offscreen_projector()


@pytest.fixture(scope="session", autouse=True)
def runtime_directory():
    """Every server and client of the test run lives under a short private directory.

    Short, because a Unix socket path must fit in 107 bytes. At the end of the session nothing may
    be left in it: no FIFO, socket or directory outlives its owner.
    """
    path = tempfile.mkdtemp(prefix="ipl-")
    previous = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = path
    yield path
    if previous is None:
        os.environ.pop("XDG_RUNTIME_DIR", None)
    else:
        os.environ["XDG_RUNTIME_DIR"] = previous
    leftovers = []
    for directory, names, files in os.walk(path):
        leftovers += [os.path.join(directory, name) for name in files]
    shutil.rmtree(path, ignore_errors=True)
    assert not leftovers, f"files left behind by the test run: {leftovers[:10]}"


@pytest.fixture
def start_server():
    """Start real `ipclab serve` processes; every one is stopped (and checked) after the test."""
    started: list[ServerProcess] = []

    def start(transport: str, *extra: str, address: str | None = None, events: list | None = None) -> ServerProcess:
        server = ServerProcess(transport, address=address, extra_arguments=list(extra),
                               on_event=events.append if events is not None else None)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
    for server in started:
        assert not server.running()


@pytest.fixture(autouse=True)
def no_leaked_threads():
    """A test that leaves a thread of ours running fails."""
    before = set(threading.enumerate())
    yield
    leaked = []
    for thread in set(threading.enumerate()) - before:
        if thread.name.startswith("ipclab") and thread.is_alive():
            thread.join(timeout=5)
            if thread.is_alive():
                leaked.append(thread.name)
    assert not leaked, f"threads left running: {leaked}"


ENGINES = ("python", "native")


@pytest.fixture(params=ENGINES)
def engine(request):
    """Each client-side test runs on both engines: the Python reference and the compiled one."""
    if request.param == "native":
        from backend.native.loader import available, why_unavailable

        if not available():  # tests/test_native_build.py fails loudly for a missing build
            pytest.skip(f"native engine not built: {why_unavailable()}")
    return request.param


@pytest.fixture(params=ENGINES)
def server_engine(request):
    """Each server-side test runs against both server engines (see `engine_arguments`)."""
    if request.param == "native":
        from backend.native.loader import available, why_unavailable

        if not available():
            pytest.skip(f"native engine not built: {why_unavailable()}")
    return request.param


def engine_arguments(transport: str, engine: str) -> list[str]:
    """`ipclab serve` arguments for a server engine (native: TCP/Unix connections served in C,
    FIFO replies written in C behind the Python listener)."""
    return ["--engine", engine]


# Module-scoped servers of each transport on each engine.
SERVER_CASES = ["tcp-python", "tcp-native", "unix-python", "unix-native", "fifo-python", "fifo-native"]


def start_server_case(case: str, extra: list[str]):
    """A started ServerProcess for a SERVER_CASES entry."""
    transport, engine = case.split("-")
    if engine == "native":
        from backend.native.loader import available

        if not available():
            pytest.skip("native engine not built")
    process = ServerProcess(transport, extra_arguments=[*extra, "--engine", engine])
    process.start()
    return process
