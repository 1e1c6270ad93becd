"""Where a text of the architecture drawing ends, in the drawing's coordinates, when its texts have a
fixed size on screen (presentation mode: `ItemIgnoresTransformations`, so a text covers its pixel
size divided by the view's scale); used to lay rows out one under the other."""

from __future__ import annotations

from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSimpleTextItem


def text_height(view, size: float) -> float:
    """The height a text of `size` takes in `view`'s drawing (as `ArchitectureView._text` draws it)."""
    if not view.minimum_text_pixels:
        return size * 1.2
    pixels = max(view.minimum_text_pixels, size * view.view_scale)
    return QFontMetricsF(view._font(pixels)).height() / view.view_scale


def text_below(view, item: QGraphicsSimpleTextItem, y: float) -> float:
    """`y`, or lower if the fixed-size text `item` reaches further down."""
    if not view.minimum_text_pixels:
        return y
    return max(y, item.y() + item.boundingRect().height() / view.view_scale)


def text_width(view, item: QGraphicsSimpleTextItem) -> float:
    """The width the text `item` takes in `view`'s drawing."""
    if item.flags() & QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations:
        return item.boundingRect().width() / view.view_scale
    return item.boundingRect().width() * item.scale()
