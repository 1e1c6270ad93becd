"""Sample what the kernel says a set of processes and all their threads are doing, right now.

    snapshot = KernelSampler([pid, ...]).sample()

A snapshot holds, per process, each thread's state, its system call by name with the arguments
decoded, its wait channel with a plain sentence, the process's descriptors matched to channels, and
how full each pipe and socket buffer is. Plain data (dataclasses, `to_json()`), safe to hand to
another thread. Vanished processes are reported as gone; hidden fields as "not visible".
"""

from __future__ import annotations

import dataclasses
import os
import platform
import sys
import time
from typing import Iterable

from backend.kernel_view.buffer_fills import BufferFill, OwnEnds, descriptor_fill
from backend.kernel_view.call_arguments import decode_call
from backend.kernel_view.descriptors import Descriptor, read_descriptor, read_descriptors
from backend.kernel_view.plain_words import LINUX_ONLY, summarize
from backend.kernel_view.proc_files import PROC, Gone, Hidden, list_directory, read_text
from backend.kernel_view.socket_diagnostics import SocketMemory, socket_memory
from backend.kernel_view.socket_tables import SocketEndpoint, read_socket_tables
from backend.kernel_view.syscall_tables import syscall_name
from backend.kernel_view.thread_state import STATE_NAMES, parse_stat, read_thread
from backend.kernel_view.wait_channels import explain_wait_channel, in_context

INFERRED_FULL = BufferFill(None, None, "inferred: its writer waits in pipe_write for room", True)


def kernel_view_supported() -> bool:
    return sys.platform.startswith("linux") and os.path.isdir(f"{PROC}/self/task")


@dataclasses.dataclass
class ThreadView:
    tid: int
    name: str
    state: str  # R, S, D, T, Z...
    state_name: str  # "running", "sleeping", ...
    blocked: bool  # asleep inside a system call
    call: str | None  # the system call's name ("openat"); None when not in one or unknown
    call_number: int | None  # its number (kept: the fallback where names or wait channels are hidden)
    arguments: list[dict]  # [{"name": "fd", "value": 3, "meaning": "request.fifo"}, ...]
    subject: str  # what the call acts on, in words
    fd: int | None  # the descriptor it acts on
    direction: str  # "read", "write", "open", "accept", "connect", "poll", "wait" or ""
    wait_channel: str  # the kernel function ("" when none or not visible)
    wait_sentence: str  # what it means, or "not visible"
    wait_kind: str  # fifo-open, pipe-write, socket-read, accept, poll, futex, ...
    summary: str  # the whole situation in one sentence


@dataclasses.dataclass
class DescriptorView:
    fd: int
    target: str
    kind: str  # fifo, pipe, tcp, tcp6, unix, socket, file, directory, device, anon, unknown
    name: str  # in words: "request.fifo", "TCP 127.0.0.1:5000 → 127.0.0.1:40000"
    inode: int | None
    flags: list[str]
    access: str
    socket_state: str  # TCP state or Unix listening/connected ("" for non-sockets)
    fills: dict[str, dict]  # "pipe" | "send" | "receive" -> {"used", "capacity", "source", "full"}


@dataclasses.dataclass
class ProcessView:
    pid: int
    name: str
    alive: bool
    note: str  # why something is missing ("" when all is visible)
    threads: list[ThreadView]
    descriptors: list[DescriptorView]


@dataclasses.dataclass
class KernelSnapshot:
    time: float  # time.monotonic() when sampled
    supported: bool
    machine: str
    note: str
    processes: list[ProcessView]

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    def process(self, pid: int) -> ProcessView | None:
        return next((process for process in self.processes if process.pid == pid), None)


def _fill_dict(fill: BufferFill) -> dict:
    return {"used": fill.used, "capacity": fill.capacity, "source": fill.source, "full": fill.full}


class _SocketInfo:
    """The socket tables and sock_diag, read at most once per snapshot and only when needed."""

    def __init__(self) -> None:
        self._tables: dict[int, SocketEndpoint] | None = None
        self._memory: dict[int, SocketMemory] | None = None

    def tables(self) -> dict[int, SocketEndpoint]:
        if self._tables is None:
            self._tables = read_socket_tables()
        return self._tables

    def memory(self) -> dict[int, SocketMemory]:
        if self._memory is None:
            self._memory = socket_memory()
        return self._memory


