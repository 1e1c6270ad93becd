"""`ipclab kernel PID... [--json] [--watch]`: the kernel's view as text or JSON, once or repeatedly."""

from __future__ import annotations

import json
import sys
import time
from typing import TextIO

from backend.kernel_view.sampler import DescriptorView, KernelSampler, KernelSnapshot, ProcessView

EXIT_OK, EXIT_FAILED = 0, 1


def format_size(count: int | None) -> str:
    if count is None:
        return "?"
    if count >= 1 << 20 and count % (1 << 20) == 0:
        return f"{count >> 20} MiB"
    if count >= 1 << 10 and count % (1 << 10) == 0:
        return f"{count >> 10} KiB"
    return f"{count} B"


def format_fill(side: str, fill: dict) -> str:
    if fill["used"] is None:
        state = "full" if fill["full"] else "fill not visible"
        return f"{side}: {state} ({fill['source']})"
    capacity = f" of {format_size(fill['capacity'])}" if fill["capacity"] else ""
    full = ", full" if fill["full"] else ""
    return f"{side}: {format_size(fill['used'])}{capacity}{full} ({fill['source']})"


def format_descriptor(descriptor: DescriptorView) -> str:
    flags = "|".join(descriptor.flags) or "flags not visible"
    kind = {"fifo": "FIFO", "pipe": "pipe", "tcp": "TCP", "tcp6": "TCP", "unix": "Unix socket"}.get(descriptor.kind)
    text = f"    fd {descriptor.fd:<3} {flags:<28} {descriptor.name}"
    if kind and descriptor.kind == "fifo":
        text += f" (FIFO, inode {descriptor.inode})"
    if descriptor.socket_state and descriptor.kind in ("tcp", "tcp6"):
        text += f" [{descriptor.socket_state}]"
    for side, fill in descriptor.fills.items():
        text += f"\n           {format_fill(side, fill)}"
    return text


def format_process(process: ProcessView) -> str:
    lines = [f"process {process.pid} ({process.name or '?'})" + (f": {process.note}" if process.note else "")]
    for thread in process.threads:
        lines.append(f"  thread {thread.tid} {thread.name} [{thread.state}]: {thread.summary}")
        if thread.call:
            arguments = ", ".join(f"{argument['name']}={argument['meaning'] or argument['value']}"
                                  for argument in thread.arguments)
            lines.append(f"      {thread.call}({arguments})")
        elif thread.call_number is not None:
            lines.append(f"      system call number {thread.call_number} (no name on this machine)")
        if thread.wait_channel:
            lines.append(f"      wait channel: {thread.wait_channel}")
    interesting = [d for d in process.descriptors if d.kind in ("fifo", "pipe", "tcp", "tcp6", "unix", "socket")]
    if interesting:
        lines.append("  channels:")
        lines += [format_descriptor(descriptor) for descriptor in interesting]
    return "\n".join(lines)


def format_snapshot(snapshot: KernelSnapshot) -> str:
    if not snapshot.supported:
        return snapshot.note
    return "\n\n".join(format_process(process) for process in snapshot.processes)


def run(pids: list[int], as_json: bool, watch: float | None, out: TextIO = sys.stdout) -> int:
    """Print the view once, or every `watch` seconds until interrupted. Exit 1 when the kernel view
    is not available here or none of the processes exists."""
    sampler = KernelSampler(pids)
    try:
        while True:
            snapshot = sampler.sample()
            if as_json:
                out.write(json.dumps(snapshot.to_json(), ensure_ascii=False) + "\n")
            else:
                out.write(format_snapshot(snapshot) + ("\n\n" if watch else "\n"))
            out.flush()
            if not snapshot.supported or not any(process.alive for process in snapshot.processes):
                if not snapshot.supported or not as_json:
                    print(snapshot.note or "ipclab kernel: no such process", file=sys.stderr)
                return EXIT_FAILED
            if watch is None:
                return EXIT_OK
            time.sleep(watch)
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:
        return EXIT_OK
