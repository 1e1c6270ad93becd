"""Run ▸ Engine: the choice reaches the GUI's clients and servers, is remembered, and the status
bar says which engine measured (real servers, real client threads)."""

from __future__ import annotations

import json

import pytest

from backend.measuring.runner import WorkloadSpec
from backend.native.loader import available
from qtapp.measuring.server_qprocess import ServerState
from qtapp.window.settings import Settings
from tests.gui.helpers import wait_listening


def _measure(qtbot, window, transport: str) -> set[str]:
    """Run a short workload; the engines named by the batches that came back."""
    engines: set[str] = set()
    window.coordinator.batch_added.connect(lambda _series, batch: engines.add(batch.engine))
    with qtbot.waitSignal(window.run_finished, timeout=30000) as finished:
        window.start_workload(WorkloadSpec(transport=transport, requests=300, count=10, concurrency=2))
    assert finished.args[2] == []
    return engines


def test_python_engine_chosen_in_the_menu_measures_and_is_shown(qtbot, window):
    try:
        assert window.coordinator.engine == "auto" and window.engine_actions["auto"].isChecked()
        assert "clients auto" in window.engine_label.text()
        window.engine_actions["python"].trigger()
        assert Settings().engine() == "python" and window.engine_actions["python"].isChecked()
        assert all(server.engine == "python" for server in window.servers.values())
        wait_listening(qtbot, window, "unix")
        server = window.servers["unix"]
        assert server.ready_event["engine"] == "python"
        assert _measure(qtbot, window, "unix") == {"python"}
        qtbot.waitUntil(lambda: window.engine_label.text() == "Engine: clients python · servers unix python",
                        timeout=5000)
    finally:
        window.settings.set_engine("auto")


@pytest.mark.skipif(not available(), reason="native engine not built")
def test_native_engine_restarts_an_idle_server_and_is_remembered(qtbot, make_window, tmp_path):
    window = make_window()
    try:
        window.engine_actions["python"].trigger()
        wait_listening(qtbot, window, "tcp")
        server = window.servers["tcp"]
        first_pid = server.pid
        with qtbot.waitSignal(server.ready, timeout=15000):
            window.engine_actions["native"].trigger()  # the idle server comes back on the new engine
        assert server.state == ServerState.LISTENING and server.pid != first_pid
        assert server.ready_event["engine"] == "native"
        assert _measure(qtbot, window, "tcp") == {"native"}
        window.export_json(str(tmp_path / "results.json"))
        exported = json.loads((tmp_path / "results.json").read_text())
        assert (exported["engine"], exported["server_engine"]) == ("native", "native")  # the export says so too
        qtbot.waitUntil(lambda: window.engine_label.text() == "Engine: clients native · servers tcp native",
                        timeout=5000)
        window.settings.save_window(window)
        again = make_window()  # the choice is remembered
        assert again.coordinator.engine == "native" and again.engine_actions["native"].isChecked()
        assert again.servers["fifo"].engine == "native"
    finally:
        window.settings.set_engine("auto")
        window.settings.sync()
