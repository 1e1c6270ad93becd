"""The native engine's targets (issue 10), measured in one run against the C and Python floors.

    python benchmarks/bench_ipc.py --issue-targets [--quick] [--transports fifo,tcp] [--repetitions K]

For each transport: the N=10 round trip pinned to one CPU and in default placement, 8 and 64
clients at N=10 (exchanges/s, the bench's own client threads), N=10^7 numbers/s against the
chunked C floor, all with `ipclab bench --engine native`; then the native client against the C
floor's server (pinned: the client's own overhead, the server being C) and the Python engine's
pinned round trip against the Python floor. Every ratio is printed with its target, met or
missed, with the load average beside the figures (a shared machine disturbs them).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench_ipc import (
    FLOOR_BIN,
    ROOT,
    Case,
    Runner,
    build_c_floor,
    fmt,
    fmt_ratio,
    full_plan,
    log,
    measure_case,
    measure_start,
    quick_plan,
    run_json,
)

TARGETS = {  # name: (limit, higher is better)
    "pinned N=10 round trip / C floor": (1.3, False),
    "default N=10 round trip / C floor": (1.5, False),
    "8 clients exchanges/s / C floor": (0.7, True),
    "64 clients exchanges/s / C floor": (0.7, True),
    "N=10^7 numbers/s / chunked C floor": (0.8, True),
    "python engine pinned N=10 / Python floor": (1.3, False),
}


def against_c_server(runner: Runner, transport: str, requests: int, repetitions: int) -> dict:
    """Pinned to CPU 0: `ipclab bench --engine native` and the C client, both against the C server."""
    pin = ["taskset", "-c", "0"]
    with tempfile.TemporaryDirectory(prefix="ipclab-native-") as temp:
        address = {"tcp": "127.0.0.1:0", "unix": os.path.join(temp, "c.sock"), "fifo": os.path.join(temp, "fifo")}[transport]
        server = subprocess.Popen(pin + [str(FLOOR_BIN), "pingpong", transport, "-s", address], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        try:
            address = json.loads(server.stdout.readline())["address"]
            native, floor = [], []
            for _ in range(repetitions):
                result = run_json(pin + [runner.python, "-m", "backend", "bench", "--transport", transport, "--address",
                                         address, "--count", "10", "--requests", str(requests), "--json",
                                         "--no-progress", "--engine", "native"], runner.plan.timeout)
                native.append(result.get("latency_us", {}).get("p50") if not result.get("errors") else None)
                result = run_json(pin + [str(FLOOR_BIN), "pingpong", transport, "-a", address, "-n", "10", "-r",
                                         str(requests), "-V"], runner.plan.timeout)
                floor.append(result.get("latency_us", {}).get("p50"))
        finally:
            server.terminate()
            server.wait(5)
            server.stdout.close()
    present = lambda values: statistics.median([v for v in values if v is not None]) if any(v is not None for v in values) else None  # noqa: E731
    return {"transport": transport, "native_client_us": present(native), "c_client_us": present(floor)}


def main(args) -> int:
    plan = quick_plan() if args.quick else full_plan()
    repetitions = args.repetitions or (1 if args.quick else 3)
    scale = 10 if args.quick else 1
    use_c, why = build_c_floor()
    if not use_c:
        log(f"no C floor ({why}): nothing to compare with")
        return 1
    transports = [t for t in args.transports.split(",") if t]
    native = Runner(args.python, plan, use_c, True, "native")
    python = Runner(args.python, plan, use_c, True, "python")
    load_start = os.getloadavg()
    started = time.monotonic()
    cases = {
        "pinned N=10 round trip / C floor": (Case(10, 1, "p50_us", 20_000 // scale, 20_000 // scale), "pinned"),
        "default N=10 round trip / C floor": (Case(10, 1, "p50_us", 20_000 // scale, 20_000 // scale), "default"),
        "8 clients exchanges/s / C floor": (Case(10, 8, "exchanges_per_s", 16_000 // scale, 16_000 // scale), "default"),
        "64 clients exchanges/s / C floor": (Case(10, 64, "exchanges_per_s", 64_000 // scale, 64_000 // scale), "default"),
        "N=10^7 numbers/s / chunked C floor": (Case(10_000_000, 1, "numbers_per_s", 10 // scale or 2, 5), "default"),
    }
    rows, results = [], []
    for transport in transports:
        log(f"{transport}:")
        for name, (case, placement) in cases.items():
            row = measure_case(native, transport, case, repetitions, placement)
            rows.append((name, row, row["ratio_c"]))
        row = measure_case(python, transport, cases["pinned N=10 round trip / C floor"][0], repetitions, "pinned")
        rows.append(("python engine pinned N=10 / Python floor", row, row["ratio_python"]))
        results.append(against_c_server(native, transport, 20_000 // scale, repetitions))
    start = measure_start(args.python, 3 if args.quick else 10)
    load_end = os.getloadavg()
    print(f"Native engine targets (issue 10), {time.strftime('%Y-%m-%d %H:%M:%S')}, {os.cpu_count()} CPUs; "
          f"load average {load_start[0]:.2f} at start, {load_end[0]:.2f} at end; {repetitions} repetition(s), "
          f"medians; took {time.monotonic() - started:.0f} s")
    print("Clients: ipclab bench --engine native; servers: its embedded ipclab serve --engine native (TCP/Unix "
          "connections served in C; FIFO: the request listener and the small replies in C, large replies by Python workers).")
    all_met = True
    for name, row, value in rows:
        limit, higher = TARGETS[name]
        met = None if value is None else (value >= limit if higher else value <= limit)
        all_met = all_met and bool(met)
        state = {True: "MET", False: "MISSED", None: "n/a"}[met]
        metric = row["metric"]
        print(f"  {state:6} {row['transport']:4} {name}: {fmt_ratio(value)} (target {'>=' if higher else '<='} "
              f"{limit}x; ipclab {fmt(row['ipclab'], metric)}, C {fmt(row['c_floor'], metric)}, "
              f"Python {fmt(row['python_floor'], metric)})")
    print("Native client against the C floor's server, pinned, N=10 (the client's own overhead):")
    for item in results:
        ratio = None if not item["native_client_us"] or not item["c_client_us"] else item["native_client_us"] / item["c_client_us"]
        print(f"  {item['transport']:4} native client {fmt(item['native_client_us'], 'p50_us')}, C client "
              f"{fmt(item['c_client_us'], 'p50_us')}: {fmt_ratio(ratio)}")
    print(f"Server start: {start['median_s']:.3f} s median (target < 0.3 s): {'MET' if start['met'] else 'MISSED'}")
    print("Not measured here: the GUI targets (benchmarks/gui_bench.py), Compare's ranking, the bundle size.")
    sys.stdout.flush()
    return 0 if all_met else 1
