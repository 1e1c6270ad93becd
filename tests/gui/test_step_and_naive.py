"""Step mode advances exactly one event per click (both sides' system calls, in order); slow
motion shows the same steps by itself; the naive-design demo really mixes replies up and the
textbook design does not."""

from __future__ import annotations

import pytest

from tests.gui.helpers import click_through_steps

EXPECTED_CALLS = {"tcp": {"socket", "connect", "accept4", "sendto", "recvfrom", "sendmsg", "generate"},
                  "fifo": {"mknodat", "openat", "write", "read", "writev", "readv", "generate"}}


def _stop_step_server(qtbot, page) -> None:
    server = page.server
    if server is not None and server.running:
        with qtbot.waitSignal(server.state_changed, timeout=10000, check_params_cb=lambda s: s == "stopped"):
            server.stop()


@pytest.mark.parametrize("transport", ("tcp", "fifo"))
def test_step_mode_advances_exactly_one_event_per_click(qtbot, window, transport):
    page = window.step_page
    window.tabs.setCurrentWidget(page)
    page.transport_combo.setCurrentIndex(page.transport_combo.findData(transport))
    page.set_mode("step")
    shown_counts: list[int] = []
    page.step_shown.connect(lambda _step: shown_counts.append(len(page.shown)))
    page.start_button.click()
    qtbot.waitUntil(lambda: len(page.shown) == 1 and page.step_button.isEnabled(), timeout=20000)
    assert (page.shown[0].actor, page.shown[0].syscall) in (("client", "socket"), ("client", "mknodat"))
    click_through_steps(qtbot, page)
    calls = {step.syscall for step in page.shown}
    assert EXPECTED_CALLS[transport] <= calls, calls
    actors = [step.actor for step in page.shown]
    assert "server" in actors and "client" in actors
    assert all(step.sentence for step in page.shown)
    assert page.list.count() == len(page.shown)
    qtbot.waitUntil(lambda: page.current_label.text().startswith("Done"), timeout=5000)
    assert window.last_wire is not None and len(window.last_wire.request) == 48  # the wire view got it too
    steps_in_step_mode = [(step.actor, step.syscall) for step in page.shown[:len(actors)]]

    # Slow motion: the same exchange runs by itself, pausing between steps.
    page.set_mode("slow", 0.05)
    with qtbot.waitSignal(page.exchange_finished, timeout=30000) as finished:
        page.start_button.click()
    assert finished.args[0] is True
    slow = [(step.actor, step.syscall) for step in page.shown]
    assert [call for _, call in slow if _ == "client"] == [call for actor, call in steps_in_step_mode
                                                            if actor == "client"]
    _stop_step_server(qtbot, page)


def test_naive_design_mixes_replies_and_the_textbook_design_does_not(qtbot, window, runtime_leftovers):
    page = window.mixup_page
    window.tabs.setCurrentWidget(page)
    page.clients_spin.setValue(4)
    page.requests_spin.setValue(20)
    with qtbot.waitSignal(page.finished, timeout=60000):
        page.run_button.click()
    assert set(page.reports) == {"naive-fifo", "fifo"}, (page.naive_column.verdict.text(),
                                                         page.textbook_column.verdict.text())
    naive, textbook = page.reports["naive-fifo"], page.reports["fifo"]
    assert naive.mixed > 0, "the naive design must show replies reaching the wrong client"
    assert textbook.mixed == 0 and textbook.lost == 0 and textbook.correct == 80
    assert "wrong client" in page.naive_column.verdict.text()
    assert "all 80 replies" in page.textbook_column.verdict.text()
    assert "DEMONSTRATION ONLY" in page.naive_column.title()
    assert page.naive_column.table.rowCount() == 4
    assert not window.servers["fifo"].custom_command  # the default FIFO server stayed the textbook one
    with qtbot.waitSignal(page.naive_server.state_changed, timeout=10000, check_params_cb=lambda s: s == "stopped"):
        page.naive_server.stop()
