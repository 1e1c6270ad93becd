"""What the main window says about runs: client-log lines, the progress bar, the summary figures.

Plain functions from the coordinator's facts (a spec, a `RunProgress`, a series) to texts on
widgets. The texts keep the main window's translation context ("MainWindow").
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from backend.measuring.runner import WorkloadSpec
from qtapp.measuring.client_panel import ClientPanel
from qtapp.measuring.event_text import describe_event
from qtapp.measuring.log_view import format_time
from qtapp.measuring.model import TRANSPORT_NAMES, ClientLogEntry, TransportSeries
from qtapp.measuring.plots.style import format_microseconds
from qtapp.window.fitting import ElidedLabel
from qtapp.window.i18n import number
from qtapp.window.run_coordinator import RunProgress


def _line_start(when: float, transport: str) -> str:
    return f"{format_time(when)}  {TRANSPORT_NAMES[transport]:11}  "


def workload_line(spec: WorkloadSpec, client_pid: int) -> str:
    """The client-log line that opens a workload."""
    workload = (QCoreApplication.translate("MainWindow", "workload: {requests} requests × {count} numbers in "
                                           "{lo}..{hi}, {threads} client threads") if spec.concurrency > 1
                else QCoreApplication.translate("MainWindow", "workload: {requests} requests × {count} numbers "
                                                "in {lo}..{hi}, {threads} client thread")).format(
        requests=spec.requests or QCoreApplication.translate("MainWindow", "unlimited"),
        count=QCoreApplication.translate("MainWindow", "random 1..10") if spec.count is None else spec.count,
        lo=spec.lo, hi=spec.hi, threads=spec.concurrency)
    return (_line_start(time.time(), spec.transport)
            + QCoreApplication.translate("MainWindow", "client pid {pid}").format(pid=client_pid) + f"  {workload}"
            + (f", {spec.duration:g} s" if spec.duration else ""))


def error_line(transport: str, client_pid: int, error: str) -> str:
    return _line_start(time.time(), transport) + QCoreApplication.translate(
        "MainWindow", "client pid {pid}  error: {error}").format(pid=client_pid, error=error)


def exchange_line(entry: ClientLogEntry) -> str:
    return (_line_start(entry.time_s, entry.transport)
            + QCoreApplication.translate("MainWindow", "client {client} → server {server}").format(
                client=entry.client_pid, server=entry.server_pid)
            + f"  {entry.text}")


def server_failure_lines(transport: str, state_text: str) -> list[str]:
    """A server's failure for the server log: its state text, one line each (a command's stderr)."""
    return [(_line_start(time.time(), transport) if number == 0 else " " * 27) + line
            for number, line in enumerate(state_text.splitlines())]


def server_event_line(transport: str, server_pid: int, event: dict) -> str | None:
    """One server event line for the server log (None for events not worth a line)."""
    text = describe_event(event)
    if text is None:
        return None
    return (_line_start(float(event.get("time") or time.time()), transport)
            + f"pid {server_pid or event.get('pid', '')}  {text}")


def server_unavailable_line(transport: str, reason: str) -> str:
    return f"{format_time(time.time())}  " + QCoreApplication.translate(
        "MainWindow", "{transport}: the server is not available ({reason})").format(
        transport=TRANSPORT_NAMES[transport], reason=reason)


def show_progress(panel: ClientPanel, progress: RunProgress) -> None:
    """The progress bar and its label: done, rate and time left; the outcome once it has ended."""
    name = TRANSPORT_NAMES[progress.transport]
    done = number(progress.exchanges)  # successful exchanges, as in the header's figures
    if progress.failed:
        done += " " + QCoreApplication.translate("MainWindow", "(+ {failed} failed)").format(
            failed=number(progress.failed))
    if progress.final:
        if progress.outcome == "stopped":
            word = QCoreApplication.translate("MainWindow", "stopped: {done} exchanges")
        elif progress.outcome == "failed":
            word = QCoreApplication.translate("MainWindow", "failed: {done} exchanges")
        else:
            word = QCoreApplication.translate("MainWindow", "done: {done} exchanges")
        panel.progress.setFormat(word.format(done=done))
        panel.progress_label.setText(QCoreApplication.translate(
            "MainWindow", "{transport}: {done} exchanges in {elapsed} s").format(
            transport=name, done=done, elapsed=number(progress.elapsed_s, 1)))
    else:
        panel.progress.setFormat(
            QCoreApplication.translate("MainWindow", "{transport}: {done} exchanges ({percent})").format(
                transport=name, done=done, percent=f"{progress.fraction:.0%}") if progress.has_target
            else QCoreApplication.translate("MainWindow", "{transport}: {done} exchanges").format(
                transport=name, done=done))
        panel.progress_label.setText(live_figures(progress))
    panel.progress.setValue(int(progress.fraction * 1000))


def live_figures(progress: RunProgress) -> str:
    """"12,345 exchanges/s · 3.2 s left" while a run goes; "measuring…" until a rate is known."""
    translate = QCoreApplication.translate
    if progress.rate <= 0:
        rate = translate("MainWindow", "measuring the rate…")
    else:
        rate = translate("MainWindow", "{rate} exchanges/s").format(rate=number(progress.rate))
    if progress.remaining_s is not None:
        left = translate("MainWindow", "{seconds} s left").format(seconds=number(max(0.0, progress.remaining_s), 1))
    elif not progress.has_target:
        left = translate("MainWindow", "until you press Stop")
    else:
        left = ""  # a target, but no rate yet to tell the time left
    return rate + (" · " + left if left else "")


def compare_live_line(progress: RunProgress, position: tuple[int, int]) -> str:
    """The Compare tab's line while a comparison runs: which transport, its exchanges and rate."""
    if progress.final:
        return ""
    return QCoreApplication.translate("MainWindow", "Running {transport} ({number} of {total}): {done} exchanges, "
                                      "{figures}").format(
        transport=TRANSPORT_NAMES[progress.transport], number=position[0], total=position[1],
        done=number(progress.exchanges), figures=live_figures(progress))


