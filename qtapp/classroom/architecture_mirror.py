"""A second view of the main architecture drawing (the same scene, kernel badges included), fitted
to its own size, for other tabs (the kernel lessons)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QGraphicsView, QWidget


class ArchitectureMirror(QGraphicsView):
    """Shows the scene of `source` (an ArchitectureView), scaled to fit."""

    def __init__(self, source: QGraphicsView, parent: QWidget | None = None) -> None:
        super().__init__(source.scene(), parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setBackgroundBrush(QBrush(QColor("white")))
        source.scene().sceneRectChanged.connect(lambda _rect: self._fit())

    def _fit(self) -> None:
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._fit()
