"""Faulty clients and killed servers: the others keep being served, and nothing is left behind."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import threading

import pytest

from backend.clients.client import make_client
from backend.processes.server_child import private_address, serve_command
from backend.protocol import frames as protocol
from backend.protocol.engine import ServerError
from backend.protocol.frames import ErrorCode, Request
from backend.transports.base import ConnectionRefused
from backend.transports.fifo import new_channel_number, reply_fifo_name
from tests.conftest import engine_arguments
from tests.good_client import assert_good_client_served
from tests.wire import (
    error_code_of,
    raw_socket,
    read_until_closed,
    wait_for,
    write_to_request_fifo,
)

TRANSPORTS = ["fifo", "tcp", "unix"]
FAST_TIMEOUTS = ["--request-timeout", "0.5", "--write-timeout", "1", "--idle-timeout", "30"]


def _events_named(events: list, name: str) -> list:
    return [event for event in list(events) if event.get("event") == name]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_idle_and_half_sent_clients_do_not_delay_others(start_server, transport, server_engine):
    events: list = []
    server = start_server(transport, "--events", "all", *FAST_TIMEOUTS, *engine_arguments(transport, server_engine),
                          events=events)
    if transport == "fifo":
        idle_fd = os.open(os.path.join(server.address, "request.fifo"), os.O_WRONLY | os.O_NONBLOCK)
        write_to_request_fifo(server.address, protocol.encode_request(Request(1, 1, 1, 10))[:20])
        try:
            assert_good_client_served(server)
            assert wait_for(lambda: any("incomplete request" in e.get("error", "") or "not a request" in e.get("error", "")
                                        for e in _events_named(events, "client_error")))
        finally:
            os.close(idle_fd)
        return
    with raw_socket(transport, server.address) as idle, raw_socket(transport, server.address) as half:
        half.sendall(protocol.encode_request(Request(1, 1, 1, 10))[:20])
        assert_good_client_served(server)
        # The half-sent request is dropped after the request timeout, with a TIMEOUT error frame.
        answer = read_until_closed(half)
        assert error_code_of(answer) == ErrorCode.TIMEOUT
        assert_good_client_served(server)
        idle.setblocking(False)
        with pytest.raises(BlockingIOError):
            idle.recv(1)  # the idle client is still connected (idle timeout is 30 s)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_client_that_never_reads_is_dropped_and_others_served(start_server, transport, server_engine):
    events: list = []
    server = start_server(transport, "--events", "all", *FAST_TIMEOUTS, *engine_arguments(transport, server_engine),
                          events=events)
    if transport == "fifo":
        stalled = make_client("fifo", server.address)
        stalled.connect()
        write_to_request_fifo(server.address, protocol.encode_request(
            Request(stalled.pid, stalled.channel_number, 1, 10_000_000)))
        try:
            assert_good_client_served(server)
            assert wait_for(lambda: _events_named(events, "client_error"))
        finally:
            stalled.close()
        assert_good_client_served(server)
        return
    with raw_socket(transport, server.address) as stalled:
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.sendall(protocol.encode_request(Request(1, 1, 1, 10_000_000)))
        assert_good_client_served(server)
        assert wait_for(lambda: any("stalled" in e.get("error", "") or "no data" in e.get("error", "") or
                                    "accepted no data" in e.get("error", "")
                                    for e in _events_named(events, "client_error")))
    assert_good_client_served(server)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_client_killed_mid_reply(start_server, transport, server_engine):
    events: list = []
    server = start_server(transport, "--events", "all", *engine_arguments(transport, server_engine), events=events)
    client = subprocess.Popen(
        serve_command(["bench", "--transport", transport, "--address", server.address, "--requests", "1",
                       "--count", "100000000", "--no-progress"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: any(e.get("count") == 100_000_000 for e in _events_named(events, "request")))
    finally:
        client.send_signal(signal.SIGKILL)
        client.wait()
    assert_good_client_served(server)
    assert wait_for(lambda: any(e.get("event") == "client_gone" or e.get("event") == "client_error"
                                for e in list(events)))
    assert_good_client_served(server)


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_over_the_client_cap_gets_busy(start_server, transport, server_engine):
    events: list = []
    server = start_server(transport, "--max-clients", "2", *engine_arguments(transport, server_engine), events=events)
    with raw_socket(transport, server.address) as first, raw_socket(transport, server.address) as second:
        # Make sure both are admitted before the third arrives.
        for sock in (first, second):
            sock.sendall(protocol.encode_request(Request(1, 1, 1, 1)))
            assert len(sock.recv(4096)) > 0
        with raw_socket(transport, server.address) as third:
            assert error_code_of(read_until_closed(third)) == ErrorCode.BUSY
    # Once the server has seen the two leave, there is room again.
    assert wait_for(lambda: len(_events_named(events, "client_gone")) >= 2)
    assert_good_client_served(server)


def _read_reply_header(fd: int, timeout: float = 10.0) -> bytes:
    """The first 16 bytes that arrive on a non-blocking reply FIFO (fewer if none come in time)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    data = b""
    while len(data) < protocol.REPLY_HEADER_SIZE and poller.poll(int(timeout * 1000)):
        try:
            data += os.read(fd, protocol.REPLY_HEADER_SIZE - len(data))
        except BlockingIOError:
            continue
    return data


