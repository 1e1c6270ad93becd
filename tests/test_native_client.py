"""Hostile replies to the client, on both engines: a fake server sends malformed frames and the
compiled client must reject each exactly as the Python engine does (same exception, same message),
never crash, over-read or hang. Values and times of good replies agree between the engines."""

from __future__ import annotations

import os
import socket
import struct
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backend.clients.client import make_client
from backend.measuring.stats import ValueHistogram
from backend.native.loader import available
from backend.protocol import frames as protocol
from backend.protocol.frames import FrameType

pytestmark = pytest.mark.skipif(not available(), reason="native engine not built")
COUNT = 10


def chunk(request_id: int, values: list[int], count_field: int | None = None) -> bytes:
    header = protocol.CHUNK_HEADER.pack(protocol.MAGIC, 1, FrameType.CHUNK, 0, request_id,
                                        len(values) if count_field is None else count_field)
    return header + np.array(values, dtype=">i4").tobytes()


def end(request_id: int, total: int = COUNT) -> bytes:
    return protocol.pack_end(request_id, total, 4242, 1000, 2000)


def error(request_id: int, code: int, message: bytes, length: int | None = None) -> bytes:
    return protocol.ERROR_HEADER.pack(protocol.MAGIC, 1, FrameType.ERROR, 0, request_id, code,
                                      len(message) if length is None else length) + message


GOOD_VALUES = list(range(1, 11))
REPLIES = {
    "good": lambda rid: chunk(rid, GOOD_VALUES) + end(rid),
    "bad magic": lambda rid: b"XX'Y" + chunk(rid, GOOD_VALUES)[4:] + end(rid),
    "wrong version": lambda rid: b"IPCL\x07" + chunk(rid, GOOD_VALUES)[5:],
    "empty chunk": lambda rid: chunk(rid, [], 0),
    "chunk over the limit": lambda rid: chunk(rid, [], protocol.MAX_CHUNK_VALUES + 1),
    "unknown frame type": lambda rid: protocol.MAGIC + b"\x01\x09" + bytes(8) + bytes(30),
    "request frame as reply": lambda rid: protocol.encode_request(protocol.Request(1, 1, rid, 1)),
    "error message too long": lambda rid: error(rid, 6, b"x" * 1025, 1025),
    "error frame": lambda rid: error(rid, 6, "busy \u00e9\xff".encode("utf-8", "surrogatepass")),
    "error with invalid utf-8": lambda rid: error(rid, 8, b"bad \xff\xfe bytes"),
    "wrong request id": lambda rid: chunk(rid + 1, GOOD_VALUES) + end(rid + 1),
    "too many values": lambda rid: chunk(rid, GOOD_VALUES) + chunk(rid, [1]) + end(rid, 11),
    "end says fewer": lambda rid: chunk(rid, GOOD_VALUES) + end(rid, 9),
    "end too early": lambda rid: chunk(rid, GOOD_VALUES[:5]) + end(rid, 5),
    "chunk cut short": lambda rid: chunk(rid, GOOD_VALUES)[:30],
    "header cut short": lambda rid: chunk(rid, GOOD_VALUES)[:10],
    "end cut short": lambda rid: chunk(rid, GOOD_VALUES) + end(rid)[:30],
    "nothing": lambda rid: b"",
    "chunk header claims more than sent": lambda rid: chunk(rid, GOOD_VALUES, 200),
}


class FakeServer:
    """A Unix-socket server that answers each connection's first request with given bytes, then closes."""

    def __init__(self, path: str) -> None:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(8)
        self.path = path
        self.reply = lambda request_id: b""
        self.requests: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, name="fake-server", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                request = b""
                while len(request) < protocol.REQUEST_SIZE:
                    data = connection.recv(protocol.REQUEST_SIZE - len(request))
                    if not data:
                        break
                    request += data
                if len(request) < protocol.REQUEST_SIZE:
                    continue
                self.requests.append(request)
                request_id = struct.unpack_from(">I", request, 16)[0]
                try:
                    connection.sendall(self.reply(request_id))
                    connection.shutdown(socket.SHUT_WR)
                    connection.recv(1)  # wait for the client to close: no reset loses our bytes
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()
        self._thread.join(5)
        os.unlink(self.path)


@pytest.fixture(scope="module")
def fake_server(runtime_directory):
    server = FakeServer(os.path.join(runtime_directory, f"fake-{os.getpid()}.sock"))
    yield server
    server.close()


def outcome(server: FakeServer, engine: str, reply) -> tuple:
    """(exception type, message) or ("ok", values, server pid) of one request on `engine`."""
    server.reply = reply
    with make_client("unix", server.path, timeout=5.0, engine=engine) as client:
        assert client.engine == engine
        try:
            result = client.request(COUNT)
        except Exception as failure:  # noqa: BLE001 - compared between the engines
            return type(failure).__name__, str(failure)
    return "ok", result.values.astype(np.int64).tolist(), result.server_pid, result.server_generation_ns


