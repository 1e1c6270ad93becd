"""Server event lines (JSON dicts) turned into one readable log line each."""

from __future__ import annotations


def describe_event(event: dict) -> str | None:
    """What happened, in a few words; None for events not worth a log line."""
    kind = event.get("event")
    if kind == "ready":
        version = f", version {event['version']}" if event.get("version") else ""
        return f"listening at {event.get('address')} (protocol {event.get('protocol')}{version})"
    if kind == "client_connected":
        return f"client {event.get('client')} connected"
    if kind == "request":
        return (f"request #{event.get('request_id')} from client pid {event.get('pid')}: "
                f"{event.get('count')} numbers in {event.get('lo')}..{event.get('hi')}")
    if kind == "reply_sent":
        return (f"sent {event.get('count')} numbers ({event.get('bytes')} bytes) to client pid {event.get('pid')}, "
                f"served in {event.get('service_us')} µs")
    if kind == "client_error":
        return f"client {event.get('client')} error: {event.get('error')}"
    if kind == "client_gone":
        return f"client {event.get('client')} gone ({event.get('reason', 'closed')})"
    if kind == "stats":
        text = (f"{event.get('requests_per_s', 0):,.0f} requests/s, {event.get('numbers_per_s', 0):,.0f} numbers/s; "
                f"{event.get('requests', 0):,} requests in all, {event.get('clients_active', 0)} clients")
        if event.get("suppressed_lines"):
            text += f" ({event['suppressed_lines']:,} per-exchange lines summarized)"
        return text
    if kind == "stopped":
        return f"stopped after {event.get('requests', 0):,} requests ({event.get('numbers', 0):,} numbers)"
    return None
