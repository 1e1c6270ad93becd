"""Servers started under a 64-descriptor limit keep serving everybody (issue: silent at the limit).

Each server runs as a real `ipclab serve` child whose RLIMIT_NOFILE is set to 64 before it starts;
500 successive and 50 simultaneous clients must all be served. Then the limit is lowered under a
running server until not one descriptor is free, so that open() and accept() really fail with
EMFILE: the FIFO server sheds a cached reply FIFO and still answers, a socket server refuses the
pending client with BUSY (a spare descriptor) instead of leaving it hanging. Every server test
runs on both server engines.
"""

from __future__ import annotations

import os
import resource
import socket
import sys
import threading

import pytest

from backend.clients.client import make_client
from backend.processes.server_child import ServerProcess
from backend.protocol.engine import ServerError
from backend.protocol import frames as protocol
from backend.protocol.frames import ErrorCode
from tests.wire import error_code_of, raw_socket, read_until_closed, wait_for

TRANSPORTS = ["fifo", "tcp", "unix"]
LIMIT = 64
_WITH_LIMIT = (
    "import os, resource, sys; "
    "resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[1]), int(sys.argv[1]))); "
    "os.execv(sys.argv[2], sys.argv[2:])"
)


class LimitedServer(ServerProcess):
    """`ipclab serve` with RLIMIT_NOFILE set to `limit` (soft and hard) before it starts."""

    def __init__(self, transport: str, limit: int, **options) -> None:
        super().__init__(transport, **options)
        self.limit = limit

    def command(self) -> list[str]:
        return [sys.executable, "-c", _WITH_LIMIT, str(self.limit), *super().command()]


@pytest.fixture
def limited_server(server_engine):
    """Start `ipclab serve` under the limit, on each server engine in turn."""
    started: list[ServerProcess] = []

    def start(transport: str, events: list | None = None) -> ServerProcess:
        server = LimitedServer(transport, LIMIT, extra_arguments=["--events", "summary", "--engine", server_engine],
                               on_event=events.append if events is not None else None)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        assert server.running(), "the server died"
        assert server.stop() == 0


def _open_descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_500_successive_clients_under_64_descriptors(limited_server, transport):
    server = limited_server(transport)
    assert resource.prlimit(server.pid, resource.RLIMIT_NOFILE)[0] == LIMIT
    for number in range(500):
        with make_client(transport, server.address, timeout=5.0) as client:
            assert client.request(3).count == 3, f"client {number} was not served"
    assert _open_descriptors(server.pid) < LIMIT


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_50_simultaneous_clients_under_64_descriptors(limited_server, transport):
    server = limited_server(transport)
    clients = [make_client(transport, server.address, timeout=20.0) for _ in range(50)]
    connected = threading.Barrier(50, timeout=30)
    served: list[int] = []
    failures: list[BaseException] = []

    def run(client) -> None:
        try:
            client.connect()  # all 50 connections (or reply FIFOs) exist at the same time
            connected.wait()
            for _ in range(3):
                served.append(client.request(5).count)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
            connected.abort()
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures[:3]
    assert served == [5] * 150


def test_fifo_server_at_emfile_sheds_a_cached_reply_fifo_and_answers(limited_server):
    events: list = []
    server = limited_server("fifo", events)
    # Fill the server's cache of open reply FIFOs with clients that stay.
    staying = [make_client("fifo", server.address, timeout=5.0) for _ in range(8)]
    try:
        for client in staying:
            assert client.request(1).count == 1
        used = _open_descriptors(server.pid)
        resource.prlimit(server.pid, resource.RLIMIT_NOFILE, (used, LIMIT))  # not one descriptor free
        with make_client("fifo", server.address, timeout=5.0) as newcomer:
            assert newcomer.request(4).count == 4
        assert wait_for(lambda: any("closed a cached reply FIFO and retried" in event.get("error", "")
                                    for event in list(events)))
    finally:
        for client in staying:
            client.close()
        resource.prlimit(server.pid, resource.RLIMIT_NOFILE, (LIMIT, LIMIT))


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_socket_server_at_emfile_refuses_with_busy_then_serves_again(limited_server, transport):
    events: list = []
    server = limited_server(transport, events)
    used = _open_descriptors(server.pid)
    resource.prlimit(server.pid, resource.RLIMIT_NOFILE, (used, LIMIT))  # accept() fails: EMFILE
    try:
        with raw_socket(transport, server.address, timeout=10.0) as refused:
            assert error_code_of(read_until_closed(refused)) == ErrorCode.BUSY
        with make_client(transport, server.address, timeout=5.0) as client:
            with pytest.raises(ServerError) as raised:
                client.request(1)
            assert raised.value.code == ErrorCode.BUSY
    finally:
        resource.prlimit(server.pid, resource.RLIMIT_NOFILE, (LIMIT, LIMIT))
    with make_client(transport, server.address, timeout=5.0) as client:
        assert client.request(2).count == 2
    refusals = [event for event in list(events) if "accept failed" in event.get("error", "")]
    assert 1 <= len(refusals) <= 10, f"{len(refusals)} accept failures reported: the listener spun"


def test_client_reads_a_busy_sent_before_it_wrote_its_request(tmp_path):
    """A refusing server answers BUSY at accept time and closes before the client has written:
    on a Unix socket the client's write then fails with EPIPE. The client still reads the BUSY
    frame waiting for it instead of reporting a bare broken pipe."""
    path = str(tmp_path / "refuser.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    try:
        with make_client("unix", path, timeout=5.0) as client:
            client.connect()
            conn, _ = listener.accept()
            conn.sendall(protocol.encode_error(0, ErrorCode.BUSY, "server busy: test"))
            conn.close()
            with pytest.raises(ServerError) as raised:
                client.request(1)
        assert raised.value.code == ErrorCode.BUSY
    finally:
        listener.close()
