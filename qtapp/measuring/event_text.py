"""Server event lines (JSON dicts) turned into one readable log line each."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject

from qtapp.window.i18n import number

# Reasons the built-in servers give when a client goes; shown translated (others as they come).
KNOWN_REASONS = {
    "closed": QT_TRANSLATE_NOOP("ServerEvents", "closed"),
    "closed the connection": QT_TRANSLATE_NOOP("ServerEvents", "closed the connection"),
    "server stopping": QT_TRANSLATE_NOOP("ServerEvents", "server stopping"),
    "closed its reply FIFO": QT_TRANSLATE_NOOP("ServerEvents", "closed its reply FIFO"),
}


class ServerEvents(QObject):
    """The event texts with a plural form (Qt's lupdate finds `%n` plurals only in `tr()` calls);
    their translation context is the module's, "ServerEvents"."""

    def request(self, event: dict) -> str:
        return self.tr("request #{request_id} from client pid {pid}: %Ln number(s) in {lo}..{hi}", "",
                       int(event.get("count") or 0)).format(
            request_id=event.get("request_id"), pid=event.get("pid"), lo=event.get("lo"), hi=event.get("hi"))

    def reply_sent(self, event: dict) -> str:
        return self.tr("sent %Ln number(s) ({bytes} bytes) to client pid {pid}, served in {service} µs", "",
                       int(event.get("count") or 0)).format(
            bytes=number(event.get("bytes") or 0), pid=event.get("pid"),
            service=number(float(event.get("service_us") or 0), 1))

    def stats(self, event: dict) -> str:
        return self.tr("{requests_per_s} requests/s, {numbers_per_s} numbers/s; served in all: {requests}; "
                       "%Ln client(s) connected", "", int(event.get("clients_active", 0) or 0)).format(
            requests_per_s=number(event.get("requests_per_s", 0)), numbers_per_s=number(event.get("numbers_per_s", 0)),
            requests=number(event.get("requests", 0)))

    def stopped(self, event: dict) -> str:
        return self.tr("stopped after %Ln request(s) ({numbers} numbers)", "", int(event.get("requests", 0) or 0)).format(
            numbers=number(event.get("numbers", 0)))


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
        return ServerEvents().request(event)
    if kind == "reply_sent":
        return ServerEvents().reply_sent(event)
    if kind == "client_error":
        return QCoreApplication.translate("ServerEvents", "client {client} error: {error}").format(
            client=event.get("client"), error=event.get("error"))
    if kind == "client_gone":
        return QCoreApplication.translate("ServerEvents", "client {client} gone ({reason})").format(
            client=event.get("client"), reason=_reason(event.get("reason", "closed")))
    if kind == "stats":
        text = ServerEvents().stats(event)
        if event.get("suppressed_lines"):
            text += QCoreApplication.translate("ServerEvents", " ({lines} per-exchange lines summarized)").format(
                lines=f"{event['suppressed_lines']:,}")
        return text
    if kind == "stopped":
        return ServerEvents().stopped(event)
    return None
