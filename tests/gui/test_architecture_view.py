"""The live architecture view matches what really runs: pids, FIFO paths on disk, TCP ports, the
Unix socket path; a crashed server turns red; a new client appears."""

from __future__ import annotations

import os
import signal
import stat

from backend.measuring.runner import WorkloadSpec
from qtapp.classroom.architecture import STATE_FILL
from tests.gui.helpers import wait_listening


def _client_side_ports(server_port: int) -> set[int]:
    """Local ports of established connections to `server_port`: the clients' side, from /proc."""
    ports = set()
    with open("/proc/net/tcp") as handle:
        next(handle)
        for line in handle:
            fields = line.split()
            if fields[3] == "01" and int(fields[2].split(":")[1], 16) == server_port:
                ports.add(int(fields[1].split(":")[1], 16))
    return ports


def test_items_match_the_running_processes_and_change_when_a_server_crashes(qtbot, window):
    view = window.architecture_view
    window.tabs.setCurrentWidget(view)
    for transport in ("fifo", "tcp", "unix"):
        wait_listening(qtbot, window, transport)
    snapshot = window.refresh_architecture()
    assert snapshot.gui_pid == os.getpid() and f"pid {os.getpid()}" in view.labels["gui"]
    for transport in ("fifo", "tcp", "unix"):
        server = window.servers[transport]
        assert snapshot.server(transport).pid == server.pid
        assert f"pid {server.pid}" in view.labels[f"server:{transport}"]
    request_fifo = os.path.join(window.servers["fifo"].address, "request.fifo")
    assert stat.S_ISFIFO(os.stat(request_fifo).st_mode)
    assert view.labels["channel:fifo:request.fifo"].splitlines()[1] == request_fifo
    assert view.labels["channel:unix:socket"].splitlines()[1] == window.servers["unix"].address
    assert not [node for node in snapshot.clients], "no client runs yet"

    for transport in ("fifo", "tcp", "unix"):
        window.start_workload(WorkloadSpec(transport=transport, requests=None, count=10, duration=30, concurrency=2))
    qtbot.waitUntil(lambda: len(window.architecture_snapshot().channels_of("tcp", "tcp-connection")) == 2
                    and len(window.architecture_snapshot().channels_of("fifo", "reply-fifo")) == 2
                    and bool(window.architecture_snapshot().channels_of("unix", "unix-connections")), timeout=15000)
    snapshot = window.refresh_architecture()
    assert sorted(node.transport for node in snapshot.clients) == ["fifo", "fifo", "tcp", "tcp", "unix", "unix"]
    assert "client thread 2" in view.labels["client:" + snapshot.clients[1].key]
    # Reply FIFOs drawn are the FIFOs on disk, named after this process's pid.
    directory = window.servers["fifo"].address
    on_disk = sorted(name for name in os.listdir(directory) if name.startswith("reply-"))
    drawn = sorted(channel.label for channel in snapshot.channels_of("fifo", "reply-fifo"))
    assert drawn == on_disk and all(name.startswith(f"reply-{os.getpid()}-") for name in drawn)
    # TCP connections: both ports are the real ones.
    server_port = int(window.servers["tcp"].address.rsplit(":", 1)[1])
    drawn_ports = {int(channel.key.split(":")[1]) for channel in snapshot.channels_of("tcp", "tcp-connection")}
    assert drawn_ports == _client_side_ports(server_port)
    for channel in snapshot.channels_of("tcp", "tcp-connection"):
        assert channel.label.endswith(f":{server_port}") and channel.key in [k.removeprefix("channel:")
                                                                               for k in view.labels]
    assert view.labels["channel:unix:connections"].startswith("2 connection")
    qtbot.waitUntil(lambda: view.pulses_started > 0, timeout=5000)  # requests and replies animate

    # Crash: the server turns red, its FIFOs disappear from the drawing; the others stay green.
    pid = window.servers["fifo"].pid
    with qtbot.waitSignal(window.servers["fifo"].failed, timeout=10000):
        os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: window.architecture_snapshot().server("fifo").state == "crashed", timeout=5000)
    window.refresh_architecture()
    assert view.colours["server:fifo"] == STATE_FILL["crashed"]
    assert "CRASHED" in view.labels["server:fifo"] and "SIGKILL" in view.labels["server:fifo"]
    assert f"pid {pid}" in view.labels["server:fifo"]
    assert not window.architecture_snapshot().channels_of("fifo")
    assert view.colours["server:tcp"] == STATE_FILL["listening"]
    qtbot.waitUntil(lambda: "fifo" not in window.runs, timeout=10000)
    window.stop_runs()
    qtbot.waitUntil(lambda: not window.runs, timeout=5000)
    # A new client appears when a run starts.
    window.refresh_architecture()
    assert not window.architecture_snapshot().clients
    window.start_workload(WorkloadSpec(transport="unix", requests=None, count=10, duration=30, concurrency=3))
    qtbot.waitUntil(lambda: len(view.snapshot.clients) == 3, timeout=5000)
    window.stop_runs()
    qtbot.waitUntil(lambda: not window.runs, timeout=5000)
