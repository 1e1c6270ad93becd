"""docs/PROTOCOL.md must not drift from backend/protocol.frames.py.

The worked example in the specification is parsed out of the Markdown (the hex blocks marked
`<!-- example:NAME -->` and the annotated tables marked `<!-- table:NAME -->`) and compared
byte for byte with what the real encoder produces; the limits and error-code tables are compared
with the module's constants.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from backend.protocol import frames as protocol

DOC = Path(__file__).resolve().parent.parent / "docs" / "PROTOCOL.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def example_bytes(doc: str, name: str) -> bytes:
    """The bytes of the fenced hex block that follows `<!-- example:NAME -->`."""
    match = re.search(rf"<!-- example:{name} -->\s*```[a-z]*\n(.*?)```", doc, re.DOTALL)
    assert match, f"no example block {name!r} in {DOC}"
    text = re.sub(r"\s+", "", match.group(1))
    assert re.fullmatch(r"(?:[0-9a-fA-F]{2})+", text), f"example {name!r} is not plain hex: {text!r}"
    return bytes.fromhex(text)


def table_rows(doc: str, name: str) -> list[list[str]]:
    """The body rows (cells stripped) of the Markdown table between `<!-- table:NAME -->` and `<!-- /table -->`."""
    match = re.search(rf"<!-- table:{name} -->\n(.*?)<!-- /table -->", doc, re.DOTALL)
    assert match, f"no table {name!r} in {DOC}"
    lines = [line.strip() for line in match.group(1).strip().splitlines()]
    assert all(line.startswith("|") and line.endswith("|") for line in lines), f"table {name!r} is malformed"
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    assert re.fullmatch(r"[\s:|-]+", lines[1]), f"table {name!r} has no header separator"
    return rows[2:]


def annotated_bytes(doc: str, name: str) -> bytes:
    """Concatenate the `Bytes (hex)` column of an annotated frame table, checking each offset."""
    out = b""
    for row in table_rows(doc, name):
        offset, hex_cell = int(row[0]), row[1].strip("`")
        assert offset == len(out), f"table {name!r}: row {row} starts at {len(out)}, not {offset}"
        out += bytes.fromhex(hex_cell)
    return out


def test_request_example_matches_encoder(doc: str) -> None:
    expected = protocol.encode_request(protocol.Request(pid=4242, channel=0, request_id=1, count=3, lo=1, hi=10))
    assert len(expected) == protocol.REQUEST_SIZE
    assert example_bytes(doc, "request") == expected
    assert annotated_bytes(doc, "request") == expected
    # The CRC quoted in the prose is the one in the frame.
    crc = struct.unpack(">I", expected[protocol.REQUEST_CRC_OFFSET:])[0]
    assert f"0x{crc:08X}" in doc
    # And the example decodes back to the request it describes.
    assert protocol.decode_request(expected) == protocol.Request(4242, 0, 1, 3, 1, 10, None)


def test_reply_example_matches_encoder(doc: str) -> None:
    chunk = protocol.encode_chunk_header(1, 3) + struct.pack(">3i", 7, 2, 10)
    end = protocol.encode_end(
        protocol.EndFrame(request_id=1, total_count=3, server_pid=4343, generation_ns=1500, service_ns=9000)
    )
    assert example_bytes(doc, "chunk") == chunk
    assert annotated_bytes(doc, "chunk") == chunk
    assert example_bytes(doc, "end") == end
    assert annotated_bytes(doc, "end") == end
    assert len(end) == protocol.END_SIZE


def test_error_example_matches_encoder(doc: str) -> None:
    request = protocol.encode_request(protocol.Request(pid=4242, channel=0, request_id=2, count=3, lo=10, hi=1))
    crc = struct.unpack(">I", request[protocol.REQUEST_CRC_OFFSET:])[0]
    assert f"0x{crc:08X}" in doc
    with pytest.raises(protocol.ProtocolError) as raised:
        protocol.decode_request(request)
    assert raised.value.code == protocol.ErrorCode.BAD_RANGE

    message = "range 10..1 is empty (lo > hi)"
    error = protocol.encode_error(2, protocol.ErrorCode.BAD_RANGE, message)
    assert example_bytes(doc, "error") == error
    assert annotated_bytes(doc, "error") == error
    assert protocol.decode_error(error) == protocol.ErrorFrame(2, protocol.ErrorCode.BAD_RANGE, message)


def test_error_code_table_matches_enum(doc: str) -> None:
    documented = {}
    for row in table_rows(doc, "error-codes"):
        documented[int(row[0])] = row[1].strip("`")
        kept_open = "kept open" in row[3]
        assert kept_open == (int(row[0]) in (protocol.ErrorCode.COUNT_TOO_LARGE, protocol.ErrorCode.BAD_RANGE))
    assert documented == {code.value: code.name for code in protocol.ErrorCode}


def test_limits_table_matches_constants(doc: str) -> None:
    rows = table_rows(doc, "limits")
    assert rows, "empty limits table"
    for row in rows:
        name = row[0].strip("`")
        value = int(row[1].replace(",", ""))
        assert getattr(protocol, name) == value, f"{name} is {getattr(protocol, name)} in code, {value} in the doc"
    names = {row[0].strip("`") for row in rows}
    assert {"MAX_COUNT", "MAX_CHUNK_VALUES", "MAX_ERROR_MESSAGE", "REQUEST_SIZE", "PIPE_BUF"} <= names


def test_frame_type_numbers_in_prefix_table(doc: str) -> None:
    for frame_type in protocol.FrameType:
        assert re.search(rf"\|\s*{frame_type.value}\s*\|\s*{frame_type.name}\s*\|", doc), frame_type


def test_bad_range_request_example_shows_all_48_bytes(doc: str) -> None:
    """§12.3 shows the whole second request, not an elided one."""
    expected = protocol.encode_request(protocol.Request(pid=4242, channel=0, request_id=2, count=3, lo=10, hi=1))
    assert example_bytes(doc, "bad-range-request") == expected
    section = doc[doc.index("### 12.3"):doc.index("## 13.")]
    assert "..." not in section and "…" not in section


def test_ready_line_example_is_what_a_server_prints(doc: str, start_server) -> None:
    """The appendix's ready line has the keys, order and compact form of the real one."""
    match = re.search(r"<!-- example:ready -->\s*```json\n(.*?)\n```", doc, re.DOTALL)
    assert match, "no ready-line example"
    documented_text = match.group(1)
    documented = json.loads(documented_text)
    server = start_server("tcp", "--events", "none")
    real = server.ready_event
    assert list(documented) == list(real)
    assert {key: type(value) for key, value in documented.items()} == {key: type(value) for key, value in real.items()}
    assert json.dumps(documented, separators=(",", ":")) == documented_text  # the server's compact form
    assert documented["protocol"] == protocol.VERSION == real["protocol"]
    fifo_keys = set(start_server("fifo", "--events", "none").ready_event) - set(real)
    for key in fifo_keys:
        assert f"`{key}`" in doc[doc.index("## Appendix"):], f"the FIFO ready line's {key!r} is not described"


def test_c_snippets_compile(doc: str, tmp_path) -> None:
    """§13's snippets are valid C99 + POSIX (cc -std=c99 -Wall -Wextra, warnings are errors)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler")
    section = doc[doc.index("## 13. C snippets"):doc.index("## 14. Checklists")]
    blocks = re.findall(r"```c\n(.*?)```", section, re.DOTALL)
    assert len(blocks) >= 4
    source = tmp_path / "snippets.c"
    source.write_text("#define _POSIX_C_SOURCE 200809L\n" + "\n".join(blocks))
    result = subprocess.run([compiler, "-std=c99", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function",
                             "-fsyntax-only", str(source)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_seeded_shorter_request_is_a_prefix_as_documented(doc: str, start_server) -> None:
    """§3.1: the reference server's seeded values for n are the first n of any longer count."""
    assert "prefix" in doc
    server = start_server("unix", "--events", "none")
    from backend.clients.client import make_client

    with make_client("unix", server.address, timeout=10.0) as client:
        longest = client.request(300_000, -7, 1000, seed=11).values
        for count in (1, 5_000, 16_384, 262_145):
            assert (client.request(count, -7, 1000, seed=11).values == longest[:count]).all()