def test_fifo_large_replies_over_the_worker_cap_get_busy(start_server, server_engine):
    """With one worker (--max-clients 1), a client that never reads its 10^7-value reply holds it.
    Another client's large request is answered at once with BUSY, for that request's id; once the
    first client has left, large replies are served again."""
    events: list = []
    server = start_server("fifo", "--max-clients", "1", "--write-timeout", "30", "--events", "all",
                          "--engine", server_engine, events=events)
    clients = []  # (pid, channel, reply FIFO path, descriptor) of the stalled client, then the refused one
    try:
        for _ in range(2):
            pid, channel = os.getpid(), new_channel_number()
            path = os.path.join(server.address, reply_fifo_name(pid, channel))
            os.mkfifo(path, 0o600)
            clients.append((pid, channel, path, os.open(path, os.O_RDWR | os.O_NONBLOCK)))  # always a reader
        (stalled_pid, stalled_channel, _, _), (pid, channel, _, refused_fd) = clients
        write_to_request_fifo(server.address, protocol.encode_request(
            Request(stalled_pid, stalled_channel, 76, 10_000_000)))
        write_to_request_fifo(server.address, protocol.encode_request(Request(pid, channel, 77, 100_000)))
        header = _read_reply_header(refused_fd)
        frame_type, request_id, _ = protocol.decode_reply_header(header)
        assert (frame_type, request_id) == (protocol.FrameType.ERROR, 77)
        assert int.from_bytes(header[12:14], "big") == ErrorCode.BUSY
        assert wait_for(lambda: any("busy" in e.get("error", "") for e in _events_named(events, "client_error")))
    finally:
        for _, _, path, fd in clients:
            os.close(fd)
            os.unlink(path)
    assert wait_for(lambda: len(_events_named(events, "client_gone")) >= 1)
    assert_good_client_served(server, count=100_000)


