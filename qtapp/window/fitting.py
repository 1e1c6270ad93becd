"""Keeping the window on the screen whatever the zoom, the mode or the texts.

Qt grows a top-level window to the minimum size of its layout; with 24 px presentation fonts and a
zoom of 130 % or more the widest rows (the header's figures, a tab's controls) asked for more than
a 1920 px screen, and nothing shrank the window back afterwards. So:

- `ElidedLabel` shows as much of its text as fits, with "…", and asks for little width: the
  header's figures never force the window wider (the full text is in its tooltip);
- `scrolling_container` puts the window's content in a scroll area that asks for no minimum size,
  the last resort: content that cannot shrink more scrolls instead of pushing the window off the
  screen;
- `fit_to_screen` shrinks and moves the window into the screen's available geometry (after a zoom
  or mode change, or a remembered geometry from a larger screen).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOption,
    QVBoxLayout,
    QWidget,
)


class ElidedLabel(QLabel):
    """A one-line label that elides its text to its width instead of demanding the whole width."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance("0000…")), hint.height())

    def elided_text(self) -> str:
        """The text as drawn now."""
        room = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, room)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.setFont(self.font())
        painter.drawText(self.contentsRect(), int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), self.elided_text())
        painter.end()


class _NoHeightForWidthLayout(QVBoxLayout):
    """A layout that hides its word-wrapped labels' height-for-width from a scroll area, which would
    otherwise size the content to its preferred height (taller than the window) instead of the
    window's height."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return False


def scrolling_container(content: QWidget) -> QScrollArea:
    """`content` in a frameless scroll area that asks for almost no room of its own: it fills the
    window, and scrolls only if the window is smaller than the content's minimum size."""
    holder = QWidget()
    layout = _NoHeightForWidthLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(content)
    area = QScrollArea()
    area.setObjectName("windowContent")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(holder)
    area.setMinimumSize(200, 150)
    return area


def fit_to_screen(window: QMainWindow) -> None:
    """Shrink `window` to the available geometry of its screen (frame included) and move it fully
    onto it. A maximised or full-screen window is left to the window manager, and a window with
    `fixed_size` set (a `--screenshot`, whose size is chosen whatever the screen) keeps its size."""
    if window.isMaximized() or window.isFullScreen() or getattr(window, "fixed_size", False):
        return
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    available = screen.availableGeometry()
    frame, inner = window.frameGeometry(), window.geometry()
    border_width = max(0, frame.width() - inner.width())
    border_height = max(0, frame.height() - inner.height())
    width = min(window.width(), available.width() - border_width)
    height = min(window.height(), available.height() - border_height)
    if (width, height) != (window.width(), window.height()):
        window.resize(max(width, window.minimumWidth()), max(height, window.minimumHeight()))
    frame = window.frameGeometry()
    x = min(max(frame.x(), available.x()), available.x() + available.width() - frame.width())
    y = min(max(frame.y(), available.y()), available.y() + available.height() - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(max(x, available.x()), max(y, available.y()))
