"""The protocol (core): the frames on the wire and the one engine that speaks them.

Owns: `frames` (byte layout, limits, error codes; docs/PROTOCOL.md), `engine` (serve one request,
do one client exchange, over any channel), `wire_capture` (record the bytes of one exchange).
May import: `backend.transports` only. Never measuring, classroom, native, kernel_view or Qt.
"""
