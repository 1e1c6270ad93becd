"""The mouse wheel over an unfocused spin box or drop-down scrolls the side panel and changes nothing;
a focused field takes the wheel as usual."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QWidget

NOTCH = 120


def _wheel(target: QWidget, notches: int = -1) -> None:
    """Wheel notches over the middle of `target`, delivered to the window as the system delivers them
    (a spontaneous event that Qt routes to the widget under the pointer and then to its parents)."""
    top = target.window()
    position = target.mapTo(top, target.rect().center())
    assert top.childAt(position) in (target, *target.findChildren(QWidget)), "something covers the target"
    QTest.wheelEvent(top.windowHandle(), position, QPoint(0, notches * NOTCH))


def _scrolling_side_panel(qtbot, window):
    window.resize(1400, 560)  # short enough that the side panel needs its scroll bar
    bar = window.left_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    bar.setValue(bar.maximum() // 2)
    window.tabs.setFocus()
    return bar


def test_an_unfocused_spin_box_lets_the_side_panel_scroll(qtbot, window):
    bar = _scrolling_side_panel(qtbot, window)
    spin = window.client_panel.requests_spin
    window.left_scroll.ensureWidgetVisible(spin)
    before_value, before_scroll = spin.value(), bar.value()
    assert not spin.hasFocus()
    _wheel(spin.findChild(QLineEdit))  # the pointer is over the spin box's text field
    assert spin.value() == before_value
    assert bar.value() != before_scroll, "the wheel did not reach the scroll area"
    assert not spin.hasFocus(), "a wheel notch must not give the field the focus"
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_an_unfocused_drop_down_keeps_its_choice(qtbot, window):
    bar = _scrolling_side_panel(qtbot, window)
    combo = window.client_panel.transport_combo
    window.left_scroll.ensureWidgetVisible(combo)
    before_choice, before_scroll = combo.currentIndex(), bar.value()
    _wheel(combo, notches=-1)
    _wheel(combo, notches=-1)
    assert combo.currentIndex() == before_choice
    assert bar.value() != before_scroll


def test_a_focused_field_takes_the_wheel(qtbot, window):
    _scrolling_side_panel(qtbot, window)
    spin = window.client_panel.lo_spin
    assert spin.isEnabled()
    window.left_scroll.ensureWidgetVisible(spin)
    window.activateWindow()  # focus goes only to a widget of the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    before = spin.value()
    _wheel(spin.findChild(QLineEdit), notches=1)
    assert spin.value() == before + 1
