"""Both sides' steps of an exchange in causal order, whatever order their reports arrive in.

The client reports its steps in-process, the server through its stdout pipe, so the server's
report of a write can arrive after the client's report of the read that got those very bytes.
Sorting by `time_ns` (CLOCK_MONOTONIC, one clock for every process) is nearly right but not
always: the server can return from read() with the request before the client, back from
write(), has even taken its timestamp. So the order follows three rules, the first two of which
no timestamp can break:

1. each process's steps stay in the order it made them (their `number`);
2. a step that received bytes of a stream (`receives=(stream, offset)`) comes after the other
   side's step that sent the byte at `offset` (`sends=(stream, end)` with end > offset): the
   server's accept after the client's connect, the server's read after the client's write, the
   client's read after the server's write;
3. otherwise the step whose system call returned first comes first.

`StepOrder` does this live: `add()` steps as they arrive, `take()` the next one that may be shown
(None while the next one may still be on its way). `causal_order()` orders a finished list.
`causal_violations()` says what breaks rules 1 and 2 in a list (used by the tests).
"""

from __future__ import annotations

import bisect
from typing import Iterable

from backend.classroom.stepping import Step

ProcessKey = tuple[str, int]  # (actor, pid)


class StepOrder:
    """Steps in, steps out in causal order (see the module's docstring).

    `first_number`: the number every process's first step has (1 for fresh processes), or None
    when not known (a server that already served other exchanges): then a process's first step
    is not held back waiting for an earlier one.
    """

    def __init__(self, first_number: int | None = None) -> None:
        self.first_number = first_number
        self._waiting: dict[ProcessKey, list[Step]] = {}  # per process, sorted by number
        self._last_number: dict[ProcessKey, int] = {}  # the number of each process's last step taken
        self._sent: dict[tuple[str, str], int] = {}  # (actor, stream) -> bytes sent by steps taken
        self.taken: list[Step] = []

    def add(self, step: Step) -> None:
        """A step arrived (in any order)."""
        steps = self._waiting.setdefault((step.actor, step.pid), [])
        numbers = [waiting.number for waiting in steps]
        steps.insert(bisect.bisect_right(numbers, step.number), step)

    def __len__(self) -> int:
        """How many steps arrived and were not taken yet."""
        return sum(len(steps) for steps in self._waiting.values())

    def peek(self, complete: bool = False) -> Step | None:
        """The step `take()` would return, left in place."""
        heads = [steps[0] for steps in self._waiting.values() if steps]
        ready = [step for step in heads
                 if self._bytes_were_sent(step) and (complete or self._next_of_its_process(step))]
        if not ready and complete:
            ready = heads
        return min(ready, key=_time_order) if ready else None

    def take(self, complete: bool = False) -> Step | None:
        """The next step in causal order, or None if it may not have arrived yet.

        `complete=True`: nothing more will arrive; a step whose sender never reported (a server
        that does not step, a killed process) is then taken anyway, in time order.
        """
        step = self.peek(complete)
        if step is None:
            return None
        key = (step.actor, step.pid)
        self._waiting[key].pop(0)
        self._last_number[key] = step.number
        if step.sends is not None:
            stream, end = step.sends
            self._sent[(step.actor, stream)] = max(end, self._sent.get((step.actor, stream), 0))
        self.taken.append(step)
        return step

    def take_all(self, complete: bool = False) -> list[Step]:
        """Every step that can be taken now, in order."""
        taken = []
        while (step := self.take(complete)) is not None:
            taken.append(step)
        return taken

    def _next_of_its_process(self, step: Step) -> bool:
        last = self._last_number.get((step.actor, step.pid))
        expected = self.first_number if last is None else last + 1
        return expected is None or step.number == expected

    def _bytes_were_sent(self, step: Step) -> bool:
        if step.receives is None:
            return True
        stream, offset = step.receives
        return any(sent > offset for (actor, sent_stream), sent in self._sent.items()
                   if actor != step.actor and sent_stream == stream)


def _time_order(step: Step) -> tuple[int, int, int]:
    return (step.time_ns, 0 if step.actor == "client" else 1, step.number)


def causal_order(steps: Iterable[Step]) -> list[Step]:
    """All of `steps` in causal order (the same result for any order of the input)."""
    order = StepOrder()
    for step in steps:
        order.add(step)
    return order.take_all(complete=True)


def causal_violations(steps: list[Step]) -> list[str]:
    """What in `steps` (as shown) breaks rule 1 or rule 2; empty when the order is causal."""
    problems = []
    last_number: dict[ProcessKey, int] = {}
    for position, step in enumerate(steps):
        key = (step.actor, step.pid)
        if key in last_number and step.number <= last_number[key]:
            problems.append(f"step {position + 1} ({step.actor} {step.syscall} #{step.number}) "
                            f"after its own #{last_number[key]}")
        last_number[key] = step.number
        if step.receives is None:
            continue
        stream, offset = step.receives
        senders = [index for index, other in enumerate(steps)
                   if other.actor != step.actor and other.sends is not None and other.sends[0] == stream
                   and other.sends[1] > offset]
        if senders and min(senders) > position:
            sender = steps[min(senders)]
            problems.append(f"step {position + 1} ({step.actor} {step.syscall}) received byte {offset} of the "
                            f"{stream} before step {min(senders) + 1} ({sender.actor} {sender.syscall}) sent it")
    return problems
