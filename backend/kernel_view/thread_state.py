"""One thread as /proc/PID/task/TID shows it: its state, the system call it is in (number and six
argument registers) and its wait channel, each read on its own so a hidden field hides only itself.
"""

from __future__ import annotations

from typing import NamedTuple

from backend.kernel_view.proc_files import PROC, Gone, Hidden, read_text

STATE_NAMES = {"R": "running", "S": "sleeping", "D": "waiting (uninterruptible)", "T": "stopped",
               "t": "stopped by a tracer", "Z": "zombie", "X": "dead", "I": "idle", "P": "parked",
               "W": "paging", "K": "wakekill"}
IN_USER_SPACE = -1  # /proc/.../syscall says "-1": blocked, but not inside a system call
RUNNING = -2  # /proc/.../syscall says "running"
HIDDEN = -3  # we may not read /proc/.../syscall


class ThreadState(NamedTuple):
    tid: int
    name: str  # the thread's comm
    state: str  # one letter (R, S, D, T, Z, ...)
    syscall: int  # the call's number, or IN_USER_SPACE, RUNNING or HIDDEN
    arguments: list[int]  # the six argument registers ([] unless in a call)
    wait_channel: str | None  # the kernel function it waits in ("0" or "" when none); None: hidden


def parse_stat(text: str) -> tuple[str, str]:
    """(comm, state letter) from a stat line; comm may hold spaces and parentheses."""
    start, end = text.find("("), text.rfind(")")
    return text[start + 1:end], text[end + 2:end + 3]


def parse_syscall(text: str) -> tuple[int, list[int]]:
    fields = text.split()
    if not fields or fields[0] == "running":
        return RUNNING, []
    number = int(fields[0])
    if number < 0:
        return IN_USER_SPACE, []
    return number, [int(value, 16) for value in fields[1:7]]


def read_thread(pid: int, tid: int) -> ThreadState:
    """The thread's state now; raises Gone when it has exited, Hidden when even its state is hidden."""
    base = f"{PROC}/{pid}/task/{tid}"
    name, state = parse_stat(read_text(base + "/stat", limit=4096))
    try:
        syscall, arguments = parse_syscall(read_text(base + "/syscall", limit=512))
    except Hidden:
        syscall, arguments = HIDDEN, []
    except ValueError:
        syscall, arguments = HIDDEN, []
    try:
        wait_channel: str | None = read_text(base + "/wchan", limit=256)
    except Hidden:
        wait_channel = None
    if syscall == RUNNING:
        state = "R"
    return ThreadState(tid, name, state, syscall, arguments, wait_channel)
