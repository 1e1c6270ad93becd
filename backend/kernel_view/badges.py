"""What a badge says: for a process, the thread that tells most about its communication; for a
thread, a short text ("blocked in write()"), the whole sentence, and a kind the GUI colours. And
the fill of each channel the architecture drawing shows (a FIFO by name, a TCP connection by the
client's port, a Unix socket by path). Plain data from a KernelSnapshot; no drawing here."""

from __future__ import annotations

import os
from typing import NamedTuple

from backend.kernel_view.sampler import KernelSnapshot, ProcessView, ThreadView
from backend.sentence_words import Words

CHANNEL_KINDS = ("fifo", "pipe", "tcp", "tcp6", "unix")
# The colour families of the timeline and the badges.
KINDS = ("running", "blocked", "waiting", "sleeping", "gone", "hidden")


class Badge(NamedTuple):
    short: str  # "blocked in write()", "running", "not visible"
    sentence: str  # the whole situation ("blocked in write() on ... — ...")
    kind: str  # one of KINDS: blocked = waiting on a channel's data or room; waiting = accept/poll
    call: str  # the call's name ("" when none)
    words: Words | None = None  # how `sentence` was built, for a display that translates it


def thread_kind(thread: ThreadView) -> str:
    if thread.state == "R":
        return "running"
    if thread.state in ("Z", "X"):
        return "gone"
    if thread.call_number is None and thread.wait_sentence == "not visible":
        return "hidden"
    if thread.wait_kind in ("fifo-open", "pipe-read", "pipe-write", "socket-read", "socket-write", "connect") or (
            thread.direction in ("read", "write", "open") and thread.blocked):
        return "blocked"
    if thread.wait_kind in ("accept", "poll") or thread.direction in ("accept", "poll"):
        return "waiting"
    return "sleeping"


def badge_for_thread(thread: ThreadView | None) -> Badge:
    if thread is None:
        return Badge("not visible", "the kernel view cannot see this thread", "hidden", "",
                     Words("the kernel view cannot see this thread"))
    kind = thread_kind(thread)
    if kind == "running":
        return Badge("running", "running on a CPU", kind, "", Words("running on a CPU"))
    if thread.call:
        return Badge(f"blocked in {thread.call}()" if thread.blocked else thread.state_name, thread.summary, kind,
                     thread.call, thread.summary_words)
    if thread.call_number is not None:
        return Badge(f"in system call {thread.call_number}", thread.summary, kind, "", thread.summary_words)
    return Badge(thread.state_name if kind != "hidden" else "not visible", thread.summary, kind, "",
                 thread.summary_words)


def _rank(thread: ThreadView) -> int:
    kind = thread_kind(thread)
    if kind == "blocked" and thread.wait_kind != "futex":
        return 0
    if kind == "running":
        return 1
    if kind == "waiting" and "wake-up pipe" not in thread.subject.replace(" and its own wake-up pipe", ""):
        return 2
    if kind == "waiting":
        return 3
    return 4 if thread.wait_kind not in ("signal", "futex") else 5


def telling_thread(process: ProcessView | None) -> ThreadView | None:
    """The thread whose state says most about the process's communication: blocked on a channel,
    then running, then waiting for a connection or in poll; a futex or sigwait thread last."""
    if process is None or not process.threads:
        return None
    return min(process.threads, key=_rank)


def process_badge(snapshot: KernelSnapshot | None, pid: int) -> Badge:
    if snapshot is None or not snapshot.supported:
        return Badge("Linux only", snapshot.note if snapshot else "", "hidden", "")
    process = snapshot.process(pid)
    if process is None:
        return Badge("…", "", "hidden", "")
    if not process.alive:
        return Badge("exited", process.note, "gone", "")
    if not process.threads:
        return Badge("not visible", process.note, "hidden", "")
    return badge_for_thread(telling_thread(process))


def thread_badge(snapshot: KernelSnapshot | None, pid: int, tid: int | None) -> Badge:
    if snapshot is None or not snapshot.supported or tid is None:
        return badge_for_thread(None)
    process = snapshot.process(pid)
    thread = next((thread for thread in process.threads if thread.tid == tid), None) if process else None
    return badge_for_thread(thread)


class ChannelFill(NamedTuple):
    used: int | None
    capacity: int | None
    full: bool | None
    source: str


def channel_fills(snapshot: KernelSnapshot | None) -> dict[str, ChannelFill]:
    """Fills by the architecture view's channel keys: "fifo:request.fifo", "tcp:<client port>"
    (the server's send buffer: the reply direction), "unix:connections" (the fullest connection)."""
    found: dict[str, ChannelFill] = {}
    if snapshot is None or not snapshot.supported:
        return found
    for process in snapshot.processes:
        for descriptor in process.descriptors:
            if descriptor.kind == "fifo":
                fill = descriptor.fills.get("pipe")
                key = f"fifo:{os.path.basename(descriptor.target.removesuffix(' (deleted)'))}"
            elif descriptor.kind in ("tcp", "tcp6") and descriptor.remote and descriptor.socket_state == "ESTABLISHED":
                fill = descriptor.fills.get("send")
                key = f"tcp:{descriptor.remote.rsplit(':', 1)[-1]}"
            elif descriptor.kind == "unix" and descriptor.local and descriptor.socket_state != "listening":
                fill = descriptor.fills.get("send")
                key = "unix:connections"
            else:
                continue
            if not fill:
                continue
            candidate = ChannelFill(fill["used"], fill["capacity"], fill["full"], fill["source"])
            known = found.get(key)
            # Keep the most informative figure: measured beats inferred, fuller beats emptier.
            if known is None or (known.used is None and candidate.used is not None) or (
                    candidate.used is not None and known.used is not None and candidate.used > known.used):
                found[key] = candidate
    return found
