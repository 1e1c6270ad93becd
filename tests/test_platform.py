"""Platform differences that can be checked here: where private directories live, and the FIFO
transport switched off (with a clear message) where a system has no named pipes (Windows)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile

import pytest

from backend.clients.client import make_client
from backend.transports import fifo, unix
from backend.transports.base import TransportError


def test_runtime_directory_prefers_xdg_runtime_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert fifo.runtime_base_directory() == os.path.join(str(tmp_path), "ipclab")


def test_runtime_directory_without_xdg_is_per_user_in_tmp(monkeypatch):
    """macOS (and Linux without a session bus) have no XDG_RUNTIME_DIR."""
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    assert fifo.runtime_base_directory() == os.path.join(tempfile.gettempdir(), f"ipclab-{os.getuid()}")


def test_runtime_directory_without_uids(monkeypatch):
    """Windows has no uids: the directory is named after the user instead."""
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.delattr(os, "getuid")
    monkeypatch.setenv("USERNAME", "ada")
    assert fifo.runtime_base_directory() == os.path.join(tempfile.gettempdir(), "ipclab-ada")


def test_fifo_transport_is_disabled_without_mkfifo(monkeypatch, tmp_path):
    monkeypatch.delattr(os, "mkfifo")
    assert not fifo.fifos_supported()
    with pytest.raises(TransportError, match="FIFOs.*not available.*use tcp"):
        make_client("fifo", str(tmp_path)).request(1)
    with pytest.raises(TransportError, match="not available"):
        fifo.FifoDirectory(str(tmp_path / "server"))


def test_serve_fifo_without_mkfifo_exits_3_with_a_message():
    code = "import os, sys; del os.mkfifo; from backend.cli import main; sys.exit(main(['serve', 'fifo']))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "FIFOs" in result.stderr and "use tcp" in result.stderr and "Traceback" not in result.stderr


def test_unix_sockets_reported_missing_where_absent(monkeypatch):
    monkeypatch.delattr(socket, "AF_UNIX")
    assert not unix.unix_sockets_supported()
    with pytest.raises(ValueError, match="not available"):
        make_client("unix", "/tmp/x.sock")


def test_cancellation_uses_portable_pipes():
    """os.pipe2 does not exist on macOS: the cancellation pipe must not need it."""
    from backend.transports.cancel import Cancellation

    cancellation = Cancellation()
    assert not os.get_inheritable(cancellation.fd) and not os.get_blocking(cancellation.fd)
    cancellation.cancel()
    assert cancellation.wait(0)
    cancellation.close()
