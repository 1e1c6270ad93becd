"""The guided tour's box sits beside the drawing it explains, and what a step talks about (the
connection, the reply FIFO, the dots) stays on screen while the step is shown."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from qtapp.classroom.tour import SLOW_PULSE_S


def _rect_in_window(widget, window) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def _go_to(tour, word: str) -> None:
    index = next(number for number, step in enumerate(tour.steps) if word in step.title)
    tour.go(index)


def test_the_tour_box_never_covers_its_subject(qtbot, window):
    window.resize(1600, 1000)
    window.start_tour()
    tour = window.tour
    for index, step in enumerate(tour.steps):
        if "Compare" in step.title:
            continue  # the same placement; its workload is covered by the walk-through test
        tour.go(index)
        QApplication.processEvents()
        subject = window.tabs.currentWidget()
        assert tour.isVisible() and subject.isVisible()
        box, drawing = _rect_in_window(tour, window), _rect_in_window(window.tabs, window)
        assert not box.intersects(drawing), f"step {step.title!r}: the box {box} covers the tabs {drawing}"
        assert drawing.width() >= 600, "the subject keeps most of the window"
        assert window.rect().contains(box)
    tour.close_button.click()
    assert not tour.isVisible()


def test_the_tcp_step_keeps_its_connection_and_dots_on_screen(qtbot, window):
    window.start_tour()
    tour = window.tour
    assert window.architecture_view.pulse_seconds == SLOW_PULSE_S  # slow motion while the tour talks
    _go_to(tour, "TCP")
    connections = lambda: window.refresh_architecture().channels_of("tcp", "tcp-connection")  # noqa: E731
    qtbot.waitUntil(lambda: tour.held is not None and tour.held.exchanges >= 1, timeout=15000)
    qtbot.waitUntil(lambda: len(connections()) == 1, timeout=5000)
    first = connections()[0]
    pulses_before = window.architecture_view.pulses_started
    # Seconds later the same connection is still drawn, and the client has asked again (new dots).
    qtbot.waitUntil(lambda: tour.held.exchanges >= 2, timeout=10000)
    assert connections() == [first]
    qtbot.waitUntil(lambda: window.architecture_view.pulses_started > pulses_before, timeout=5000)
    assert any(client.key == "tour:tcp" for client in window.refresh_architecture().clients)
    _go_to(tour, "Unix")  # leaving the step lets the connection go
    qtbot.waitUntil(lambda: connections() == [], timeout=10000)
    qtbot.waitUntil(lambda: tour.held is not None and tour.held.transport == "unix" and tour.held.exchanges >= 1,
                    timeout=15000)
    qtbot.waitUntil(lambda: window.refresh_architecture().channels_of("unix", "unix-connections") != [], timeout=5000)
    tour.close_button.click()
    assert tour.held is None and window.architecture_view.pulse_seconds != SLOW_PULSE_S


def test_the_fifo_step_keeps_its_reply_fifo_and_shows_the_wire(qtbot, window):
    window.start_tour()
    tour = window.tour
    _go_to(tour, "FIFO: one exchange")
    qtbot.waitUntil(lambda: window.last_wire is not None, timeout=15000)
    replies = lambda: window.refresh_architecture().channels_of("fifo", "reply-fifo")  # noqa: E731
    qtbot.waitUntil(lambda: len(replies()) == 1, timeout=5000)
    qtbot.waitUntil(lambda: tour.held.exchanges >= 2, timeout=10000)
    assert len(replies()) == 1, "the reply FIFO stays while the step is shown"
    assert "asked for 5 numbers" in window.client_log.plain_text()
    tour.close()
    qtbot.waitUntil(lambda: replies() == [], timeout=10000)
