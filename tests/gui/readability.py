"""Measuring what a class sees: the rendered pixel height of every text, the on-screen rectangles of
the texts of each plot and diagram, and the contrast of text against its background.

Widgets: the font a widget really uses (after style sheets) and, for rich text, every fragment's
font. Graphics items (pyqtgraph plots, the architecture drawings): each text item's font, in pixels,
times the scale from the item to the screen (`deviceTransform`), so a diagram shrunk to fit its
view counts as small as it is drawn; pyqtgraph axes draw their tick labels without items, so their
tick font and the rectangles pyqtgraph computes for the tick labels are used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QFontInfo, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGraphicsItem,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTableWidget,
    QTextEdit,
    QWidget,
)


@dataclass(frozen=True)
class MeasuredText:
    where: str  # what the text is, for the failure message
    text: str
    pixels: float


def font_pixels(font: QFont) -> float:
    """The pixel height Qt renders `font` at (point sizes converted with the screen's dpi)."""
    return float(QFontInfo(font).pixelSize())


def _document_pixels(document: QTextDocument) -> list[tuple[str, float]]:
    """(text, pixels) of every non-blank fragment of a rich-text document."""
    found = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.isValid() and fragment.text().strip():
                font = fragment.charFormat().font()
                found.append((fragment.text().strip(), font_pixels(font)))
            iterator += 1
        block = block.next()
    return found


def _rich_text_pixels(text: str, font: QFont) -> list[tuple[str, float]]:
    document = QTextDocument()
    document.setDefaultFont(font)
    document.setHtml(text)
    return _document_pixels(document)


def _widget_texts(widget: QWidget) -> list[tuple[str, str, QFont]]:
    """(kind, text, font) of what a widget shows as text, or [] if it shows none."""
    font = widget.font()
    if isinstance(widget, QLabel):
        return [("label", widget.text(), font)] if widget.text().strip() else []
    if isinstance(widget, QAbstractButton):
        return [("button", widget.text(), font)] if widget.text().strip() else []
    if isinstance(widget, QComboBox):
        return [("drop-down", widget.currentText(), font)]
    if isinstance(widget, (QLineEdit,)):
        shown = widget.text() or widget.placeholderText()
        return [("field", shown, font)] if shown.strip() else []
    if isinstance(widget, QAbstractSpinBox):
        return [("spin box", widget.text(), font)]
    if isinstance(widget, QTabBar):
        return [("tab", widget.tabText(index), font) for index in range(widget.count())]
    if isinstance(widget, QGroupBox):
        return [("group title", widget.title(), font)] if widget.title().strip() else []
    if isinstance(widget, QPlainTextEdit):
        return [("text area", widget.toPlainText()[:40] or "(empty)", font)]
    if isinstance(widget, QTextEdit):
        return [("rich text", widget.toPlainText()[:40] or "(empty)", font)]
    if isinstance(widget, QHeaderView):
        return [("table header", "", font)]
    if isinstance(widget, QTableWidget):
        return [("table", "", font)]
    return []


def widget_text_sizes(root: QWidget) -> list[MeasuredText]:
    """Every text shown by a visible widget under `root` (root included)."""
    measured = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or widget.width() <= 1 or widget.height() <= 1:
            continue
        widget.ensurePolished()
        name = f"{type(widget).__name__}#{widget.objectName()}" if widget.objectName() else type(widget).__name__
        for kind, text, font in _widget_texts(widget):
            if isinstance(widget, QLabel) and widget.textFormat() != 0 and ("<" in text):
                for fragment, pixels in _rich_text_pixels(text, font):
                    measured.append(MeasuredText(f"{kind} {name}", fragment, pixels))
                continue
            if isinstance(widget, QTextEdit):
                for fragment, pixels in _document_pixels(widget.document()):
                    measured.append(MeasuredText(f"{kind} {name}", fragment[:40], pixels))
            measured.append(MeasuredText(f"{kind} {name}", text[:60], font_pixels(font)))
    return measured


def device_scale(item: QGraphicsItem, view: QGraphicsView) -> float:
    """How many screen pixels one unit of the item's own coordinates covers."""
    transform = item.deviceTransform(view.viewportTransform())
    return math.sqrt(abs(transform.m11() * transform.m22() - transform.m12() * transform.m21()))


def _in_view(item: QGraphicsItem, view: QGraphicsView) -> bool:
    rectangle = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    return rectangle.intersects(view.viewport().rect())


IGNORED: set[int] = set()  # ids of items a test leaves out (see test_presentation.KNOWN_GAPS)


def _text_items(view: QGraphicsView) -> list[QGraphicsItem]:
    scene = view.scene()
    if scene is None:
        return []
    items = []
    for item in scene.items():
        if not isinstance(item, (QGraphicsTextItem, QGraphicsSimpleTextItem)) or not item.isVisible():
            continue
        if id(item) in IGNORED:
            continue
        text = item.toPlainText() if isinstance(item, QGraphicsTextItem) else item.text()
        if text.strip() and _in_view(item, view):
            items.append(item)
    return items


def _axes(view: QGraphicsView) -> list[pg.AxisItem]:
    scene = view.scene()
    if scene is None:
        return []
    return [item for item in scene.items() if isinstance(item, pg.AxisItem) and item.isVisible()
            and item.style.get("showValues", True) and _in_view(item, view)]


def graphics_text_sizes(view: QGraphicsView, where: str) -> list[MeasuredText]:
    """Every visible text of a graphics view in screen pixels: items, and axis tick labels."""
    measured = []
    for item in _text_items(view):
        scale = device_scale(item, view)
        if isinstance(item, QGraphicsTextItem):
            fragments = _document_pixels(item.document())
        else:
            fragments = [(item.text(), font_pixels(item.font()))]
        for text, pixels in fragments:
            measured.append(MeasuredText(f"{where} {type(item).__name__}", text[:50], pixels * scale))
    for axis in _axes(view):
        font = axis.style.get("tickFont") or view.font()
        labels = [text for _rectangle, text in axis_tick_rects(axis)]
        if labels:
            measured.append(MeasuredText(f"{where} {axis.orientation} ticks", " ".join(labels)[:50],
                                         font_pixels(font) * device_scale(axis, view)))
    return measured


def axis_tick_rects(axis: pg.AxisItem) -> list[tuple[QRectF, str]]:
    """The scene rectangles pyqtgraph draws the tick labels of `axis` into."""
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    if specs is None:
        return []
    _axis_spec, _tick_specs, text_specs = specs
    return [(axis.mapRectToScene(QRectF(rectangle)), text) for rectangle, _flags, text in text_specs]


def graphics_text_rects(view: QGraphicsView) -> list[tuple[str, QRectF]]:
    """(text, rectangle in view pixels) of every visible text of a graphics view, tick labels included.

    Text items count by the rectangle their glyphs fill (the bounding rectangle minus the document
    margin of a QGraphicsTextItem), as a reader sees them."""
    found = []
    for item in _text_items(view):
        rectangle = item.boundingRect()
        if isinstance(item, QGraphicsTextItem):
            margin = item.document().documentMargin()
            rectangle = rectangle.adjusted(margin, margin, -margin, -margin)
            text = item.toPlainText()
        else:
            text = item.text()
        polygon = item.deviceTransform(view.viewportTransform()).map(rectangle)
        found.append((text, QRectF(polygon.boundingRect())))
    for axis in _axes(view):
        for rectangle, text in axis_tick_rects(axis):
            found.append((text, QRectF(view.mapFromScene(rectangle).boundingRect())))
    return found


def overlapping_texts(view: QGraphicsView, tolerance: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of texts of a view whose rectangles intersect (by more than `tolerance` pixels)."""
    rectangles = graphics_text_rects(view)
    overlaps = []
    for index, (text, rectangle) in enumerate(rectangles):
        shrunk = rectangle.adjusted(tolerance, tolerance, -tolerance, -tolerance)
        for other_text, other in rectangles[index + 1:]:
            if shrunk.intersects(other.adjusted(tolerance, tolerance, -tolerance, -tolerance)):
                overlaps.append((text, other_text))
    return overlaps


# -- contrast -------------------------------------------------------------------------------------
def relative_luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio, 1..21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rendered_contrast(image: QImage) -> tuple[float, QColor, QColor]:
    """(ratio, background, text) of a rendered piece of text: the background is the most common
    colour, the text the pixel that differs most from it (the core of a glyph stroke)."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    counts: dict[int, int] = {}
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixel(x, y)
            counts[pixel] = counts.get(pixel, 0) + 1
    background = QColor.fromRgb(max(counts, key=counts.get))
    best, text = 1.0, background
    for pixel in counts:
        colour = QColor.fromRgb(pixel)
        ratio = contrast_ratio(background, colour)
        if ratio > best:
            best, text = ratio, colour
    return best, background, text
