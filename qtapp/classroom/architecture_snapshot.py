"""What the architecture view draws, as plain data: the nodes of one snapshot and how to build it.

`build_snapshot` asks the running `QtServerProcess` objects and the kernel (through `system_probe`:
the FIFOs on disk, /proc/net/tcp, /proc/net/unix) what exists now and returns an
`ArchitectureSnapshot`: the client threads of the GUI process, each server process with its pid and
state, and the channels between them. Snapshots compare equal when nothing changed, so a view redraws
only on a real change. No drawing here; `qtapp.classroom.architecture` draws a snapshot.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QObject

from qtapp.classroom import system_probe

LANES = ("fifo", "tcp", "unix")


@dataclass(frozen=True)
class ClientNode:
    """One client thread of the GUI process."""

    key: str
    transport: str
    label: str


@dataclass(frozen=True)
class ServerNode:
    transport: str
    state: str
    pid: int
    address: str
    message: str = ""
    command: str = ""  # the user's own command, "" for the built-in server


@dataclass(frozen=True)
class ChannelNode:
    """A channel that exists: kind is request-fifo, reply-fifo, tcp-listen, tcp-connection,
    unix-socket or unix-connections."""

    key: str
    transport: str
    kind: str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class ArchitectureSnapshot:
    gui_pid: int
    clients: tuple[ClientNode, ...] = ()
    servers: tuple[ServerNode, ...] = ()
    channels: tuple[ChannelNode, ...] = ()

    def server(self, transport: str) -> ServerNode | None:
        return next((server for server in self.servers if server.transport == transport), None)

    def channels_of(self, transport: str, kind: str | None = None) -> list[ChannelNode]:
        return [channel for channel in self.channels
                if channel.transport == transport and (kind is None or channel.kind == kind)]


def _tcp_port(address: str) -> int:
    try:
        return int(address.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return 0


def _connections_text(count: int) -> str:
    return ChannelTexts().connections(count)


class ChannelTexts(QObject):
    """Channel labels with plural forms (Qt's lupdate finds `%n` plurals only in `tr()` calls)."""

    def connections(self, count: int) -> str:
        return self.tr("%Ln connection(s)", "", count)


def build_snapshot(gui_pid: int, servers: dict, clients: list[ClientNode]) -> ArchitectureSnapshot:
    """What runs now: `servers` maps transport -> qtapp.measuring.server_qprocess.QtServerProcess."""
    server_nodes = []
    channels: list[ChannelNode] = []
    for transport in LANES:
        server = servers.get(transport)
        if server is None:
            continue
        alive = server.state in ("listening", "stopping") and server.pid > 0
        server_nodes.append(ServerNode(transport, server.state, server.pid if alive or server.state == "crashed"
                                       else 0, server.address, server.message, getattr(server, "custom_command", "")))
        address = server.address
        if not address:
            continue
        if transport == "fifo":
            for name in system_probe.fifo_files(address):
                path = os.path.join(address, name)
                kind = "request-fifo" if name == "request.fifo" else "reply-fifo"
                channels.append(ChannelNode(f"fifo:{name}", "fifo", kind, name, path))
        elif transport == "tcp" and alive:
            port = _tcp_port(address)
            channels.append(ChannelNode("tcp:listen", "tcp", "tcp-listen", f"listening on port {port}", address))
            for connection in system_probe.tcp_connections(port):
                channels.append(ChannelNode(
                    f"tcp:{connection.client_port}", "tcp", "tcp-connection",
                    f"{connection.client_host}:{connection.client_port} ⇄ :{connection.server_port}",
                    f"client port {connection.client_port}, server port {connection.server_port}"))
        elif transport == "unix" and os.path.exists(address):
            channels.append(ChannelNode("unix:socket", "unix", "unix-socket", os.path.basename(address), address))
            connected = system_probe.unix_connections(address) if alive else 0
            if connected:
                channels.append(ChannelNode("unix:connections", "unix", "unix-connections",
                                            _connections_text(connected), address))
    return ArchitectureSnapshot(gui_pid, tuple(clients), tuple(server_nodes), tuple(channels))
