"""How a FIFO client waits for its reply, on both engines, against a hand-made FIFO "server" (the
test holds the request FIFO's read end): a server that dies without answering is noticed long
before the timeout, a cancellation wakes the client at once, a timeout is a timeout. The native
client polls its own cancellation descriptor (an eventfd) and watches the shared request FIFO only
once a wait has lasted WATCH_AFTER_MS (src/client.c): these are the cases that choice must keep."""

from __future__ import annotations

import os
import select
import shutil
import tempfile
import threading
import time

import pytest

from backend.clients.client import make_client
from backend.native.loader import available
from backend.protocol import frames as protocol
from backend.protocol.engine import ServerVanished
from backend.transports.base import Cancelled, PeerClosed, TimedOut
from backend.transports.cancel import Cancellation
from backend.transports.fifo import REQUEST_FIFO

ENGINES = ["python", pytest.param("native", marks=pytest.mark.skipif(not available(), reason="native engine not built"))]


class SilentFifoServer:
    """A FIFO directory whose request FIFO the test reads itself: requests arrive, nothing answers."""

    def __init__(self, parent: str) -> None:
        self.directory = tempfile.mkdtemp(prefix="silent-", dir=parent)
        self.request_path = os.path.join(self.directory, REQUEST_FIFO)
        os.mkfifo(self.request_path, 0o600)
        self.read_fd = os.open(self.request_path, os.O_RDONLY | os.O_NONBLOCK)

    def read_request(self, timeout: float = 10.0) -> bytes:
        poller = select.poll()
        poller.register(self.read_fd, select.POLLIN)
        assert poller.poll(timeout * 1000), "no request arrived"
        return os.read(self.read_fd, protocol.REQUEST_SIZE)

    def die(self) -> None:
        """The only reader goes, as when the server process is killed: writers see POLLERR."""
        if self.read_fd >= 0:
            os.close(self.read_fd)
            self.read_fd = -1

    def close(self) -> None:
        self.die()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def silent_server(runtime_directory):
    server = SilentFifoServer(runtime_directory)
    yield server
    server.close()


def _in_background(action) -> threading.Thread:
    thread = threading.Thread(target=action, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("dies_after_s", [0.0, 0.3])
def test_a_server_dying_before_it_answers_is_noticed_long_before_the_timeout(silent_server, engine, dies_after_s):
    """Dying at once (the client still polls only its own descriptors) or after 0.3 s (it watches
    the request FIFO by then): either way the client reports the server gone within a second,
    not after its 30 s timeout."""
    client = make_client("fifo", silent_server.directory, timeout=30.0, engine=engine)

    def serve_then_die() -> None:
        silent_server.read_request()
        time.sleep(dies_after_s)
        silent_server.die()

    thread = _in_background(serve_then_die)
    started = time.monotonic()
    try:
        with pytest.raises((ServerVanished, PeerClosed)):
            client.request(protocol.MAX_CHUNK_VALUES)
        assert time.monotonic() - started < dies_after_s + 1.0
    finally:
        thread.join(10)
        client.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_cancellation_wakes_a_client_waiting_for_its_reply(silent_server, engine):
    cancellation = Cancellation()
    client = make_client("fifo", silent_server.directory, timeout=30.0, engine=engine, cancellation=cancellation)

    def cancel_once_waiting() -> None:
        silent_server.read_request()
        time.sleep(0.2)
        cancellation.cancel()

    thread = _in_background(cancel_once_waiting)
    started = time.monotonic()
    try:
        with pytest.raises(Cancelled):
            client.request(10)
        assert time.monotonic() - started < 2.0
    finally:
        thread.join(10)
        client.close()
        cancellation.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_timeout_in_the_main_thread_with_every_descriptor_polled(silent_server, engine):
    """The main thread (signals end a native call: Python's wakeup pipe is polled too), a
    cancellation and a wait longer than WATCH_AFTER_MS: the reply FIFO, the request FIFO, the
    cancellation descriptor and the signal pipe in one poll set; nothing answers, so TimedOut."""
    assert threading.current_thread() is threading.main_thread()
    cancellation = Cancellation()
    client = make_client("fifo", silent_server.directory, timeout=0.4, engine=engine, cancellation=cancellation)
    started = time.monotonic()
    try:
        with pytest.raises(TimedOut):
            client.request(10)
        assert 0.35 < time.monotonic() - started < 5.0
    finally:
        client.close()
        cancellation.close()


def _descriptor_kinds() -> list[str]:
    kinds = []
    for name in os.listdir("/proc/self/fd"):
        try:
            kinds.append(os.readlink(f"/proc/self/fd/{name}"))
        except OSError:
            pass
    return kinds


@pytest.mark.skipif(not available() or not hasattr(os, "eventfd"), reason="native engine or eventfd missing")
def test_a_native_fifo_client_polls_its_own_cancellation_descriptor_and_closes_it(silent_server):
    """Not the shared cancellation pipe that every client of a run would poll; after close() no
    eventfd is left and a later cancel() writes to nothing."""
    from backend.native.client_plane import NativeChannelPlane

    cancellation = Cancellation()
    before = _descriptor_kinds().count("anon_inode:[eventfd]")
    client = make_client("fifo", silent_server.directory, timeout=5.0, engine="native", cancellation=cancellation)
    plane = client.native_plane()
    assert isinstance(plane, NativeChannelPlane)
    own = plane._batch.cancel_fd
    assert own != cancellation.fd
    assert os.readlink(f"/proc/self/fd/{own}") == "anon_inode:[eventfd]"
    client.close()
    assert _descriptor_kinds().count("anon_inode:[eventfd]") == before
    cancellation.cancel()  # the closed channel's callback is gone: nothing is written anywhere
    cancellation.close()


@pytest.mark.skipif(not available(), reason="native engine not built")
def test_without_eventfd_the_shared_pipe_still_cancels(silent_server, monkeypatch):
    monkeypatch.delattr(os, "eventfd", raising=False)
    cancellation = Cancellation()
    client = make_client("fifo", silent_server.directory, timeout=30.0, engine="native", cancellation=cancellation)
    assert client.native_plane()._batch.cancel_fd == cancellation.fd

    def cancel_once_waiting() -> None:
        silent_server.read_request()
        time.sleep(0.1)
        cancellation.cancel()

    thread = _in_background(cancel_once_waiting)
    try:
        with pytest.raises(Cancelled):
            client.request(10)
    finally:
        thread.join(10)
        client.close()
        cancellation.close()
