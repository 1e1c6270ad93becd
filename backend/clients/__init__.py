"""Clients (core): one client per transport, doing timed exchanges with a server.

Owns: `client` (Client, make_client, default and checked addresses).
May import: `backend.protocol`, `backend.transports`. Never measuring, classroom, native,
kernel_view or Qt.
"""
