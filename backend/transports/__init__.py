"""Transports move bytes only: FIFO pairs, TCP and Unix-domain stream sockets."""

TRANSPORTS = ("fifo", "tcp", "unix")
