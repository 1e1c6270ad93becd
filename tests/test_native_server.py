"""The native server against the Python one: the same answers to the same bytes, the same events
and totals (TCP and Unix connections served in C; FIFO replies written in C)."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from backend.clients.client import make_client
from backend.measuring.stats import ValueHistogram, chi_square_survival
from backend.native.loader import available, resolve_server_engine
from backend.protocol import frames as protocol
from backend.protocol.frames import Request
from tests.test_hostile_input import HOSTILE_FRAMES
from tests.wire import raw_socket, read_until_closed, wait_for

pytestmark = pytest.mark.skipif(not available(), reason="native engine not built")
VALUE_ERRORS = {
    "count over the cap": protocol.encode_request(Request(1, 2, 3, 5000)),
    "empty range": protocol.encode_request(Request(1, 2, 4, 5, 10, 1)),
    # Answered after its first 8 bytes (another version's request may be shorter than 48 bytes).
    "wrong version, 20 bytes only": b"IPCL\x02\x01\x00\x30" + bytes(12),
    "wrong magic, then garbage": b"XXXX" + bytes(4) + bytes(range(256)) * 256,
}


def _answer(server, data: bytes) -> bytes:
    with raw_socket(server.transport, server.address, timeout=5.0) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            return b"(reset)"
        return read_until_closed(sock)


@pytest.fixture(params=["tcp", "unix", "fifo"])
def servers(request, start_server):
    """A Python and a native server of one transport, with the same limits."""
    arguments = ["--events", "all", "--request-timeout", "0.5", "--max-count", "1000"]
    python_events: list = []
    native_events: list = []
    python = start_server(request.param, *arguments, "--engine", "python", events=python_events)
    native = start_server(request.param, *arguments, "--engine", "native", events=native_events)
    assert python.ready_event.get("engine") == "python" and native.ready_event.get("engine") == "native"
    return python, native, python_events, native_events


@pytest.mark.parametrize("name", [*HOSTILE_FRAMES, *VALUE_ERRORS])
def test_same_bytes_same_answer(servers, name):
    python, native, python_events, native_events = servers
    if python.transport == "fifo":
        pytest.skip("FIFO answers go to reply FIFOs: tests/test_hostile_input.py covers both engines")
    data = {**HOSTILE_FRAMES, **VALUE_ERRORS}[name]
    assert _answer(native, data) == _answer(python, data)

    def errors(events):
        return [(event.get("error"), event.get("code")) for event in list(events) if event.get("event") == "client_error"]

    assert wait_for(lambda: errors(native_events) == errors(python_events))


def test_exchange_events_and_totals_match(servers):
    python, native, python_events, native_events = servers
    for server in (python, native):
        with make_client(server.transport, server.address, engine="python") as client:
            for count in (0, 1, 10, 1000):
                client.request(count, -3, 3, seed=count)

    def exchange_lines(events, name):
        keys = ("pid", "channel", "request_id", "count", "lo", "hi", "seed", "bytes")
        return [{key: event.get(key) for key in keys} for event in list(events) if event.get("event") == name]

    for name in ("request", "reply_sent"):
        assert wait_for(lambda: len(exchange_lines(native_events, name)) == len(exchange_lines(python_events, name)) == 4)
        native_lines, python_lines = exchange_lines(native_events, name), exchange_lines(python_events, name)
        for line in native_lines + python_lines:
            line.pop("pid"), line.pop("channel")
        assert native_lines == python_lines
    python.stop()
    native.stop()
    stopped = [next(e for e in events if e.get("event") == "stopped") for events in (python_events, native_events)]
    for key in ("requests", "numbers", "bytes", "errors", "clients_total"):
        assert stopped[0][key] == stopped[1][key], key
    assert stopped[1]["requests"] == 4 and stopped[1]["numbers"] == 1011


@pytest.mark.parametrize("transport", ["tcp", "unix", "fifo"])
def test_auto_serves_natively_once_built(start_server, transport):
    """`ipclab serve` with the default engine (auto) runs the native server on every transport,
    now that it has every behaviour of the Python one; step mode still runs on Python."""
    assert start_server(transport, "--events", "none").ready_event.get("engine") == "native"
    assert resolve_server_engine("auto", transport) == "native"
    assert resolve_server_engine("auto", transport, step=True) == "python"


@pytest.mark.parametrize("engine", ["native", "python"])
@pytest.mark.parametrize("lo, hi", [(1, 10), (protocol.INT32_MIN, protocol.INT32_MAX), (protocol.INT32_MIN, 1),
                                    (0, protocol.INT32_MAX), (protocol.INT32_MIN, protocol.INT32_MIN + 3 * 2**30 - 1)])
def test_unseeded_values_are_uniform(start_server, engine, lo, hi):
    """A server's own generator (requests without a seed; the server's --seed makes the test
    repeatable) gives uniform values in [lo, hi]: over 16 coarse bins, and by offset modulo 3.
    The last range has 3 * 2^30 values: a generator that skipped the rejection step of Lemire's
    method would make one offset in three twice as likely as the others."""
    server = start_server("tcp", "--events", "none", "--seed", "2026", "--engine", engine)
    histogram = ValueHistogram(lo, hi, max_bins=16)
    by_three = np.zeros(3, dtype=np.int64)
    with make_client("tcp", server.address, timeout=10.0) as client:
        for _ in range(3):
            values = client.request(100_000, lo, hi).values.astype(np.int64)
            assert values.min() >= lo and values.max() <= hi
            histogram.add(values)
            by_three += np.bincount((values - lo) % 3, minlength=3)
    assert histogram.chi_square().p_value > 1e-4, histogram.counts
    span = hi - lo + 1
    expected = by_three.sum() * np.array([(span - residue + 2) // 3 for residue in range(3)]) / span
    statistic = float(np.sum((by_three - expected) ** 2 / expected))
    assert chi_square_survival(statistic, 2) > 1e-4, by_three