@pytest.mark.parametrize("name", list(REPLIES))
def test_both_engines_judge_a_reply_alike(fake_server, name):
    python = outcome(fake_server, "python", REPLIES[name])
    native = outcome(fake_server, "native", REPLIES[name])
    assert native == python
    assert (python[0] == "ok") == (name == "good")


@given(prefix=st.sampled_from([b"", b"IPCL", b"IPCL\x01", b"IPCL\x01\x02", b"IPCL\x01\x03", b"IPCL\x01\x04"]),
       tail=st.binary(max_size=120))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fuzzed_replies_are_judged_alike(fake_server, prefix, tail):
    reply = lambda request_id: prefix + tail  # noqa: E731
    assert outcome(fake_server, "native", reply) == outcome(fake_server, "python", reply)


@given(values=st.lists(st.one_of(st.integers(protocol.INT32_MIN, protocol.INT32_MAX), st.integers(-400, 400)),
                      min_size=1, max_size=40),
       lo=st.integers(-50, 50), width=st.one_of(st.integers(0, 300), st.integers(0, 2**32 - 1)),
       max_bins=st.sampled_from([16, 255, 256, 257, 4096]))
# Values on the edges of wide bins (width 20, and 2^27 over half the int32 range), where a division
# by multiplication that is off by one would put them in the neighbouring bin.
@example(values=[-7 + 20 * k + d for k in range(16) for d in (-1, 0, 1)][:40], lo=-7, width=307, max_bins=16)
@example(values=[2**27 * k + d for k in range(1, 16) for d in (-1, 0)], lo=0, width=2**31 - 1, max_bins=16)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_native_histogram_counts_like_value_histogram(fake_server, values, lo, width, max_bins):
    """Values in and out of range, one bin per value (few bins or many) or wide bins up to the
    whole int32 range: the same counts as ValueHistogram."""
    hi = min(lo + width, protocol.INT32_MAX)
    fake_server.reply = lambda rid: chunk(rid, values) + end(rid, len(values))
    reference = ValueHistogram(lo, hi, max_bins=max_bins)
    reference.add(np.array(values, dtype=np.int64))
    counted = ValueHistogram(lo, hi, max_bins=max_bins)
    with make_client("unix", fake_server.path, timeout=5.0, engine="native") as client:
        batch = client.native_batch(np.array([len(values)], dtype=np.uint32), lo, hi, None, counted.counts,
                                    counted.bin_width)
    assert batch.error is None
    assert np.array_equal(counted.counts, reference.counts)
    assert batch.out_of_range == reference.out_of_range
    assert batch.last_values.tolist() == values[:20]


def test_native_request_frame_is_the_python_one(fake_server):
    """The C encoder (CRC-32 included) writes byte for byte what frames.encode_request writes."""
    fake_server.reply = lambda rid: chunk(rid, GOOD_VALUES[:3]) + end(rid, 3)
    fake_server.requests.clear()
    with make_client("unix", fake_server.path, timeout=5.0, engine="native") as client:
        result = client.request(3, -7, 2**31 - 1, seed=2**64 - 1)
    frame = protocol.encode_request(protocol.Request(client.pid, client.channel_number, result.request_id, 3, -7,
                                                     2**31 - 1, 2**64 - 1))
    assert fake_server.requests == [frame]
    assert result.values.tolist() == [1, 2, 3]


def test_ctrl_c_interrupts_a_native_request_in_the_main_thread(runtime_directory):
    """`ipclab request --engine native` waiting for a server that never answers: SIGINT ends it at
    once (the C call returns on EINTR so that Python's handler runs), long before its timeout."""
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    path = os.path.join(runtime_directory, f"silent-{os.getpid()}.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)  # connections complete in the backlog; nobody ever answers
    try:
        process = subprocess.Popen([sys.executable, "-m", "backend", "request", "unix", path, "--count", "3",
                                    "--timeout", "60", "--engine", "native"], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   # A job started in the background by a shell inherits SIGINT
                                   # ignored (Python then keeps it ignored): Ctrl+C as in a terminal.
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        connection, _ = listener.accept()  # the client is connected: it now waits in C for a reply
        with connection:
            request = b""
            while len(request) < protocol.REQUEST_SIZE:  # the request arrived: the client waits for a reply
                request += connection.recv(protocol.REQUEST_SIZE)
            started = time.monotonic()
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)
            assert time.monotonic() - started < 5.0
        process.stdout.close()
        process.stderr.close()
        assert process.returncode != 0
    finally:
        listener.close()
        os.unlink(path)
