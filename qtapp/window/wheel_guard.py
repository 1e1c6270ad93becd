"""One application-wide rule for the mouse wheel: a spin box or drop-down takes the wheel only when
it has the keyboard focus (the user clicked or tabbed into it). Under a merely passing pointer the
wheel goes on to the scroll area around it, which scrolls, and no value changes by accident.

`install_wheel_guard(application)` installs one event filter on the application (idempotent). The
filter gives every spin box and combo box `Qt.StrongFocus` when it is polished, so a wheel notch
never gives it the focus either, and lets an unfocused one ignore wheel events, so that Qt hands
them to its parent.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED_TYPES = (QAbstractSpinBox, QComboBox)


class WheelGuard(QObject):
    """The application event filter; see the module docstring."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, GUARDED_TYPES):
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif kind == QEvent.Type.Wheel and isinstance(watched, GUARDED_TYPES) and not _has_focus(watched):
            event.ignore()
            return True  # not delivered here; ignored, so Qt passes it on to the parent widgets
        return False


def _has_focus(widget: QWidget) -> bool:
    if widget.hasFocus():
        return True
    view = widget.view() if isinstance(widget, QComboBox) else None
    return bool(view is not None and view.isVisible())  # an open drop-down list scrolls itself


def install_wheel_guard(application: QApplication | None = None) -> WheelGuard | None:
    """Install the rule on `application` (default: the running one) once; return the filter."""
    application = application or QApplication.instance()
    if application is None:
        return None
    guard = application.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(application)
        application.installEventFilter(guard)
    return guard
