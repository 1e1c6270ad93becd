"""The application's look: readable font sizes, a few accents, and presentation mode — large fonts
and a high-contrast theme for a classroom projector — with a zoom factor (Ctrl +/-).

In presentation mode at 100 % zoom no text is smaller than `PRESENTATION_POINT_SIZE` (18 pt, 24 px
on a 96 dpi screen: readable from the back row). Every text colour meets WCAG AA (4.5:1) on its
background, selected and hovered items included: selections name both colours instead of relying
on a palette that a `color:` rule would override.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

NORMAL_POINT_SIZE = 11
PRESENTATION_POINT_SIZE = 18
ZOOM_STEPS = (0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)
SELECTION_BACKGROUND = "#1f4fbf"  # white on it: 7.2:1
SELECTION_TEXT = "#ffffff"
MUTED_TEXT = "#4d5b69"  # on white 7.0:1, on the light grey of a disabled button 6:1


def point_size_for(presentation: bool, zoom: float = 1.0) -> int:
    base = PRESENTATION_POINT_SIZE if presentation else NORMAL_POINT_SIZE
    return max(7, round(base * zoom))


def next_zoom(zoom: float, direction: int) -> float:
    """The zoom step after (direction 1) or before (-1) `zoom`; 0 resets to 1."""
    if direction == 0:
        return 1.0
    if direction > 0:
        return next((step for step in ZOOM_STEPS if step > zoom + 1e-6), ZOOM_STEPS[-1])
    return next((step for step in reversed(ZOOM_STEPS) if step < zoom - 1e-6), ZOOM_STEPS[0])


def _selection_rules() -> str:
    """Selected and hovered items of menus, drop-down lists, lists and tables: white on dark blue."""
    pair = f"color: {SELECTION_TEXT}; background: {SELECTION_BACKGROUND};"
    return f"""
    QMenu::item:selected, QMenuBar::item:selected, QMenuBar::item:pressed {{ {pair} }}
    QComboBox QAbstractItemView, QListView, QListWidget, QTableView, QTableWidget, QTreeView,
    QPlainTextEdit, QTextEdit, QLineEdit, QAbstractSpinBox {{
        selection-color: {SELECTION_TEXT}; selection-background-color: {SELECTION_BACKGROUND};
    }}
    QComboBox QAbstractItemView::item:selected, QComboBox QAbstractItemView::item:hover,
    QListView::item:selected, QTableView::item:selected, QTreeView::item:selected {{ {pair} }}
    """


def style_sheet(point_size: int, presentation: bool = False) -> str:
    big = point_size + 5
    caption = point_size if presentation else point_size - 1
    sheet = f"""
    QPushButton#primaryButton {{
        font-size: {point_size + 4}pt; font-weight: bold; color: white; background: #1f6fb4;
        border: none; border-radius: 8px; padding: 10px 22px;
    }}
    QPushButton#primaryButton:hover {{ background: #17578e; }}
    QPushButton#primaryButton:pressed {{ background: #123f68; }}
    QPushButton#startWorkload {{ font-weight: bold; }}
    QPushButton#stepButton {{
        font-size: {point_size + 3}pt; font-weight: bold; color: white; background: #1e7b2f;
        border: none; border-radius: 8px; padding: 8px 20px;
    }}
    QPushButton#stepButton:hover {{ background: #155a22; }}
    QPushButton#stepButton:disabled {{ background: #d5e3d8; color: {MUTED_TEXT}; }}
    QPushButton#faultButton {{ font-weight: bold; padding: 8px 14px; text-align: left; }}
    QLabel#figureValue {{ font-size: {big}pt; font-weight: bold; color: #1b2631; }}
    QLabel#figureCaption {{ color: {MUTED_TEXT}; font-size: {caption}pt; }}
    QLabel#plotTitle, QLabel#logTitle {{ font-weight: bold; font-size: {point_size + 1}pt; }}
    QLabel#plotNote, QLabel#logStatus {{ color: {MUTED_TEXT}; }}
    QLabel#bigExplanation {{ font-size: {point_size + 3}pt; }}
    QLabel#demoWarning {{ color: #8a1c10; font-weight: bold; }}
    QGroupBox {{ font-weight: bold; border: 1px solid #c8ced6; border-radius: 6px; margin-top: 12px;
                 padding-top: 6px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; }}
    QGroupBox QLabel, QGroupBox QPushButton, QGroupBox QLineEdit, QGroupBox QSpinBox,
    QGroupBox QDoubleSpinBox, QGroupBox QComboBox, QGroupBox QCheckBox {{ font-weight: normal; }}
    QProgressBar {{ min-height: 22px; }}
    """ + _selection_rules()
    if presentation:
        # High contrast: black on white, thick borders, bold tabs; readable from the back of a room.
        # Text colours come from the palette (black on white, white on the selection), never from
        # a blanket `QWidget {{ color }}` rule, which would paint selected items black on black.
        sheet += f"""
        QLabel#figureCaption, QLabel#plotNote, QLabel#logStatus {{ color: #222222; }}
        QLabel#figureValue {{ color: #000000; font-size: {point_size + 4}pt; }}
        QPlainTextEdit#logText {{ font-size: {point_size}pt; }}
        QGroupBox {{ border: 2px solid #000000; }}
        QTabBar::tab {{ padding: 6px 14px; font-weight: bold; border: 2px solid #000000; border-bottom: none;
                        background: #e8e8e8; color: #000000; }}
        QTabBar::tab:selected {{ background: #000000; color: #ffffff; }}
        QTabBar::tab:hover:!selected {{ background: #c9d6f2; color: #000000; }}
        QPlainTextEdit, QTextEdit, QListWidget {{ border: 2px solid #000000; }}
        QPushButton {{ border: 2px solid #000000; border-radius: 6px; padding: 6px 12px; background: #f4f4f4;
                       color: #000000; }}
        QPushButton:hover {{ background: #dde6f7; }}
        QPushButton:disabled {{ color: {MUTED_TEXT}; border-color: #8a8a8a; }}
        """
    return sheet


def apply_style(application: QApplication, presentation: bool, zoom: float = 1.0,
                window: QWidget | None = None) -> int:
    """Set the base font, palette and style sheet (for `window` too, shown or not yet); return the
    point size used."""
    point_size = point_size_for(presentation, zoom)
    font = QFont(application.font())
    font.setPointSize(point_size)
    application.setFont(font)
    palette = application.style().standardPalette()
    if presentation:
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
            palette.setColor(role, QColor("#ffffff"))
        for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
            palette.setColor(role, QColor("#000000"))
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.Highlight, QColor(SELECTION_BACKGROUND))
        palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor(SELECTION_TEXT))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(MUTED_TEXT))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(MUTED_TEXT))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(MUTED_TEXT))
    application.setPalette(palette)
    application.setStyleSheet(style_sheet(point_size, presentation))
    _propagate(application, window)
    return point_size


def _propagate(application: QApplication, window: QWidget | None) -> None:
    """Tell every widget that the application's font and palette changed. Qt does this itself only
    once the event loop runs; a window built (or a mode switched) before that would keep the fonts
    of the moment each widget was created."""
    # Only the widgets of shown windows: a closed window waiting for deletion may hold widgets
    # whose Python side is already gone, and an event sent to them would crash.
    tops = [top for top in application.topLevelWidgets() if top.isVisible() and top is not window]
    widgets = [widget for top in (*tops, *([window] if window is not None else []))
               for widget in (top, *top.findChildren(QWidget))]
    for kind in (QEvent.Type.ApplicationFontChange, QEvent.Type.ApplicationPaletteChange):
        event = QEvent(kind)
        for widget in widgets:
            QApplication.sendEvent(widget, event)
