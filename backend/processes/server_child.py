"""Start and stop an `ipclab serve` child process from plain Python (for `ipclab bench` and tests).

The GUI has its own QProcess-based owner; both build the command line with `serve_command`, so a
source install runs `python -m backend serve ...` and a frozen bundle runs its own binary.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from typing import Callable

from backend.transports.fifo import ensure_private_directory, runtime_base_directory

READY_TIMEOUT = 10.0
_private_numbers = itertools.count()


class ServerStartError(Exception):
    """The server process could not be started or never printed its ready line."""


# Python 3.10 has no -P: the same without the current directory in sys.path, by hand.
_RUN_WITHOUT_CURRENT_DIRECTORY = "import runpy, sys; del sys.path[0]; runpy.run_module('backend', run_name='__main__')"


def serve_command(arguments: list[str]) -> list[str]:
    """The command that runs `ipclab <arguments>` with this very installation.

    Not plain `python -m backend`: that imports `backend` from the current directory first, so
    a GUI started inside a source checkout (README's `pip install . && .venv/bin/ipclab`) would
    run its servers from the uncompiled source tree, on the Python engine, instead of the
    installed package. -P (Python >= 3.11) leaves the current directory out of sys.path."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *arguments]
    if sys.version_info >= (3, 11):
        return [sys.executable, "-P", "-m", "backend", *arguments]
    return [sys.executable, "-c", _RUN_WITHOUT_CURRENT_DIRECTORY, *arguments]


def private_address(transport: str) -> str | None:
    """A fresh address only this process uses (None for TCP: the server picks a free port)."""
    if transport == "tcp":
        return "127.0.0.1:0"
    base = runtime_base_directory()
    ensure_private_directory(base)
    name = f"run-{os.getpid()}-{next(_private_numbers)}"
    if transport in ("fifo", "naive-fifo"):
        return os.path.join(base, name)
    return os.path.join(base, name + ".sock")


def clean_up_after_server(transport: str, address: str) -> bool:
    """After a server process has exited, remove the FIFOs, directory or socket it left behind
    (a server killed with SIGKILL cannot clean up itself). Only IPC Lab's own files are removed,
    and nothing while a live server still owns the address. Returns whether anything was removed.
    """
    if not address:
        return False
    if transport == "fifo":
        from backend.transports.fifo import FifoDirectory, fifos_supported

        return fifos_supported() and FifoDirectory(address).remove_if_stale()
    if transport == "naive-fifo":
        from backend.classroom.naive import NaiveFifoDirectory
        from backend.transports.fifo import fifos_supported

        return fifos_supported() and NaiveFifoDirectory(address).remove_if_stale()
    if transport == "unix":
        from backend.transports.unix import remove_stale_socket

        return remove_stale_socket(address)
    return False


class ServerProcess:
    """One `ipclab serve` child: started, waited for (ready line), watched, stopped for sure."""

    def __init__(
        self,
        transport: str,
        address: str | None = None,
        extra_arguments: list[str] | None = None,
        on_event: Callable[[dict], None] | None = None,
    ) -> None:
        self.transport = transport
        self.requested_address = address if address is not None else private_address(transport)
        self.extra_arguments = list(extra_arguments or [])
        self.on_event = on_event
        self.process: subprocess.Popen[bytes] | None = None
        self.address = ""
        self.pid = 0
        self.ready_event: dict = {}
        self._reader: threading.Thread | None = None
        self._error_reader: threading.Thread | None = None
        self._error_lines: collections.deque[str] = collections.deque(maxlen=50)
        self.stderr_text = ""

    def command(self) -> list[str]:
        arguments = ["serve", self.transport, "--die-with-parent", *self.extra_arguments]
        if self.requested_address:
            option = {"fifo": "--dir", "naive-fifo": "--dir", "unix": "--path", "tcp": "--address"}[self.transport]
            arguments += [option, self.requested_address]
        return serve_command(arguments)

    def start(self, timeout: float = READY_TIMEOUT) -> str:
        """Start the server and wait for its ready line; return the address it serves."""
        self.process = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            close_fds=True,
        )
        assert self.process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        line = b""
        fd = self.process.stdout.fileno()
        try:
            while not line.endswith(b"\n"):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    self.stop()
                    raise ServerStartError(f"the {self.transport} server did not become ready within {timeout:g} s")
                chunk = os.read(fd, 1)
                if not chunk:
                    self.process.wait(timeout=5)
                    error = self.process.stderr.read().decode(errors="replace").strip() if self.process.stderr else ""
                    raise ServerStartError(error or f"the server exited with code {self.process.returncode}")
                line += chunk
        finally:
            selector.close()
        try:
            event = json.loads(line)
        except ValueError:
            self.stop()
            raise ServerStartError(f"the server printed {line!r} instead of a ready line") from None
        self.ready_event = event
        self.address = event["address"]
        self.pid = event["pid"]
        self._reader = threading.Thread(target=self._drain, name="ipclab-server-output", daemon=True)
        self._reader.start()
        self._error_reader = threading.Thread(target=self._drain_errors, name="ipclab-server-errors", daemon=True)
        self._error_reader.start()
        return self.address

    def _drain(self) -> None:
        """Read the server's later event lines (and keep its stdout pipe from filling up)."""
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            if self.on_event is not None:
                try:
                    self.on_event(json.loads(line))
                except ValueError:
                    pass

    def _drain_errors(self) -> None:
        """Keep the last lines of the server's stderr (and keep that pipe from filling up)."""
        assert self.process is not None and self.process.stderr is not None
        for line in self.process.stderr:
            self._error_lines.append(line.decode(errors="replace"))

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM, wait up to `timeout`, then SIGKILL; always reaps the child. Returns its exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            try:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            except ProcessLookupError:
                pass
        process.wait()
        clean_up_after_server(self.transport, self.address or self.requested_address or "")
        for reader in (self._reader, self._error_reader):
            if reader is not None:
                reader.join(timeout=2)
        self.stderr_text = "".join(self._error_lines)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                try:
                    stream.close()
                except (OSError, ValueError):
                    pass
        return process.returncode

    def __enter__(self) -> "ServerProcess":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
