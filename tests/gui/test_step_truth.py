"""The Step by step page tells the truth about order: a real client and a real step-mode server,
with the server's real reports delivered late on purpose, are still shown in causal order, one
step per click; step numbers render for any count and the step diagram highlights the step the
label explains."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor

from backend.classroom.step_order import causal_violations
from backend.classroom.stepping import Step
from qtapp.classroom.step_diagram import BAND, HIGHLIGHT, number_badge
from qtapp.classroom.step_mode import step_label
from tests.gui.helpers import click_through_steps

LATE_MS = 400  # every server report reaches the page this much later than it was printed
CAUSES = {  # a step of one side, and the other side's step it can only follow
    "tcp": [(("server", "accept4"), ("client", "connect")), (("server", "recvfrom"), ("client", "sendto")),
            (("client", "recvfrom"), ("server", "sendmsg"))],
    "fifo": [(("server", "read"), ("client", "write")), (("client", "readv"), ("server", "writev"))],
}
CAUSES["unix"] = CAUSES["tcp"]


def _deliver_server_reports_late(page, arrivals: list[tuple[str, str]]) -> None:
    """Hold every real report of the server back for LATE_MS before the page gets it."""
    deliver = page._on_server_event

    def late(event: dict) -> None:
        def arrive() -> None:
            if event.get("event") == "step":
                arrivals.append(("server", event["syscall"]))
            deliver(event)

        QTimer.singleShot(LATE_MS, page, arrive)  # dropped if the page is gone by then

    page._on_server_event = late  # connected when the page starts its server
    page._bridge.step.connect(lambda step: arrivals.append(("client", step.syscall)))


def _stop_step_server(qtbot, page) -> None:
    server = page.server
    if server is not None and server.running:
        with qtbot.waitSignal(server.state_changed, timeout=10000, check_params_cb=lambda s: s == "stopped"):
            server.stop()


@pytest.mark.parametrize(("transport", "mode"), [("tcp", "step"), ("fifo", "step"), ("unix", "step"),
                                                 ("fifo", "slow"), ("tcp", "slow")])
def test_late_server_reports_are_still_shown_in_causal_order(qtbot, window, transport, mode):
    page = window.step_page
    window.tabs.setCurrentWidget(page)
    page.transport_combo.setCurrentIndex(page.transport_combo.findData(transport))
    page.set_mode(mode, 0.05)
    arrivals: list[tuple[str, str]] = []
    _deliver_server_reports_late(page, arrivals)
    if mode == "step":
        page.start_button.click()
        click_through_steps(qtbot, page)
    else:
        with qtbot.waitSignal(page.exchange_finished, timeout=30000):
            page.start_button.click()
    reply_read = ("client", "readv") if transport == "fifo" else ("client", "recvfrom")
    reply_write = ("server", "writev") if transport == "fifo" else ("server", "sendmsg")
    qtbot.waitUntil(lambda: reply_write in arrivals and len(page.order) == 0, timeout=5000)
    shown = [(step.actor, step.syscall) for step in page.shown]
    # The late delivery really turned the order of arrival around...
    assert arrivals.index(reply_read) < arrivals.index(reply_write), arrivals
    # ...and the page still shows every step after the step it depends on.
    for waiting, cause in CAUSES[transport]:
        assert shown.index(waiting) > shown.index(cause), shown
    assert causal_violations(page.shown) == []
    assert {step.actor for step in page.shown} == {"client", "server"}
    _stop_step_server(qtbot, page)


def test_step_numbers_render_for_any_count(qtbot):
    badges = [number_badge(number, "#1f4fbf", 40).toImage() for number in range(1, 26)]
    for number, image in zip(range(1, 26), badges):
        white = sum(1 for x in range(8, 32) for y in range(8, 32) if image.pixelColor(x, y).lightness() > 200)
        assert white > 10, f"number {number} drew no digits"
    assert len({bytes(image.constBits()) for image in badges}) == 25, "every number looks different"
    step = Step("server", "openat", "The server opened the reply FIFO.")
    label = step_label(12, step)
    assert label.startswith("12 · ") and not any("\u2460" <= character <= "\u24ff" for character in label)


def test_the_step_diagram_highlights_the_explained_step(qtbot, window):
    page = window.step_page
    window.tabs.setCurrentWidget(page)
    steps = [Step("client" if number % 2 else "server", "write", f"step {number}", {}, number, 1 + number % 2,
                  number, number) for number in range(1, 15)]
    for step in steps:
        page._show(step)  # what the page does with each step it may show
    assert page.explained == 13 and page.diagram.highlighted == 13
    assert page.current_label.text().startswith("14 · ")
    page.list.setCurrentRow(10)  # the teacher goes back to step 11
    assert page.explained == 10 and page.diagram.highlighted == 10
    assert page.current_label.text().startswith("11 · ") and "step 11" in page.current_label.text()
    page.diagram.resize(600, page.diagram.sizeHint().height())
    image = page.diagram.grab().toImage()
    ratio = image.width() / page.diagram.width()
    band = page.diagram.row_rect(10)
    assert image.pixelColor(int(4 * ratio), int(band.center().y() * ratio)) == QColor(BAND)
    other = page.diagram.row_rect(3)
    assert image.pixelColor(int(4 * ratio), int(other.center().y() * ratio)) == QColor("#ffffff")
    circle = page.diagram.row_centre(10)
    edge = circle.x() + page.diagram.fontMetrics().height() * 0.6
    assert image.pixelColor(int(edge * ratio), int(circle.y() * ratio)) == QColor(HIGHLIGHT)
    page.shown.clear()
    page.list.clear()
    page.diagram.clear()
