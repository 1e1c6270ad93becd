"""The application's look: readable font sizes (larger in presentation mode) and a few accents."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

NORMAL_POINT_SIZE = 11
PRESENTATION_POINT_SIZE = 15


def style_sheet(point_size: int) -> str:
    big = point_size + 5
    return f"""
    QPushButton#primaryButton {{
        font-size: {point_size + 4}pt; font-weight: bold; color: white; background: #1f6fb4;
        border: none; border-radius: 8px; padding: 10px 22px;
    }}
    QPushButton#primaryButton:hover {{ background: #2a82cf; }}
    QPushButton#primaryButton:pressed {{ background: #17578e; }}
    QPushButton#startWorkload {{ font-weight: bold; }}
    QLabel#figureValue {{ font-size: {big}pt; font-weight: bold; color: #1b2631; }}
    QLabel#figureCaption {{ color: #5d6d7e; font-size: {point_size - 1}pt; }}
    QLabel#plotTitle, QLabel#logTitle {{ font-weight: bold; font-size: {point_size + 1}pt; }}
    QLabel#plotNote, QLabel#logStatus {{ color: #5d6d7e; }}
    QGroupBox {{ font-weight: bold; border: 1px solid #c8ced6; border-radius: 6px; margin-top: 12px;
                 padding-top: 6px; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; }}
    QGroupBox QLabel, QGroupBox QPushButton, QGroupBox QLineEdit, QGroupBox QSpinBox,
    QGroupBox QDoubleSpinBox, QGroupBox QComboBox, QGroupBox QCheckBox {{ font-weight: normal; }}
    QProgressBar {{ min-height: 22px; }}
    """


def apply_style(application: QApplication, presentation: bool) -> int:
    """Set the base font and style sheet; return the point size used."""
    point_size = PRESENTATION_POINT_SIZE if presentation else NORMAL_POINT_SIZE
    font = QFont(application.font())
    font.setPointSize(point_size)
    application.setFont(font)
    application.setStyleSheet(style_sheet(point_size))
    return point_size
