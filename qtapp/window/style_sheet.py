"""The application's look: readable font sizes, a few accents, and presentation mode — large fonts
and a high-contrast theme for a classroom projector — with a zoom factor (Ctrl +/-)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

NORMAL_POINT_SIZE = 11
PRESENTATION_POINT_SIZE = 17
ZOOM_STEPS = (0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0)


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


def style_sheet(point_size: int, presentation: bool = False) -> str:
    big = point_size + 5
    sheet = f"""
    QPushButton#primaryButton {{
        font-size: {point_size + 4}pt; font-weight: bold; color: white; background: #1f6fb4;
        border: none; border-radius: 8px; padding: 10px 22px;
    }}
    QPushButton#primaryButton:hover {{ background: #2a82cf; }}
    QPushButton#primaryButton:pressed {{ background: #17578e; }}
    QPushButton#startWorkload {{ font-weight: bold; }}
    QPushButton#stepButton {{
        font-size: {point_size + 3}pt; font-weight: bold; color: white; background: #1e7b2f;
        border: none; border-radius: 8px; padding: 8px 20px;
    }}
    QPushButton#stepButton:disabled {{ background: #9bb8a0; }}
    QPushButton#faultButton {{ font-weight: bold; padding: 8px 14px; text-align: left; }}
    QLabel#figureValue {{ font-size: {big}pt; font-weight: bold; color: #1b2631; }}
    QLabel#figureCaption {{ color: #5d6d7e; font-size: {point_size - 1}pt; }}
    QLabel#plotTitle, QLabel#logTitle {{ font-weight: bold; font-size: {point_size + 1}pt; }}
    QLabel#plotNote, QLabel#logStatus {{ color: #5d6d7e; }}
    QLabel#bigExplanation {{ font-size: {point_size + 3}pt; }}
    QLabel#demoWarning {{ color: #8a1c10; font-weight: bold; }}
    QGroupBox {{ font-weight: bold; border: 1px solid #c8ced6; border-radius: 6px; margin-top: 12px;
                 padding-top: 6px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; }}
    QGroupBox QLabel, QGroupBox QPushButton, QGroupBox QLineEdit, QGroupBox QSpinBox,
    QGroupBox QDoubleSpinBox, QGroupBox QComboBox, QGroupBox QCheckBox {{ font-weight: normal; }}
    QProgressBar {{ min-height: 22px; }}
    """
    if presentation:
        # High contrast: black on white, thick borders, bold tabs; readable from the back of a room.
        sheet += f"""
        QMainWindow, QWidget {{ color: #000000; }}
        QLabel#figureCaption, QLabel#plotNote, QLabel#logStatus {{ color: #222222; }}
        QLabel#figureValue {{ color: #000000; font-size: {big + 2}pt; }}
        QGroupBox {{ border: 2px solid #000000; }}
        QTabBar::tab {{ padding: 8px 16px; font-weight: bold; border: 2px solid #000000; border-bottom: none;
                        background: #e8e8e8; color: #000000; }}
        QTabBar::tab:selected {{ background: #000000; color: #ffffff; }}
        QPlainTextEdit, QTextEdit, QListWidget {{ border: 2px solid #000000; }}
        QPushButton {{ border: 2px solid #000000; border-radius: 6px; padding: 6px 12px; background: #f4f4f4; }}
        QPushButton:disabled {{ color: #777777; border-color: #999999; }}
        """
    return sheet


def apply_style(application: QApplication, presentation: bool, zoom: float = 1.0) -> int:
    """Set the base font, palette and style sheet; return the point size used."""
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
        palette.setColor(QPalette.ColorRole.Highlight, QColor("#000000"))
        palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    application.setPalette(palette)
    application.setStyleSheet(style_sheet(point_size, presentation))
    return point_size
