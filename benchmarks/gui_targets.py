"""The GUI's targets of issue 10, measured in one run by driving the real window offscreen.

    python benchmarks/gui_bench.py --issue-targets [--quick] [--seconds 5] [--floor-repetitions 3] [--json]

(a) 8 client threads inside the GUI, TCP, N=10: the client panel is filled in and its "Start
    workload" button pressed, as a user would; the p50 round trip is read from the header's
    "p50 round trip" label (the number the user sees) once the run has ended, while a 10 ms
    heartbeat timer measures how long the GUI thread stalls. `ipclab bench --transport tcp
    --concurrency 8 --count 10 --duration S --json` (same engine: default auto; as long as the
    GUI's run) runs right before and right after; the target: GUI p50 <= 1.5x the headless p50
    (the mean of the two), stall p99 < 50 ms.
(b) Compare: "Compare FIFO · TCP · Unix" pressed with N=10, one client thread; its table is read
    (the figures it ranks: p50, p99, exchanges/s, numbers/s) and set beside the C floor's
    pingpong (`floor pingpong T -n 10 -c 1 -V`, the same number of exchanges), run before and
    after the comparison (median). For every pair of transports whose floor p50 differ by more
    than 15 %, Compare must order them the same way (target); p99 and exchanges/s are shown the
    same way for information.

Every figure is printed with its engine and concurrency, and the load average beside them. At the
end the window is closed and the script checks that no child process and no extra thread is left.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import time
from typing import Callable

import numpy as np
from PySide6.QtCore import QEventLoop, QTimer

from bench_ipc import FLOOR_BIN, build_c_floor, run_json

TRANSPORTS = ("fifo", "tcp", "unix")
HEARTBEAT_MS = 10
GUI_P50_RATIO_TARGET = 1.5  # GUI p50 <= 1.5x the headless bench's
STALL_P99_TARGET_MS = 50.0
FLOOR_DIFFERENCE = 0.15  # pairs whose floor figures differ by more than this are ranked
GUI_CONCURRENCY = 8
COUNT = 10
COMPARE_FIGURES = {  # Compare's column -> (name, lower is better, the floor's key)
    2: ("p50 round trip", True, "p50_us"),
    3: ("p99 round trip", True, "p99_us"),
    4: ("exchanges/s", False, "exchanges_per_s"),
    5: ("numbers/s", False, "numbers_per_s"),
}
TARGET_FIGURE = 2  # the target is about the round trip


def spin(seconds: float) -> None:
    """Run the Qt event loop for `seconds` (the GUI keeps working meanwhile)."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_until(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Run the event loop until `predicate()` holds; RuntimeError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout_s:g} s waiting for {what}")
        spin(0.02)


class Heartbeat:
    """A 10 ms QTimer on the GUI thread; a late tick is a stall of the event loop."""

    def __init__(self) -> None:
        self.delays_ms: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._beat)

    def _beat(self) -> None:
        now = time.perf_counter()
        self.delays_ms.append((now - self._last) * 1000 - HEARTBEAT_MS)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def summary(self) -> dict:
        stalls = np.maximum(np.array(self.delays_ms or [0.0]), 0.0)
        return {"stall_p50_ms": float(np.percentile(stalls, 50)), "stall_p99_ms": float(np.percentile(stalls, 99)),
                "stall_max_ms": float(stalls.max()), "heartbeats": len(self.delays_ms)}


def shown_microseconds(text: str) -> float | None:
    """The duration a label shows ("196 µs", "1.40 ms", "2.05 s", English separators) in µs."""
    parts = text.replace("\u00a0", " ").replace(",", "").split()
    if len(parts) != 2:
        return None
    scale = {"µs": 1.0, "ms": 1e3, "s": 1e6}.get(parts[1])
    try:
        return None if scale is None else float(parts[0]) * scale
    except ValueError:
        return None


def load_average() -> float:
    return os.getloadavg()[0]


# ---- (a) 8 client threads inside the GUI against the headless bench ----------------------------

