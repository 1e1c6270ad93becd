"""Kernel badges on an architecture drawing: on each server process and client thread, what the
kernel says it is doing ("blocked in write()"), coloured by state; each channel (FIFO, TCP
connection, Unix socket) filled like a pipe in proportion to its buffer's fill; and below the
drawing, one plain sentence per process and client saying why it waits ("blocked in openat() on
request.fifo — a FIFO's open waits until the other end is opened").

The drawing redraws itself when what runs changes; the badges are re-added after each redraw (the
view's `after_rebuild` hook) and updated in place on each kernel snapshot.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem, QGraphicsSimpleTextItem, QLabel

from backend.kernel_view.badges import Badge, ChannelFill, channel_fills, process_badge, thread_badge
from backend.kernel_view.kernel_report import format_size
from qtapp.classroom.kernel_sentences import badge_sentence, badge_short, translate_template
from qtapp.measuring import client_threads

KIND_COLOURS = {"running": "#1e7b2f", "blocked": "#c0392b", "waiting": "#8a6508", "sleeping": "#5d6d7e",
                "gone": "#6b6b6b", "hidden": "#6b6b6b"}  # white text on each: at least 4.5:1
FILL_COLOUR, FULL_COLOUR = "#2e86c1", "#c0392b"
CLIENT_ALIASES = {"step": "step-client"}  # ClientNode key -> the name its BackgroundCall registers
PRESENTATION_PIXELS = 24  # the smallest text on screen in presentation mode
CAPTION_LINES = 4


def _font(pixels: float, bold: bool = True) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(1, math.ceil(pixels - 1e-6)))  # never a pixel under the size asked for
    font.setBold(bold)
    return font


class KernelBadges(QObject):
    """Overlays one ArchitectureView with the kernel's view; fed by a KernelMonitor."""

    def __init__(self, view, monitor, presentation=lambda: False) -> None:
        super().__init__(view)
        self.view = view
        self.monitor = monitor
        self.presentation = presentation
        self.badges: dict[str, Badge] = {}  # item key ("server:fifo", "client:<key>") -> what it shows
        self.fills: dict[str, ChannelFill] = {}  # channel key -> its fill
        self.sentences: list[str] = []
        self.left_out: list[str] = []  # badges with no room on the drawing (presentation mode)
        self._items: list = []
        self.caption = QLabel(view)
        self.caption.setObjectName("kernelCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.caption.setStyleSheet("QLabel#kernelCaption { background: #fbfbf4; border-top: 2px solid #999; "
                                   "padding: 4px 10px; color: #111; }")
        self.caption.hide()
        view.installEventFilter(self)
        view.after_rebuild.append(self._place)
        monitor.snapshot_changed.connect(self.update)

    # -- geometry -------------------------------------------------------------------------------
    def _pixels(self, normal: float) -> float:
        """A text size in scene units: at least 24 screen pixels in presentation mode."""
        if not self.presentation():
            return normal
        scale = self.view.transform().m11() or 1.0
        return max(normal, PRESENTATION_PIXELS / scale)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self._place_caption()
        return False

    def _place_caption(self) -> None:
        if not self.sentences:
            self.view.setViewportMargins(0, 0, 0, 0)
            self.caption.hide()
            return
        pixels = PRESENTATION_PIXELS if self.presentation() else 15
        font = self.caption.font()
        font.setPixelSize(pixels)
        self.caption.setFont(font)
        width = self.view.width()
        limit = int(CAPTION_LINES * pixels * 1.4 + 14)
        height = min(limit, max(self.caption.heightForWidth(width), int(pixels * 1.4 + 14)))
        self.view.setViewportMargins(0, 0, 0, height)
        self.caption.setGeometry(0, self.view.height() - height, width, height)
        self.caption.show()

    # -- the overlay ------------------------------------------------------------------------------
    def _place(self) -> None:
        """Re-add the badge items after the drawing was rebuilt (the old ones were removed)."""
        self._items = []
        self.update(self.monitor.snapshot)

    def _clear(self) -> None:
        scene = self.view.scene()
        for item in self._items:
            if item.scene() is scene:
                scene.removeItem(item)
        self._items = []

    def update(self, snapshot) -> None:
        drawing = self.view.snapshot
        self._clear()
        if drawing is None or snapshot is None:
            return
        self.badges, self.sentences, self.left_out = {}, [], []
        names = {"fifo": "FIFO", "tcp": "TCP", "unix": "Unix socket"}
        for server in drawing.servers:
            if not server.pid or server.transport not in self.view.lanes:
                continue
            badge = process_badge(snapshot, server.pid)
            key = f"server:{server.transport}"
            self.badges[key] = badge
            rect = self.view.rects.get(key)
            if rect is not None and self.presentation():
                if not self._fixed_pill(badge, [QPointF(rect.x() + 12, rect.y() + 8), QPointF(rect.right() - 6, rect.y() + 8)],
                                        align_right=(False, True)):
                    self.left_out.append(key)
            elif rect is not None:
                self._pill(badge, rect.x() + 12, rect.bottom() - 12, rect.width() - 24, anchor_bottom=True)
            if badge.kind in ("blocked", "waiting") or badge.short == "not visible":
                whose = translate_template("{transport} server {pid}").format(
                    transport=QCoreApplication.translate("Transports", names[server.transport]), pid=server.pid)
                self.sentences.append(f"<b>{whose}</b>: {badge_sentence(badge)}")
        for client in drawing.clients:
            if client.transport not in self.view.lanes:
                continue
            tid = client_threads.native_id(CLIENT_ALIASES.get(client.key, client.key))
            if tid is None:
                continue
            badge = thread_badge(snapshot, drawing.gui_pid, tid)
            key = f"client:{client.key}"
            self.badges[key] = badge
            rect = self.view.rects.get(key)
            compact = badge._replace(short=f"{badge.call}()" if badge.call and badge.kind != "running" else badge.short)
            if rect is not None and self.presentation():
                if not self._fixed_pill(compact, [QPointF(rect.right() - 6, rect.y() + 3),
                                                  QPointF(rect.right() + 8, rect.y() + 3)], align_right=(True, False)):
                    self.left_out.append(key)
            elif rect is not None:
                self._pill(compact, rect.right() - 6, rect.center().y(), 0, align_right=True, small=True,
                           height=rect.height() - 6)
            if badge.kind == "blocked":
                thread = translate_template("(thread {tid})").format(tid=tid)
                self.sentences.append(f"<b>{client.label}</b> {thread}: {badge_sentence(badge)}")
        self.fills = channel_fills(snapshot)
        for channel in drawing.channels:
            fill = self.fills.get(channel.key)
            rect = self.view.rects.get(f"channel:{channel.key}")
            if fill is not None and rect is not None and channel.transport in self.view.lanes:
                self._fill_bar(channel.key, fill, rect)
        if not snapshot.supported:
            self.sentences = [snapshot.note]
        self.caption.setText("<br>".join(self.sentences[:CAPTION_LINES]))
        self._place_caption()

    def _pill(self, badge: Badge, x: float, y: float, max_width: float, anchor_bottom: bool = False,
              align_right: bool = False, small: bool = False, height: float = 0) -> None:
        text = QGraphicsSimpleTextItem(badge_short(badge.short))
        text.setFont(_font(self._pixels(17 if small else 21)))
        text.setBrush(QBrush(QColor("white")))
        bounds = text.boundingRect()
        if max_width and bounds.width() + 24 > max_width:
            text.setScale((max_width - 24) / bounds.width())
        width = bounds.width() * text.scale() + 24
        pill_height = max(height, bounds.height() * text.scale() + 8)
        left = x - width if align_right else x
        top = y - pill_height if anchor_bottom else y - pill_height / 2 if align_right else y
        path = QPainterPath()
        path.addRoundedRect(QRectF(left, top, width, pill_height), pill_height / 2, pill_height / 2)
        pill = QGraphicsPathItem(path)
        pill.setBrush(QBrush(QColor(KIND_COLOURS.get(badge.kind, "#555555"))))
        pill.setPen(QPen(QColor("white"), 2))
        pill.setZValue(20)
        pill.setToolTip(badge_sentence(badge))
        text.setPos(left + 12, top + (pill_height - bounds.height() * text.scale()) / 2)
        text.setZValue(21)
        for item in (pill, text):
            self.view.scene().addItem(item)
            self._items.append(item)

    # -- presentation mode: badges of a fixed size on screen, placed where no text is ---------------
    def _obstacles(self) -> list[QRectF]:
        """Where the drawing's texts and the badges placed so far are, in view pixels."""
        found = []
        for item in self.view.scene().items():
            if isinstance(item, QGraphicsSimpleTextItem) and item.isVisible() and item.text().strip():
                found.append(item.deviceTransform(self.view.viewportTransform()).mapRect(item.boundingRect()))
        return found

    def _fixed_pill(self, badge: Badge, starts: list[QPointF],
                    align_right: tuple[bool, ...] = (False,)) -> bool:
        """A badge 24 px high on screen whatever the drawing's scale (like the drawing's own texts in
        presentation mode), at the first of `starts` (scene points; its top left, or top right if
        aligned right) from which it can move down, inside the view, to where it covers no text.
        False when there is no such place: the sentence under the drawing still says it."""
        text = QGraphicsSimpleTextItem(badge_short(badge.short))
        text.setFont(_font(PRESENTATION_PIXELS))
        text.setBrush(QBrush(QColor("white")))
        bounds = text.boundingRect()
        size = QSizeF(bounds.width() + 24, bounds.height() + 8)
        room = QRectF(self.view.viewport().rect())
        obstacles = self._obstacles()
        for index, start in enumerate(starts):
            corner = QPointF(self.view.mapFromScene(start))
            if align_right[min(index, len(align_right) - 1)]:
                corner.setX(corner.x() - size.width())
            place = QRectF(corner, size)
            if place.right() > room.right() - 2:  # kept on screen sideways (a badge may be wider than its box)
                place.moveRight(room.right() - 2)
            place.moveLeft(max(place.left(), room.left() + 2))
            for _attempt in range(12):
                hit = next((rect for rect in obstacles if rect.adjusted(-2, -2, 2, 2).intersects(place)), None)
                if hit is None:
                    break
                place.moveTop(hit.bottom() + 4)
            if hit is None and room.contains(place):
                break
        else:
            return False
        path = QPainterPath()
        path.addRoundedRect(QRectF(QPointF(0, 0), size), size.height() / 2, size.height() / 2)
        pill = QGraphicsPathItem(path)
        pill.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        pill.setPos(self.view.mapToScene(place.topLeft().toPoint()))
        pill.setBrush(QBrush(QColor(KIND_COLOURS.get(badge.kind, "#555555"))))
        pill.setPen(QPen(QColor("white"), 2))
        pill.setZValue(20)
        pill.setToolTip(badge_sentence(badge))
        text.setParentItem(pill)
        text.setPos(12, 4)
        self.view.scene().addItem(pill)
        self._items += [pill, text]
        return True

    def _fill_bar(self, key: str, fill: ChannelFill, rect: QRectF) -> None:
        """The channel's buffer as a bar under it: filled in proportion, with the figures."""
        if fill.used is None and not fill.full:
            return  # nothing visible to draw (the caption's sentences still tell what can be seen)
        if fill.used is None:
            words = "full (its writer waits)"
            fraction = 1.0 if fill.full else 0.0
        else:
            fraction = min(1.0, fill.used / fill.capacity) if fill.capacity else 0.0
            words = f"{format_size(fill.used)} of {format_size(fill.capacity)}" if fill.capacity else format_size(fill.used)
            if fill.full:
                words += " — full"
        if not key.startswith("fifo:"):
            words = "send buffer: " + words  # a socket: the server's sending side, the reply's way
        if fill.used is not None and not fill.used and not fill.full:
            return  # an empty buffer: nothing to show, the drawing stays quiet
        inside_pipe = key.startswith("fifo:")
        label = QGraphicsSimpleTextItem(words)
        label.setFont(_font(self._pixels(15 if inside_pipe and rect.height() < 40 else 17)))
        width = max(170.0, label.boundingRect().width() + 16)
        height = max(rect.height() - 8, label.boundingRect().height() + 4) if inside_pipe else label.boundingRect().height() + 8
        if inside_pipe:  # at the pipe's right end, inside it
            bar = QRectF(rect.right() - width - rect.height() / 2, rect.center().y() - height / 2, width, height)
        else:  # under the connection's line (its label is above the line)
            bar = QRectF(rect.x(), rect.bottom() + 20, width, height)
        colour = QColor(FULL_COLOUR if fill.full else FILL_COLOUR)
        frame = QGraphicsRectItem(bar)
        frame.setPen(QPen(colour, 2))
        frame.setBrush(QBrush(QColor("white")))
        frame.setZValue(20)
        inside = QGraphicsRectItem(QRectF(bar.x(), bar.y(), bar.width() * fraction, bar.height()))
        inside.setBrush(QBrush(colour.lighter(160)))
        inside.setPen(QPen(Qt.PenStyle.NoPen))
        inside.setZValue(21)
        label.setBrush(QBrush(QColor("#111111")))
        label.setPos(bar.x() + 8, bar.center().y() - label.boundingRect().height() / 2)
        label.setZValue(22)
        frame.setToolTip(fill.source)
        for item in (frame, inside, label):
            self.view.scene().addItem(item)
            self._items.append(item)
        self.badges[f"fill:{key}"] = Badge(words, fill.source, "blocked" if fill.full else "running", "")
