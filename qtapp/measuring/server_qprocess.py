"""`QtServerProcess`: one `ipclab serve` child owned through a QProcess (the qutebrowser way).

It checks that the program exists before starting, reads only the server's JSON event lines on
stdout, keeps the tail of stderr for error messages, times out a server that never becomes
ready, and stops for sure (terminate, wait, kill). Private FIFO directories and sockets that a
killed server could not remove are removed here.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import stat
import sys
import time

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

import backend
from backend.processes.server_child import private_address, serve_command
from qtapp.measuring.client_worker import WORKER_NICENESS

READY_TIMEOUT_MS = 10_000
TERMINATE_GRACE_MS = 1_500
EXIT_CANNOT_SERVE = 3
STDERR_LINES_SHOWN = 5  # a server that exits while starting is reported with its last stderr lines
STDERR_LINE_LIMIT = 300
ADDRESS_OPTIONS = {"fifo": "--dir", "unix": "--path", "tcp": "--address"}


class ServerState:
    """The states a server panel shows."""

    STOPPED = "stopped"
    STARTING = "starting"
    LISTENING = "listening"
    STOPPING = "stopping"
    CRASHED = "crashed"
    FAILED = "failed"

    RUNNING_STATES = (STARTING, LISTENING, STOPPING)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class QtServerProcess(QObject):
    """Owns one server child process of one transport and reports what it does through signals.

    Signals:
        state_changed(str): one of ServerState's values.
        ready(dict): the server's "ready" event (address, pid, ...).
        event(dict): every later event line (request, reply_sent, stats, ...).
        failed(str): a human-readable reason it could not start or stopped unexpectedly.
    """

    state_changed = Signal(str)
    ready = Signal(dict)
    event = Signal(dict)
    failed = Signal(str)

    def __init__(self, transport: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.transport = transport
        self.configured_address = ""  # empty: a fresh private address on each start
        self.state = ServerState.STOPPED
        self.address = ""
        self.pid = 0
        self.started_at = 0.0
        self.requests_served = 0
        self.last_stats: dict = {}
        self.message = ""
        self._process: QProcess | None = None
        self._stdout_buffer = b""
        self._stderr_tail = b""
        self._private_path = ""
        self._ready_timer = QTimer(self)
        self._ready_timer.setSingleShot(True)
        self._ready_timer.timeout.connect(self._on_ready_timeout)
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self._kill)
        self._restart_after_stop = False
        self._timed_out = False
        self.ready_timeout_ms = READY_TIMEOUT_MS
        self.custom_command = ""  # the user's own server command ("" runs the built-in server)
        self.extra_arguments: list[str] = []  # more `ipclab serve` options (e.g. --step)
        self.engine = "auto"  # `ipclab serve --engine`: auto, native or python (step mode: always python)
        self.keep_stdin_open = False  # for servers driven through their stdin (step mode)
        self.ready_event: dict = {}
        self._last_other_line = ""  # the last stdout line that was not JSON (shown when no ready line comes)

    # -- public API ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.state in ServerState.RUNNING_STATES

    @property
    def uptime_s(self) -> float:
        if self.state != ServerState.LISTENING:
            return 0.0
        return time.monotonic() - self.started_at

    def command(self) -> list[str]:
        """The full command line: the app's own executable with `serve`, or the user's command with
        `{address}` replaced by a fresh private address."""
        if self.custom_command.strip():
            return self._custom_command()
        address = self.configured_address.strip()
        if not address:
            address = private_address(self.transport) or "127.0.0.1:0"
            self._private_path = address if self.transport != "tcp" else ""
        else:
            self._private_path = ""
        engine = "python" if "--step" in self.extra_arguments else self.engine  # step mode is Python's
        arguments = ["serve", self.transport, "--die-with-parent", "--events", "all",
                     ADDRESS_OPTIONS[self.transport], address, "--engine", engine,
                     "--nice", str(WORKER_NICENESS), *self.extra_arguments]  # gives way to the GUI thread, as the clients
        return serve_command(arguments)

    def _custom_command(self) -> list[str]:
        words = shlex.split(self.custom_command)
        self._private_path = ""
        if any("{address}" in word for word in words):
            address = private_address(self.transport) or "127.0.0.1:0"
            self._private_path = address if self.transport != "tcp" else ""
            words = [word.replace("{address}", address) for word in words]
        program = words[0]
        if os.sep not in program:
            program = shutil.which(program) or program
        words[0] = os.path.abspath(program) if os.sep in program else program
        return words

    def start(self) -> None:
        """Start the server; `ready` or `failed` follows. Does nothing if it is already running."""
        if self.running:
            return
        self._restart_after_stop = False
        try:
            command = self.command()
        except ValueError as error:  # shlex: e.g. an unclosed quote
            self._fail(ServerState.FAILED, f"cannot start the server: the command is not valid: {error}")
            return
        if not command:
            self._fail(ServerState.FAILED, "cannot start the server: the command is empty")
            return
        program = command[0]
        if not (os.path.isfile(program) and os.access(program, os.X_OK)):
            what = "is missing" if not os.path.exists(program) else "is not an executable file"
            self._fail(ServerState.FAILED, f"cannot start the server: the program {program} {what}")
            return
        self.address, self.pid, self.requests_served, self.last_stats = "", 0, 0, {}
        self.ready_event, self._last_other_line = {}, ""
        self._stdout_buffer, self._stderr_tail = b"", b""
        process = QProcess(self)
        process.setProcessEnvironment(self._environment())
        process.setProgram(program)
        process.setArguments(command[1:])
        process.setInputChannelMode(QProcess.InputChannelMode.ManagedInputChannel)
        process.readyReadStandardOutput.connect(self._on_stdout)
        process.readyReadStandardError.connect(self._on_stderr)
        process.errorOccurred.connect(self._on_error)
        process.finished.connect(self._on_finished)
        self._process = process
        self.message = ""
        self._timed_out = False
        self._set_state(ServerState.STARTING)
        self._ready_timer.start(self.ready_timeout_ms)
        process.start()
        if not self.keep_stdin_open:
            process.closeWriteChannel()

    def write_line(self, text: str) -> bool:
        """Write one line to the server's stdin (servers started with keep_stdin_open)."""
        process = self._process
        if process is None or process.state() != QProcess.ProcessState.Running:
            return False
        process.write((text + "\n").encode())
        return True

    def stop(self) -> None:
        """Ask the server to stop (SIGTERM); kill it if it has not exited after a grace period."""
        self._restart_after_stop = False
        self._request_stop()

    def restart(self) -> None:
        """Stop (if running) and start again once it has exited."""
        if not self.running:
            self.start()
            return
        self._request_stop()
        self._restart_after_stop = True

    def shutdown(self, timeout_ms: int = TERMINATE_GRACE_MS) -> None:
        """Stop now and wait for it (blocking, at most about `timeout_ms` + 0.5 s): for app exit."""
        self._restart_after_stop = False
        process = self._process
        if process is None:
            return
        if process.state() != QProcess.ProcessState.NotRunning:
            if self.state != ServerState.STOPPING:
                self._set_state(ServerState.STOPPING)
            process.terminate()
            if not process.waitForFinished(timeout_ms):
                process.kill()
                process.waitForFinished(500)
        if self._process is process:  # `finished` was not delivered (no event loop running)
            self._on_finished(process.exitCode(), process.exitStatus())

    # -- internals ----------------------------------------------------------------------------
    @staticmethod
    def _environment() -> QProcessEnvironment:
        environment = QProcessEnvironment.systemEnvironment()
        if not getattr(sys, "frozen", False):
            # `python -m backend` must find this very source tree, whatever the working directory.
            root = os.path.dirname(os.path.dirname(os.path.abspath(backend.__file__)))
            existing = environment.value("PYTHONPATH", "")
            environment.insert("PYTHONPATH", root + (os.pathsep + existing if existing else ""))
        environment.insert("PYTHONUNBUFFERED", "1")
        return environment

    def _request_stop(self) -> None:
        process = self._process
        if process is None or process.state() == QProcess.ProcessState.NotRunning:
            return
        self._ready_timer.stop()
        self._set_state(ServerState.STOPPING)
        process.terminate()
        self._kill_timer.start(TERMINATE_GRACE_MS)

    def _kill(self) -> None:
        if self._process is not None and self._process.state() != QProcess.ProcessState.NotRunning:
            self._process.kill()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _fail(self, state: str, message: str) -> None:
        self.message = message
        self._set_state(state)
        self.failed.emit(message)

    def _on_stdout(self) -> None:
        process = self._process
        if process is None:
            return
        self._stdout_buffer += bytes(process.readAllStandardOutput().data())
        *lines, self._stdout_buffer = self._stdout_buffer.split(b"\n")
        if len(self._stdout_buffer) > 1 << 20:  # no newline in a megabyte: not an event line
            self._stdout_buffer = b""
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                if line.strip():
                    self._last_other_line = line.strip()[:200].decode(errors="replace")
                continue  # only JSON event lines count; anything else is ignored
            if isinstance(record, dict):
                self._handle_event(record)

    def _handle_event(self, record: dict) -> None:
        kind = record.get("event")
        if kind == "ready" and self.state == ServerState.STARTING:
            self._ready_timer.stop()
            announced = record.get("transport")
            if self.custom_command and announced != self.transport:
                self.message = (f"the command announced a {announced!r} server in its ready line, "
                                f"but this panel is for {self.transport}")
                self._timed_out = True  # shown as a failure once it has stopped
                self._request_stop()
                return
            self.ready_event = record
            self.address = str(record.get("address", ""))
            self.pid = int(record.get("pid", 0) or 0)
            self.started_at = time.monotonic()
            self._set_state(ServerState.LISTENING)
            self.ready.emit(record)
        elif kind in ("stats", "stopped"):
            self.last_stats = record
            self.requests_served = int(record.get("requests", self.requests_served) or 0)
        elif kind == "reply_sent" and not self.last_stats:
            self.requests_served += 1
        self.event.emit(record)

    def _on_stderr(self) -> None:
        if self._process is not None:
            self._stderr_tail = (self._stderr_tail + bytes(self._process.readAllStandardError().data()))[-4096:]

    def stderr_lines(self, limit: int = STDERR_LINES_SHOWN) -> list[str]:
        """The last `limit` non-empty lines the server wrote to its stderr (its latest run)."""
        lines = [line.rstrip() for line in self._stderr_tail.decode(errors="replace").splitlines() if line.strip()]
        return [line[:STDERR_LINE_LIMIT] for line in lines[-limit:]]

    def _last_stderr_line(self) -> str:
        lines = self.stderr_lines(1)
        return lines[0].strip().removeprefix("ipclab serve: ") if lines else ""

    def _on_ready_timeout(self) -> None:
        if self.state != ServerState.STARTING:
            return
        seconds = self.ready_timeout_ms / 1000
        self._timed_out = True
        self.message = f"the server did not become ready within {seconds:g} s"
        if self.custom_command:
            self.message = (f"your command printed no ready line within {seconds:g} s. A server must print one "
                            'JSON line on stdout when it listens, e.g. {"event": "ready", "transport": '
                            f'"{self.transport}", "address": "…", "pid": 1234, "protocol": 1}} (docs/PROTOCOL.md)')
            if self._last_other_line:
                self.message += f"; it printed: {self._last_other_line!r}"
        self._request_stop()

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._process is not None:
            reason = self._process.errorString()
            self._ready_timer.stop()
            self._forget_process()
            self._fail(ServerState.FAILED, f"cannot start the server: {reason}")

    def _on_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        process = self._process
        if process is None:
            return
        self._on_stdout()
        self._on_stderr()
        self._ready_timer.stop()
        self._kill_timer.stop()
        previous = self.state
        crashed = exit_status == QProcess.ExitStatus.CrashExit
        self._forget_process()
        self._remove_leftovers()
        if previous == ServerState.STOPPING:
            if self._timed_out:
                self._fail(ServerState.FAILED, self.message)
            else:
                self._set_state(ServerState.STOPPED)
            if self._restart_after_stop:
                self._restart_after_stop = False
                self.start()
            return
        status = f"killed by {_signal_name(exit_code)}" if crashed else f"exit code {exit_code}"
        if previous == ServerState.STARTING:
            self._fail(ServerState.FAILED, self._exit_while_starting(status, exit_code, crashed))
            return
        detail = self._last_stderr_line() or (self._last_other_line if self.custom_command else "")
        self._fail(ServerState.CRASHED, f"crashed ({status})" + (f": {detail}" if detail and not crashed else ""))

    def _exit_while_starting(self, status: str, exit_code: int, crashed: bool) -> str:
        """Why a server that exited before its ready line did so: its exit status and, for the user's
        own command, the last lines of its stderr (a built-in server's last line says it all)."""
        detail = self._last_stderr_line()
        if not self.custom_command:
            if crashed:
                return f"the server was killed by {_signal_name(exit_code)} while starting"
            if exit_code == EXIT_CANNOT_SERVE:
                return detail or "the server could not start at its address"
            return f"{detail} ({status})" if detail else f"the server exited with {status} while starting"
        message = f"your command exited before printing its ready line ({status})"
        stderr = self.stderr_lines()
        if stderr:
            message += "; the last lines of its stderr:\n" + "\n".join(stderr)
        elif self._last_other_line:
            message += f"; it printed: {self._last_other_line!r}"
        else:
            message += "; it printed nothing"
        return message

    def _forget_process(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.readyReadStandardOutput.disconnect(self._on_stdout)
            process.readyReadStandardError.disconnect(self._on_stderr)
            process.deleteLater()

    def _remove_leftovers(self) -> None:
        """Remove the private FIFO directory or socket a killed server could not clean up."""
        path, self._private_path = self._private_path, ""
        if not path:
            return
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return
        if self.transport == "unix" and stat.S_ISSOCK(info.st_mode):
            os.unlink(path)
        elif self.transport == "fifo" and stat.S_ISDIR(info.st_mode):
            shutil.rmtree(path, ignore_errors=True)