def unbroken_units(text: str) -> str:
    """`text` where a wrapped line may break only between words: never inside a unit ("exchanges/
    s") or a parenthesis ("(χ²" / "p)")."""
    kept, depth = [], 0
    for character in text:
        depth += character == "("
        depth -= character == ")"
        kept.append("\u00a0" if character == " " and depth > 0 else character)
        if character == "/":
            kept.append("\u2060")  # WORD JOINER: no line break after the slash
    return "".join(kept)


def summary_captions() -> dict[str, str]:
    """The captions under the big figures, in the current language (units kept whole)."""
    captions = {"transport": QCoreApplication.translate("MainWindow", "transport"),
            "exchanges": QCoreApplication.translate("MainWindow", "exchanges"),
            "numbers": QCoreApplication.translate("MainWindow", "numbers"),
            "rate": QCoreApplication.translate("MainWindow", "exchanges/s"),
            "p50": QCoreApplication.translate("MainWindow", "p50 round trip"),
            "p99": QCoreApplication.translate("MainWindow", "p99 round trip"),
            "chi": QCoreApplication.translate("MainWindow", "uniform? (χ² p)")}
    return {key: unbroken_units(caption) for key, caption in captions.items()}


def build_summary(labels: dict[str, QLabel], captions: dict[str, QLabel] | None = None) -> QHBoxLayout:
    """The row of big figures above the plots; fills `labels` (figure key -> its value label) and
    `captions` (figure key -> its caption label, for retranslating)."""
    summary = QHBoxLayout()
    summary.setSpacing(18)
    for key, title in summary_captions().items():
        box = QVBoxLayout()
        value = ElidedLabel("–")  # never wider than the window has room for: elided, full text in its tooltip
        value.setObjectName("figureValue")
        caption = QLabel(title)
        caption.setObjectName("figureCaption")
        caption.setWordWrap(True)  # "p50 round trip" may take two lines rather than push the window wider
        box.addWidget(value)
        box.addWidget(caption)
        summary.addLayout(box)
        labels[key] = value
        if captions is not None:
            captions[key] = caption
    return summary


def update_summary(labels: dict[str, QLabel], series: TransportSeries | None) -> None:
    """The figures of `series` (the transport shown), or dashes."""
    if series is None:
        for label in labels.values():
            label.setText("–")
        return
    statistics = series.statistics
    latency = statistics.latency
    labels["transport"].setText(TRANSPORT_NAMES[series.transport])
    labels["exchanges"].setText(number(statistics.exchanges))
    labels["numbers"].setText(number(statistics.numbers))
    labels["rate"].setText(number(statistics.exchanges / statistics.elapsed_s) if statistics.exchanges > 1
                           else "–")
    for key, q in (("p50", 50.0), ("p99", 99.0)):
        labels[key].setText(format_microseconds(latency.percentile(q) / 1e3) if latency.count else "–")
    chi = statistics.values.chi_square()
    labels["chi"].setText(number(chi.p_value, 3) if chi.degrees_of_freedom and np.isfinite(chi.p_value) else "–")
