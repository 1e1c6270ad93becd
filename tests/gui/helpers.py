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


def click_through_steps(qtbot, page) -> int:
    """Press Step until the exchange is over (Start showed step 1), checking that each click shows
    exactly one step; return the clicks, Start included."""
    qtbot.waitUntil(lambda: len(page.shown) == 1 and page.step_button.isEnabled(), timeout=20000)
    clicks = 1
    while page.running:
        qtbot.waitUntil(lambda: page.step_button.isEnabled() or not page.running, timeout=10000)
        if not page.running:
            break
        before = len(page.shown)
        page.step_button.click()
        clicks += 1
        qtbot.waitUntil(lambda: len(page.shown) == before + 1 or not page.running, timeout=10000)
        if page.running:
            assert len(page.shown) == before + 1, "one click, one step"
        assert len(page.shown) <= clicks, "a step appeared without a click"
        assert clicks < 60
    return clicks
