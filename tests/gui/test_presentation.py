"""Presentation mode as a class sees it on a 1920x1080 projector: every text on every tab at least
24 px high, no two texts of a plot or diagram on top of each other, every text/background pair
(selected and hovered items included) at least 4.5:1, and a window that never grows past the screen.

The measures come from the rendered window (tests/gui/readability.py); the tabs hold real data
(exchanges with real servers) so the plots carry their legends, percentile labels and ticks.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsView, QMenu

from tests.gui import readability
from tests.gui.helpers import wait_listening
from tests.gui.readability import (
    contrast_ratio,
    graphics_text_rects,
    graphics_text_sizes,
    overlapping_texts,
    rendered_contrast,
    widget_text_sizes,
)

MINIMUM_PIXELS = 24
MINIMUM_CONTRAST = 4.5
# Every text is measured: the kernel badges on the drawings included (in presentation mode they have
# the drawings' fixed text size and are placed where no text is), and the Kernel tab (its drawing is
# hidden in presentation mode; its timeline paints its own texts and is checked below).
KNOWN_GAPS_TABS: set[str] = set()


def _screen():
    return QApplication.primaryScreen().availableGeometry()


def _settle(qtbot, window) -> None:
    """Refresh, and paint the window as a screen would (pyqtgraph sizes its axes while painting)."""
    window.refresh_plots(force=True)
    for _round in range(2):
        qtbot.wait(50)  # lets queued resize and layout events run; the checks below poll nothing
        window.grab()


def _exchange(qtbot, window, transport: str) -> None:
    wait_listening(qtbot, window, transport)
    series_before = window.model.series.get(transport)
    done_before = series_before.completed if series_before else 0
    window.single_request(transport)
    qtbot.waitUntil(lambda: transport in window.model.series
                    and window.model.series[transport].completed > done_before and not window.running,
                    timeout=20000)


@pytest.fixture
def presentation_window(qtbot, make_window):
    """A window in presentation mode, maximised to the screen, after a FIFO and a TCP exchange."""
    window = make_window(presentation=True)
    window.setGeometry(_screen())
    qtbot.waitExposed(window)
    for transport in ("fifo", "tcp"):
        _exchange(qtbot, window, transport)
    page = window.step_page  # a TCP exchange in step mode, three system calls in
    window.tabs.setCurrentWidget(page)
    page.set_mode("step")
    page.transport_combo.setCurrentIndex(page.transport_combo.findData("tcp"))
    page.start_exchange()
    for shown in range(1, 4):
        qtbot.waitUntil(lambda n=shown: len(page.shown) >= n and page.step_button.isEnabled(), timeout=20000)
        if shown < 3:
            page.step()
    _settle(qtbot, window)
    return window


def _graphics_views(page):
    views = page.findChildren(QGraphicsView)
    if isinstance(page, QGraphicsView):
        views.insert(0, page)
    return [view for view in views if view.isVisible()]


def _tab_pages(window):
    return [(window.tabs.tabText(index).replace("&", ""), window.tabs.widget(index))
            for index in range(window.tabs.count())
            if window.tabs.tabText(index).replace("&", "") not in KNOWN_GAPS_TABS]


def test_every_text_on_every_tab_is_at_least_24_pixels(qtbot, presentation_window):
    window = presentation_window
    smallest_per_tab = {}
    failures = []
    for title, page in _tab_pages(window):
        window.tabs.setCurrentWidget(page)
        _settle(qtbot, window)
        measured = widget_text_sizes(window)
        for view in _graphics_views(page):
            measured += graphics_text_sizes(view, f"{title} drawing {type(view).__name__}")
        assert measured, f"no text measured on {title}"
        on_page = widget_text_sizes(page) + [text for text in measured if " drawing " in text.where]
        smallest = min(on_page or measured, key=lambda text: text.pixels)
        smallest_per_tab[title] = (round(smallest.pixels, 1), smallest.where, smallest.text[:24])
        failures += [f"{title}: {text.where} {text.text!r} {text.pixels:.1f} px" for text in measured
                     if text.pixels < MINIMUM_PIXELS - 0.05]
    print("smallest text on each tab page (the header and logs are on every tab):", smallest_per_tab)
    assert not failures, "\n".join(failures[:40])


def test_no_two_texts_of_a_plot_or_diagram_overlap_or_are_cut_off(qtbot, presentation_window):
    window = presentation_window
    failures = []
    for title, page in _tab_pages(window):
        window.tabs.setCurrentWidget(page)
        _settle(qtbot, window)
        for view in _graphics_views(page):
            for first, second in overlapping_texts(view):
                failures.append(f"{title} / {type(view).__name__}: {first!r} overlaps {second!r}")
            room = QRectF(view.viewport().rect()).adjusted(-2, -2, 2, 2)
            for text, rectangle in graphics_text_rects(view):
                if not room.contains(rectangle):
                    failures.append(f"{title} / {type(view).__name__}: {text!r} is cut off at the edge")
    assert not failures, "\n".join(failures[:40])


def test_menus_and_drop_downs_keep_the_selected_item_readable(qtbot, presentation_window):
    window = presentation_window
    menu = window.menuBar().actions()[1].menu()  # View
    assert isinstance(menu, QMenu)
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitExposed(menu)
    try:
        for action in [action for action in menu.actions() if action.isVisible() and not action.isSeparator()][:3]:
            menu.setActiveAction(action)
            qtbot.wait(10)
            ratio, background, text = rendered_contrast(
                menu.grab(menu.actionGeometry(action).adjusted(4, 3, -4, -3)).toImage())
            assert ratio >= MINIMUM_CONTRAST, (f"menu item {action.text()!r}: {text.name()} on "
                                               f"{background.name()} is {ratio:.2f}:1")
    finally:
        menu.hide()
    combo = window.step_page.transport_combo
    window.tabs.setCurrentWidget(window.step_page)
    combo.showPopup()
    view = combo.view()
    qtbot.waitExposed(view)
    try:
        view.setCurrentIndex(view.model().index(1, 0))
        qtbot.wait(10)
        rectangle = view.visualRect(view.currentIndex()).adjusted(3, 2, -3, -2)
        ratio, background, text = rendered_contrast(view.viewport().grab(rectangle).toImage())
        assert ratio >= MINIMUM_CONTRAST, f"selected drop-down item: {text.name()} on {background.name()} {ratio:.2f}:1"
    finally:
        combo.hidePopup()


def test_buttons_and_labels_have_enough_contrast_hovered_or_not(qtbot, presentation_window):
    from PySide6.QtWidgets import QAbstractButton, QLabel

    window = presentation_window
    failures = []
    for title, page in _tab_pages(window)[:6]:
        window.tabs.setCurrentWidget(page)
        _settle(qtbot, window)
        widgets = [widget for widget in [*window.findChildren(QAbstractButton), *window.findChildren(QLabel)]
                   if widget.isVisible() and widget.text().strip() and widget.width() > 12 and widget.height() > 12]
        for widget in widgets:
            states = [False, True] if isinstance(widget, QAbstractButton) and widget.isEnabled() else [False]
            for hovered in states:
                if hovered:  # the pointer on the button, as a teacher's mouse
                    QTest.mouseMove(widget, widget.rect().center())
                    qtbot.waitUntil(widget.underMouse, timeout=1000)
                inner = widget.rect().adjusted(4, 4, -4, -4)
                ratio, background, text = rendered_contrast(widget.grab(inner).toImage())
                if hovered:
                    QTest.mouseMove(window.statusBar(), window.statusBar().rect().center())
                if ratio < MINIMUM_CONTRAST:
                    failures.append(f"{title}: {type(widget).__name__} {widget.text()[:30]!r}"
                                    f"{' (hovered)' if hovered else ''}: {text.name()} on {background.name()} "
                                    f"{ratio:.2f}:1")
    assert not failures, "\n".join(sorted(set(failures))[:40])


def test_plot_and_diagram_texts_have_enough_contrast(qtbot, presentation_window):
    from PySide6.QtGui import QColor
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractGraphicsShapeItem, QGraphicsSimpleTextItem, QGraphicsTextItem

    window = presentation_window
    failures = []
    for title, page in _tab_pages(window):
        window.tabs.setCurrentWidget(page)
        _settle(qtbot, window)
        for view in _graphics_views(page):
            behind_everything = view.backgroundBrush().color() if view.backgroundBrush().style() else QColor("#ffffff")
            for item in view.scene().items():
                parent = item.parentItem()  # a text drawn on its own shape (a kernel badge) is read against it
                background = parent.brush().color() if isinstance(parent, QAbstractGraphicsShapeItem) \
                    and parent.brush().style() == Qt.BrushStyle.SolidPattern else behind_everything
                if not item.isVisible() or id(item) in readability.IGNORED:
                    continue
                if isinstance(item, QGraphicsTextItem) and item.toPlainText().strip():
                    colour, text = item.defaultTextColor(), item.toPlainText()
                elif isinstance(item, QGraphicsSimpleTextItem) and item.text().strip():
                    colour, text = item.brush().color(), item.text()
                else:
                    continue
                ratio = contrast_ratio(colour, background)
                if ratio < MINIMUM_CONTRAST:
                    failures.append(f"{title}: {text[:30]!r} {colour.name()} on {background.name()} {ratio:.2f}:1")
    assert not failures, "\n".join(sorted(set(failures))[:40])


def test_zoom_and_mode_changes_keep_the_window_on_the_screen(qtbot, make_window):
    window = make_window()
    window.set_presentation(False)  # the normal look, applied as `ipclab gui` does at start
    screen = _screen()
    qtbot.waitExposed(window)
    widths = {}

    def check(step: str) -> None:
        _settle(qtbot, window)
        frame = window.frameGeometry()
        widths[step] = frame.width()
        assert frame.width() <= screen.width() and frame.height() <= screen.height(), \
            f"after {step} the window is {frame.width()}x{frame.height()} on a {screen.width()}x{screen.height()} screen"
        assert window.minimumSizeHint().width() <= screen.width(), f"after {step} it cannot shrink to the screen"

    check("start")
    window.presentation_action.trigger()
    check("presentation")
    window.setGeometry(screen)
    _settle(qtbot, window)
    area = window.centralWidget()  # at 100 % everything fits a 1920x1080 screen: nothing scrolls
    assert area.verticalScrollBar().maximum() == 0 and area.horizontalScrollBar().maximum() == 0
    for step in range(4):
        window.change_zoom(1)
        check(f"zoom in {step + 1}")
    window.change_zoom(0)
    check("zoom reset")
    window.change_zoom(-1)
    check("zoom out")
    window.change_zoom(0)
    window.presentation_action.trigger()
    check("leaving presentation")
    window.change_zoom(1)
    window.change_zoom(1)
    check("zoom in, normal mode")
    window.change_zoom(0)
    check("zoom reset, normal mode")
    print("window widths:", widths)


def test_the_kernel_timeline_is_readable_in_presentation_mode(qtbot, presentation_window):
    """The timeline paints its own texts (no widget to measure): it reports where each one goes,
    at its font's size; with real servers' lanes in it, none may be under 24 px, overlap another
    or leave the widget."""
    window = presentation_window
    window.tabs.setCurrentWidget(window.kernel_page)
    timeline = window.kernel_page.timeline
    qtbot.waitUntil(lambda: len(timeline.lanes) >= 2, timeout=20000)
    _settle(qtbot, window)
    assert timeline.isVisible() and timeline.width() > 1000, "the timeline takes the width in presentation mode"
    assert readability.font_pixels(timeline._font()) >= MINIMUM_PIXELS
    texts = timeline.text_layout()
    words = [text for text, _ in texts]
    assert "blocked" in words and "now" in words and any("server" in text for text in words), words
    room = QRectF(timeline.rect()).adjusted(-1, -1, 1, 1)
    failures = [f"{text!r} is cut off ({box})" for text, box in texts if not room.contains(box)]
    for index, (first, first_box) in enumerate(texts):
        for second, second_box in texts[index + 1:]:
            if first_box.adjusted(1, 1, -1, -1).intersects(second_box.adjusted(1, 1, -1, -1)):
                failures.append(f"{first!r} overlaps {second!r}")
    assert not failures, "\n".join(failures)


def test_the_kernel_badges_are_on_the_drawings_at_the_presentation_size(qtbot, presentation_window):
    """The badges are measured with every other text above; here: they are there at all (placed, not
    left out for want of room) on both drawings, each at least 24 px high on screen."""
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

    window = presentation_window
    for page, badges in ((window.architecture_view, window.kernel_badges),
                         (window.step_page, window.step_kernel_badges)):
        window.tabs.setCurrentWidget(page)
        qtbot.waitUntil(lambda badges=badges: any(isinstance(item, QGraphicsSimpleTextItem) for item in badges._items),
                        timeout=20000)
        _settle(qtbot, window)
        texts = [item for item in badges._items if isinstance(item, QGraphicsSimpleTextItem)]
        assert texts, f"no kernel badge on {type(page).__name__}"
        assert not badges.left_out, f"no room on {type(page).__name__} for {badges.left_out}"
        assert any(key.startswith("server:") for key in badges.badges), badges.badges
        if page is window.step_page:  # its client is in the middle of an exchange
            assert "client:step" in badges.badges, badges.badges
        for item in texts:
            pixels = readability.font_pixels(item.font()) * readability.device_scale(item, badges.view)
            assert pixels >= MINIMUM_PIXELS - 0.05, (item.text(), pixels)
        print(type(page).__name__, [item.text() for item in texts])
