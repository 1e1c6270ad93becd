"""Clients (core): one client per transport, doing timed exchanges with a server.

Owns: `client` (Client, make_client, default and checked addresses).
May import: `backend.protocol`, `backend.transports`, and `backend.native` lazily for
`engine="native"`. Never measuring, classroom, kernel_view or Qt.
"""