def headless_bench(python: str, duration_s: float | None) -> dict:
    """`ipclab bench --transport tcp --concurrency 8 --count 10 [--duration S] --json` (its embedded server)."""
    command = [python, "-m", "backend", "bench", "--transport", "tcp", "--concurrency", str(GUI_CONCURRENCY),
               "--count", str(COUNT), "--json", "--no-progress"]
    if duration_s:
        command += ["--duration", f"{duration_s:g}"]
    load = load_average()
    result = run_json(command, 120)
    if "error" in result:
        return {"error": result["error"], "command": " ".join(command[1:]), "load_average": load}
    return {"command": "python " + " ".join(command[1:]), "p50_us": result["latency_us"]["p50"],
            "p99_us": result["latency_us"]["p99"], "exchanges": result["exchanges"], "errors": result["errors"],
            "exchanges_per_s": result["exchanges_per_s"], "engine": result["engine"],
            "server_engine": result.get("server_engine"), "concurrency": result["workload"]["concurrency"],
            "load_average": load}


def fill_client_panel(panel, requests: int, count: int, concurrency: int, duration_s: float,
                      transport: str | None = None) -> None:
    """Set the client panel's fields as a user types them (requests 0 shows "no limit")."""
    if transport is not None:
        panel.set_transport(transport)
    panel.requests_spin.setValue(requests)
    panel.random_count.setChecked(False)
    panel.count_spin.setValue(count)
    panel.lo_spin.setValue(1)
    panel.hi_spin.setValue(10)
    panel.seed_edit.setText("")
    panel.concurrency_spin.setValue(concurrency)
    panel.duration_spin.setValue(duration_s)


def start_tcp_server(window) -> None:
    """Press the TCP server panel's Start and wait for it to listen."""
    window.server_panels["tcp"].start_button.click()
    wait_until(lambda: window.servers["tcp"].state == "listening", 20, "the TCP server to listen")


def measure_gui_round_trip(window, seconds: float) -> dict:
    """8 client threads on TCP, N=10, for `seconds`, started with the client panel's button."""
    panel = window.client_panel
    fill_client_panel(panel, 0, COUNT, GUI_CONCURRENCY, seconds, transport="tcp")
    finished: list[tuple] = []
    window.run_finished.connect(lambda transport, run_id, errors: finished.append((transport, errors)))
    heartbeat = Heartbeat()
    skipped_before = window.redraw_pacer.skipped
    load = load_average()
    heartbeat.start()
    panel.start_button.click()
    wait_until(lambda: "tcp" in window.runs, 20, "the run to start")
    spin(min(1.0, seconds / 2))
    engine_label = window.engine_label.text()  # what the status bar says while the run goes
    wait_until(lambda: bool(finished) and not window.runs, seconds + 30, "the run to end")
    heartbeat.stop()
    spin(0.2)  # the figures' refresh after the run (the window forces one when a run finishes)
    series = window.model.series["tcp"]
    shown = window.summary_labels["p50"].text()
    report = series.report()
    return {"shown_text": shown, "shown_transport": window.summary_labels["transport"].text(),
            "p50_us": shown_microseconds(shown), "exact_p50_us": report["latency_us"]["p50"],
            "p99_us": report["latency_us"]["p99"], "exchanges": report["exchanges"], "errors": report["errors"],
            "exchanges_per_s": report["exchanges_per_s"], "engine": report["engine"],
            "server_engine": series.server_engine, "concurrency": series.spec.concurrency,
            "requests": series.spec.requests, "duration_s": series.spec.duration,
            "engine_label": engine_label, "run_errors": finished[0][1] if finished else [],
            "redraws_skipped": window.redraw_pacer.skipped - skipped_before,
            "load_average": load, **heartbeat.summary()}


# ---- (b) Compare against the C floor's order ---------------------------------------------------

def floor_pingpong(transport: str, requests: int) -> dict:
    """The C floor's N=10 pingpong, one client (default placement, values checked with -V)."""
    result = run_json([str(FLOOR_BIN), "pingpong", transport, "-n", str(COUNT), "-r", str(requests), "-c", "1", "-V"],
                      120)
    if "error" in result or result.get("failures"):
        return {"error": result.get("error") or f"{result.get('failures')} failures"}
    return {"p50_us": result["latency_us"]["p50"], "p99_us": result["latency_us"]["p99"],
            "exchanges_per_s": result["exchanges_per_s"], "numbers_per_s": result["numbers_per_s"]}


def measure_floor(requests: int, rounds: list[int], samples: dict[str, list[dict]]) -> None:
    """One floor run per transport for each round number (even rounds in order, odd ones reversed)."""
    for round_number in rounds:
        for transport in (TRANSPORTS if round_number % 2 == 0 else tuple(reversed(TRANSPORTS))):
            samples[transport].append(floor_pingpong(transport, requests))


