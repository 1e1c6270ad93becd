"""What the kernel view costs: sampling 20 threads at 20 Hz must take <= 2 % of one CPU.

    python benchmarks/bench_kernel_view.py [--seconds 5] [--threads 20] [--rate 20] [--json]

A real child process runs `--threads` threads (each blocked in a read of its own pipe) and holds a
few pipes, a FIFO and a TCP connection, like a server. The sampler reads the whole view (every
thread's state, system call and wait channel, all descriptors, socket tables and buffer fills) at
`--rate` samples a second for `--seconds`; the CPU time this process spends (user + system, in the
sampling thread) is divided by the wall time. Exit status 0 when the target is met.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from backend.kernel_view.sampler import KernelSampler  # noqa: E402

TARGET_PERCENT = 2.0
CHILD = r"""
import os, socket, sys, threading
count, fifo = int(sys.argv[1]), sys.argv[2]
listener = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(listener.getsockname())
server_side, _ = listener.accept()
reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
pipes = [os.pipe() for _ in range(count - 1)]
for read_end, _ in pipes:
    threading.Thread(target=os.read, args=(read_end, 1), daemon=True).start()
print("ready", flush=True)
sys.stdin.readline()
"""


def measure(seconds: float, threads: int, rate: float) -> dict:
    with tempfile.TemporaryDirectory() as directory:
        fifo = os.path.join(directory, "request.fifo")
        os.mkfifo(fifo)
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(threads), fifo], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            sampler = KernelSampler([child.pid])
            first = sampler.sample()
            seen_threads = len(first.processes[0].threads)
            seen_descriptors = len(first.processes[0].descriptors)
            interval = 1.0 / rate
            samples = 0
            pause = threading.Event()
            cpu_start, wall_start = time.thread_time(), time.monotonic()
            next_at = wall_start
            while time.monotonic() - wall_start < seconds:
                sampler.sample()
                samples += 1
                next_at += interval
                pause.wait(max(0.0, next_at - time.monotonic()))
            cpu, wall = time.thread_time() - cpu_start, time.monotonic() - wall_start
        finally:
            child.stdin.close()
            child.wait(timeout=10)
    return {"threads": seen_threads, "descriptors": seen_descriptors, "samples": samples, "wall_s": wall,
            "cpu_s": cpu, "rate_hz": samples / wall, "per_sample_ms": 1000 * cpu / samples,
            "cpu_percent": 100 * cpu / wall, "target_percent": TARGET_PERCENT}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    result = measure(options.seconds, options.threads, options.rate)
    met = result["cpu_percent"] <= TARGET_PERCENT
    if options.json:
        print(json.dumps({**result, "met": met}))
    else:
        print(f"kernel view: {result['threads']} threads, {result['descriptors']} descriptors, "
              f"{result['rate_hz']:.1f} samples/s for {result['wall_s']:.1f} s")
        print(f"  {result['per_sample_ms']:.3f} ms of CPU per sample = {result['cpu_percent']:.2f} % of one CPU "
              f"(target <= {TARGET_PERCENT:g} %): {'met' if met else 'NOT met'}")
        print(f"  load average {os.getloadavg()[0]:.2f}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
