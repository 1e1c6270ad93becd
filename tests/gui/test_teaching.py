"""Classroom features: the wire view decodes the bytes actually sent, presentation mode and zoom,
fault demos, the guided tour."""

from __future__ import annotations

import os
import re
import struct

import numpy as np
import pytest

from qtapp.measuring.server_qprocess import ServerState
from tests.gui.helpers import wait_listening


@pytest.mark.parametrize("transport", ("fifo", "tcp"))
def test_wire_view_fields_decode_to_the_values_actually_sent(qtbot, window, transport):
    window.client_panel.set_transport(transport)
    window.client_panel.lo_spin.setValue(1)
    window.client_panel.hi_spin.setValue(10)
    window.client_panel.random_count.setChecked(False)
    window.client_panel.count_spin.setValue(5)  # a single request asks for "Numbers each"
    window.tabs.setCurrentWidget(window.wire_view)
    with qtbot.waitSignal(window.wire_captured, timeout=20000) as captured:
        window.wire_view.send_button.click()
    capture = captured.args[0]
    view = window.wire_view
    fields = {field.name: field.value for field in view.request_view.fields}
    # The client log says what was asked and what came back; the wire must say the same.
    qtbot.waitUntil(lambda: "asked for" in window.client_log.plain_text(), timeout=5000)
    line = [line for line in window.client_log.plain_text().splitlines() if "asked for" in line][-1]
    count = int(re.search(r"asked for (\d+) numbers in 1\.\.10", line).group(1))
    values = [int(value) for value in line.split(": ")[-1].split()]
    assert fields["magic"] == "IPCL" and fields["version"] == 1 and fields["length"] == 48
    assert fields["pid"] == os.getpid() and fields["count"] == count and (fields["lo"], fields["hi"]) == (1, 10)
    # Independently of the decoder: the bytes at the documented offsets (big-endian).
    assert len(capture.request) == 48
    assert struct.unpack_from(">4sBBHII", capture.request, 0)[0] == b"IPCL"
    assert struct.unpack_from(">I", capture.request, 24)[0] == count
    assert struct.unpack_from(">ii", capture.request, 28) == (1, 10)
    reply_values = [field.value for field in view.reply_view.fields if field.name == "value"]
    assert reply_values == values
    assert reply_values == list(np.frombuffer(capture.reply_head[16:16 + 4 * count], dtype=">i4"))
    server_pids = [field.value for field in view.reply_view.fields if field.name == "server pid"]
    assert server_pids == [window.servers[transport].pid]
    table = view.request_view.table
    names = [table.item(row, 2).text() for row in range(table.rowCount())]
    assert names[:3] == ["magic", "version", "type"] and "crc32" in names
    assert f">{count}<" in view.request_view.dump.toHtml() or f"pid {os.getpid()}" in view.summary.text()
    assert str(os.getpid()) in view.summary.text()


def test_presentation_mode_and_zoom(qtbot, window):
    from PySide6.QtWidgets import QApplication

    from qtapp.window.style_sheet import NORMAL_POINT_SIZE, PRESENTATION_POINT_SIZE

    window.set_presentation(False)  # the normal look, applied as `ipclab gui` does at start
    curve = window.latency_cdf_plot.curves["fifo"]
    normal_width = curve.opts["pen"].widthF()
    assert QApplication.font().pointSize() == NORMAL_POINT_SIZE
    window.presentation_action.trigger()  # View → Presentation
    try:
        assert window.presentation
        assert QApplication.font().pointSize() == PRESENTATION_POINT_SIZE
        assert curve.opts["pen"].widthF() >= 2 * normal_width
        assert not window.left_scroll.isVisible()
        assert not window.client_log.search.isVisible()
        assert not window.distribution_plot.save_button.isVisible()
        axis_font = window.distribution_plot.widget.getPlotItem().getAxis("bottom").style["tickFont"]
        assert axis_font.pointSize() == PRESENTATION_POINT_SIZE
        window.change_zoom(1)  # Ctrl +
        assert QApplication.font().pointSize() > PRESENTATION_POINT_SIZE
        window.change_zoom(-1)
        window.change_zoom(-1)  # Ctrl -
        assert QApplication.font().pointSize() < PRESENTATION_POINT_SIZE
        window.change_zoom(0)
        assert QApplication.font().pointSize() == PRESENTATION_POINT_SIZE
        window.side_panel_action.trigger()  # the teacher can bring the panel back
        assert window.left_scroll.isVisible()
    finally:
        window.presentation_action.trigger()
    assert QApplication.font().pointSize() == NORMAL_POINT_SIZE
    assert curve.opts["pen"].widthF() == pytest.approx(normal_width)
    assert window.left_scroll.isVisible() and window.client_log.search.isVisible()


