"""Many clients at once on every transport: every reply complete and correct."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from backend.clients.client import make_client
from backend.measuring.runner import WorkloadRunner, WorkloadSpec
from backend.protocol import frames as protocol
from tests.conftest import engine_arguments
from tests.wire import reference_values

CLIENTS = 64
CHUNK = protocol.MAX_CHUNK_VALUES


@pytest.mark.parametrize("transport", ["fifo", "tcp", "unix"])
def test_64_clients_at_once_get_exactly_their_numbers(start_server, transport, engine, server_engine):
    server = start_server(transport, "--events", "summary", *engine_arguments(transport, server_engine))
    barrier = threading.Barrier(CLIENTS)
    failures: list[str] = []

    def client_work(index: int) -> None:
        try:
            with make_client(transport, server.address, timeout=30.0, engine=engine) as client:
                client.connect()
                barrier.wait(timeout=30)
                for round_number in range(5):
                    seed = index * 1000 + round_number
                    count = [10, 1000, 5000, 1, protocol.MAX_CHUNK_VALUES + 3][round_number]
                    result = client.request(count, -100, 100, seed=seed)
                    if not np.array_equal(result.values.astype(np.int32), reference_values(seed, count, -100, 100)):
                        failures.append(f"client {index} round {round_number}: wrong numbers")
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            failures.append(f"client {index}: {error!r}")

    threads = [threading.Thread(target=client_work, args=(index,)) for index in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:5]


@pytest.mark.parametrize("transport", ["fifo", "tcp", "unix"])
def test_runner_with_64_clients_loses_nothing(start_server, transport, engine, server_engine):
    server = start_server(transport, "--events", "none", *engine_arguments(transport, server_engine))
    spec = WorkloadSpec(transport, server.address, requests=6400, count=None, concurrency=64, engine=engine)
    batches = []
    runner = WorkloadRunner(spec, server.address, on_batch=batches.append)
    try:
        statistics = runner.run()
    finally:
        runner.close()
    report = statistics.report(server.address)
    assert report["exchanges"] == 6400 and report["errors"] == 0 and report["engine"] == engine
    assert report["lost_numbers"] == 0 and report["out_of_range"] == 0
    assert statistics.values.total == report["numbers"]
    assert 6400 <= report["numbers"] <= 64000
    assert len(batches) >= 64  # delivered incrementally, at least one batch per client