class KernelSampler:
    """Samples a set of pids. `with_descriptors=False` skips the descriptor list (threads only,
    cheaper); a call's own descriptor is always decoded."""

    def __init__(self, pids: Iterable[int] = (), with_descriptors: bool = True) -> None:
        self.pids = [int(pid) for pid in pids]
        self.with_descriptors = with_descriptors
        self._own_ends = OwnEnds()

    def set_pids(self, pids: Iterable[int]) -> None:
        self.pids = [int(pid) for pid in pids]

    def sample(self) -> KernelSnapshot:
        now = time.monotonic()
        if not kernel_view_supported():
            return KernelSnapshot(now, False, platform.machine(), LINUX_ONLY, [])
        sockets = _SocketInfo()
        return KernelSnapshot(now, True, platform.machine(), "", [self._process(pid, sockets) for pid in self.pids])

    def _process(self, pid: int, sockets: _SocketInfo) -> ProcessView:
        try:
            name, _ = parse_stat(read_text(f"{PROC}/{pid}/stat", limit=4096))
            tids = sorted(int(tid) for tid in list_directory(f"{PROC}/{pid}/task") if tid.isdigit())
        except Gone:
            return ProcessView(pid, "", False, "no such process (or it has exited)", [], [])
        except Hidden:
            return ProcessView(pid, "", True, "not visible: another user's process", [], [])
        notes = []
        descriptors: dict[int, Descriptor] = {}
        listed = False
        if self.with_descriptors:
            try:
                descriptors = {found.fd: found for found in read_descriptors(pid, sockets.tables)}
                listed = True
            except Hidden:
                notes.append("descriptors not visible")
            except Gone:
                return ProcessView(pid, name, False, "the process has exited", [], [])

        def descriptor(fd: int) -> Descriptor | None:
            if fd not in descriptors and not listed:
                try:
                    descriptors[fd] = read_descriptor(pid, fd, sockets.tables)
                except (Gone, Hidden):
                    return None
            return descriptors.get(fd)

        threads = []
        inferred_full: set[int] = set()
        for tid in tids:
            try:
                thread = self._thread(pid, tid, descriptor)
            except (Gone, Hidden):
                continue
            threads.append(thread)
            if thread.wait_kind == "pipe-write" and thread.fd is not None:
                inferred_full.add(thread.fd)
        if threads and all(thread.call_number is None and thread.state != "R" for thread in threads):
            notes.append("system calls not visible")
        views = [self._descriptor_view(found, sockets, found.fd in inferred_full)
                 for fd, found in sorted(descriptors.items())]
        return ProcessView(pid, name, True, "; ".join(notes), threads, views)

    def _thread(self, pid: int, tid: int, descriptor) -> ThreadView:
        state = read_thread(pid, tid)
        wait = explain_wait_channel(state.wait_channel)
        in_call = state.syscall >= 0
        call = syscall_name(state.syscall) if in_call else None
        decoded = decode_call(pid, call, state.arguments, descriptor) if call else None
        if decoded is not None and decoded.fd is not None:
            acted_on = descriptor(decoded.fd)
            if acted_on is not None:
                channel = {"fifo": "pipe", "pipe": "pipe", "tcp": "socket", "tcp6": "socket", "unix": "socket",
                           "socket": "socket"}.get(acted_on.kind, "")
                wait = in_context(wait, decoded.direction, channel)
        subject = decoded.subject if decoded else ""
        return ThreadView(
            tid=tid, name=state.name, state=state.state, state_name=STATE_NAMES.get(state.state, state.state),
            blocked=in_call and state.state in ("S", "D"), call=call, call_number=state.syscall if in_call else None,
            arguments=[argument._asdict() for argument in decoded.arguments] if decoded else [],
            subject=subject, fd=decoded.fd if decoded else None, direction=decoded.direction if decoded else "",
            wait_channel=wait.name, wait_sentence=wait.sentence if wait.visible else "not visible",
            wait_kind=wait.kind, summary=summarize(state.state, state.syscall, call, subject, wait))

    def _descriptor_view(self, found: Descriptor, sockets: _SocketInfo, writer_waits: bool) -> DescriptorView:
        memory = sockets.memory() if found.kind in ("tcp", "tcp6", "unix") else {}
        fills = descriptor_fill(found, self._own_ends, memory)
        if writer_waits and fills.get("pipe") is not None and fills["pipe"].used is None:
            fills["pipe"] = INFERRED_FULL
        endpoint = found.endpoint
        return DescriptorView(found.fd, found.target, found.kind, found.name, found.inode, found.flags, found.access,
                              endpoint.state if endpoint else "", {side: _fill_dict(fill) for side, fill in fills.items()})


def sample_once(pids: Iterable[int], with_descriptors: bool = True) -> KernelSnapshot:
    return KernelSampler(pids, with_descriptors).sample()
