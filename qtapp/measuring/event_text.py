"""Server event lines (JSON dicts) turned into one readable log line each."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

# Reasons the built-in servers give when a client goes; shown translated (others as they come).
KNOWN_REASONS = {
    "closed": QT_TRANSLATE_NOOP("ServerEvents", "closed"),
    "closed the connection": QT_TRANSLATE_NOOP("ServerEvents", "closed the connection"),
    "server stopping": QT_TRANSLATE_NOOP("ServerEvents", "server stopping"),
    "closed its reply FIFO": QT_TRANSLATE_NOOP("ServerEvents", "closed its reply FIFO"),
}


def _reason(reason: object) -> str:
    text = str(reason)
    if text in KNOWN_REASONS:
        return QCoreApplication.translate("ServerEvents", KNOWN_REASONS[text])
    if text.startswith("dropped: "):
        return QCoreApplication.translate("ServerEvents", "dropped: {error}").format(error=text[len("dropped: "):])
    return text


def describe_event(event: dict) -> str | None:
    """What happened, in a few words; None for events not worth a log line."""
    kind = event.get("event")
    if kind == "ready":
        if event.get("version"):
            return QCoreApplication.translate(
                "ServerEvents", "listening at {address} (protocol {protocol}, version {version})").format(
                address=event.get("address"), protocol=event.get("protocol"), version=event["version"])
        return QCoreApplication.translate("ServerEvents", "listening at {address} (protocol {protocol})").format(
            address=event.get("address"), protocol=event.get("protocol"))
    if kind == "client_connected":
        return QCoreApplication.translate("ServerEvents", "client {client} connected").format(client=event.get("client"))
    if kind == "request":
        return QCoreApplication.translate(
            "ServerEvents", "request #{request_id} from client pid {pid}: {count} numbers in {lo}..{hi}").format(
            request_id=event.get("request_id"), pid=event.get("pid"), count=event.get("count"),
            lo=event.get("lo"), hi=event.get("hi"))
    if kind == "reply_sent":
        return QCoreApplication.translate(
            "ServerEvents", "sent {count} numbers ({bytes} bytes) to client pid {pid}, served in {service} µs").format(
            count=event.get("count"), bytes=event.get("bytes"), pid=event.get("pid"), service=event.get("service_us"))
    if kind == "client_error":
        return QCoreApplication.translate("ServerEvents", "client {client} error: {error}").format(
            client=event.get("client"), error=event.get("error"))
    if kind == "client_gone":
        return QCoreApplication.translate("ServerEvents", "client {client} gone ({reason})").format(
            client=event.get("client"), reason=_reason(event.get("reason", "closed")))
    if kind == "stats":
        text = QCoreApplication.translate(
            "ServerEvents",
            "{requests_per_s} requests/s, {numbers_per_s} numbers/s; {requests} requests in all, {clients} clients").format(
            requests_per_s=f"{event.get('requests_per_s', 0):,.0f}", numbers_per_s=f"{event.get('numbers_per_s', 0):,.0f}",
            requests=f"{event.get('requests', 0):,}", clients=event.get("clients_active", 0))
        if event.get("suppressed_lines"):
            text += QCoreApplication.translate("ServerEvents", " ({lines} per-exchange lines summarized)").format(
                lines=f"{event['suppressed_lines']:,}")
        return text
    if kind == "stopped":
        return QCoreApplication.translate("ServerEvents", "stopped after {requests} requests ({numbers} numbers)").format(
            requests=f"{event.get('requests', 0):,}", numbers=f"{event.get('numbers', 0):,}")
    return None