def _start_raw(transport: str, address: str) -> tuple[subprocess.Popen, dict]:
    option = {"fifo": "--dir", "unix": "--path", "tcp": "--address"}[transport]
    process = subprocess.Popen(serve_command(["serve", transport, option, address, "--events", "none"]),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = process.stdout.readline()
    return process, json.loads(line) if line else {}


@pytest.mark.parametrize("transport", ["fifo", "unix"])
def test_sigterm_and_sigkill_leave_nothing_after_next_start(transport):
    address = private_address(transport)
    # SIGTERM: everything removed at once.
    process, ready = _start_raw(transport, address)
    assert ready["event"] == "ready"
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0
    process.stdout.close()
    process.stderr.close()
    assert not os.path.exists(address)
    # SIGKILL: files remain, and the next start cleans them.
    process, ready = _start_raw(transport, address)
    with make_client(transport, address) as client:  # leaves a reply FIFO behind for fifo
        client.request(1)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        process.stdout.close()
        process.stderr.close()
    assert os.path.exists(address)
    with pytest.raises(ConnectionRefused):
        make_client(transport, address).request(1)
    process, ready = _start_raw(transport, address)
    assert ready["event"] == "ready", process.stderr.read()
    if transport == "fifo":
        assert ready["stale_files_removed"] >= 2
    with make_client(transport, address) as client:
        assert client.request(5).count == 5
    process.send_signal(signal.SIGTERM)
    assert process.wait(10) == 0
    process.stdout.close()
    process.stderr.close()
    assert not os.path.exists(address)


def test_second_server_on_same_fifo_directory_is_refused(start_server):
    server = start_server("fifo")
    process = subprocess.run(serve_command(["serve", "fifo", "--dir", server.address]), capture_output=True,
                             text=True, timeout=30)
    assert process.returncode == 3
    assert "already serving" in process.stderr
    assert_good_client_served(server)


def test_foreign_files_in_fifo_directory_are_never_removed(tmp_path):
    directory = tmp_path / "fifo"
    directory.mkdir(mode=0o700)
    (directory / "notes.txt").write_text("mine")
    process = subprocess.run(serve_command(["serve", "fifo", "--dir", str(directory)]), capture_output=True,
                             text=True, timeout=30)
    assert process.returncode == 3 and "not IPC Lab's" in process.stderr
    assert (directory / "notes.txt").read_text() == "mine"


def test_tcp_port_in_use_is_a_clear_error():
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        process = subprocess.run(serve_command(["serve", "tcp", "--port", str(port)]), capture_output=True,
                                 text=True, timeout=30)
    finally:
        holder.close()
    assert process.returncode == 3
    assert "already in use" in process.stderr and str(port) in process.stderr


def test_symlink_planted_as_reply_fifo_is_refused(start_server, server_engine, tmp_path):
    events: list = []
    server = start_server("fifo", "--events", "all", "--engine", server_engine, events=events)
    target = tmp_path / "victim.txt"
    target.write_text("untouched")
    pid, channel = 999_999, 4
    link = os.path.join(server.address, f"reply-{pid}-{channel}.fifo")
    os.symlink(target, link)
    try:
        write_to_request_fifo(server.address, protocol.encode_request(Request(pid, channel, 1, 10)))
        assert wait_for(lambda: any("symlink" in e.get("reason", "") or "not a FIFO" in e.get("reason", "")
                                    for e in _events_named(events, "client_gone")))
    finally:
        os.unlink(link)
    assert target.read_text() == "untouched"
    assert_good_client_served(server)


def test_ipv6_loopback(start_server):
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    server = start_server("tcp", address="[::1]:0")
    assert server.address.startswith("[::1]:")
    assert_good_client_served(server)


def test_server_error_frame_for_over_cap_count(start_server, engine, server_engine):
    server = start_server("tcp", "--max-count", "100", "--engine", server_engine)
    with make_client("tcp", server.address, engine=engine) as client:
        with pytest.raises(ServerError) as error:
            client.request(101)
        assert error.value.code == ErrorCode.COUNT_TOO_LARGE
        assert client.request(100).count == 100


def test_server_vanishing_mid_reply_is_reported(start_server):
    from backend.protocol.engine import ServerVanished
    from backend.transports.base import PeerClosed

    for transport in TRANSPORTS:
        server = start_server(transport)
        client = make_client(transport, server.address, timeout=10.0)
        chunks = []

        def sink(values, server=server):
            chunks.append(len(values))
            if len(chunks) == 2:
                os.kill(server.pid, signal.SIGKILL)

        with pytest.raises((ServerVanished, PeerClosed)):
            client.request(50_000_000, sink=sink)
        client.close()
        server.stop()


def test_tcp_client_never_connects_to_itself():
    """With no server on a local ephemeral port, Linux may connect a socket to itself; the
    original exercise's client then printed its own request as the reply. Ours refuses."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    for _ in range(200):
        with pytest.raises(ConnectionRefused):
            make_client("tcp", f"127.0.0.1:{port}", connect_timeout=1.0).request(1)


def test_half_sent_request_timeout_runs_from_the_first_byte(start_server, server_engine):
    """A client trickling one byte at a time cannot hold a connection past the request timeout."""
    server = start_server("tcp", "--request-timeout", "0.5", "--engine", server_engine)
    import time

    with raw_socket("tcp", server.address) as trickle:
        frame = protocol.encode_request(Request(1, 1, 1, 10))
        started = time.monotonic()
        answer = b""
        for byte in frame[:40]:
            try:
                trickle.sendall(bytes([byte]))
            except OSError:
                break
            trickle.settimeout(0.3)
            try:
                answer = trickle.recv(4096)
                if answer:
                    break
            except socket.timeout:
                continue
        assert error_code_of(answer + read_until_closed(trickle)) == ErrorCode.TIMEOUT
        assert time.monotonic() - started < 5
    assert_good_client_served(server)


def test_fifo_server_refuses_a_directory_another_implementation_serves(tmp_path):
    """No pid file (a student's server, say), but someone reads request.fifo: refuse, delete nothing."""
    directory = tmp_path / "fifo"
    directory.mkdir(mode=0o700)
    request_fifo = directory / "request.fifo"
    os.mkfifo(request_fifo, 0o600)
    reader = os.open(request_fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        process = subprocess.run(serve_command(["serve", "fifo", "--dir", str(directory)]), capture_output=True,
                                 text=True, timeout=30)
        assert process.returncode == 3 and "already serving" in process.stderr
        assert request_fifo.exists()
    finally:
        os.close(reader)


def test_sigterm_stops_a_server_whatever_thread_receives_it(start_server):
    """Signals are taken by one thread with sigwait, so a SIGTERM delivered while the main thread
    blocks in poll() or read() still stops the server promptly (it once hung after a bulk reply)."""
    for transport in TRANSPORTS:
        server = start_server(transport)
        with make_client(transport, server.address) as client:
            client.request(300_000)  # starts the server's helper threads (generation, workers)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(10) == 0
        server.stop()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_every_transport_counts_clients_the_same_way(start_server, transport):
    """A client is active from its first request until it goes: a socket client when it closes its
    connection, a FIFO client when it removes its reply FIFO. Two clients come and go: both are
    reported gone, and the next stats event counts 0 active clients of 2 in all."""
    events: list = []
    server = start_server(transport, "--events", "all", events=events)
    assert_good_client_served(server)
    assert_good_client_served(server)
    assert wait_for(lambda: len(_events_named(events, "client_gone")) == 2, timeout=10)
    assert len(_events_named(events, "client_connected")) == 2
    assert wait_for(lambda: any(event["clients_active"] == 0 and event["clients_total"] == 2
                                for event in _events_named(events, "stats")), timeout=10)


def test_garbage_in_the_request_fifo_is_reported_at_once_and_in_full(start_server):
    """256 bytes that hold no request are skipped as 256 bytes, not 253 now and 3 bytes later."""
    from backend.classroom.fault_demos import garbage_client

    events: list = []
    server = start_server("fifo", "--events", "all", events=events)
    for seed in range(8):  # several random tails, some of which end in a letter of the magic
        garbage_client("fifo", server.address, size=256, seed=seed)
        assert wait_for(lambda: len(_events_named(events, "client_error")) > seed, timeout=10)
    errors = [event["error"] for event in _events_named(events, "client_error")]
    assert errors == ["skipped 256 bytes that were not a request"] * 8
    assert_good_client_served(server)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_server_vanishing_mid_reply_is_reported_by_the_native_engine(start_server, transport):
    """The native client reading a 50,000,000-value reply when the server is killed: the same
    exceptions as the Python engine, promptly (the FIFO client sees the request FIFO's POLLERR)."""
    from backend.native.loader import available
    from backend.protocol.engine import ServerVanished
    from backend.transports.base import PeerClosed

    if not available():
        pytest.skip("native engine not built")
    events: list = []
    server = start_server(transport, events=events)
    client = make_client(transport, server.address, timeout=20.0, engine="native")

    def kill_when_serving() -> None:
        if wait_for(lambda: any(e.get("count") == 50_000_000 for e in _events_named(events, "request"))):
            os.kill(server.pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_when_serving)
    killer.start()
    try:
        with pytest.raises((ServerVanished, PeerClosed)):
            client.request(50_000_000)
    finally:
        killer.join()
        client.close()
