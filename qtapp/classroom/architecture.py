"""The live architecture view: a drawing of what is really running.

The GUI process with its client threads on the left, one lane per transport, each server process on
the right with its real pid, and between them the channels as they exist: the request FIFO and each
reply FIFO found on disk, the listening TCP port and every accepted connection with both ports (from
/proc/net/tcp), the Unix socket path and its connections (from /proc/net/unix). A crashed server
turns red. Requests and replies animate along the arrows.

`ArchitectureSnapshot` is plain data built by `build_snapshot` (both in
`qtapp.classroom.architecture_snapshot`, re-exported here); `ArchitectureView` draws one and redraws
only when it changes.

With `set_minimum_text_pixels(24)` (presentation) every text is drawn at least 24 px high whatever
the drawing's scale, elided to its room; rows and the drawing's width follow (redrawn on resize).
Travelling dots pass behind the texts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from qtapp.classroom.architecture_snapshot import (  # noqa: F401 - re-exported: the view's data types
    LANES,
    ArchitectureSnapshot,
    ChannelNode,
    ClientNode,
    ServerNode,
    build_snapshot,
)
from qtapp.classroom.architecture_mirror import ArchitectureMirror  # noqa: F401 - re-exported
from qtapp.classroom.drawing_text import text_below, text_height, text_width
from qtapp.measuring.plots.style import TRANSPORT_COLOURS

LANE_TITLES = {"fifo": "FIFO", "tcp": "TCP", "unix": "Unix socket"}
SCENE_WIDTH = 1500.0
LANE_TOP, LANE_HEIGHT = 60.0, 230.0
GUI_X, GUI_W = 20.0, 340.0
SERVER_X, SERVER_W = 1110.0, 370.0
CHANNEL_X0 = 440.0
MAX_CLIENTS_DRAWN = 4
MAX_CHANNELS_DRAWN = 3
MAX_PULSES_PER_LANE = 6
PULSE_SECONDS = 0.9
ANIMATION_INTERVAL_MS = 33
STATE_FILL = {"listening": "#e3f5e6", "starting": "#fff4d6", "stopping": "#fff4d6", "crashed": "#f8d0cc",
              "failed": "#f8d0cc", "stopped": "#eeeeee"}
STATE_EDGE = {"listening": "#1e7b2f", "starting": "#b8860b", "stopping": "#b8860b", "crashed": "#c0392b",
              "failed": "#c0392b", "stopped": "#888888"}
REQUEST_COLOUR, REPLY_COLOUR = "#1f4fbf", "#d04a02"
# Text on white in each transport's colour, dark enough for 4.5:1 (the bright line colours are not).
TEXT_COLOURS = {"fifo": "#b34700", "tcp": "#1f6fb4", "unix": "#1e7b2f"}
STATE_TEXT = {"starting": "#7d5e00", "stopping": "#7d5e00", "stopped": "#595959"}
QUIET_TEXT = "#595959"  # "no client thread" and the like: 7:1 on white
PULSE_Z, TEXT_Z = 2.5, 3.0  # dots travel above the pipes and lines, below every text


@dataclass
class _Pulse:
    path: QPainterPath
    item: QGraphicsEllipseItem
    started: float
    seconds: float


@dataclass
class _Lane:
    request_path: QPainterPath = field(default_factory=QPainterPath)
    reply_path: QPainterPath = field(default_factory=QPainterPath)
    pulses: list[_Pulse] = field(default_factory=list)


class ArchitectureView(QGraphicsView):
    """Draws an `ArchitectureSnapshot`; `pulse(transport, "request"|"reply")` animates a message."""

    def __init__(self, parent: QWidget | None = None, lanes: tuple[str, ...] = LANES) -> None:
        super().__init__(parent)
        self.setObjectName("architectureView")
        self.lanes = lanes
        self.setScene(QGraphicsScene(0, 0, SCENE_WIDTH, self._height(), self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setBackgroundBrush(QBrush(QColor("white")))
        self.snapshot: ArchitectureSnapshot | None = None
        self.labels: dict[str, str] = {}  # item key -> the text drawn for it (for tests and tooltips)
        self.colours: dict[str, str] = {}  # item key -> its fill colour
        self.rects: dict[str, QRectF] = {}  # item key -> where it is drawn (for overlays: kernel badges)
        self.after_rebuild: list = []  # callables run after each redraw (overlays re-add their items)
        self.line_scale = 1.0
        self.minimum_text_pixels = 0  # 0: texts scale with the drawing (normal mode)
        self._built_scale = 0.0
        # The drawing's width: SCENE_WIDTH, or wider to match a wide view when texts have a fixed
        # size (the channels get the extra room, so their texts keep clear of the arrows' labels).
        self._width = SCENE_WIDTH
        self._server_x = SERVER_X
        self._channel_x0 = CHANNEL_X0
        self.pulse_seconds = PULSE_SECONDS
        self.pulses_started = 0
        self._lanes: dict[str, _Lane] = {lane: _Lane() for lane in LANES}
        self._timer = QTimer(self)
        self._timer.setInterval(ANIMATION_INTERVAL_MS)
        self._timer.timeout.connect(self._animate)

    def _height(self) -> float:
        return LANE_TOP + len(self.lanes) * (LANE_HEIGHT + 10) + 10

    def set_lanes(self, lanes: tuple[str, ...]) -> None:
        """Draw only these transports (the step-mode view shows one)."""
        if lanes != self.lanes:
            self.lanes = lanes
            self._fit(force=True)

    # -- public -------------------------------------------------------------------------------
    def set_snapshot(self, snapshot: ArchitectureSnapshot) -> bool:
        """Redraw if `snapshot` differs from the one shown; return whether it did."""
        if snapshot == self.snapshot:
            return False
        self.snapshot = snapshot
        self._rebuild()
        return True

    def set_line_scale(self, scale: float) -> None:
        self.line_scale = scale
        if self.snapshot is not None:
            self._rebuild()

    def set_minimum_text_pixels(self, pixels: int) -> None:
        """Draw every text at least `pixels` high on screen (0: texts scale with the drawing)."""
        if pixels != self.minimum_text_pixels:
            self.minimum_text_pixels = pixels
            self._fit(force=True)

    @property
    def view_scale(self) -> float:
        """Screen pixels per scene unit, as the drawing is fitted now."""
        return self.transform().m11() or 1.0

    def pulse(self, transport: str, direction: str, seconds: float | None = None) -> bool:
        """Animate one request (client to server) or reply (server to client) along its arrow."""
        lane = self._lanes.get(transport)
        if lane is None or len(lane.pulses) >= MAX_PULSES_PER_LANE:
            return False
        path = lane.request_path if direction == "request" else lane.reply_path
        if path.isEmpty():
            return False
        radius = 11 * self.line_scale
        item = QGraphicsEllipseItem(-radius, -radius, 2 * radius, 2 * radius)
        colour = QColor(REQUEST_COLOUR if direction == "request" else REPLY_COLOUR)
        item.setBrush(QBrush(colour))
        item.setPen(QPen(QColor("white"), 2))
        item.setZValue(PULSE_Z)
        item.setPos(path.pointAtPercent(0))
        self.scene().addItem(item)
        lane.pulses.append(_Pulse(path, item, time.monotonic(), seconds or self.pulse_seconds))
        self.pulses_started += 1
        if not self._timer.isActive():
            self._timer.start()
        return True

    def stop(self) -> None:
        self._timer.stop()
        for lane in self._lanes.values():
            for pulse in lane.pulses:
                self.scene().removeItem(pulse.item)
            lane.pulses.clear()

    # -- drawing ------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._fit()

    def _fit(self, force: bool = False) -> None:
        """Fill the view with the drawing; texts of a fixed screen size are laid out again."""
        width = SCENE_WIDTH
        if self.minimum_text_pixels:
            viewport = self.viewport().size()
            width = max(SCENE_WIDTH, viewport.width() / max(1, viewport.height()) * self._height())
        if force or abs(width - self._width) > 1 or self.sceneRect().height() != self._height():
            self._width = width
            self._server_x = width - (SCENE_WIDTH - SERVER_X)
            self._channel_x0 = CHANNEL_X0 + (self._server_x - SERVER_X) / 2
            self.scene().setSceneRect(0, 0, width, self._height())
            force = True
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        changed = abs(self.view_scale - self._built_scale) > 0.01 * self._built_scale
        if self.snapshot is not None and (force or (self.minimum_text_pixels and changed)):
            self._rebuild()

    def _font(self, size: float, bold: bool = False, mono: bool = False) -> QFont:
        font = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
        font.setPixelSize(int(size))
        font.setBold(bold)
        return font

    def _room(self, x: float, right: bool) -> float:
        """Scene width a text starting (or ending, if `right`) at x has before the next box."""
        if right:
            return x - (GUI_X + GUI_W) - 10 if x <= self._server_x else x - self._server_x - 10
        if x < GUI_X + GUI_W:
            return GUI_X + GUI_W - x - 10
        return (self._server_x if x < self._server_x else self._width) - x - 10

    def _text(self, key: str, text: str, x: float, y: float, size: float = 20, bold: bool = False,
              colour: str = "#111111", mono: bool = False, max_width: float = 0,
              right: bool = False) -> QGraphicsSimpleTextItem:
        """A text at (x, y), its top left corner (its top right corner if `right`)."""
        item = QGraphicsSimpleTextItem(text)
        item.setBrush(QBrush(QColor(colour)))
        room = max_width or self._room(x, right)
        if self.minimum_text_pixels:
            # A fixed size on screen: at least the minimum, larger where the drawing's scale makes a
            # text larger; elided to the room it has at that scale.
            scale = self.view_scale
            pixels = max(self.minimum_text_pixels, size * scale)
            font = self._font(pixels, bold, mono)
            item.setFont(font)
            item.setText(QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideMiddle, room * scale))
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
            width = item.boundingRect().width() / scale
        else:
            item.setFont(self._font(size, bold, mono))
            if max_width and item.boundingRect().width() > max_width:
                item.setScale(max_width / item.boundingRect().width())
            width = item.boundingRect().width() * item.scale()
        item.setPos(x - width if right else x, y)
        item.setZValue(TEXT_Z)
        self.scene().addItem(item)
        if key:
            self.labels[key] = text if key not in self.labels else self.labels[key] + "\n" + text
            self.rects.setdefault(key, item.sceneBoundingRect())
        return item

    def _box(self, key: str, rect: QRectF, fill: str, edge: str, width: float = 3, dashed: bool = False,
             radius: float = 12) -> QGraphicsPathItem:
        path = QPainterPath()
        path.addRoundedRect(rect, radius, radius)
        item = QGraphicsPathItem(path)
        pen = QPen(QColor(edge), width * self.line_scale)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        item.setPen(pen)
        item.setBrush(QBrush(QColor(fill)))
        self.scene().addItem(item)
        if key:
            self.colours[key] = fill
            self.rects[key] = rect
        return item

    def _arrow(self, path: QPainterPath, colour: str, width: float = 4, dashed: bool = False) -> None:
        item = QGraphicsPathItem(path)
        pen = QPen(QColor(colour), width * self.line_scale)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        item.setPen(pen)
        self.scene().addItem(item)
        end = path.pointAtPercent(1.0)
        before = path.pointAtPercent(0.98)
        direction = end - before
        length = max((direction.x() ** 2 + direction.y() ** 2) ** 0.5, 1e-6)
        ux, uy = direction.x() / length, direction.y() / length
        size = 16 * self.line_scale
        head = QPainterPath()
        head.moveTo(end)
        head.lineTo(end - QPointF(ux * size - uy * size * 0.55, uy * size + ux * size * 0.55))
        head.lineTo(end - QPointF(ux * size + uy * size * 0.55, uy * size - ux * size * 0.55))
        head.closeSubpath()
        head_item = QGraphicsPathItem(head)
        head_item.setBrush(QBrush(QColor(colour)))
        head_item.setPen(QPen(Qt.PenStyle.NoPen))
        self.scene().addItem(head_item)

    def _rebuild(self) -> None:
        snapshot = self.snapshot
        scene = self.scene()
        pulses = [pulse.item for lane in self._lanes.values() for pulse in lane.pulses]
        for item in scene.items():
            if item not in pulses and item.parentItem() is None:
                scene.removeItem(item)
        self.labels, self.colours, self.rects = {}, {}, {}
        self._built_scale = self.view_scale
        if snapshot is None:
            return
        # The GUI process, spanning all lanes.
        gui_rect = QRectF(GUI_X, 10, GUI_W, self._height() - 20)
        self._box("gui", gui_rect, "#eef3fb", "#1f4fbf", 3)
        gui_title = self._text("gui", self.tr("GUI process"), GUI_X + 16, 14, 26, bold=True, colour="#1f4fbf",
                               max_width=GUI_W - 30)
        gui_pid = self._text("gui", f"pid {snapshot.gui_pid}", GUI_X + 16, text_below(self, gui_title, 48), 22,
                             mono=True, colour="#1f4fbf")
        self._gui_text_bottom = text_below(self, gui_pid, 0)  # the first lane's client threads start below
        for lane in LANES:
            if lane not in self.lanes:
                self._lanes[lane].request_path = QPainterPath()
                self._lanes[lane].reply_path = QPainterPath()
        for index, transport in enumerate(self.lanes):
            top = LANE_TOP + index * (LANE_HEIGHT + 10)
            self._draw_lane(snapshot, transport, top)
        for overlay in self.after_rebuild:
            overlay()

    def _draw_lane(self, snapshot: ArchitectureSnapshot, transport: str, top: float) -> None:
        colour = TRANSPORT_COLOURS[transport]
        lane = self._lanes[transport]
        middle = top + LANE_HEIGHT / 2
        lane_title = self._text("", LANE_TITLES[transport], self._channel_x0 + 230, top - 2, 24, bold=True,
                                colour=TEXT_COLOURS[transport])
        # Client threads of this transport.
        clients = [client for client in snapshot.clients if client.transport == transport]
        client_top = max(top + 30, getattr(self, "_gui_text_bottom", 0) + 4)
        if not clients:
            self._text(f"clients:{transport}", self.tr("no client thread"), GUI_X + 24, middle - 12, 19, colour=QUIET_TEXT)
        row = max(35.0, text_height(self, 21) + 4)  # taller rows when texts have a fixed screen size
        for position, client in enumerate(clients[:MAX_CLIENTS_DRAWN]):
            rect = QRectF(GUI_X + 20, client_top + position * (row + 5), GUI_W - 40, row)
            self._box(f"client:{client.key}", rect, "#ffffff", colour, 2.5, radius=8)
            self._text(f"client:{client.key}", client.label, rect.x() + 12, rect.y() + (row - text_height(self, 21)) / 2, 21,
                       max_width=rect.width() - 20)
        if len(clients) > MAX_CLIENTS_DRAWN:
            self._text(f"clients:{transport}", self.tr("+ %Ln more client thread(s)", "", len(clients) - MAX_CLIENTS_DRAWN),
                       GUI_X + 24, client_top + MAX_CLIENTS_DRAWN * 40, 20, bold=True, colour=TEXT_COLOURS[transport])
        # The server process.
        server = snapshot.server(transport)
        state = server.state if server else "stopped"
        server_rect = QRectF(self._server_x, top + 20, SERVER_W, LANE_HEIGHT - 40)
        self._box(f"server:{transport}", server_rect, STATE_FILL.get(state, "#eeeeee"), STATE_EDGE.get(state, "#888"),
                  4 if state in ("crashed", "failed", "listening") else 2.5, dashed=state == "stopped")
        title = (self.tr("{name} server").format(name=LANE_TITLES[transport]) if not (server and server.command)
                 else self.tr("your own server"))
        above = self._text(f"server:{transport}", title, self._server_x + 16, top + 30, 24, bold=True)
        if server is not None and server.pid:
            above = self._text(f"server:{transport}", f"pid {server.pid}", self._server_x + 16, text_below(self, above, top + 66),
                               30, bold=True, mono=True, colour=STATE_TEXT.get(state, STATE_EDGE.get(state, "#111")))
        words = {"listening": self.tr("running, listening"), "crashed": self.tr("CRASHED"),
                 "failed": self.tr("could not start"), "stopped": self.tr("not running"),
                 "starting": self.tr("starting…"), "stopping": self.tr("stopping…")}
        above = self._text(f"server:{transport}", words.get(state, state), self._server_x + 16,
                           text_below(self, above, top + 110), 22, bold=state in ("crashed", "failed"),
                           colour=STATE_TEXT.get(state, STATE_EDGE.get(state, "#111")))
        if server is not None and server.message and state in ("crashed", "failed"):
            above = self._text(f"server:{transport}", server.message, self._server_x + 16, text_below(self, above, top + 142),
                               17, colour="#c0392b", max_width=SERVER_W - 30)
        if server is not None and server.command:
            self._text(f"server:{transport}", server.command, self._server_x + 16, text_below(self, above, top + 172), 15,
                       mono=True, max_width=SERVER_W - 30)
        # The channels between them.
        channels = snapshot.channels_of(transport)
        gui_edge = GUI_X + GUI_W
        server_edge = self._server_x
        live = state == "listening"
        request_path = QPainterPath()
        reply_path = QPainterPath()
        if transport == "fifo":
            request = next((channel for channel in channels if channel.kind == "request-fifo"), None)
            replies = [channel for channel in channels if channel.kind == "reply-fifo"]
            y = top + 70
            if request is not None:
                self._pipe(f"channel:{request.key}", request.label, request.detail, QRectF(self._channel_x0 + 60, y - 30,
                                                                                             480, 60), colour)
                request_path.moveTo(gui_edge, y)
                request_path.lineTo(server_edge, y)
                self._arrow(request_path, REQUEST_COLOUR, 4)
                self._text("", "write(request)", gui_edge + 6, y - 34, 19, colour=REQUEST_COLOUR)
                self._text("", "read()", server_edge - 6, y - 34, 19, colour=REQUEST_COLOUR, right=True)
            else:
                self._text("channel:fifo:none", self.tr("no request FIFO on disk"), self._channel_x0 + 120, y - 12, 20,
                           colour=QUIET_TEXT)
            for position, channel in enumerate(replies[:MAX_CHANNELS_DRAWN]):
                ry = top + 120 + position * 36
                self._pipe(f"channel:{channel.key}", channel.label, "", QRectF(self._channel_x0 + 110, ry - 16, 380, 32),
                           colour, small=True)
                if position == 0:
                    reply_path.moveTo(server_edge, ry)
                    reply_path.lineTo(gui_edge, ry)
                    self._arrow(reply_path, REPLY_COLOUR, 4)
                    self._text("", "write(reply)", server_edge - 6, ry - 38, 19, colour=REPLY_COLOUR, right=True)
                    self._text("", "read()", gui_edge + 6, ry - 38, 19, colour=REPLY_COLOUR)
            if len(replies) > MAX_CHANNELS_DRAWN:
                self._text("channel:fifo:more", self.tr("+ {count} more reply FIFOs").format(count=len(replies) - MAX_CHANNELS_DRAWN),
                           self._channel_x0 + 150, top + 120 + MAX_CHANNELS_DRAWN * 36 - 14, 19, bold=True, colour=TEXT_COLOURS[transport])
            if request is not None and not replies:
                self._text("channel:fifo:noreply", self.tr("reply FIFOs appear here while clients run"), self._channel_x0 + 80,
                           top + 150, 18, colour=QUIET_TEXT)
        elif transport == "tcp":
            listen = next((channel for channel in channels if channel.kind == "tcp-listen"), None)
            connections = [channel for channel in channels if channel.kind == "tcp-connection"]
            if listen is not None:
                # With fixed-size texts, on the lane title's line: below it there is no room to spare.
                listen_x, listen_y = ((lane_title.x() + text_width(self, lane_title) + 20, top - 2)
                                      if self.minimum_text_pixels else (self._channel_x0 + 100, top + 30))
                self._text(f"channel:{listen.key}", self.tr("listening socket {address}").format(address=listen.detail), listen_x, listen_y,
                           22, mono=True, colour=TEXT_COLOURS[transport])
            for position, channel in enumerate(connections[:MAX_CHANNELS_DRAWN]):
                cy = top + 90 + position * 40
                path = QPainterPath()
                path.moveTo(gui_edge, cy)
                path.lineTo(server_edge, cy)
                self._connection_line(path, colour)
                self._text(f"channel:{channel.key}", channel.label, self._channel_x0 + 90, cy - 31, 21, mono=True)
                if position == 0:
                    request_path, reply_path = self._two_way(cy, gui_edge, server_edge)
            if len(connections) > MAX_CHANNELS_DRAWN:
                self._text("channel:tcp:more", self.tr("+ %Ln more connection(s)", "", len(connections) - MAX_CHANNELS_DRAWN),
                           self._channel_x0 + 150, top + 90 + MAX_CHANNELS_DRAWN * 40 - 18, 19, bold=True,
                           colour=TEXT_COLOURS[transport])
            if listen is not None and not connections:
                self._text("channel:tcp:none", self.tr("no connection: connect() makes one"), self._channel_x0 + 90, middle, 19,
                           colour=QUIET_TEXT)
        else:
            socket_node = next((channel for channel in channels if channel.kind == "unix-socket"), None)
            connected = next((channel for channel in channels if channel.kind == "unix-connections"), None)
            if socket_node is not None:
                self._pipe(f"channel:{socket_node.key}", socket_node.label, socket_node.detail,
                           QRectF(self._channel_x0 + 60, top + 40, 480, 60), colour, socket=True)
            if connected is not None:
                cy = top + 150
                path = QPainterPath()
                path.moveTo(gui_edge, cy)
                path.lineTo(server_edge, cy)
                self._connection_line(path, colour)
                self._text(f"channel:{connected.key}", connected.label, self._channel_x0 + 210, cy - 32, 20, bold=True)
                request_path, reply_path = self._two_way(cy, gui_edge, server_edge)
            elif socket_node is not None:
                self._text("channel:unix:none", self.tr("no connection: connect() makes one"), self._channel_x0 + 90, top + 150, 19,
                           colour=QUIET_TEXT)
            else:
                self._text("channel:unix:nofile", self.tr("no socket file on disk"), self._channel_x0 + 140, middle, 20,
                           colour=QUIET_TEXT)
        lane.request_path = request_path if live else QPainterPath()
        lane.reply_path = reply_path if live else QPainterPath()

    def _two_way(self, y: float, left: float, right: float) -> tuple[QPainterPath, QPainterPath]:
        request = QPainterPath()
        request.moveTo(left, y - 9)
        request.lineTo(right, y - 9)
        reply = QPainterPath()
        reply.moveTo(right, y + 9)
        reply.lineTo(left, y + 9)
        return request, reply

    def _connection_line(self, path: QPainterPath, colour: str) -> None:
        item = QGraphicsPathItem(path)
        pen = QPen(QColor(colour), 10 * self.line_scale)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        item.setPen(pen)
        item.setOpacity(0.35)
        self.scene().addItem(item)

    def _pipe(self, key: str, name: str, detail: str, rect: QRectF, colour: str, small: bool = False,
              socket: bool = False) -> None:
        fill = QColor(colour).lighter(185)  # opaque: the arrows run through the pipe, behind it
        pipe = self._box(key, rect, fill.name(), colour, 2.5, radius=rect.height() / 2)
        pipe.setZValue(2)
        kind = self.tr("socket file") if socket else "FIFO"
        title = self._text(key, f"{kind} {name}" if not small else name, rect.x() + 22,
                           rect.y() + (1 if self.minimum_text_pixels else 4), 20 if small else 23, bold=not small,
                           mono=small, max_width=rect.width() - 40)
        if detail:
            self._text(key, detail, rect.x() + 22, text_below(self, title, rect.y() + 34), 16, mono=True,
                       colour="#333333", max_width=rect.width() - 40)

    def _animate(self) -> None:
        now = time.monotonic()
        active = False
        for lane in self._lanes.values():
            kept = []
            for pulse in lane.pulses:
                fraction = (now - pulse.started) / pulse.seconds
                if fraction >= 1.0:
                    self.scene().removeItem(pulse.item)
                    continue
                pulse.item.setPos(pulse.path.pointAtPercent(min(1.0, fraction)))
                kept.append(pulse)
            lane.pulses = kept
            active = active or bool(kept)
        if not active:
            self._timer.stop()
