"""Sample what the kernel says a set of processes and all their threads are doing, right now.

    snapshot = KernelSampler([pid, ...]).sample()

A snapshot holds, per process, each thread's state, its system call by name with the arguments
decoded, its wait channel with a plain sentence, the process's descriptors matched to channels, and
how full each pipe and socket buffer is. Plain data (dataclasses, `to_json()`), safe to hand to
another thread. Vanished processes are reported as gone; hidden fields as "not visible".
"""

from __future__ import annotations

import dataclasses
import functools
import os
import platform
import sys
import time
from typing import Iterable

from backend.sentence_words import Words

from backend.kernel_view.buffer_fills import BufferFill, OwnEnds, descriptor_fill
from backend.kernel_view.call_arguments import decode_call
from backend.kernel_view.process_descriptors import (Descriptor, attach_endpoint, mark_wake_up_pipes, read_descriptor,
                                             read_descriptors)
from backend.kernel_view.plain_words import LINUX_ONLY, summarize_words
from backend.kernel_view.proc_files import PROC, Gone, Hidden, KeptOpen, list_directory, read_link
from backend.kernel_view.socket_diagnostics import SocketDiagnostics
from backend.kernel_view.socket_tables import SocketEndpoint, read_socket_tables
from backend.kernel_view.syscall_tables import syscall_name
from backend.kernel_view.thread_state import STATE_NAMES, ThreadState, parse_stat, parse_thread, read_raw
from backend.kernel_view.wait_channels import explain_wait_channel, in_context

FULL_LISTING_EVERY = 5  # every 5th listing reads every descriptor's flags again (others reuse unchanged ones)
INFERRED_FULL = BufferFill(None, None, "inferred: its writer waits in pipe_write for room", True)


@functools.cache
def _proc_lists_tasks() -> bool:
    return os.path.isdir(f"{PROC}/self/task")


def kernel_view_supported() -> bool:
    return sys.platform.startswith("linux") and _proc_lists_tasks()


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
    summary_words: Words | None = None  # how `summary` was built, for a display that translates it


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
    local: str  # a socket's own address ("127.0.0.1:5000", a Unix path; "" if none)
    remote: str  # a TCP socket's peer address ("" if none)
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


def _endpoints(inodes: set[int | None], sockets: SocketDiagnostics) -> dict[int, SocketEndpoint]:
    """The endpoints of these socket inodes: TCP from sock_diag (no TIME_WAIT noise), Unix and
    whatever sock_diag could not tell from /proc/net."""
    wanted = {inode for inode in inodes if inode is not None}
    found = {inode: memory.endpoint for inode, memory in sockets.memory(("tcp", "tcp6"), wanted).items()
             if memory.endpoint is not None}
    missing = {inode for inode in wanted if inode not in found}
    if missing:
        found.update(read_socket_tables(wanted=missing, names=("unix",)))
        missing -= set(found)
    if missing:
        found.update(read_socket_tables(wanted=missing, names=("tcp", "tcp6")))
    return found


class _ProcessMemory:
    """What is kept of one process between samples: its descriptors (listed again every
    `descriptor_interval`) and its buffer fills (measured again every `fill_interval`)."""

    def __init__(self) -> None:
        self.descriptors: dict[int, Descriptor] = {}
        self.listed_at = float("-inf")
        self.hidden = False
        self.fills: dict[int, dict[str, BufferFill]] = {}
        self.measured_at = float("-inf")
        self.listings = 0
        self.views: list[DescriptorView] = []
        self.views_key: tuple = ()
        self.view_of: dict[int, tuple[tuple, DescriptorView]] = {}  # fd -> (what it was built from, view)
        self.tids: list[int] = []


