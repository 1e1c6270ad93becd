"""GUI benchmarks: event-loop stall and plot refresh rate under full-speed load on all three
transports, RSS growth between a small and a huge run, and time to the first frame.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_bench.py [--seconds 5] [--large 100000000]

Prints one figure per line (and --json for a machine-readable summary).

    python benchmarks/gui_bench.py --issue-targets [--quick] [--seconds 5] [--floor-repetitions 3]

measures only the GUI's targets of issue 10 instead (benchmarks/gui_targets.py): the p50 round
trip the GUI shows with 8 client threads on TCP against `ipclab bench --concurrency 8` run for
as long, the heartbeat stall meanwhile, and Compare's ranking of the transports against the C
floor's. `--quick` (2 s, 2,000 exchanges per transport, one floor run each) checks that it works.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

HEARTBEAT_MS = 10


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run_for(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_for(signal, timeout_s: float) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def start_servers(window) -> None:
    for server in window.servers.values():
        server.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(s.state == "listening" for s in window.servers.values()):
        run_for(0.05)
    if not all(s.state == "listening" for s in window.servers.values()):
        raise SystemExit("servers did not start: " + ", ".join(s.message for s in window.servers.values()))


def measure_stall(window, seconds: float, count: int, concurrency: int) -> dict:
    """Full-speed workloads on FIFO, TCP and Unix at once; a 10 ms heartbeat measures the stalls."""
    from backend.measuring.runner import WorkloadSpec

    for transport in ("fifo", "tcp", "unix"):
        window.start_workload(WorkloadSpec(transport=transport, requests=None, count=count, lo=1, hi=10,
                                           concurrency=concurrency, duration=seconds + 1.0))
    run_for(0.5)
    delays: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        delays.append((now - last[0]) * 1000 - HEARTBEAT_MS)
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(beat)
    refreshes_before = window.plot_refreshes
    exchanges_before = sum(series.completed for series in window.model.series.values())
    heartbeat.start()
    run_for(seconds)
    heartbeat.stop()
    refreshes = window.plot_refreshes - refreshes_before
    exchanges = sum(series.completed for series in window.model.series.values()) - exchanges_before
    window.stop_runs()
    while window.runs:
        run_for(0.05)
    stalls = np.maximum(np.array(delays[1:] or [0.0]), 0.0)
    return {"stall_p50_ms": float(np.percentile(stalls, 50)), "stall_p99_ms": float(np.percentile(stalls, 99)),
            "stall_max_ms": float(stalls.max()), "heartbeats": len(delays),
            "plot_refreshes_per_s": refreshes / seconds, "exchanges_per_s_all_transports": exchanges / seconds}


def measure_memory(window, large_numbers: int) -> dict:
    """RSS after a 10^6-number run versus after a `large_numbers` run (1,000,000 numbers per exchange)."""
    from backend.measuring.runner import WorkloadSpec

    def run(numbers: int, count: int) -> float:
        spec = WorkloadSpec(transport="unix", requests=max(1, numbers // count), count=count, lo=1, hi=10,
                            concurrency=2)
        started = time.monotonic()
        window.start_workload(spec)
        run_for(0.2)
        while window.runs:
            run_for(0.1)
        return time.monotonic() - started

    # Same exchange size in both runs (500,000 numbers each, both client threads busy in both), so
    # the comparison is about the total
    # number of values only: a GUI that kept values would grow with it, ours must not.
    small_s = run(10**6, 500_000)
    run_for(0.5)
    small_rss = rss_bytes()
    large_s = run(large_numbers, 500_000)
    run_for(0.5)
    large_rss = rss_bytes()
    numbers = window.model.series["unix"].statistics.numbers
    return {"rss_after_1e6_numbers_mb": small_rss / 1e6, "rss_after_large_run_mb": large_rss / 1e6,
            "large_run_numbers": numbers, "rss_growth_mb": (large_rss - small_rss) / 1e6,
            "small_run_s": small_s, "large_run_s": large_s}


def measure_first_frame(runs: int = 3) -> dict:
    """Launch `ipclab gui` in a subprocess that quits after its first paint."""
    figures = []
    for _ in range(runs):
        environment = dict(os.environ, IPCLAB_FIRST_FRAME="1", PYTHONPATH=ROOT)
        started = time.perf_counter()
        process = subprocess.run([sys.executable, "-m", "qtapp", "gui"], cwd=ROOT, env=environment,
                                 capture_output=True, text=True, timeout=60)
        wall = time.perf_counter() - started
        line = next((line for line in process.stdout.splitlines() if line.startswith("first_frame_s")), None)
        if line is None:
            raise SystemExit(f"no first-frame figure: {process.stderr[-500:]}")
        figures.append((float(line.split()[1]), wall))
    in_process = [figure[0] for figure in figures]
    return {"first_frame_after_main_s": min(in_process), "launch_to_exit_s": min(figure[1] for figure in figures)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=None,
                        help="length of the stall measurement (default 5; --issue-targets --quick: 2)")
    parser.add_argument("--count", type=int, default=10, help="numbers per exchange in the stall run")
    parser.add_argument("--concurrency", type=int, default=1, help="client threads per transport")
    parser.add_argument("--large", type=int, default=10**8, help="numbers in the large memory run")
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="override sys.setswitchinterval (seconds) to compare GIL settings")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--issue-targets", action="store_true",
                        help="only issue 10's GUI targets (gui_targets.py): 8 GUI client threads against the "
                             "headless bench, and Compare's ranking against the C floor's")
    parser.add_argument("--quick", action="store_true",
                        help="--issue-targets: a short run (2 s, 2,000 exchanges per transport, one floor run)")
    parser.add_argument("--floor-repetitions", type=int, default=None,
                        help="--issue-targets: C floor runs per transport around the comparison (median; default 3)")
    parser.add_argument("--compare-requests", type=int, default=None,
                        help="--issue-targets: exchanges per transport in the comparison and the floor runs "
                             "(default 10,000)")
    parser.add_argument("--headless-duration", type=float, default=None,
                        help="--issue-targets: the headless bench's --duration (default: as long as the GUI's run)")
    options = parser.parse_args()
    for name, normal, quick in (("seconds", 5.0, 2.0), ("floor_repetitions", 3, 1), ("compare_requests", 10_000, 2_000)):
        if getattr(options, name) is None:
            setattr(options, name, quick if options.quick and options.issue_targets else normal)
    if options.headless_duration is None:
        options.headless_duration = options.seconds
    if options.switch_interval is not None:
        sys.setswitchinterval(options.switch_interval)
    runtime_directory = tempfile.mkdtemp(prefix="ipb-")
    settings_directory = tempfile.mkdtemp(prefix="ipb-settings-")
    os.environ["XDG_RUNTIME_DIR"] = runtime_directory
    try:
        return _run(options, settings_directory)
    finally:
        shutil.rmtree(runtime_directory, ignore_errors=True)
        shutil.rmtree(settings_directory, ignore_errors=True)


def open_window(settings_directory: str):
    """The main window, shown offscreen at 1600x1000, its settings in `settings_directory`."""
    from PySide6.QtCore import QSettings

    from qtapp.app import create_window
    from qtapp.window.settings import Settings
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_directory)
    window = create_window()
    window.settings = Settings()
    window.resize(1600, 1000)
    window.show()
    return window


def close_window(window) -> None:
    """Close the window as a user does: it stops its runs and servers."""
    window.close()
    QApplication.instance().processEvents()


def _run(options: argparse.Namespace, settings_directory: str) -> int:
    if options.issue_targets:
        from gui_targets import run as issue_targets

        application = QApplication.instance() or QApplication([])  # kept alive until the mode returns
        status = issue_targets(options, lambda: open_window(settings_directory), close_window)
        application.processEvents()
        return status
    results: dict = {"first_frame": measure_first_frame()}
    application = QApplication.instance() or QApplication([])
    window = open_window(settings_directory)
    try:
        start_servers(window)
        results["stall"] = measure_stall(window, options.seconds, options.count, options.concurrency)
        results["memory"] = measure_memory(window, options.large)
    finally:
        close_window(window)
    if options.json:
        print(json.dumps(results, indent=2))
    else:
        for group, figures in results.items():
            for name, value in figures.items():
                print(f"{group:12} {name:34} {value:,.3f}" if isinstance(value, float) else
                      f"{group:12} {name:34} {value:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
