"""FIFO replies that a client abandons, fragments ahead of a request, and hard-linked reply FIFOs.

Each test plays the client with the documented system calls (mkfifo, open, read, write on the
real FIFOs of a real `ipclab serve fifo`), or uses the project's own FIFO client; every test
runs against both server engines (the native one writes small replies in C).
"""

from __future__ import annotations

import os
import select

import numpy as np
import pytest

from backend.clients.client import make_client
from backend.protocol import frames as protocol
from backend.protocol.engine import reference_values
from backend.protocol.frames import Request
from backend.transports.fifo import new_channel_number, reply_fifo_name
from tests.wire import wait_for, write_to_request_fifo

BIG = 1_000_000  # values: a 4 MB reply, four CHUNK frames
STOP_AFTER = 128 * 1024  # bytes the client reads before it gives up on the reply


def _events_with(events: list, text: str) -> list:
    return [event for event in list(events) if text in str(event.get("reason", "")) + str(event.get("error", ""))]


def _read_available(fd: int, limit: int, timeout: float = 10.0) -> bytes:
    """Read from a non-blocking FIFO until `limit` bytes arrived or nothing came for `timeout` s."""
    data = bytearray()
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while len(data) < limit:
        try:
            chunk = os.read(fd, min(65536, limit - len(data)))
        except BlockingIOError:
            if not poller.poll(int(timeout * 1000)):
                break
            continue
        if not chunk:  # no writer (yet): wait for one
            if not poller.poll(int(timeout * 1000)):
                break
            continue
        data += chunk
    return bytes(data)


def test_abandoned_reply_stops_and_never_flows_to_a_new_reader(start_server, server_engine):
    """A client reads 128 KiB of a 10^6-value reply, then hands its reply FIFO to a new reader
    (the old one closed, with no moment without a reader) and sends its next request. Requests
    are sequential per client, so the server stops the old reply: the new reader gets at most
    what was already in the pipe, never the remaining megabytes."""
    events: list = []
    server = start_server("fifo", "--events", "all", "--engine", server_engine, events=events)
    pid, channel = os.getpid(), new_channel_number()
    path = os.path.join(server.address, reply_fifo_name(pid, channel))
    os.mkfifo(path, 0o600)
    try:
        first_reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        write_to_request_fifo(server.address, protocol.encode_request(Request(pid, channel, 1, BIG)))
        assert len(_read_available(first_reader, STOP_AFTER)) == STOP_AFTER
        new_reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.close(first_reader)
        write_to_request_fifo(server.address, protocol.encode_request(Request(pid, channel, 2, 10)))
        stale = _read_available(new_reader, 8 * BIG, timeout=1.0)
        os.close(new_reader)
    finally:
        os.unlink(path)
    full_reply = 4 * BIG + 16 * 4 + 40
    assert len(stale) < full_reply - STOP_AFTER - 1024 * 1024, f"{len(stale)} bytes of the old reply kept coming"
    assert wait_for(lambda: _events_with(events, "abandoned")), "the server did not report the abandoned reply"


def test_project_fifo_client_recovers_after_abandoning_a_reply(start_server, server_engine):
    """The Python FIFO client gives up on a reply (its sink fails after the first chunk), then is
    used again: it takes a new reply FIFO (recovery rule, PROTOCOL.md 11.3.2) and every later
    reply is exactly right; the server stops writing the abandoned one."""
    events: list = []
    server = start_server("fifo", "--events", "all", "--engine", server_engine, events=events)

    class Enough(Exception):
        pass

    def stop_reading(values: np.ndarray) -> None:
        raise Enough

    with make_client("fifo", server.address, timeout=10.0) as client:
        client.connect()
        old_path = client._channel.reply_path
        with pytest.raises(Enough):
            client.request(BIG, 1, 100, seed=7, sink=stop_reading)
        assert not os.path.exists(old_path)
        for seed in (8, 9):
            result = client.request(300_000, -50, 50, seed=seed)
            assert np.array_equal(result.values.astype(np.int32), reference_values(seed, 300_000, -50, 50))
        assert client._channel.reply_path != old_path
    assert wait_for(lambda: _events_with(events, "closed its reply FIFO") or _events_with(events, "abandoned")
                    or _events_with(events, "removed its reply FIFO"))


@pytest.mark.parametrize("fragment", [
    protocol.encode_request(Request(1, 1, 1, 1))[:7],  # the start of a version-1 request
    protocol.MAGIC + bytes([2, 1, 0]),  # the start of another version's request
], ids=["version-1 fragment", "other-version fragment"])
def test_a_fragment_does_not_delay_the_next_request(start_server, server_engine, fragment):
    """With a 30 s half-sent timeout, the request behind a 7-byte fragment is answered within the
    client's 10 s timeout: the server resynchronises at once instead of waiting out the fragment."""
    server = start_server("fifo", "--events", "none", "--request-timeout", "30", "--engine", server_engine)
    with make_client("fifo", server.address, timeout=10.0) as client:
        client.connect()
        write_to_request_fifo(server.address, fragment)
        assert client.request(6).count == 6
        assert client.request(2).count == 2


def test_hard_link_to_a_fifo_outside_the_directory_gets_no_reply(start_server, server_engine):
    events: list = []
    server = start_server("fifo", "--events", "all", "--engine", server_engine, events=events)
    outside = os.path.join(os.path.dirname(server.address), f"outside-{os.getpid()}.fifo")
    pid, channel = os.getpid(), new_channel_number()
    linked = os.path.join(server.address, reply_fifo_name(pid, channel))
    os.mkfifo(outside, 0o600)
    try:
        os.link(outside, linked)
        reader = os.open(outside, os.O_RDONLY | os.O_NONBLOCK)
        try:
            write_to_request_fifo(server.address, protocol.encode_request(Request(pid, channel, 1, 5)))
            assert wait_for(lambda: _events_with(events, "links")), "no refusal reported"
            with make_client("fifo", server.address, timeout=5.0) as client:
                assert client.request(1).count == 1  # served after, so the refusal came first
            try:
                leaked = os.read(reader, 4096)
            except BlockingIOError:
                leaked = b""
            assert leaked == b"", "the server wrote a reply through the hard link"
        finally:
            os.close(reader)
    finally:
        for path in (linked, outside):
            if os.path.lexists(path):
                os.unlink(path)


def test_reply_cache_closes_the_descriptor_of_a_client_that_left(start_server, server_engine):
    """The server keeps small clients' reply FIFOs open; once a client has removed its FIFO the
    server closes its descriptor (no "(deleted)" FIFOs pile up in /proc/PID/fd)."""
    server = start_server("fifo", "--events", "none", "--engine", server_engine)
    for _ in range(5):
        with make_client("fifo", server.address, timeout=5.0) as client:
            client.request(3)

    def deleted_fifos() -> list[str]:
        names = []
        for fd in os.listdir(f"/proc/{server.pid}/fd"):
            try:
                names.append(os.readlink(f"/proc/{server.pid}/fd/{fd}"))
            except OSError:
                pass
        return [name for name in names if "reply-" in name]

    assert wait_for(lambda: not deleted_fifos()), deleted_fifos()
