"""The window as a whole: clean shutdown mid-run, exports, settings, logs, about, screenshot."""

from __future__ import annotations

import csv
import json
import os
import struct
import subprocess
import sys
import time

from backend.measuring.runner import RECORD_FIELDS, WorkloadSpec
from qtapp.measuring.server_qprocess import ServerState
from tests.gui.helpers import wait_listening

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_pyside_keeps_none_alive():
    """PySide6 6.12.0 on Python < 3.12 drops a reference to None on every void call and crashes."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(1000):
        probe.setObjectName("probe")
    assert sys.getrefcount(None) >= before - 10, "this PySide6 build corrupts None's refcount; use another version"


def test_closing_mid_run_leaves_nothing_behind(qtbot, make_window, runtime_leftovers):
    window = make_window()
    for transport in ("fifo", "tcp", "unix"):
        wait_listening(qtbot, window, transport)
    pids = [server.pid for server in window.servers.values()]
    for transport in ("fifo", "tcp", "unix"):
        window.start_workload(WorkloadSpec(transport=transport, requests=None, count=10, duration=60, concurrency=2))
    qtbot.waitUntil(lambda: len(window.model.series) == 3
                    and all(series.completed > 20 for series in window.model.series.values()), timeout=20000)
    threads = [thread for run in window.runs.values() for thread in run._threads]
    assert len(threads) == 6
    started = time.monotonic()
    window.close()
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"closing took {elapsed:.2f} s"
    assert not window.runs
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
    assert all(server.state == ServerState.STOPPED for server in window.servers.values())
    assert runtime_leftovers() == []


def test_exports_json_csv_and_plots(qtbot, window, tmp_path):
    wait_listening(qtbot, window, "tcp")
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.start_workload(WorkloadSpec(transport="tcp", requests=500, count=7, lo=-5, hi=5))
    json_path, csv_path = tmp_path / "results.json", tmp_path / "results.csv"
    window.export_json(str(json_path))
    report = json.loads(json_path.read_text())
    expected = window.model.series["tcp"].statistics.report()
    assert report["schema"] == "ipclab.bench/2" and set(report) == set(expected)
    assert report["exchanges"] == 500 and report["numbers"] == 3500 and report["transport"] == "tcp"
    assert report["address"] == window.servers["tcp"].address
    rows = window.export_csv(str(csv_path))
    lines = csv_path.read_text().splitlines()
    assert rows == 500 and len(lines) == 501
    assert lines[0].split(",") == ["transport", *RECORD_FIELDS, "engine", "server_engine"]
    assert lines[1].startswith("tcp,")
    with open(csv_path) as handle:
        records = list(csv.DictReader(handle))
    # The engines that measured, as the JSON export says them (the server's from its ready line).
    assert report["engine"] in ("native", "python") and report["server_engine"] in ("native", "python")
    assert {(row["engine"], row["server_engine"]) for row in records} == {(report["engine"], report["server_engine"])}
    assert report["value_bytes"] == sum(int(row["value_bytes"]) for row in records) == 4 * 3500
    assert report["wire_bytes"] == sum(int(row["wire_bytes"]) for row in records) == 500 * (48 + 16 + 28 + 40)
    from qtapp.measuring.plots.export import export_plot

    window.refresh_plots(force=True)
    for card in (window.distribution_plot, window.throughput_plot, window.latency_histogram_plot):
        for suffix in ("png", "svg"):
            path = tmp_path / f"plot.{suffix}"
            export_plot(card.graphics, str(path))
            assert path.stat().st_size > 500
            if suffix == "png":
                assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            else:
                assert "<svg" in path.read_text()


def test_export_menu_actions_write_the_chosen_files(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    chosen: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",  # the user's choice of a file, nothing else
                        staticmethod(lambda *arguments: (chosen.pop(0), "")))
    window.export_json_action.trigger()  # nothing run yet: no dialog, a hint
    assert "Nothing to export yet" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.run_finished, timeout=20000):
        window.start_workload(WorkloadSpec(transport="unix", requests=50, count=3))
    json_path, csv_path = tmp_path / "menu.json", tmp_path / "menu.csv"
    chosen += [str(json_path), str(csv_path)]
    window.export_json_action.trigger()
    assert json.loads(json_path.read_text())["exchanges"] == 50
    assert window.statusBar().currentMessage() == f"Results written to {json_path}"
    window.export_csv_action.trigger()
    assert len(csv_path.read_text().splitlines()) == 51
    assert window.statusBar().currentMessage() == f"50 exchanges written to {csv_path}"


def test_settings_are_remembered(qtbot, make_window):
    first = make_window()
    first.client_panel.set_spec({"transport": "unix", "requests": 1234, "count": "random", "lo": 3, "hi": 30,
                                 "seed": "42", "concurrency": 4, "duration": 2.5})
    first.server_panels["tcp"].address_edit.setText("127.0.0.1:5999")
    first.resize(1111, 777)
    first.close()
    second = make_window()
    saved = second.client_panel.saved_spec()
    assert saved == {"transport": "unix", "requests": 1234, "count": "random", "lo": 3, "hi": 30, "seed": "42",
                     "concurrency": 4, "duration": 2.5}
    assert second.servers["tcp"].configured_address == "127.0.0.1:5999"
    assert second.settings.geometry() is not None
    # The offscreen screen is small, so Qt may clamp the restored size; it is not the 1600x1000 default.
    assert (second.width(), second.height()) != (1600, 1000) and abs(second.height() - 777) < 20
    second.server_panels["tcp"].address_edit.setText("")  # leave the next tests a private address
    second.close()


def test_log_view_is_bounded_searchable_and_pausable(qtbot, window):
    from qtapp.measuring.log_view import LINES_PER_FLUSH, MAXIMUM_LINES

    log = window.client_log
    for number in range(5 * MAXIMUM_LINES):
        log.add_line(f"line {number}")
    log.flush()
    text = log.plain_text()
    assert "lines summarized" in text and f"line {5 * MAXIMUM_LINES - 1}" in text
    assert text.count("\n") <= LINES_PER_FLUSH + 1
    for _ in range(2 * MAXIMUM_LINES // LINES_PER_FLUSH):
        for number in range(LINES_PER_FLUSH):
            log.add_line(f"more {number}")
        log.flush()
    assert log.text.document().blockCount() <= MAXIMUM_LINES
    log.pause.setChecked(True)
    log.add_line("while paused")
    log.flush()
    assert "while paused" not in log.plain_text() and "paused" in log.status.text()
    log.pause.setChecked(False)
    assert "while paused" in log.plain_text()
    log.search.setText("while paused")
    assert log.find_next() and log.text.textCursor().selectedText() == "while paused"
    assert log.text.extraSelections()


def test_about_names_the_versions(window):
    import numpy
    import pyqtgraph

    text = window.about_text()
    for version in (numpy.__version__, pyqtgraph.__version__, sys.version.split()[0]):
        assert version in text
    assert "Qt " in text


def test_main_menu_has_the_usual_places(window):
    titles = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert titles[:3] == ["File", "View", "Run"] and titles[-1] == "Help"


def test_screenshot_command_writes_a_png_of_the_expected_size(tmp_path, runtime_directory):
    from qtapp.app import SCREENSHOT_SIZE

    target = tmp_path / "shot.png"
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, "-m", "qtapp", "gui", "--demo", "--screenshot", str(target)],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == SCREENSHOT_SIZE
    assert len(data) > 50_000  # a populated window, not a blank one