def floor_medians(samples: dict[str, list[dict]]) -> dict[str, dict]:
    medians = {}
    for transport, runs in samples.items():
        good = [run for run in runs if "error" not in run]
        medians[transport] = {key: statistics.median(run[key] for run in good) if good else None
                              for key in ("p50_us", "p99_us", "exchanges_per_s", "numbers_per_s")}
        medians[transport]["runs"] = len(good)
        medians[transport]["errors"] = [run["error"] for run in runs if "error" in run]
    return medians


def measure_compare(window, requests: int) -> dict:
    """Press "Compare FIFO · TCP · Unix" with N=10 and one client thread; read the Compare tab."""
    from qtapp.measuring.plots.compare import ranked_figures

    panel = window.client_panel
    fill_client_panel(panel, requests, COUNT, 1, 0.0)
    idle: list[bool] = []
    window.idle.connect(lambda: idle.append(True))
    load = load_average()
    panel.compare_button.click()
    wait_until(lambda: bool(idle) and not window.running, 180, "the comparison to end")
    spin(0.2)
    view = window.compare_view
    window.refresh_plots(force=True)  # the user looks at the tab: it shows what the model holds
    table = view.table
    rows = {}
    for index, transport in enumerate(TRANSPORTS):
        series = window.model.series.get(transport)
        cells = [table.item(index, column).text() if table.item(index, column) else "" for column in
                 range(table.columnCount())]
        bold = [column for column in COMPARE_FIGURES if table.item(index, column) is not None
                and table.item(index, column).font().bold()]
        row = {"cells": cells, "best_in": [COMPARE_FIGURES[column][0] for column in bold],
               "comparable": bool(view.comparable.get(transport))}
        if series is not None:
            report = series.report()
            row.update(engine=report["engine"], server_engine=series.server_engine,
                       concurrency=series.spec.concurrency, exchanges=report["exchanges"],
                       figures={COMPARE_FIGURES[column][2]: value for column, value in ranked_figures(series).items()
                                if column in COMPARE_FIGURES})
        rows[transport] = row
    return {"workload": view.workload_label.text(), "current_tab": window.tabs.tabText(window.tabs.currentIndex()),
            "rows": rows, "load_average": load}


def pair_verdicts(floor: dict[str, dict], compare: dict, column: int) -> list[dict]:
    """Every pair whose floor figures differ by > 15 %: does Compare order them the same way?"""
    name, lower_better, key = COMPARE_FIGURES[column]
    verdicts = []
    for first, second in itertools.combinations(TRANSPORTS, 2):
        floor_first, floor_second = floor[first][key], floor[second][key]
        if floor_first is None or floor_second is None:
            continue
        difference = max(floor_first, floor_second) / min(floor_first, floor_second) - 1
        if difference <= FLOOR_DIFFERENCE:
            continue
        floor_better = first if (floor_first < floor_second) == lower_better else second
        rows = compare["rows"]
        shown = [rows[transport].get("figures", {}).get(key) if rows[transport]["comparable"] else None
                 for transport in (first, second)]
        if None in shown:
            compare_better, met = None, None
        else:
            compare_better = first if (shown[0] < shown[1]) == lower_better else second
            met = compare_better == floor_better
        verdicts.append({"figure": name, "pair": (first, second), "floor": (floor_first, floor_second),
                         "floor_difference": difference, "compare": tuple(shown), "floor_better": floor_better,
                         "compare_better": compare_better, "met": met})
    return verdicts


# ---- what is left running -------------------------------------------------------------------------

def thread_names() -> list[str]:
    """The names (comm) of this process's kernel threads."""
    names = []
    for task in sorted(os.listdir("/proc/self/task")):
        try:
            with open(f"/proc/self/task/{task}/comm") as handle:
                names.append(handle.read().strip())
        except OSError:
            continue
    return names


def threads_not_in(before: list[str]) -> list[str]:
    """This process's threads now that were not in `before` (compared by name, one for one)."""
    extra = thread_names()
    for name in before:
        if name in extra:
            extra.remove(name)
    return extra


