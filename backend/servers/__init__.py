"""Servers (core): the FIFO, TCP and Unix-socket servers and their event lines.

Owns: `server` (ServerConfig, the Server base class, make_server), `socket_server`, `fifo_server`,
`events` (the JSON event lines a server prints).
May import: `backend.protocol`, `backend.transports`, `backend.clients` (default addresses), and
`backend.native` lazily for `engine="native"`. Never measuring, classroom, kernel_view or Qt.
"""
