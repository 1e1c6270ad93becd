"""What the fault and hostile-input tests check after each misbehaving client: a good client is
still served, fully and correctly, by the very server process that was there before."""

from __future__ import annotations

import numpy as np

from backend.clients.client import make_client
from backend.processes.server_child import ServerProcess
from backend.protocol import frames as protocol
from backend.protocol.engine import ExchangeResult


def assert_good_client_served(server: ServerProcess, count: int = 10, lo: int = protocol.DEFAULT_LO,
                              hi: int = protocol.DEFAULT_HI) -> ExchangeResult:
    """A well-behaved client asks `server` for `count` numbers in lo..hi and gets exactly those,
    from the server's own pid (not a restarted or foreign process)."""
    with make_client(server.transport, server.address, timeout=5.0) as client:
        result = client.request(count, lo, hi)
    assert result.count == count and result.values is not None and len(result.values) == count
    values = np.asarray(result.values, dtype=np.int64)
    assert ((lo <= values) & (values <= hi)).all(), f"values outside {lo}..{hi}: {values}"
    assert result.server_pid == server.pid
    return result
