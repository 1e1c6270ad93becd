"""Wording seen on screen: plurals, a state said once, the same byte count on both sides of the
garbage demo, a status-bar hint that goes once it is followed, clients counted alike everywhere."""

from __future__ import annotations

import os
import signal

import pytest
from PySide6.QtWidgets import QLabel

from qtapp.classroom.architecture import MAX_CLIENTS_DRAWN, ClientNode
from tests.gui.helpers import wait_listening


def test_requests_served_has_a_singular_and_a_plural(qtbot, window):
    wait_listening(qtbot, window, "tcp")
    details = window.server_panels["tcp"].details_label
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.single_request("tcp")
    qtbot.waitUntil(lambda: window.servers["tcp"].requests_served == 1, timeout=5000)
    window.server_panels["tcp"].refresh_details()
    assert details.text().endswith("· 1 request served"), details.text()
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.single_request("tcp")
    qtbot.waitUntil(lambda: window.servers["tcp"].requests_served == 2, timeout=5000)
    window.server_panels["tcp"].refresh_details()
    assert details.text().endswith("· 2 requests served"), details.text()


def test_one_more_client_thread_is_singular_in_both_languages(qtbot, window):
    from qtapp.window import i18n

    for index in range(MAX_CLIENTS_DRAWN + 1):
        window.extra_clients[f"test:{index}"] = ClientNode(f"test:{index}", "fifo", f"thread {index}")
    try:
        window.refresh_architecture()
        assert "+ 1 more client thread" == window.architecture_view.labels["clients:fifo"].splitlines()[-1]
        assert i18n.install_translator("fr")
        window.architecture_view.set_line_scale(window.architecture_view.line_scale)  # redrawn in French
        assert "+ 1 autre thread client" == window.architecture_view.labels["clients:fifo"].splitlines()[-1]
    finally:
        i18n.remove_translators()
        window.extra_clients.clear()


def test_a_crash_is_said_once_in_the_server_log(qtbot, window):
    wait_listening(qtbot, window, "unix")
    server = window.servers["unix"]
    with qtbot.waitSignal(server.failed, timeout=10000):
        os.kill(server.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: "killed by SIGKILL" in window.server_log.plain_text(), timeout=5000)
    line = [line for line in window.server_log.plain_text().splitlines() if "SIGKILL" in line][-1]
    assert line.count("crashed") == 1, line


def test_the_garbage_demo_and_the_fifo_server_count_the_same_bytes(qtbot, window):
    page = window.faults_page
    page.set_transport("fifo")
    with qtbot.waitSignal(page.demo_finished, timeout=30000):
        page.buttons["garbage"].click()
    qtbot.waitUntil(lambda: "that were not a request" in window.server_log.plain_text(), timeout=10000)
    said = [line for line in window.server_log.plain_text().splitlines() if "not a request" in line]
    assert said and all("skipped 256 bytes" in line for line in said), said
    descriptions = [label.text() for label in page.findChildren(QLabel)]
    assert any("256 random bytes" in text for text in descriptions)  # the demo's own description


def test_the_welcome_hint_goes_once_the_button_is_pressed(qtbot, window):
    assert window.statusBar().currentMessage() == window.welcome_hint
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.primary_button.click()
    assert window.statusBar().currentMessage() != window.welcome_hint


@pytest.mark.parametrize("transport", ["fifo", "tcp"])
def test_fifo_and_tcp_servers_report_a_finished_client_as_gone(qtbot, window, transport):
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.single_request(transport)
    qtbot.waitUntil(lambda: " gone (" in window.server_log.plain_text(), timeout=10000)
    qtbot.waitUntil(lambda: window.servers[transport].last_stats.get("clients_active") == 0
                    and window.servers[transport].last_stats.get("clients_total") == 1, timeout=10000)


def test_server_and_client_log_lines_use_plurals(qtbot, window):
    panel = window.client_panel
    panel.random_count.setChecked(False)
    panel.count_spin.setValue(1)
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.single_request("tcp")
    qtbot.waitUntil(lambda: "sent 1 number (" in window.server_log.plain_text(), timeout=5000)
    qtbot.waitUntil(lambda: "asked for 1 number in" in window.client_log.plain_text(), timeout=5000)
    assert ": 1 number in" in window.server_log.plain_text()
    panel.count_spin.setValue(10)
    # The server's once-a-second line after that one request: no "1 requests in all".
    qtbot.waitUntil(lambda: "served in all: 1;" in window.server_log.plain_text(), timeout=5000)
    assert "1 requests in all" not in window.server_log.plain_text()