class KernelSampler:
    """Samples a set of pids: every thread's state, call and wait channel each time; descriptors
    every `descriptor_interval` seconds and buffer fills every `fill_interval` seconds (they
    change less often and cost more; `with_descriptors=False` skips both). A call's own
    descriptor is checked each time, so a blocked call is never described by a stale descriptor."""

    def __init__(self, pids: Iterable[int] = (), with_descriptors: bool = True, descriptor_interval: float = 1.0,
                 fill_interval: float = 0.25) -> None:
        self.pids = [int(pid) for pid in pids]
        self.with_descriptors = with_descriptors
        self.descriptor_interval = descriptor_interval
        self.fill_interval = fill_interval
        self._own_ends = OwnEnds()
        self._memory: dict[int, _ProcessMemory] = {}
        self._files = KeptOpen()
        self._threads: dict[int, tuple[tuple, ThreadView]] = {}
        self._sockets = SocketDiagnostics()
        self._previous_tasks: list[tuple[int, list[int]]] = []

    def set_pids(self, pids: Iterable[int]) -> None:
        self.pids = [int(pid) for pid in pids]
        self._memory = {pid: memory for pid, memory in self._memory.items() if pid in self.pids}

    def sample(self) -> KernelSnapshot:
        now = time.monotonic()
        if not kernel_view_supported():
            return KernelSnapshot(now, False, platform.machine(), LINUX_ONLY, [])
        self._sampled_tasks: list[tuple[int, list[int]]] = []  # (pid, the tids read), in order
        self._sockets.new_sample()
        processes = [self._process(pid, now) for pid in self.pids]
        if self._sampled_tasks != self._previous_tasks:  # a thread or process came or went
            prefixes = {f"{PROC}/{pid}/" for pid, _ in self._sampled_tasks}
            prefixes.update(f"{PROC}/{pid}/task/{tid}/" for pid, tids in self._sampled_tasks for tid in tids)
            self._files.keep_only(prefixes)
            sampled = {tid for _, tids in self._sampled_tasks for tid in tids}
            self._threads = {tid: known for tid, known in self._threads.items() if tid in sampled}
            self._previous_tasks = self._sampled_tasks
        return KernelSnapshot(now, True, platform.machine(), "", processes)

    def close(self) -> None:
        """Close the /proc files kept open between samples."""
        self._files.close()
        self._sockets.close()

    def _list_descriptors(self, pid: int, memory: _ProcessMemory, now: float) -> None:
        memory.listings += 1
        known = None if memory.listings % FULL_LISTING_EVERY == 0 else memory.descriptors
        try:
            found = read_descriptors(pid, known=known)
        except Hidden:
            memory.descriptors, memory.hidden = {}, True
            return
        unresolved = {descriptor.inode for descriptor in found if descriptor.kind == "socket"}
        endpoints = _endpoints(unresolved, self._sockets) if unresolved else {}
        found = mark_wake_up_pipes([attach_endpoint(descriptor, endpoints) for descriptor in found])
        memory.descriptors = {descriptor.fd: descriptor for descriptor in found}
        memory.listed_at, memory.hidden = now, False

    def _measure_fills(self, memory: _ProcessMemory, now: float) -> None:
        watched = [descriptor for descriptor in memory.descriptors.values() if descriptor.kind in ("tcp", "tcp6", "unix")]
        sockets = self._sockets.memory({descriptor.kind for descriptor in watched},
                                       {descriptor.inode for descriptor in watched if descriptor.inode is not None}) \
            if watched else {}
        memory.fills = {}
        for fd, descriptor in list(memory.descriptors.items()):
            known = sockets.get(descriptor.inode) if descriptor.inode is not None else None
            if known is not None and known.endpoint is not None and descriptor.endpoint != known.endpoint:
                descriptor = memory.descriptors[fd] = descriptor._replace(endpoint=known.endpoint)  # new TCP state
            fills = descriptor_fill(descriptor, self._own_ends, sockets)
            if fills:
                memory.fills[fd] = fills
        memory.measured_at = now

    def _process(self, pid: int, now: float) -> ProcessView:
        try:
            name, _ = parse_stat(self._files.read(f"{PROC}/{pid}/stat").decode("utf-8", "replace"))
            tids = self._thread_ids(pid, self._memory.get(pid))
        except Gone:
            self._memory.pop(pid, None)
            return ProcessView(pid, "", False, "no such process (or it has exited)", [], [])
        except Hidden:
            return ProcessView(pid, "", True, "not visible: another user's process", [], [])
        memory = self._memory.setdefault(pid, _ProcessMemory())
        try:
            if self.with_descriptors and now - memory.listed_at >= self.descriptor_interval:
                self._list_descriptors(pid, memory, now)
        except Gone:
            return ProcessView(pid, name, False, "the process has exited", [], [])

        def descriptor(fd: int) -> Descriptor | None:
            known = memory.descriptors.get(fd)
            try:
                if known is not None and read_link(f"{PROC}/{pid}/fd/{fd}") == known.target:
                    return known
                found = read_descriptor(pid, fd)
            except (Gone, Hidden):
                return None
            if found.kind == "socket":
                found = attach_endpoint(found, _endpoints({found.inode}, self._sockets))
            memory.descriptors[fd] = found
            return found

        threads = []
        inferred_full: set[int] = set()
        read_tids: list[int] = []
        self._sampled_tasks.append((pid, read_tids))
        pending, attempted, listed_again = tids, [], False
        while pending:
            ended = False
            for tid in pending:
                try:
                    thread = self._thread(pid, tid, descriptor)
                except (Gone, Hidden):
                    ended = True
                    continue
                threads.append(thread)
                read_tids.append(tid)
                if thread.wait_kind == "pipe-write" and thread.fd is not None:
                    inferred_full.add(thread.fd)
            attempted += pending
            pending = []
            if ended:  # a thread ended: list them again now (one may have started in its place)
                memory.tids, listed_again = [], True
                try:
                    pending = [tid for tid in self._thread_ids(pid, memory) if tid not in set(attempted)]
                except (Gone, Hidden):
                    pending = []
        if listed_again:
            threads.sort(key=lambda thread: thread.tid)
        notes = ["descriptors not visible"] if memory.hidden else []
        if threads and all(thread.call_number is None and thread.state != "R" for thread in threads):
            notes.append("system calls not visible")
        views = []
        if self.with_descriptors:
            if now - memory.measured_at >= self.fill_interval:
                self._measure_fills(memory, now)
            key = (memory.listed_at, memory.measured_at, frozenset(inferred_full), len(memory.descriptors))
            if memory.views_key != key:  # rebuilt only when something was read again
                memory.views = [self._cached_view(memory, found, memory.fills.get(fd, {}), fd in inferred_full)
                                for fd, found in sorted(memory.descriptors.items())]
                memory.views_key = key
                memory.view_of = {fd: known for fd, known in memory.view_of.items() if fd in memory.descriptors}
            views = memory.views
        return ProcessView(pid, name, True, "; ".join(notes), threads, views)

    def _thread_ids(self, pid: int, memory: _ProcessMemory | None) -> list[int]:
        """The process's thread ids: listed again only when their number changed (the task
        directory's link count is 2 + the number of threads) or one of them ended."""
        if memory is not None and memory.tids:
            try:
                count = os.stat(f"{PROC}/{pid}/task").st_nlink - 2
            except FileNotFoundError:
                raise Gone(str(pid)) from None
            except OSError:
                count = -1
            if count == len(memory.tids):
                return memory.tids
        tids = sorted(int(tid) for tid in list_directory(f"{PROC}/{pid}/task") if tid.isdigit())
        if memory is not None:
            memory.tids = tids
        return tids

    def _cached_view(self, memory: _ProcessMemory, found: Descriptor, fills: dict[str, BufferFill],
                     writer_waits: bool) -> DescriptorView:
        """The descriptor's view, built again only when what it shows changed."""
        key = (found, tuple(fills.items()), writer_waits)
        known = memory.view_of.get(found.fd)
        if known is not None and known[0] == key:
            return known[1]
        view = self._descriptor_view(found, fills, writer_waits)
        memory.view_of[found.fd] = (key, view)
        return view

    def _thread(self, pid: int, tid: int, descriptor) -> ThreadView:
        previous = self._threads.get(tid)
        raw = read_raw(pid, tid, self._files, previous[0] if previous is not None else None)
        if previous is not None and (previous[0] is raw or previous[0][:3] == raw[:3]):
            if previous[0] is not raw:
                self._threads[tid] = (raw, previous[1])
            return previous[1]  # nothing changed since the last sample (a blocked thread's usual case)
        view = self._describe_thread(pid, parse_thread(tid, raw), descriptor)
        self._threads[tid] = (raw, view)
        return view

    def _describe_thread(self, pid: int, state: ThreadState, descriptor) -> ThreadView:
        tid = state.tid
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
        summary = summarize_words(state.state, state.syscall, call, subject, wait)
        return ThreadView(
            tid=tid, name=state.name, state=state.state, state_name=STATE_NAMES.get(state.state, state.state),
            blocked=in_call and state.state in ("S", "D"), call=call, call_number=state.syscall if in_call else None,
            arguments=[argument._asdict() for argument in decoded.arguments] if decoded else [],
            subject=subject, fd=decoded.fd if decoded else None, direction=decoded.direction if decoded else "",
            wait_channel=wait.name, wait_sentence=wait.sentence if wait.visible else "not visible",
            wait_kind=wait.kind, summary=summary.render(), summary_words=summary)

    def _descriptor_view(self, found: Descriptor, fills: dict[str, BufferFill], writer_waits: bool) -> DescriptorView:
        if writer_waits and fills.get("pipe") is not None and fills["pipe"].used is None:
            fills = {**fills, "pipe": INFERRED_FULL}
        endpoint = found.endpoint
        return DescriptorView(found.fd, found.target, found.kind, found.name, found.inode, found.flags, found.access,
                              endpoint.state if endpoint else "", endpoint.local if endpoint else "",
                              endpoint.remote if endpoint else "", {side: _fill_dict(fill) for side, fill in fills.items()})


def sample_once(pids: Iterable[int], with_descriptors: bool = True) -> KernelSnapshot:
    return KernelSampler(pids, with_descriptors).sample()
