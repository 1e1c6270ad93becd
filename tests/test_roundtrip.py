"""Round trips on every transport against real server processes."""

from __future__ import annotations

import numpy as np
import pytest

from backend.clients.client import make_client
from backend.measuring.stats import ValueHistogram
from backend.protocol import frames as protocol
from backend.protocol.engine import ServerError
from backend.protocol.frames import ErrorCode
from tests.conftest import SERVER_CASES, start_server_case
from tests.wire import reference_values

TRANSPORTS = ["fifo", "tcp", "unix"]
CHUNK = protocol.MAX_CHUNK_VALUES
COUNTS = [0, 1, 10, CHUNK - 1, CHUNK, CHUNK + 1, 10**6]


@pytest.fixture(scope="module", params=SERVER_CASES)
def server(request, runtime_directory):
    process = start_server_case(request.param, ["--events", "summary"])
    yield process
    assert process.stop() == 0


def test_counts_and_ranges(server, engine):
    with make_client(server.transport, server.address, engine=engine) as client:
        for count in COUNTS:
            result = client.request(count, 1, 10)
            assert result.count == count
            assert len(result.values) == count
            values = result.values.astype(np.int64)
            assert values.min(initial=1) >= 1 and values.max(initial=10) <= 10
            assert result.server_pid == server.pid
            assert result.latency_ns > 0
        # Every value of a million-value reply appears: a uniform 1..10 distribution.
        assert set(np.unique(values)) == set(range(1, 11))


@pytest.mark.parametrize("lo,hi", [(-5, 5), (7, 7), (protocol.INT32_MIN, protocol.INT32_MAX), (0, 1)])
def test_other_ranges(server, lo, hi, engine):
    with make_client(server.transport, server.address, engine=engine) as client:
        values = client.request(5000, lo, hi).values.astype(np.int64)
    assert values.min() >= lo and values.max() <= hi
    if hi - lo < 20:
        assert set(values) == set(range(lo, hi + 1))


def test_same_seed_same_numbers(server, engine):
    with make_client(server.transport, server.address, engine=engine) as client:
        first = client.request(CHUNK + 5, 1, 1000, seed=42).values
        again = client.request(CHUNK + 5, 1, 1000, seed=42).values
        other = client.request(CHUNK + 5, 1, 1000, seed=43).values
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    # The documented recipe reproduces them without any server.
    assert np.array_equal(first.astype(np.int32), reference_values(42, CHUNK + 5, 1, 1000))


def test_streaming_sink_keeps_memory_bounded(server):
    histogram = ValueHistogram(1, 10)
    chunks = []

    def sink(values: np.ndarray) -> None:
        chunks.append(len(values))
        histogram.add(values)

    with make_client(server.transport, server.address) as client:
        result = client.request(3 * CHUNK + 7, 1, 10, sink=sink)
    assert result.values is None
    assert histogram.total == 3 * CHUNK + 7
    assert max(chunks) <= CHUNK and len(chunks) >= 4


def test_limits_answered_with_error_frames(server):
    with make_client(server.transport, server.address) as client:
        with pytest.raises(ServerError) as error:
            _send_raw_request(client, count=protocol.MAX_COUNT + 1)
        assert error.value.code == ErrorCode.COUNT_TOO_LARGE
        with pytest.raises(ServerError) as error:
            _send_raw_request(client, lo=10, hi=1)
        assert error.value.code == ErrorCode.BAD_RANGE
        # The connection is still good after value errors.
        assert client.request(3).count == 3


def _send_raw_request(client, count: int = 1, lo: int = 1, hi: int = 10):
    """Bypass the client's own checks to make the server judge a bad request."""
    from backend.protocol.engine import client_exchange

    client.connect()
    request = protocol.Request(client.pid, client.channel_number, 99, count, lo, hi)
    return client_exchange(client._channel, client._reader, request, 5.0)
