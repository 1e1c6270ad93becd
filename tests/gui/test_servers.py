"""Server panels: start, stop and restart real servers; failures show in the panel."""

from __future__ import annotations

import os
import signal
import socket

import pytest

from qtapp.measuring.server_qprocess import ServerState

TRANSPORTS = ("fifo", "tcp", "unix")


def _pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_start_stop_restart_from_the_panel(qtbot, window, transport):
    server = window.servers[transport]
    panel = window.server_panels[transport]
    assert server.state == ServerState.STOPPED and panel.start_button.isEnabled()

    with qtbot.waitSignals([server.state_changed, server.state_changed], order="strict",
                           check_params_cbs=[lambda s: s == "starting", lambda s: s == "listening"], timeout=15000):
        panel.start_button.click()
    first_pid = server.pid
    assert first_pid > 0 and _pid_alive(first_pid)
    assert "listening at" in panel.state_label.text() and server.address in panel.state_label.text()
    assert f"pid {first_pid}" in panel.details_label.text()
    assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
    if transport == "tcp":
        assert server.address.startswith("127.0.0.1:") and not server.address.endswith(":0")
    else:
        assert os.path.exists(server.address)

    with qtbot.waitSignals([server.state_changed] * 4, order="strict", timeout=15000,
                           check_params_cbs=[lambda s: s == "stopping", lambda s: s == "stopped",
                                             lambda s: s == "starting", lambda s: s == "listening"]):
        panel.restart_button.click()
    assert server.pid != first_pid and not _pid_alive(first_pid)

    second_pid, address = server.pid, server.address
    with qtbot.waitSignals([server.state_changed] * 2, order="strict", timeout=15000,
                           check_params_cbs=[lambda s: s == "stopping", lambda s: s == "stopped"]):
        panel.stop_button.click()
    assert not _pid_alive(second_pid)
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()
    assert "stopped" in panel.state_label.text()
    if transport != "tcp":
        assert not os.path.exists(address)


def test_port_in_use_is_shown_in_the_panel(qtbot, window):
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    port = blocker.getsockname()[1]
    try:
        panel = window.server_panels["tcp"]
        panel.address_edit.setText(f"127.0.0.1:{port}")
        panel.address_edit.editingFinished.emit()
        server = window.servers["tcp"]
        with qtbot.waitSignal(server.failed, timeout=15000) as blocker_signal:
            panel.start_button.click()
        message = blocker_signal.args[0]
        assert "already in use" in message and str(port) in message
        assert server.state == ServerState.FAILED
        assert "already in use" in panel.state_label.text()
        assert panel.start_button.isEnabled()
    finally:
        blocker.close()


def test_missing_executable_is_shown_in_the_panel(qtbot, window, monkeypatch):
    import qtapp.measuring.server_qprocess as server_process

    monkeypatch.setattr(server_process, "serve_command", lambda arguments: ["/nonexistent/ipclab", *arguments])
    server = window.servers["unix"]
    with qtbot.waitSignal(server.failed, timeout=5000) as failed:
        window.server_panels["unix"].start_button.click()
    assert "missing" in failed.args[0]
    assert "missing" in window.server_panels["unix"].state_label.text()


def test_server_that_never_becomes_ready_times_out(qtbot, window, monkeypatch):
    import sys

    import qtapp.measuring.server_qprocess as server_process

    monkeypatch.setattr(server_process, "serve_command",
                        lambda arguments: [sys.executable, "-c", "import time; time.sleep(30)"])
    server = window.servers["fifo"]
    server.ready_timeout_ms = 300
    with qtbot.waitSignal(server.failed, timeout=5000) as failed:
        server.start()
    assert "did not become ready" in failed.args[0]
    qtbot.waitUntil(lambda: server.state == ServerState.FAILED, timeout=5000)
    assert "did not become ready" in window.server_panels["fifo"].state_label.text()


def test_killed_server_shows_crashed_and_restarts(qtbot, window, runtime_leftovers):
    from tests.gui.helpers import wait_listening

    wait_listening(qtbot, window, "fifo")
    server = window.servers["fifo"]
    with qtbot.waitSignal(server.failed, timeout=10000) as failed:
        os.kill(server.pid, signal.SIGKILL)
    assert "crashed" in failed.args[0] and "SIGKILL" in failed.args[0]
    assert server.state == ServerState.CRASHED
    assert "crashed" in window.server_panels["fifo"].state_label.text()
    assert runtime_leftovers() == []  # the killed server's FIFO directory was removed for it
    with qtbot.waitSignal(server.ready, timeout=15000):
        window.server_panels["fifo"].restart_button.click()
    assert server.state == ServerState.LISTENING
