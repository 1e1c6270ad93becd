"""Helpers shared by the GUI tests."""

from __future__ import annotations


def wait_listening(qtbot, window, transport: str, timeout: int = 15000) -> None:
    """Start the server of `transport` from its panel and wait until it listens."""
    from qtapp.measuring.server_qprocess import ServerState

    server = window.servers[transport]
    if server.state == ServerState.LISTENING:
        return
    with qtbot.waitSignal(server.ready, timeout=timeout):
        window.server_panels[transport].start_button.click()
