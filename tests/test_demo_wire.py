"""Wire capture and field descriptions: the bytes a class sees are the bytes that travelled."""

from __future__ import annotations

import os

import pytest

from backend.classroom.wire_fields import (
    GROUPS,
    describe_reply,
    describe_request,
    hex_dump_lines,
)
from backend.clients.client import Client, make_client
from backend.processes.server_child import ServerProcess
from backend.protocol import frames as protocol
from backend.protocol.engine import ServerError
from backend.protocol.frames import ErrorCode, Request
from backend.protocol.wire_capture import WireCapture


@pytest.fixture(scope="module", params=["fifo", "tcp", "unix"])
def server(request, runtime_directory):
    process = ServerProcess(request.param, extra_arguments=["--events", "none", "--max-count", "400000"])
    process.start()
    yield process
    assert process.stop() == 0


def _by_name(fields, frame=None):
    table: dict[str, list] = {}
    for field in fields:
        if frame is None or field.frame == frame:
            table.setdefault(field.name, []).append(field.value)
    return table


def _check_bytes(fields, data: bytes) -> None:
    """Every described field lies inside the bytes and its groups are known."""
    for field in fields:
        assert 0 <= field.offset and field.offset + field.length <= len(data), field
        assert field.group in GROUPS


def test_capture_decodes_to_the_values_actually_sent(server):
    with make_client(server.transport, server.address, capture_wire=True) as client:
        result = client.request(12, -7, 1000)
        wire = client.last_wire
    assert isinstance(wire, WireCapture)
    assert len(wire.request) == protocol.REQUEST_SIZE and len(wire.reply_end) == protocol.END_SIZE
    assert wire.reply_total_bytes == result.bytes_received == 16 + 4 * 12 + 40
    assert wire.reply_head == wire.reply_head[:4096] and len(wire.reply_head) == wire.reply_total_bytes

    request = describe_request(wire.request)
    _check_bytes(request, wire.request)
    fields = _by_name(request)
    assert fields["magic"] == ["IPCL"] and fields["version"] == [1] and fields["length"] == [48]
    assert fields["pid"] == [os.getpid()] and fields["channel"] == [client.channel_number]
    assert fields["request id"] == [result.request_id]
    assert fields["count"] == [12] and fields["lo"] == [-7] and fields["hi"] == [1000]
    assert fields["flags"] == [0] and fields["seed"] == [0]
    assert fields["crc32"] == [int.from_bytes(wire.request[44:], "big")]
    assert {f.group for f in request if f.name == "crc32"} == {"checksum"}

    reply = describe_reply(wire.reply_head, wire.reply_end, max_values=5)
    chunk, end = _by_name(reply, frame=0), _by_name(reply, frame=1)
    assert chunk["request id"] == [result.request_id] and chunk["count"] == [12]
    assert chunk["value"] == [int(v) for v in result.values[:5]]
    assert chunk["more values"] == [7]
    more = next(f for f in reply if f.name == "more values")
    assert (more.offset, more.length) == (16 + 4 * 5, 4 * 7)
    assert end["end: total count"] == [12] and end["server pid"] == [server.pid]
    assert end["request id"] == [result.request_id]
    assert end["generation ns"] == [result.server_generation_ns] and end["service ns"] == [result.server_service_ns]
    end_fields = [f for f in reply if f.frame == 1]
    assert end_fields[0].offset == 0 and max(f.offset + f.length for f in end_fields) == 40  # relative to `end`
    assert all(f.group == "values" for f in reply if f.name in ("value", "more values"))


def test_capture_of_a_multi_chunk_reply_and_of_an_error(server):
    with make_client(server.transport, server.address, capture_wire=True) as client:
        result = client.request(300_000, 1, 6)
        wire = client.last_wire
        assert len(wire.reply_head) == 4096 and wire.reply_total_bytes == result.bytes_received
        reply = describe_reply(wire.reply_head, wire.reply_end)
        values = [f.value for f in reply if f.name == "value"]
        assert values == [int(v) for v in result.values[:32]]
        assert next(f for f in reply if f.name == "more values").value == protocol.MAX_CHUNK_VALUES - 32
        end_frame = {f.frame for f in reply if f.name == "server pid"}
        assert end_frame == {2}  # two CHUNKs (262144 + 37856 values), then END
        assert _by_name(reply)["end: total count"] == [300_000]

        with pytest.raises(ServerError) as caught:
            client.request(400_001)
        assert caught.value.code == ErrorCode.COUNT_TOO_LARGE
        wire = client.last_wire
        assert wire.reply_end == wire.reply_head and wire.reply_end[5] == protocol.FrameType.ERROR
        fields = _by_name(describe_reply(wire.reply_head, wire.reply_end))
        assert fields["error code"] == [ErrorCode.COUNT_TOO_LARGE]
        assert fields["message"] == [caught.value.message]
        assert "value" not in fields
        result = client.request(3)  # the client keeps working, still capturing
        assert _by_name(describe_request(client.last_wire.request))["request id"] == [result.request_id]


def test_capture_is_off_by_default_and_costs_nothing(server):
    with make_client(server.transport, server.address) as client:
        client.request(3)
        assert client.last_wire is None
        assert "request" not in vars(client)  # the plain method: no wrapper on the hot path
        assert type(client._channel).__name__ != "CapturingChannel"
    assert Client.request is type(client).request


def test_describe_the_worked_example_of_the_protocol_page():
    frame = protocol.encode_request(Request(4242, 0, 1, 3, 1, 10))
    fields = describe_request(frame)
    assert [(f.offset, f.length, f.name) for f in fields] == [
        (0, 4, "magic"), (4, 1, "version"), (5, 1, "type"), (6, 2, "length"), (8, 4, "pid"), (12, 4, "channel"),
        (16, 4, "request id"), (20, 4, "flags"), (24, 4, "count"), (28, 4, "lo"), (32, 4, "hi"), (36, 8, "seed"),
        (44, 4, "crc32"),
    ]
    assert _by_name(fields)["crc32"] == [0x29B5FB76]
    chunk = bytes.fromhex("4950434c 01 02 0000 00000001 00000003 00000007 00000002 0000000a".replace(" ", ""))
    end = protocol.encode_end(protocol.EndFrame(1, 3, 4343, 1500, 9000))
    described = describe_reply(chunk + end)  # no separate `end`: the END in the head is described there
    assert [f.value for f in described if f.name == "value"] == [7, 2, 10]
    assert [(f.offset, f.frame) for f in described if f.name == "server pid"] == [(28 + 16, 1)]
    assert describe_reply(b"") == [] and describe_request(b"IPCL")[0].value == "IPCL"


def test_hex_dump_lines():
    lines = hex_dump_lines(b"IPCL" + bytes(range(20)))
    assert lines[0] == "00000000  49 50 43 4c 00 01 02 03 04 05 06 07 08 09 0a 0b  |IPCL............|"
    assert lines[1] == "00000010  0c 0d 0e 0f 10 11 12 13" + " " * 24 + "  |........|"
    assert hex_dump_lines(b"") == []
    assert hex_dump_lines(b"abc", width=2) == ["00000000  61 62  |ab|", "00000002  63     |c|"]