def test_kill_demo_explains_what_happened(qtbot, window, runtime_leftovers):
    page = window.faults_page
    window.tabs.setCurrentWidget(page)
    page.set_transport("unix")
    with qtbot.waitSignal(page.demo_finished, timeout=30000) as finished:
        page.buttons["kill"].click()
    name, text = finished.args
    assert name == "kill" and "SIGKILL" in text and "socket file" in text
    assert window.servers["unix"].state == ServerState.CRASHED
    assert "CRASHED" in window.architecture_view.labels["server:unix"]
    assert runtime_leftovers() == []
    assert page.buttons["kill"].isEnabled()


def test_crowd_demo_serves_64_clients_at_once(qtbot, window):
    page = window.faults_page
    page.set_transport("fifo")
    seen_clients = []
    window.architecture_changed.connect(lambda snapshot: seen_clients.append(len(snapshot.clients)))
    with qtbot.waitSignal(page.demo_finished, timeout=60000) as finished:
        page.buttons["crowd"].click()
    name, text = finished.args
    assert name == "crowd" and "64 client threads sent 1,280 requests" in text and "errors: 0" in text
    assert "Answered: 1,280" in text and "PIPE_BUF" in text
    assert max(seen_clients) == 64  # the architecture view showed them


def test_guided_tour_walks_through_fifo_tcp_unix_and_compare(qtbot, window):
    window.start_tour()
    tour = window.tour
    titles = []
    assert window.tabs.currentWidget() is window.architecture_view
    for index in range(len(tour.steps)):
        titles.append(tour.current_title())
        if "FIFO: a named pipe" in tour.current_title():
            qtbot.waitUntil(lambda: window.servers["fifo"].state == ServerState.LISTENING, timeout=15000)
        if "FIFO: one exchange" in tour.current_title():
            qtbot.waitUntil(lambda: window.last_wire is not None, timeout=15000)
        if "TCP" in tour.current_title() or "Unix" in tour.current_title():
            qtbot.waitUntil(lambda: tour.held is not None and tour.held.exchanges >= 1, timeout=15000)
        if "Compare" in tour.current_title():
            assert window.tabs.currentWidget() is window.compare_view
            qtbot.waitUntil(lambda: not window.running, timeout=60000)
        if index < len(tour.steps) - 1:
            tour.next_button.click()
    order = [next(i for i, title in enumerate(titles) if word in title) for word in ("FIFO", "TCP", "Unix", "Compare")]
    assert order == sorted(order)
    assert not tour.next_button.isEnabled()
    tour.close_button.click()
    wait_listening(qtbot, window, "fifo")


@pytest.mark.parametrize("transport", ("tcp", "fifo"))
def test_silent_and_garbage_clients_are_explained_and_hurt_nobody(qtbot, window, transport):
    page = window.faults_page
    page.set_transport(transport)
    with qtbot.waitSignal(page.demo_finished, timeout=30000) as finished:
        page.buttons["garbage"].click()
    assert finished.args[0] == "garbage" and len(finished.args[1]) > 40
    with qtbot.waitSignal(page.demo_finished, timeout=30000) as finished:
        page.buttons["silent"].click()
    name, text = finished.args
    assert name == "silent" and "blocks nobody" in text
    assert window.model.series[transport].completed == 200 and window.model.series[transport].failed == 0
    assert window.servers[transport].state == ServerState.LISTENING
    assert page.explanation.text() == text
