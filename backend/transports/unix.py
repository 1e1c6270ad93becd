"""Unix-domain stream socket transport: connecting and listening on a filesystem path."""

from __future__ import annotations

import errno
import os
import socket
import stat

from backend.transports.base import ConnectionRefused, TimedOut, TransportError
from backend.transports.cancel import Cancellation
from backend.transports.sockets import SocketChannel

MAX_PATH_BYTES = 107  # sun_path holds 108 bytes including the terminating NUL


def unix_sockets_supported() -> bool:
    """Unix domain sockets exist on Linux and macOS; Python on Windows does not offer them."""
    return hasattr(socket, "AF_UNIX")


def check_socket_path(path: str) -> None:
    """Raise ValueError if the path cannot be a Unix socket address (or the system has none)."""
    if not unix_sockets_supported():
        raise ValueError("Unix domain sockets are not available on this system; use tcp")
    if not path:
        raise ValueError("the Unix socket path is empty")
    if len(os.fsencode(path)) > MAX_PATH_BYTES:
        raise ValueError(f"Unix socket path is longer than {MAX_PATH_BYTES} bytes: {path}")


def connect_unix(path: str, timeout: float, cancellation: Cancellation | None = None) -> SocketChannel:
    """Connect to a Unix-socket server; raise ConnectionRefused or TimedOut with the path."""
    check_socket_path(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
    except (ConnectionRefusedError, FileNotFoundError):
        sock.close()
        raise ConnectionRefused(f"no server is listening at unix {path}") from None
    except socket.timeout:
        sock.close()
        raise TimedOut(f"connecting to unix {path} timed out after {timeout:g} s") from None
    except OSError as error:
        sock.close()
        raise TransportError(f"cannot connect to unix {path}: {error.strerror or error}") from None
    return SocketChannel(sock, cancellation)


def _remove_stale_socket(path: str) -> None:
    """Remove a socket file left by a killed server; refuse anything else or a live server."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
        raise TransportError(f"{path} exists and is not a socket of ours; not touching it")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(1.0)
        probe.connect(path)
    except (ConnectionRefusedError, FileNotFoundError):
        os.unlink(path)  # nobody listens: a stale socket from a killed server
        return
    except OSError:
        pass
    finally:
        probe.close()
    raise TransportError(f"a server is already listening at {path}")


def remove_stale_socket(path: str) -> bool:
    """Remove a socket a killed server left at `path`; return whether something was removed."""
    existed = os.path.lexists(path)
    try:
        _remove_stale_socket(path)
    except TransportError:
        return False
    return existed and not os.path.lexists(path)


def listen_unix(path: str, backlog: int = 512) -> socket.socket:
    """Bind and listen at `path` (mode 0600), cleaning a stale socket from a killed server first."""
    check_socket_path(path)
    _remove_stale_socket(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)
    try:
        sock.bind(path)
        sock.listen(backlog)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise TransportError(f"{path} is already in use") from None
        raise TransportError(f"cannot listen on {path}: {error.strerror}") from None
    finally:
        os.umask(old_umask)
    return sock
