"""`ipclab request TRANSPORT [ADDRESS] --trace`: one exchange, every system call as a step.

Without an address a private `ipclab serve TRANSPORT --step` is started for the exchange (its
stdin is empty, so it runs freely) and its steps are merged with the client's in causal order
(`backend.classroom.step_order`); with an address only the client's steps are known.
"""

from __future__ import annotations

import threading

from backend.classroom.step_order import causal_order
from backend.classroom.stepping import Step, Stepper, step_from_record
from backend.classroom.traced_exchange import traced_exchange
from backend.processes.server_child import ServerProcess
from backend.protocol.engine import ExchangeResult


def trace_request(transport: str, address: str | None, count: int, lo: int, hi: int, seed: int | None = None,
                  timeout: float = 10.0) -> tuple[list[Step], ExchangeResult]:
    """Do one traced exchange; return both sides' steps in causal order and the result.

    Raises what `traced_exchange` raises, and `ServerStartError` if the private server cannot start.
    """
    steps: list[Step] = []
    lock = threading.Lock()

    def keep(step: Step) -> None:
        with lock:
            steps.append(step)

    stepper = Stepper(keep)
    if address is not None:
        result, _ = traced_exchange(transport, address, count, lo, hi, stepper, timeout=timeout, seed=seed)
        return causal_order(steps), result

    def on_event(event: dict) -> None:
        if event.get("event") == "step":
            try:
                keep(step_from_record(event))
            except ValueError:
                pass  # not a step after all: nothing to show

    server = ServerProcess(transport, extra_arguments=["--step", "--events", "none"], on_event=on_event)
    server.start()
    try:
        result, _ = traced_exchange(transport, server.address, count, lo, hi, stepper, timeout=timeout, seed=seed)
    finally:
        server.stop()  # waits for its output to be read: every step it printed is in `steps`
    return causal_order(steps), result
