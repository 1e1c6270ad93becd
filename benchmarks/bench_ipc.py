#!/usr/bin/env python3
"""IPC Lab against its floors, measured in the same run.

For each transport (fifo, tcp, unix) this runs `ipclab bench --json` (with its own embedded
server) and the C and raw-Python floors (benchmarks/floor/) for the same work:

    N = 10 values per exchange, one client         -> median round trip (us)
    N = 10^4 values per exchange, one client       -> median round trip (us)
    N = 10^7 values per exchange, one client       -> numbers/s
    N = 10 values per exchange, 64 clients at once -> exchanges/s

and checks the targets: small exchange (N=10, one client) median round trip <= 1.5x the raw-Python
floor and <= 4x the C floor; N=10^7 numbers/s >= 50 % of the C floor on the same transport; 256
concurrent clients on every transport with no error and no lost number; `ipclab serve` ready in
< 0.3 s. Measurements of ipclab and of the floors are interleaved and repeated (medians are
reported) because a 2-CPU virtual machine is noisy. With `taskset`, the single-client cases are
measured again with both ends pinned to one CPU (the stable measure of software overhead), and the
small exchange with the client on CPU 0 and the server on CPU 1 (the stable cross-CPU figure).

    python benchmarks/bench_ipc.py            # full run, a few minutes; prints tables
    python benchmarks/bench_ipc.py --quick    # smoke check, under a minute
    python benchmarks/bench_ipc.py --json     # everything as one JSON object

Every run also writes its JSON to benchmarks/results/ (git-ignored). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR_DIR = ROOT / "benchmarks" / "floor"
FLOOR_C = FLOOR_DIR / "floor.c"
FLOOR_BIN = FLOOR_DIR / "bin" / "floor"
FLOOR_PY = FLOOR_DIR / "floor.py"
RESULTS_DIR = ROOT / "benchmarks" / "results"
TRANSPORTS = ("fifo", "tcp", "unix")

# Targets.
SMALL_VS_PYTHON = 1.5  # small exchange median round trip <= 1.5x the raw-Python floor
SMALL_VS_C = 4.0  # ... and <= 4x the C floor
BULK_VS_C = 0.5  # N=10^7 numbers/s >= 50 % of the C floor
START_TARGET_S = 0.3  # `ipclab serve` ready line within 0.3 s
MANY_CLIENTS = 256


@dataclass(frozen=True)
class Case:
    """One line of the table: a workload and the figure compared for it."""

    n: int
    concurrency: int
    metric: str  # "p50_us" (lower is better), "numbers_per_s" or "exchanges_per_s" (higher is better)
    ipclab_requests: int
    floor_requests: int  # pingpong: exchanges in all; bulk: repetitions

    @property
    def bulk(self) -> bool:
        return self.metric == "numbers_per_s"

    @property
    def key(self) -> str:
        return f"n{self.n}-c{self.concurrency}"


@dataclass
class Plan:
    cases: list[Case]
    repetitions: int
    pinned_cases: list[Case]
    cross_cases: list[Case]
    many_requests: int
    start_samples: int
    attribution_requests: int = 0  # 0: no client/server attribution
    timeout: float = 300.0
    notes: list[str] = field(default_factory=list)


def full_plan() -> Plan:
    return Plan(
        cases=[
            Case(10, 1, "p50_us", 20_000, 20_000),
            Case(10_000, 1, "p50_us", 5_000, 5_000),
            Case(10_000_000, 1, "numbers_per_s", 20, 9),
            Case(10, 64, "exchanges_per_s", 64_000, 64_000),
        ],
        repetitions=3,
        pinned_cases=[
            Case(10, 1, "p50_us", 20_000, 20_000),
            Case(10_000, 1, "p50_us", 5_000, 5_000),
            Case(10_000_000, 1, "numbers_per_s", 10, 9),
        ],
        cross_cases=[Case(10, 1, "p50_us", 20_000, 20_000)],
        many_requests=MANY_CLIENTS * 40,
        start_samples=10,
        attribution_requests=10_000,
    )


def quick_plan() -> Plan:
    return Plan(
        cases=[
            Case(10, 1, "p50_us", 2_000, 2_000),
            Case(10_000, 1, "p50_us", 500, 500),
            Case(10_000_000, 1, "numbers_per_s", 2, 2),
            Case(10, 64, "exchanges_per_s", 1_280, 6_400),
        ],
        repetitions=1,
        pinned_cases=[Case(10, 1, "p50_us", 2_000, 2_000)],
        cross_cases=[Case(10, 1, "p50_us", 2_000, 2_000)],
        many_requests=MANY_CLIENTS * 2,
        start_samples=3,
        timeout=60.0,
    )


# ---- running things ----------------------------------------------------------------------------

def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_json(command: list[str], timeout: float) -> dict:
    """Run a command that prints one JSON object on stdout (ignoring its exit code); on failure
    return {"error": ...} instead."""
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s", "command": command}
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    text = done.stdout.strip()
    for candidate in (text, lines[-1] if lines else ""):
        try:
            result = json.loads(candidate)
            break
        except ValueError:
            continue
    else:
        return {"error": f"exit code {done.returncode}: {done.stderr.strip()[-500:] or done.stdout.strip()[-500:]}",
                "command": command}
    result["wall_s"] = round(time.monotonic() - started, 3)
    result["exit_code"] = done.returncode
    if done.returncode and done.stderr.strip():
        result["stderr"] = done.stderr.strip()[-500:]
    return result


class Runner:
    def __init__(self, python: str, plan: Plan, use_c: bool, use_taskset: bool, engine: str = "auto") -> None:
        self.python = python
        self.engine = engine  # the client engine of every `ipclab bench` (--engine)
        self.plan = plan
        self.use_c = use_c
        self.use_taskset = use_taskset

    @staticmethod
    def _pin(placement: str) -> list[str]:
        return ["taskset", "-c", "0"] if placement in ("pinned", "cross") else []

    def ipclab(self, transport: str, n: int, requests: int, concurrency: int = 1, placement: str = "default",
               extra: tuple[str, ...] = ()) -> dict:
        """`ipclab bench` with its embedded server; placement "pinned" runs it under taskset -c 0 (the
        server inherits the CPU); "cross" starts the same `ipclab serve` on CPU 1 and the bench on CPU 0."""
        command = [*self._pin(placement), self.python, "-m", "backend", "bench", "--transport", transport,
                   "--count", str(n), "--requests", str(requests), "--concurrency", str(concurrency),
                   "--json", "--no-progress", "--engine", self.engine, *extra]
        if placement != "cross":
            return run_json(command, self.plan.timeout)
        with tempfile.TemporaryDirectory(prefix="ipclab-bench-") as temp:
            address = {"tcp": "127.0.0.1:0", "unix": os.path.join(temp, "s.sock"),
                       "fifo": os.path.join(temp, "fifo")}[transport]
            server = subprocess.Popen(
                ["taskset", "-c", "1", self.python, "-m", "backend", "serve", transport, "--address", address,
                 "--events", "none"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL)
            try:
                line = server.stdout.readline()
                try:
                    address = json.loads(line)["address"]
                except (ValueError, KeyError):
                    return {"error": f"the server did not start: {line!r}"}
                return run_json(command + ["--address", address], self.plan.timeout)
            finally:
                server.terminate()
                try:
                    server.wait(5)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
                server.stdout.close()

    def floor(self, impl: str, transport: str, case: Case, placement: str = "default", verify: bool = True) -> dict:
        pin = ["taskset", "-c", "0"] if placement == "pinned" else []
        if impl == "c":
            if not self.use_c:
                return {"error": "no C floor (no cc)"}
            command = [*pin, str(FLOOR_BIN)]
        else:
            command = [*pin, self.python, str(FLOOR_PY)]
        if case.bulk:
            command += ["bulk", transport, "-n", str(case.n), "-k", str(case.floor_requests)]
        else:
            command += ["pingpong", transport, "-n", str(case.n), "-r", str(case.floor_requests),
                        "-c", str(case.concurrency)]
        if verify:
            command.append("-V")
        if placement == "cross":
            command += ["-S", "1", "-C", "0"]
        return run_json(command, self.plan.timeout)


def figure(result: dict | None, metric: str, impl: str) -> float | None:
    """The compared figure of one measurement (None if it failed)."""
    if not result or "error" in result:
        return None
    if impl == "ipclab":
        if result.get("errors") or result.get("lost_numbers"):
            return None
        if metric == "p50_us":
            return result["latency_us"]["p50"]
        return result[metric]
    if result.get("failures"):
        return None
    if metric == "p50_us":
        return result["latency_us"]["p50"]
    if metric == "numbers_per_s":
        return result["numbers_per_s_median"]
    return result[metric]


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def measure_case(runner: Runner, transport: str, case: Case, repetitions: int, placement: str = "default") -> dict:
    """Interleave floor and ipclab runs (C, Python, ipclab; then reversed), `repetitions` times."""
    runs: dict[str, list[dict]] = {"ipclab": [], "c": [], "python": []}
    for repetition in range(repetitions):
        order = ["c", "python", "ipclab"] if repetition % 2 == 0 else ["ipclab", "python", "c"]
        for impl in order:
            if impl == "ipclab":
                result = runner.ipclab(transport, case.n, case.ipclab_requests, case.concurrency, placement)
            else:
                result = runner.floor(impl, transport, case, placement)
            runs[impl].append(result)
            if "error" in result and not (impl == "c" and not runner.use_c):
                log(f"  ! {impl} {transport} {case.key}: {result['error']}")
    figures = {impl: median([figure(r, case.metric, impl) for r in results]) for impl, results in runs.items()}
    samples = {impl: [figure(r, case.metric, impl) for r in results] for impl, results in runs.items()}
    row = {
        "transport": transport, "n": case.n, "concurrency": case.concurrency, "metric": case.metric,
        "placement": placement, "ipclab": figures["ipclab"], "c_floor": figures["c"], "python_floor": figures["python"],
        "samples": samples, "ratio_c": ratio(figures["ipclab"], figures["c"]),
        "ratio_python": ratio(figures["ipclab"], figures["python"]), "runs": runs,
    }
    ipclab_runs = [r for r in runs["ipclab"] if "error" not in r]
    row["ipclab_errors"] = sum(r.get("errors", 0) for r in ipclab_runs)
    row["ipclab_lost_numbers"] = sum(r.get("lost_numbers", 0) for r in ipclab_runs)
    if case.metric == "p50_us":
        row["p99_us"] = {impl: median([figure_p99(r, impl) for r in results]) for impl, results in runs.items()}
        row["exchanges_per_s"] = {impl: median([figure(r, "exchanges_per_s", impl) for r in results])
                                  for impl, results in runs.items()}
    if case.metric == "p50_us" and case.n == 10 and placement in ("default", "cross"):
        notes = []
        for impl, values in samples.items():
            present = [v for v in values if v is not None]
            if present and max(present) > 1.5 * min(present):
                notes.append(f"{impl} varied from {min(present):.1f} to {max(present):.1f} us")
        if figures["c"] is not None and figures["python"] is not None and figures["python"] < figures["c"]:
            notes.append("the Python floor beat the C floor")
        if notes:
            row["note"] = "; ".join(notes) + ": wake-up and CPU placement, not software, dominate this figure " \
                "(see the pinned table)"
    log(f"  {transport:4} N={case.n:<9,} c={case.concurrency:<3} {'' if placement == 'default' else placement + ' '}"
        f"ipclab {fmt(figures['ipclab'], case.metric)}  C {fmt(figures['c'], case.metric)}  "
        f"Python {fmt(figures['python'], case.metric)}")
    return row


def figure_p99(result: dict, impl: str) -> float | None:
    return None if figure(result, "p50_us", impl) is None else result["latency_us"]["p99"]


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def measure_bulk_transport_only(runner: Runner, transport: str, case: Case) -> dict:
    """N=10^7 with nobody counting the values: ipclab --no-distribution against floors without -V."""
    results = {
        "c": runner.floor("c", transport, case, verify=False),
        "ipclab": runner.ipclab(transport, case.n, case.ipclab_requests, extra=("--no-distribution",)),
        "python": runner.floor("python", transport, case, verify=False),
    }
    figures = {impl: figure(result, case.metric, impl) for impl, result in results.items()}
    return {"transport": transport, "n": case.n, "ipclab": figures["ipclab"], "c_floor": figures["c"],
            "python_floor": figures["python"], "ratio_c": ratio(figures["ipclab"], figures["c"]),
            "ratio_python": ratio(figures["ipclab"], figures["python"]), "runs": results}


def measure_server_capacity(runner: Runner, transport: str, case: Case, repetitions: int) -> dict:
    """The ipclab server driven by `case.concurrency` C client processes (instead of ipclab bench's
    client threads): tells whether the server or the bench's own client limits the 64-client figure."""
    rates = []
    for _ in range(repetitions):
        with tempfile.TemporaryDirectory(prefix="ipclab-capacity-") as temp:
            address = {"tcp": "127.0.0.1:0", "unix": os.path.join(temp, "s.sock"),
                       "fifo": os.path.join(temp, "fifo")}[transport]
            server = subprocess.Popen([runner.python, "-m", "backend", "serve", transport, "--address", address,
                                       "--events", "none"], cwd=ROOT, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            try:
                address = json.loads(server.stdout.readline())["address"]
                result = run_json([str(FLOOR_BIN), "pingpong", transport, "-a", address, "-n", str(case.n),
                                   "-r", str(case.floor_requests), "-c", str(case.concurrency), "-V"],
                                  runner.plan.timeout)
                rates.append(figure(result, "exchanges_per_s", "c"))
            except (ValueError, KeyError):
                rates.append(None)
            finally:
                server.terminate()
                try:
                    server.wait(5)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
                server.stdout.close()
    log(f"  {transport:4} ipclab server with {case.concurrency} C client processes: "
        f"{fmt(median(rates), 'exchanges_per_s')}")
    return {"transport": transport, "concurrency": case.concurrency, "exchanges_per_s": median(rates),
            "samples": rates}


def measure_many_clients(runner: Runner, transport: str, requests: int) -> dict:
    result = runner.ipclab(transport, 10, requests, MANY_CLIENTS)
    ok = "error" not in result and result.get("errors") == 0 and result.get("lost_numbers") == 0 \
        and result.get("exchanges") == requests
    summary = {"transport": transport, "concurrency": MANY_CLIENTS, "requests": requests, "ok": ok}
    if "error" in result:
        summary["error"] = result["error"]
    else:
        for key in ("exchanges", "errors", "lost_numbers", "exchanges_per_s", "errors_by_code", "error_messages"):
            summary[key] = result.get(key)
        summary["p99_us"] = result["latency_us"]["p99"]
    log(f"  {transport:4} {MANY_CLIENTS} clients: {'ok' if ok else 'FAILED'} "
        f"({summary.get('exchanges')} exchanges, {summary.get('errors')} errors, "
        f"{summary.get('lost_numbers')} lost)")
    return summary


def measure_start(python: str, samples: int) -> dict:
    """Seconds from launching `ipclab serve tcp` to reading its ready line; with the interpreter's
    own start (`python -c pass`) and `import numpy` as references."""

    def ready_time() -> float | None:
        command = [python, "-m", "backend", "serve", "tcp", "--address", "127.0.0.1:0", "--events", "none"]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   stdin=subprocess.DEVNULL)
        try:
            line = process.stdout.readline()
            elapsed = time.perf_counter() - started
            ok = line.startswith(b"{") and b"ready" in line
        finally:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()
        return elapsed if ok else None

    def run_time(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([python, "-c", code], cwd=ROOT, check=False, stdin=subprocess.DEVNULL)
        return time.perf_counter() - started

    serve, bare, numpy_import = [], [], []
    for _ in range(samples):
        serve.append(ready_time())
        bare.append(run_time("pass"))
        numpy_import.append(run_time("import numpy"))
    result = {
        "samples": samples, "ready_s": serve, "median_s": median(serve),
        "python_pass_median_s": median(bare), "import_numpy_median_s": median(numpy_import),
        "target_s": START_TARGET_S,
    }
    result["met"] = result["median_s"] is not None and result["median_s"] < START_TARGET_S
    log(f"  server ready in {fmt_s(result['median_s'])} (median of {samples}); python -c pass "
        f"{fmt_s(result['python_pass_median_s'])}, import numpy {fmt_s(result['import_numpy_median_s'])}")
    return result


ATTRIBUTION_CELLS = (("c", "c"), ("python", "c"), ("ipclab", "c"), ("c", "python"), ("c", "ipclab"))


def attribute(runner: Runner, transport: str, n: int, requests: int, repetitions: int) -> dict:
    """Pinned to CPU 0: each client against the C server and the C client against each server,
    so that ipclab's extra time is split between its client and its server."""
    import signal

    pin = ["taskset", "-c", "0"]
    with tempfile.TemporaryDirectory(prefix="ipclab-attr-") as temp:
        servers: dict[str, tuple[subprocess.Popen, str]] = {}
        try:
            for kind in ("c", "python", "ipclab"):
                address = {"tcp": "127.0.0.1:0", "unix": os.path.join(temp, f"{kind}.sock"),
                           "fifo": os.path.join(temp, f"{kind}-fifo")}[transport]
                if kind == "c":
                    command = [str(FLOOR_BIN), "pingpong", transport, "-s", address]
                elif kind == "python":
                    command = [runner.python, str(FLOOR_PY), "pingpong", transport, "-s", address]
                else:
                    command = [runner.python, "-m", "backend", "serve", transport, "--address", address,
                               "--events", "none"]
                process = subprocess.Popen(pin + command, cwd=ROOT, stdout=subprocess.PIPE,
                                           stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
                line = process.stdout.readline()
                servers[kind] = (process, json.loads(line)["address"])
            cells: dict[str, list[float | None]] = {f"{c}/{s}": [] for c, s in ATTRIBUTION_CELLS}
            for _ in range(repetitions):
                for client, server in ATTRIBUTION_CELLS:
                    address = servers[server][1]
                    if client == "c":
                        command = [str(FLOOR_BIN), "pingpong", transport, "-a", address, "-n", str(n),
                                   "-r", str(requests), "-V"]
                    elif client == "python":
                        command = [runner.python, str(FLOOR_PY), "pingpong", transport, "-a", address,
                                   "-n", str(n), "-r", str(requests), "-V"]
                    else:
                        command = [runner.python, "-m", "backend", "bench", "--transport", transport,
                                   "--address", address, "--count", str(n), "--requests", str(requests),
                                   "--json", "--no-progress"]
                    result = run_json(pin + command, runner.plan.timeout)
                    cells[f"{client}/{server}"].append(
                        figure(result, "p50_us", "ipclab" if client == "ipclab" else client))
        except (OSError, ValueError, KeyError) as error:
            return {"transport": transport, "n": n, "error": repr(error)}
        finally:
            for process, _ in servers.values():
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                process.stdout.close()
    p50 = {cell: median(values) for cell, values in cells.items()}
    base = p50["c/c"]

    def extra(cell: str) -> float | None:
        return None if p50[cell] is None or base is None else p50[cell] - base

    result = {
        "transport": transport, "n": n, "p50_us": p50, "samples": cells, "c_client_c_server_us": base,
        "client_extra_us": {"python": extra("python/c"), "ipclab": extra("ipclab/c")},
        "server_extra_us": {"python": extra("c/python"), "ipclab": extra("c/ipclab")},
    }
    log(f"  {transport:4} N={n}: C/C {fmt(base, 'p50_us')}; client +{fmt(extra('ipclab/c'), 'p50_us')} ipclab, "
        f"+{fmt(extra('python/c'), 'p50_us')} Python; server +{fmt(extra('c/ipclab'), 'p50_us')} ipclab, "
        f"+{fmt(extra('c/python'), 'p50_us')} Python")
    return result


def attribution_table(items: list[dict]) -> str:
    header = ("transport", "N", "C client + C server", "client: ipclab", "client: Python", "server: ipclab",
              "server: Python")
    lines = [header]

    def plus(value: float | None) -> str:
        return "-" if value is None else f"{value:+,.1f} us"

    for item in items:
        if "error" in item:
            lines.append((item["transport"], format_n(item["n"]), item["error"], "", "", "", ""))
            continue
        lines.append((item["transport"], format_n(item["n"]), fmt(item["c_client_c_server_us"], "p50_us"),
                      plus(item["client_extra_us"]["ipclab"]), plus(item["client_extra_us"]["python"]),
                      plus(item["server_extra_us"]["ipclab"]), plus(item["server_extra_us"]["python"])))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for index, line in enumerate(lines):
        out.append("  ".join(cell.rjust(widths[i]) if i >= 2 else cell.ljust(widths[i]) for i, cell in enumerate(line)))
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


# ---- the report --------------------------------------------------------------------------------

def fmt(value: float | None, metric: str) -> str:
    if value is None:
        return "-"
    if metric == "p50_us":
        return f"{value:,.1f} us"
    if metric == "numbers_per_s":
        return f"{value / 1e6:,.1f} M/s"
    return f"{value:,.0f} /s"


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def fmt_s(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f} ms"


def format_n(n: int) -> str:
    return {10: "10", 10_000: "10^4", 10_000_000: "10^7"}.get(n, f"{n:,}")


METRIC_NAMES = {"p50_us": "median round trip", "numbers_per_s": "numbers/s", "exchanges_per_s": "exchanges/s"}


def table(rows: list[dict]) -> str:
    header = ("transport", "N", "clients", "figure", "ipclab", "C floor", "Python floor", "ipclab/C", "ipclab/Py")
    lines = [header]
    for row in rows:
        metric = row["metric"]
        lines.append((
            row["transport"], format_n(row["n"]), str(row["concurrency"]), METRIC_NAMES[metric],
            fmt(row["ipclab"], metric), fmt(row["c_floor"], metric), fmt(row["python_floor"], metric),
            fmt_ratio(row["ratio_c"]), fmt_ratio(row["ratio_python"]),
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    right = {4, 5, 6, 7, 8}
    out = []
    for index, line in enumerate(lines):
        out.append("  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                             for i, cell in enumerate(line)))
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def evaluate_targets(rows: list[dict], cross_rows: list[dict], pinned_rows: list[dict], many: list[dict],
                     start: dict | None) -> list[dict]:
    targets = []

    def verdict(value: float | None, limit: float, higher_is_better: bool) -> bool | None:
        if value is None:
            return None
        return value >= limit if higher_is_better else value <= limit

    for placement, source in (("default placement", rows), ("client CPU 0, server CPU 1", cross_rows),
                              ("pinned to CPU 0", pinned_rows)):
        for row in source:
            if row["n"] == 10 and row["concurrency"] == 1:
                targets.append({
                    "name": f"small exchange vs Python floor, {row['transport']} ({placement})",
                    "value": row["ratio_python"], "limit": f"<= {SMALL_VS_PYTHON}x",
                    "met": verdict(row["ratio_python"], SMALL_VS_PYTHON, False), "primary": source is rows,
                })
                targets.append({
                    "name": f"small exchange vs C floor, {row['transport']} ({placement})",
                    "value": row["ratio_c"], "limit": f"<= {SMALL_VS_C}x",
                    "met": verdict(row["ratio_c"], SMALL_VS_C, False), "primary": source is rows,
                })
            if row["metric"] == "numbers_per_s":
                targets.append({
                    "name": f"N=10^7 numbers/s vs C floor, {row['transport']} ({placement})",
                    "value": row["ratio_c"], "limit": f">= {BULK_VS_C:.0%}",
                    "met": verdict(row["ratio_c"], BULK_VS_C, True), "primary": source is rows,
                })
    for item in many:
        targets.append({
            "name": f"{MANY_CLIENTS} concurrent clients, {item['transport']}: no error, no lost number",
            "value": f"{item.get('errors')} errors, {item.get('lost_numbers')} lost", "limit": "0 and 0",
            "met": item["ok"], "primary": True,
        })
    if start is not None:
        targets.append({
            "name": "server start (launch to ready line, median)", "value": start["median_s"],
            "limit": f"< {START_TARGET_S} s", "met": start["met"], "primary": True,
        })
    return targets


def format_targets(targets: list[dict]) -> str:
    lines = []
    for target in targets:
        value = target["value"]
        if isinstance(value, float):
            shown = f"{value:.3f} s" if "start" in target["name"] else (
                f"{value:.0%}" if "%" in target["limit"] else f"{value:.2f}x")
        else:
            shown = "-" if value is None else str(value)
        state = {True: "MET", False: "MISSED", None: "n/a"}[target["met"]]
        marker = "" if target["primary"] else "  (secondary)"
        lines.append(f"  {state:7} {target['name']}: {shown} (target {target['limit']}){marker}")
    return "\n".join(lines)


def environment(python: str, use_c: bool, use_taskset: bool) -> dict:
    def output(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=10, cwd=ROOT).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "host": platform.node(), "kernel": platform.release(),
        "cpus": os.cpu_count(), "load_average_start": list(os.getloadavg()),
        "python": output([python, "-c", "import sys; print(sys.version.split()[0])"]),
        "numpy": output([python, "-c", "import numpy; print(numpy.__version__)"]),
        "cc": output(["cc", "--version"]).splitlines()[0] if use_c else None,
        "taskset": use_taskset, "git_commit": output(["git", "rev-parse", "--short", "HEAD"]),
        "git_dirty": bool(output(["git", "status", "--porcelain", "--", "backend"])),
    }


def build_c_floor() -> tuple[bool, str]:
    """Build benchmarks/floor/bin/floor with cc -O2 if needed; (usable, why not)."""
    compiler = shutil.which("cc")
    if compiler is None:
        return FLOOR_BIN.exists(), "no cc on PATH: C floor figures skipped"
    if FLOOR_BIN.exists() and FLOOR_BIN.stat().st_mtime >= FLOOR_C.stat().st_mtime:
        return True, ""
    FLOOR_BIN.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([compiler, "-O2", "-std=c99", "-o", str(FLOOR_BIN), str(FLOOR_C)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return False, f"cc failed: {done.stderr.strip()[-300:]}"
    return True, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="IPC Lab against C and raw-Python floors, in the same run.")
    parser.add_argument("--quick", action="store_true", help="a reduced set: a smoke check in under a minute")
    parser.add_argument("--json", action="store_true", help="print everything as one JSON object")
    parser.add_argument("--transports", default=",".join(TRANSPORTS), help="comma-separated (default all)")
    parser.add_argument("--repetitions", type=int, help="interleaved repetitions per case (default 3; quick 1)")
    parser.add_argument("--no-pinned", action="store_true", help="skip the measurements pinned to CPUs (pinned, cross-CPU, attribution)")
    parser.add_argument("--no-attribution", action="store_true",
                        help="skip splitting ipclab's extra time between its client and its server")
    parser.add_argument("--python", default=sys.executable, help="the interpreter that runs ipclab and floor.py")
    parser.add_argument("--output", help="also write the JSON here (default benchmarks/results/bench-TIME.json)")
    parser.add_argument("--engine", choices=("auto", "native", "python"), default="auto",
                        help="the client engine of every ipclab bench run (default auto: native when built)")
    parser.add_argument("--issue-targets", action="store_true",
                        help="only the native engine's targets (benchmarks/native_targets.py): pinned and default "
                             "N=10 round trip, 8 and 64 clients, N=10^7, each as a ratio to the C floor")
    args = parser.parse_args(argv)
    if args.issue_targets:
        from native_targets import main as issue_targets_main

        return issue_targets_main(args)

    plan = quick_plan() if args.quick else full_plan()
    if args.repetitions:
        plan.repetitions = args.repetitions
    transports = [t for t in args.transports.split(",") if t]
    for transport in transports:
        if transport not in TRANSPORTS:
            parser.error(f"unknown transport {transport!r}")
    use_c, why = build_c_floor()
    if why:
        plan.notes.append(why)
        log(f"note: {why}")
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    use_taskset = shutil.which("taskset") is not None and not args.no_pinned and 0 in cpus
    use_cross = use_taskset and 1 in cpus
    if shutil.which("taskset") is None:
        plan.notes.append("no taskset: pinned table skipped")
    runner = Runner(args.python, plan, use_c, use_taskset, args.engine)
    started = time.monotonic()
    env = environment(args.python, use_c, use_taskset)

    rows, bulk_only, many, pinned_rows, cross_rows, capacity = [], [], [], [], [], []
    for transport in transports:
        log(f"{transport}:")
        for case in plan.cases:
            rows.append(measure_case(runner, transport, case, plan.repetitions))
            if case.bulk:
                bulk_only.append(measure_bulk_transport_only(runner, transport, case))
            if case.concurrency > 1 and use_c:
                capacity.append(measure_server_capacity(runner, transport, case, plan.repetitions))
        many.append(measure_many_clients(runner, transport, plan.many_requests))
    if use_cross:
        log("cross-CPU: client on CPU 0, server on CPU 1:")
        for transport in transports:
            for case in plan.cross_cases:
                cross_rows.append(measure_case(runner, transport, case, plan.repetitions, "cross"))
    if use_taskset:
        log("pinned to CPU 0 (taskset -c 0 on both ends):")
        for transport in transports:
            for case in plan.pinned_cases:
                pinned_rows.append(measure_case(runner, transport, case, plan.repetitions, "pinned"))
    attribution = []
    if use_taskset and use_c and plan.attribution_requests and not args.no_attribution:
        log("attribution, pinned to CPU 0 (each client against the C server, the C client against each server):")
        for transport in transports:
            attribution.append(attribute(runner, transport, 10, plan.attribution_requests, plan.repetitions))
    log("server start:")
    start = measure_start(args.python, plan.start_samples)
    targets = evaluate_targets(rows, cross_rows, pinned_rows, many, start)
    env["load_average_end"] = list(os.getloadavg())
    env["duration_s"] = round(time.monotonic() - started, 1)

    report = {
        "schema": "ipclab.bench-ipc/1", "quick": args.quick, "environment": env, "notes": plan.notes,
        "repetitions": plan.repetitions, "rows": rows, "cross_rows": cross_rows, "pinned_rows": pinned_rows,
        "bulk_transport_only": bulk_only, "server_capacity": capacity, "attribution": attribution, "many_clients": many, "server_start": start, "targets": targets,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    output = Path(args.output) if args.output else RESULTS_DIR / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.write_text(json.dumps(report, indent=1) + "\n")
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(render_text(report))
        print(f"\n(full results: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output})")
    return 0 if all(t["met"] is not False for t in targets if t["primary"]) else 1


def render_text(report: dict) -> str:
    env = report["environment"]
    parts = [
        f"IPC Lab vs floors - {env['time']}, {env['cpus']} CPUs, Linux {env['kernel']}, Python {env['python']}, "
        f"numpy {env['numpy']}, commit {env['git_commit']}{' (backend modified)' if env['git_dirty'] else ''}",
        f"load average {env['load_average_start'][0]:.2f} at start (other work on the machine), "
        f"{env['load_average_end'][0]:.2f} at end (includes this run's 64-client processes); "
        f"{report['repetitions']} interleaved repetition(s) per line, medians; took {env['duration_s']:.0f} s",
        "",
        "Default placement (the scheduler decides where client and server run):",
        table(report["rows"]),
    ]
    for row in report["rows"]:
        if row.get("note"):
            parts.append(f"  note: {row['transport']} N={format_n(row['n'])}: {row['note']}")
    one_client = [row for row in report["rows"] if row["n"] == 10 and row["concurrency"] == 1]
    if one_client:
        parts += ["", "Same runs, N=10 with one client, seen as throughput (includes the client's work between "
                      "round trips) and tail:"]
        for row in one_client:
            rates, tails = row["exchanges_per_s"], row["p99_us"]
            parts.append(f"  {row['transport']:4}  exchanges/s: ipclab {fmt(rates['ipclab'], 'x')}, "
                         f"C {fmt(rates['c'], 'x')}, Python {fmt(rates['python'], 'x')};  p99: ipclab "
                         f"{fmt(tails['ipclab'], 'p50_us')}, C {fmt(tails['c'], 'p50_us')}, Python "
                         f"{fmt(tails['python'], 'p50_us')}")
    for item in report["server_capacity"]:
        ipclab_row = next((row for row in report["rows"] if row["transport"] == item["transport"]
                           and row["concurrency"] == item["concurrency"]), None)
        if item is report["server_capacity"][0]:
            parts += ["", f"{item['concurrency']} clients: the ipclab server driven by C client processes instead of "
                          "ipclab bench's client threads:"]
        parts.append(f"  {item['transport']:4}  ipclab server + C clients {fmt(item['exchanges_per_s'], 'x')}"
                     f"  (ipclab bench: {fmt(ipclab_row['ipclab'] if ipclab_row else None, 'x')}; C server + C "
                     f"clients: {fmt(ipclab_row['c_floor'] if ipclab_row else None, 'x')})")
    if report["bulk_transport_only"]:
        parts += ["", "N=10^7, nobody counting the values (ipclab --no-distribution; floors without -V):",
                  table([dict(row, concurrency=1, metric="numbers_per_s") for row in report["bulk_transport_only"]])]
    if report["cross_rows"]:
        parts += ["", "Cross-CPU: client on CPU 0, server on CPU 1 (floors -S 1 -C 0; ipclab: `ipclab serve` under "
                      "taskset -c 1, `ipclab bench --address` under taskset -c 0):", table(report["cross_rows"])]
        for row in report["cross_rows"]:
            if row.get("note"):
                parts.append(f"  note: {row['transport']} N={format_n(row['n'])}: {row['note']}")
    if report["pinned_rows"]:
        parts += ["", "Pinned: client and server on CPU 0 (taskset -c 0), the stable measure of software overhead:",
                  table(report["pinned_rows"])]
    if report["attribution"]:
        parts += ["", "Where ipclab's time goes, N=10, pinned to CPU 0: median round trip of the C client with the C "
                      "server,", "and what replacing one end costs (client: X client + C server; server: C client + "
                      "X server):", attribution_table(report["attribution"])]
    start = report["server_start"]
    parts += ["", f"{MANY_CLIENTS} concurrent clients:"]
    for item in report["many_clients"]:
        parts.append(f"  {item['transport']:4}  {item.get('exchanges')} of {item['requests']} exchanges, "
                     f"{item.get('errors')} errors, {item.get('lost_numbers')} lost, "
                     f"{fmt(item.get('exchanges_per_s'), 'exchanges_per_s')}"
                     + (f"  ERROR {item['error']}" if item.get("error") else ""))
    parts += ["", f"Server start (launch `ipclab serve tcp` to its ready line), median of {start['samples']}: "
                  f"{fmt_s(start['median_s'])}; for reference `python -c pass` {fmt_s(start['python_pass_median_s'])}, "
                  f"`python -c 'import numpy'` {fmt_s(start['import_numpy_median_s'])}"]
    parts += ["", "Targets:", format_targets(report["targets"])]
    for note in report["notes"]:
        parts.append(f"note: {note}")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
