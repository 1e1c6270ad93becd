"""The causal merge of both sides' steps, tested over every arrival order hypothesis can think of.

An exchange is simulated as the kernel would run it: a client and a server whose calls happen in
some order that respects causality (a read only after the write that sent its first byte), each
step stamped a little *after* its call returned (as a process does), so that stamps of the two
sides can be in the wrong order. The reports then arrive in any interleaving.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.classroom.step_order import StepOrder, causal_order, causal_violations
from backend.classroom.stepping import Step

CLIENT_PID, SERVER_PID = 100, 200


def _pieces(total: int, cuts: list[int]) -> list[int]:
    """`total` bytes split at the given cut points (each call moves at least one byte)."""
    points = sorted({cut for cut in cuts if 0 < cut < total})
    edges = [0, *points, total]
    return [end - start for start, end in zip(edges, edges[1:])]


def simulate(seed: int, reply_bytes: int, write_cuts: list[int], read_cuts: list[int]) -> list[Step]:
    """One exchange's steps with causally valid true times and late, jittered stamps."""
    rng = random.Random(seed)
    client = [("socket", None, None), ("connect", ("connection", 1), None), ("sendto", ("request", 48), None)]
    server = [("accept4", None, ("connection", 0)), ("recvfrom", None, ("request", 0)), ("generate", None, None)]
    sent = 0
    for size in _pieces(reply_bytes, write_cuts):
        sent += size
        server.append(("sendmsg", ("reply", sent), None))
    offset = 0
    for size in _pieces(reply_bytes, read_cuts):
        client.append(("recvfrom", None, ("reply", offset)))
        offset += size
    client.append(("close", None, None))
    # Run both processes in a random order the kernel allows: a receive waits for its bytes.
    sent_so_far: dict[str, int] = {}
    queues = {"client": list(client), "server": list(server)}
    true_times: dict[str, list[int]] = {"client": [], "server": []}
    clock = 0
    while queues["client"] or queues["server"]:
        runnable = [actor for actor, calls in queues.items()
                    if calls and (calls[0][2] is None or sent_so_far.get(calls[0][2][0], 0) > calls[0][2][1])]
        actor = rng.choice(runnable)
        _, sends, _ = queues[actor][0]
        queues[actor].pop(0)
        clock += rng.randint(1, 10)
        true_times[actor].append(clock)
        if sends is not None:
            sent_so_far[sends[0]] = sends[1]
    steps = []
    for actor, calls, pid in (("client", client, CLIENT_PID), ("server", server, SERVER_PID)):
        times = true_times[actor]
        for number, ((syscall, sends, receives), returned) in enumerate(zip(calls, times), start=1):
            following = times[number] if number < len(times) else returned + 50
            stamped = returned + rng.randint(0, following - returned - 1)  # late, but before its next call
            steps.append(Step(actor, syscall, f"{actor} {syscall} #{number}", {}, stamped, pid, pid, number,
                              sends, receives))
    return steps


exchanges = st.builds(
    simulate,
    seed=st.integers(0, 2**32),
    reply_bytes=st.integers(40, 400),
    write_cuts=st.lists(st.integers(1, 399), max_size=4),
    read_cuts=st.lists(st.integers(1, 399), max_size=4),
)


def _arrivals(steps: list[Step], choices: list[bool]) -> list[Step]:
    """Each process's reports in its own order (a pipe keeps order), interleaved by `choices`."""
    client = [step for step in steps if step.actor == "client"]
    server = [step for step in steps if step.actor == "server"]
    arrived = []
    for from_client in choices:
        source = client if (from_client and client) or not server else server
        if source:
            arrived.append(source.pop(0))
    return arrived + client + server


def _check(shown: list[Step], steps: list[Step]) -> None:
    assert sorted(shown, key=id) == sorted(steps, key=id), "every step shown exactly once"
    assert causal_violations(shown) == []
    position = {id(step): index for index, step in enumerate(shown)}
    for step in steps:  # the rule, spelled out once more without the module's helper
        if step.receives is None:
            continue
        stream, offset = step.receives
        sender = min((other for other in steps if other.actor != step.actor and other.sends
                      and other.sends[0] == stream and other.sends[1] > offset), key=lambda other: other.number)
        assert position[id(sender)] < position[id(step)], f"{step.sentence} shown before {sender.sentence}"


@settings(max_examples=300, deadline=None)
@given(steps=exchanges, choices=st.lists(st.booleans(), max_size=40), takes=st.lists(st.booleans(), max_size=40))
def test_live_order_is_causal_for_any_arrival_order(steps, choices, takes):
    order = StepOrder(first_number=1)
    shown = []
    for arrived, take_now in zip(_arrivals(steps, choices), takes + [True] * len(steps)):
        order.add(arrived)
        if take_now:
            shown += order.take_all()
    shown += order.take_all()
    assert len(order) == 0, "everything that arrived can be shown once its causes arrived"
    _check(shown, steps)


@settings(max_examples=300, deadline=None)
@given(steps=exchanges, shuffle_seed=st.integers(0, 2**32))
def test_live_order_holds_back_a_step_whose_predecessor_is_late(steps, shuffle_seed):
    arrived = list(steps)
    random.Random(shuffle_seed).shuffle(arrived)  # even a process's own reports out of order
    order = StepOrder(first_number=1)
    shown = []
    for step in arrived:
        order.add(step)
        shown += order.take_all()
    assert len(order) == 0
    _check(shown, steps)


@settings(max_examples=300, deadline=None)
@given(steps=exchanges, shuffle_seed=st.integers(0, 2**32))
def test_finished_list_gives_one_order_whatever_the_arrival_order(steps, shuffle_seed):
    shuffled = list(steps)
    random.Random(shuffle_seed).shuffle(shuffled)
    merged = causal_order(shuffled)
    assert merged == causal_order(steps)
    _check(merged, steps)
    if not causal_violations(sorted(steps, key=lambda step: step.time_ns)):
        # When the stamps already tell a causal story, the merge is simply time order.
        assert [step.time_ns for step in merged] == sorted(step.time_ns for step in steps)


def test_a_read_stamped_before_the_write_it_got_is_shown_after_it():
    write = Step("server", "writev", "wrote", {}, 2_000, SERVER_PID, SERVER_PID, 4, sends=("reply", 76))
    read = Step("client", "readv", "read", {}, 1_500, CLIENT_PID, CLIENT_PID, 5, receives=("reply", 0))
    order = StepOrder()
    order.add(read)
    assert order.take() is None, "the read waits for the write that sent its bytes"
    order.add(write)
    assert order.take_all() == [write, read]


def test_a_receive_whose_sender_never_reports_is_shown_when_complete():
    read = Step("client", "recvfrom", "read", {}, 10, CLIENT_PID, CLIENT_PID, 1, receives=("reply", 0))
    order = StepOrder()
    order.add(read)
    assert order.take() is None and order.take(complete=True) == read