def child_processes() -> list[str]:
    """Live children of this process ("pid command")."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid():
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    command = handle.read().replace(b"\0", b" ").decode(errors="replace")[:80]
                children.append(f"{entry} {command}")
        except (OSError, IndexError, ValueError):
            continue
    return children


# ---- the mode -------------------------------------------------------------------------------------

def run(options: argparse.Namespace, open_window: Callable[[], object], close_window: Callable[[object], None]) -> int:
    """Measure (a) and (b), print them with their verdicts; 0 when both targets are met."""
    started = time.monotonic()
    load_start = os.getloadavg()
    use_c, why = build_c_floor()
    threads_before = thread_names()
    results: dict = {"time": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "cpus": os.cpu_count(),
                     "load_average_start": list(load_start)}
    python = sys.executable
    results["headless_before"] = headless_bench(python, options.headless_duration)
    window = open_window()
    spin(0.3)
    threads_with_window = thread_names()  # Qt starts two idle "Thread (pooled)" threads of its own here
    try:
        start_tcp_server(window)
        results["gui"] = measure_gui_round_trip(window, options.seconds)
        results["headless_after"] = headless_bench(python, options.headless_duration)
        samples: dict[str, list[dict]] = {transport: [] for transport in TRANSPORTS}
        repetitions = max(1, options.floor_repetitions)
        if use_c:
            measure_floor(options.compare_requests, list(range(0, repetitions, 2)), samples)
        results["compare"] = measure_compare(window, options.compare_requests)
        if use_c:
            measure_floor(options.compare_requests, list(range(1, repetitions, 2)), samples)
    finally:
        close_window(window)
    spin(0.5)
    results["floor"] = floor_medians(samples) if use_c else {}
    results["floor_note"] = "" if use_c else why
    results["verdicts"] = {column: pair_verdicts(results["floor"], results["compare"], column)
                           for column in COMPARE_FIGURES} if use_c else {}
    results["left_running"] = {"child_processes": child_processes(),
                               "extra_threads": threads_not_in(threads_before),
                               "threads_from_runs": threads_not_in(threads_with_window)}
    results["load_average_end"] = list(os.getloadavg())
    results["duration_s"] = round(time.monotonic() - started, 1)
    status = verdict_status(results)
    if options.json:
        print(json.dumps(results, indent=1, default=str))
    else:
        print(render(results))
    return status


def gui_verdicts(results: dict) -> tuple[float | None, bool | None, bool | None]:
    """(GUI p50 / headless p50, ratio met, stall met)."""
    gui = results["gui"]
    headless = [results[key]["p50_us"] for key in ("headless_before", "headless_after") if "p50_us" in results[key]]
    ratio = gui["p50_us"] / statistics.mean(headless) if headless and gui["p50_us"] else None
    return (ratio, None if ratio is None else ratio <= GUI_P50_RATIO_TARGET,
            gui["stall_p99_ms"] < STALL_P99_TARGET_MS)


def verdict_status(results: dict) -> int:
    _ratio, ratio_met, stall_met = gui_verdicts(results)
    return 0 if ratio_met and stall_met and compare_verdict(results) else 1


def compare_verdict(results: dict) -> bool | None:
    """Every ranked pair in the floor's order (True also when no pair differs enough to be ranked);
    None without a C floor or when a transport was not comparable."""
    verdicts = results["verdicts"].get(TARGET_FIGURE)
    if verdicts is None or any(item["met"] is None for item in verdicts):
        return None
    return all(item["met"] for item in verdicts)


def state(met: bool | None) -> str:
    return {True: "MET", False: "MISSED", None: "n/a"}[met]


def us(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} us"


def render(results: dict) -> str:
    """The report as text: the figures with their engines, then the verdicts."""
    lines = [f"GUI targets (issue 10), {results['time']}, {results['cpus']} CPUs; load average "
             f"{results['load_average_start'][0]:.2f} at start, {results['load_average_end'][0]:.2f} at end; "
             f"took {results['duration_s']:.0f} s", "", "(a) 8 client threads, TCP, N=10:"]
    for key, when in (("headless_before", "before"), ("headless_after", "after")):
        item = results[key]
        if "error" in item:
            lines.append(f"  headless {when}: ERROR {item['error']}")
            continue
        lines.append(f"  headless {when:6}: p50 {us(item['p50_us'])}, p99 {us(item['p99_us'])}, "
                     f"{item['exchanges']:,} exchanges, {item['exchanges_per_s']:,.0f}/s, {item['errors']} errors; "
                     f"engine {item['engine']}, server {item['server_engine']}, concurrency {item['concurrency']}; "
                     f"load {item['load_average']:.2f}  [{item['command']}]")
    gui = results["gui"]
    lines.append(f"  GUI            : p50 shown \"{gui['shown_text']}\" ({gui['shown_transport']}) = "
                 f"{us(gui['p50_us'])} (model {us(gui['exact_p50_us'])}), p99 {us(gui['p99_us'])}, "
                 f"{gui['exchanges']:,} exchanges in {gui['duration_s']:g} s, {gui['exchanges_per_s']:,.0f}/s, "
                 f"{gui['errors']} errors; engine {gui['engine']}, server {gui['server_engine']}, concurrency "
                 f"{gui['concurrency']}; load {gui['load_average']:.2f}")
    lines.append(f"                   status bar: \"{gui['engine_label']}\"; plot redraws skipped while the event "
                 f"loop ran late: {gui['redraws_skipped']}")
    lines.append(f"  heartbeat ({HEARTBEAT_MS} ms timer, whole run): stall p50 {gui['stall_p50_ms']:.2f} ms, p99 "
                 f"{gui['stall_p99_ms']:.2f} ms, max {gui['stall_max_ms']:.1f} ms over {gui['heartbeats']} beats")
    ratio, ratio_met, stall_met = gui_verdicts(results)
    lines.append(f"  {state(ratio_met):6} GUI p50 / headless p50 (mean of before and after): "
                 f"{'-' if ratio is None else f'{ratio:.2f}x'} (target <= {GUI_P50_RATIO_TARGET}x)")
    lines.append(f"  {state(stall_met):6} heartbeat stall p99 {gui['stall_p99_ms']:.2f} ms (target < "
                 f"{STALL_P99_TARGET_MS:g} ms)")
    compare = results["compare"]
    lines += ["", f"(b) Compare (tab \"{compare['current_tab']}\"): {compare['workload']}"]
    for transport, row in compare["rows"].items():
        engine = (f"engine {row.get('engine')}, server {row.get('server_engine')}, concurrency "
                  f"{row.get('concurrency')}")
        best = f"; best in {', '.join(row['best_in'])}" if row["best_in"] else ""
        lines.append(f"  Compare {transport:4}: {' | '.join(row['cells'])}; {engine}{best}")
    floor = results["floor"]
    if not floor:
        lines.append(f"  no C floor: {results['floor_note']}")
    for transport, item in floor.items():
        lines.append(f"  C floor {transport:4}: p50 {us(item['p50_us'])}, p99 {us(item['p99_us'])}, "
                     f"{item['exchanges_per_s'] or 0:,.0f} exchanges/s; C, concurrency 1, default placement, "
                     f"median of {item['runs']}" + (f"; ERRORS {item['errors']}" if item["errors"] else ""))
    for column, verdicts in results["verdicts"].items():
        name, lower_better, _key = COMPARE_FIGURES[column]
        role = "target" if column == TARGET_FIGURE else "information"
        if not verdicts:
            lines.append(f"  {name} ({role}): no pair differs by more than {FLOOR_DIFFERENCE:.0%} on the floor")
        for item in verdicts:
            first, second = item["pair"]
            shown = " vs ".join("-" if value is None else f"{value:,.1f}" for value in item["compare"])
            lines.append(f"  {state(item['met']) if column == TARGET_FIGURE else '(' + state(item['met']) + ')':8} "
                         f"{name} {first}/{second}: floor {item['floor'][0]:,.1f} vs {item['floor'][1]:,.1f} "
                         f"(differ {item['floor_difference']:.0%}, {item['floor_better']} better); Compare {shown} "
                         f"({item['compare_better'] or '-'} better)")
    target = results["verdicts"].get(TARGET_FIGURE)
    if target is not None:
        lines.append(f"  {state(compare_verdict(results)):6} Compare ranks the round trip in the C floor's order wherever the floor "
                     f"differs by > {FLOOR_DIFFERENCE:.0%} ({len(target)} pair(s))")
    left = results["left_running"]
    lines += ["", "Left running after the window closed: "
              + (f"child processes {left['child_processes']}" if left["child_processes"] else "no child process")
              + (f"; threads started by the runs {left['threads_from_runs']}" if left["threads_from_runs"]
                 else "; no thread started by the runs")
              + (f" (threads not there before the window opened: {left['extra_threads']}, Qt's own, started with "
                 "the window)" if left["extra_threads"] else "")]
    return "\n".join(lines)
