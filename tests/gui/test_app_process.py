"""The app as a real process: `kill` (SIGTERM) or a closed terminal (SIGHUP) closes the window
cleanly, like Ctrl+C: exit status 0, its servers stopped, their FIFOs and sockets removed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _children(pid: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(name))
    return found


def _files_under(path: str) -> list[str]:
    return [os.path.join(directory, name) for directory, _, names in os.walk(path) for name in names]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_closes_the_window_and_its_servers_cleanly(runtime_directory, stop_signal):
    before = set(_files_under(runtime_directory))
    process = subprocess.Popen([sys.executable, "-m", "qtapp", "gui", "--demo"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(_children(process.pid)) < 3 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)  # polling a real process from outside: the demo starts three servers
        servers = _children(process.pid)
        assert len(servers) >= 3, f"the demo's servers never started: {process.stderr.read().decode()[-2000:]}"
        process.send_signal(stop_signal)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    for pid in servers:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
    assert sorted(set(_files_under(runtime_directory)) - before) == []
