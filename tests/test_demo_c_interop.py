"""The C examples and the Python code speak the same protocol, on every transport, both ways round.

(a) the Python client (the one the GUI uses) against the C server;
(b) the C client against `ipclab serve`.
The C programs are built with `make -C examples/c` into a temporary copy.
"""

from __future__ import annotations

import errno
import json
import os
import re
import selectors
import shutil
import signal
import subprocess

import pytest

from backend.classroom.fault_demos import garbage_client
from backend.classroom.stepping import Stepper
from backend.classroom.traced_exchange import traced_exchange
from backend.clients.client import make_client
from backend.processes.server_child import private_address
from tests.wire import wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSPORTS = ["fifo", "tcp", "unix"]


@pytest.fixture(scope="module")
def c_programs(tmp_path_factory) -> dict[str, str]:
    if shutil.which("cc") is None:
        pytest.skip("no C compiler (cc) on this system: cannot build examples/c")
    if shutil.which("make") is None:
        pytest.skip("no make on this system: cannot build examples/c")
    build = tmp_path_factory.mktemp("c-examples") / "c"
    shutil.copytree(os.path.join(ROOT, "examples", "c"), build)
    result = subprocess.run(["make", "-C", str(build)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"building examples/c failed:\n{result.stdout}\n{result.stderr}"
    return {name: str(build / name) for name in ("ipclab_client", "ipclab_server")}


class CServer:
    """The C server as a child process: started, its ready line awaited, SIGTERM, nothing left."""

    def __init__(self, program: str, transport: str) -> None:
        self.transport = transport
        self.requested = private_address(transport)
        self.process = subprocess.Popen([program, transport, self.requested], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while not line.endswith(b"\n"):
                if not selector.select(10):
                    self.stop()
                    raise AssertionError("the C server printed no ready line within 10 s")
                chunk = os.read(self.process.stdout.fileno(), 1)
                if not chunk:
                    self.stop()
                    raise AssertionError(f"the C server exited: {self.process.stderr.read()!r}")
                line += chunk
        self.ready = json.loads(line)
        assert self.ready["event"] == "ready" and self.ready["protocol"] == 1
        assert self.ready["transport"] == transport and self.ready["pid"] == self.process.pid
        self.address = self.ready["address"]
        self.pid = self.ready["pid"]
        if transport == "fifo":
            # examples/c/ipclab_server.c prints its ready line before it opens request.fifo for
            # reading (print_ready comes before serve_fifo): wait until a reader is there.
            assert wait_for(self._fifo_has_reader, 5), "the C server never opened its request FIFO"

    def _fifo_has_reader(self) -> bool:
        try:
            os.close(os.open(os.path.join(self.address, "request.fifo"), os.O_WRONLY | os.O_NONBLOCK))
        except OSError as error:
            if error.errno in (errno.ENXIO, errno.ENOENT):
                return False
            raise
        return True

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()
        return self.process.returncode


@pytest.fixture(params=TRANSPORTS)
def c_server(request, c_programs, runtime_directory):
    server = CServer(c_programs["ipclab_server"], request.param)
    yield server
    assert server.stop() == 0
    if server.transport in ("fifo", "unix"):
        assert not os.path.exists(server.requested), f"the C server left {server.requested} behind"


def test_python_client_against_the_c_server(c_server):
    with make_client(c_server.transport, c_server.address, timeout=10.0) as client:
        for count in (1, 50, 300_000):  # the last one needs two CHUNK frames
            result = client.request(count, -5, 5)
            values = result.values.astype(int)
            assert len(values) == count and values.min() >= -5 and values.max() <= 5
            assert result.server_pid == c_server.pid
        assert client.request(0).count == 0
    with make_client(c_server.transport, c_server.address, timeout=10.0, capture_wire=True) as client:
        result = client.request(4, 100, 103)
        assert client.last_wire.reply_end[16:20] == c_server.pid.to_bytes(4, "big")
    seen = []
    result, wire = traced_exchange(c_server.transport, c_server.address, 3, 1, 2, Stepper(seen.append))
    assert result.server_pid == c_server.pid and set(result.values.astype(int)) <= {1, 2}
    assert seen[-1].syscall in ("close", "unlink", "unlinkat")
    garbage = garbage_client(c_server.transport, c_server.address, size=100, seed=3)
    assert garbage["answer"] in (("none",) if c_server.transport == "fifo" else ("error", "closed"))
    with make_client(c_server.transport, c_server.address, timeout=10.0) as client:
        assert client.request(2).server_pid == c_server.pid  # still serving after the garbage


_OUTPUT = re.compile(r"client pid: (\d+)\nnumbers:([ \-\d]*)\nserver pid: (\d+)\ngeneration: \d+ ns, service: \d+ ns\n")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_c_client_against_ipclab_serve(c_programs, start_server, server_engine, transport):
    server = start_server(transport, "--events", "none", "--max-count", "1000", "--engine", server_engine)
    run = [c_programs["ipclab_client"], transport, server.address]
    result = subprocess.run(run + ["7", "-3", "3"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    match = _OUTPUT.fullmatch(result.stdout)
    assert match, result.stdout
    numbers = [int(word) for word in match.group(2).split()]
    assert len(numbers) == 7 and all(-3 <= n <= 3 for n in numbers)
    assert int(match.group(3)) == server.pid and int(match.group(1)) > 0
    default = subprocess.run(run, capture_output=True, text=True, timeout=30)  # the classic: 1..10 numbers
    assert default.returncode == 0 and 1 <= len(_OUTPUT.fullmatch(default.stdout).group(2).split()) <= 10
    refused = subprocess.run(run + ["5000"], capture_output=True, text=True, timeout=30)
    assert refused.returncode == 1 and "COUNT_TOO_LARGE" in refused.stderr


def test_c_fifo_client_notices_a_dead_server_at_once(c_programs, tmp_path):
    """The server reads the request and dies before answering: the C client sees POLLERR on the
    request FIFO it kept open (PROTOCOL.md 11.3.2, step 4) and fails at once, not after its 30 s
    no-progress timeout."""
    directory = private_address("fifo")
    os.mkdir(directory, 0o700)
    request_path = os.path.join(directory, "request.fifo")
    os.mkfifo(request_path, 0o600)
    server_end = os.open(request_path, os.O_RDONLY | os.O_NONBLOCK)  # plays the server
    client = subprocess.Popen([c_programs["ipclab_client"], "fifo", directory, "5"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        selector = selectors.DefaultSelector()
        selector.register(server_end, selectors.EVENT_READ)
        assert selector.select(10), "the C client sent no request"
        selector.close()
        assert len(os.read(server_end, 4096)) == 48
        os.close(server_end)  # the server is gone
        server_end = -1
        _, error = client.communicate(timeout=15)
        assert client.returncode == 3 and "server is gone" in error, error
    finally:
        if server_end >= 0:
            os.close(server_end)
        if client.poll() is None:
            client.kill()
            client.wait()
        shutil.rmtree(directory, ignore_errors=True)
