"""Bring your own server: a server panel runs the user's command (here the reference C server),
waits for its ready line and plots it like the built-in ones; a command that never prints a
ready line, or announces another transport, is shown clearly."""

from __future__ import annotations

import os
import sys

import pytest

from backend.measuring.runner import WorkloadSpec
from qtapp.measuring.server_qprocess import ServerState


@pytest.mark.parametrize("transport, arguments", [("tcp", "tcp 127.0.0.1:0"), ("fifo", "fifo {address}")])
def test_the_c_server_runs_from_a_panel_and_is_plotted(qtbot, window, c_examples, transport, arguments):
    panel = window.server_panels[transport]
    server = window.servers[transport]
    program = os.path.join(c_examples, "ipclab_server")
    panel.command_edit.setText(f"{program} {arguments}")
    panel.command_edit.editingFinished.emit()
    assert "your own command" in panel.title()
    with qtbot.waitSignal(server.ready, timeout=15000) as ready:
        panel.start_button.click()
    assert ready.args[0]["transport"] == transport
    assert os.path.realpath(f"/proc/{server.pid}/exe") == os.path.realpath(program)
    assert "listening at" in panel.state_label.text() and f"pid {server.pid}" in panel.details_label.text()

    with qtbot.waitSignal(window.run_finished, timeout=30000) as finished:
        window.start_workload(WorkloadSpec(transport=transport, requests=500, count=20, lo=1, hi=6, concurrency=2))
    assert finished.args[2] == []
    window.refresh_plots(force=True)
    series = window.model.series[transport]
    assert series.statistics.exchanges == 500 and series.statistics.numbers == 10_000
    assert series.server_pid == server.pid
    assert window.distribution_plot.shown_counts.sum() == 10_000 and len(window.distribution_plot.shown_counts) == 6
    snapshot = window.refresh_architecture()
    assert snapshot.server(transport).pid == server.pid and snapshot.server(transport).command
    assert "your own server" in window.architecture_view.labels[f"server:{transport}"]
    if transport == "fifo":
        assert snapshot.channels_of("fifo", "request-fifo")
    with qtbot.waitSignal(server.state_changed, timeout=10000, check_params_cb=lambda s: s == "stopped"):
        panel.stop_button.click()
    panel.set_command("")  # the next tests get the built-in server again
    window.settings.set_command(transport, "")


def test_a_command_that_prints_no_ready_line_is_shown_clearly(qtbot, window):
    panel = window.server_panels["unix"]
    server = window.servers["unix"]
    script = "import time; print('server started on port 5000', flush=True); time.sleep(30)"
    panel.set_command(f"{sys.executable} -c \"{script}\"")
    server.ready_timeout_ms = 700
    with qtbot.waitSignal(server.failed, timeout=10000) as failed:
        panel.start_button.click()
    message = failed.args[0]
    assert "no ready line" in message and "server started on port 5000" in message
    qtbot.waitUntil(lambda: server.state == ServerState.FAILED, timeout=5000)
    assert "no ready line" in panel.state_label.text()
    panel.set_command("")


def test_a_server_of_another_transport_is_refused(qtbot, window, c_examples):
    panel = window.server_panels["unix"]
    server = window.servers["unix"]
    panel.set_command(f"{os.path.join(c_examples, 'ipclab_server')} tcp 127.0.0.1:0")
    with qtbot.waitSignal(server.failed, timeout=10000) as failed:
        panel.start_button.click()
    assert "'tcp' server" in failed.args[0] and "unix" in failed.args[0]
    panel.set_command("")


def test_a_missing_program_is_shown_clearly(qtbot, window):
    panel = window.server_panels["tcp"]
    panel.set_command("./no-such-server tcp 127.0.0.1:0")
    with qtbot.waitSignal(window.servers["tcp"].failed, timeout=5000) as failed:
        panel.start_button.click()
    assert "no-such-server is missing" in failed.args[0]
    panel.set_command("")


def test_a_command_that_exits_at_once_is_reported_with_its_status_and_stderr(qtbot, window):
    panel = window.server_panels["tcp"]
    server = window.servers["tcp"]
    script = ("import sys; print('warming up', flush=True); "
              "[print(f'line {n} of the error', file=sys.stderr) for n in range(1, 9)]; sys.exit(4)")
    panel.set_command(f"{sys.executable} -c \"{script}\"")
    with qtbot.waitSignal(server.failed, timeout=10000) as failed:
        panel.start_button.click()
    message = failed.args[0]
    assert "exit code 4" in message
    assert [line for line in message.splitlines() if line.startswith("line ")] == [
        f"line {n} of the error" for n in range(4, 9)], message
    label = panel.state_label.text()
    assert "exit code 4" in label and "line 8 of the error" in label and "line 4 of the error" in label
    qtbot.waitUntil(lambda: "line 8 of the error" in window.server_log.plain_text(), timeout=5000)
    assert "failed: " not in window.server_log.plain_text()
    panel.set_command("")


def test_a_command_killed_by_a_signal_while_starting_says_so(qtbot, window):
    panel = window.server_panels["unix"]
    server = window.servers["unix"]
    script = "import os, signal, sys; print('<b>about to die</b>', file=sys.stderr, flush=True); os.kill(os.getpid(), 9)"
    panel.set_command(f"{sys.executable} -c \"{script}\"")
    with qtbot.waitSignal(server.failed, timeout=10000) as failed:
        panel.start_button.click()
    assert "killed by SIGKILL" in failed.args[0] and "<b>about to die</b>" in failed.args[0]
    assert "&lt;b&gt;about to die" in panel.state_label.text()  # shown as text, not as markup
    panel.set_command("")
