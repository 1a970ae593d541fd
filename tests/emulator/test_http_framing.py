"""Hostile HTTP over a real loopback socket: every request gets a 4xx/5xx status line with the
error envelope (never a traceback, a 500 or a blocked thread), and the server answers the
next request."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbsync.emulator.server import BackgroundServer
from tests.conftest import EMULATOR_TEST_KEY

A = b"/v1/ai-agent"
AUTH = f"Authorization: Bearer {EMULATOR_TEST_KEY}\r\n".encode()
TIMEOUT = 10.0  # a server that blocks fails the test with a timeout instead of hanging it


def head(method: bytes, path: bytes, *headers: bytes) -> bytes:
    lines = [method + b" " + path + b" HTTP/1.1", b"Host: emulator", *headers]
    return b"\r\n".join(lines) + b"\r\n" + AUTH + b"\r\n"


def post_json(path: bytes, body: bytes) -> bytes:
    length = b"Content-Length: %d" % len(body)
    return head(b"POST", path, b"Content-Type: application/json", length) + body


def chunked(body: bytes) -> bytes:
    te = b"Transfer-Encoding: chunked"
    return head(b"POST", A + b"/chatbot/1", b"Content-Type: application/json", te) + body


def upload(metadata: bytes) -> bytes:
    boundary = b"xyzzy"
    body = (
        b'--xyzzy\r\nContent-Disposition: form-data; name="file"; filename="a.md"\r\n\r\n'
        b'# A\r\n--xyzzy\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'
        + metadata
        + b"\r\n--xyzzy--\r\n"
    )
    ctype = b"Content-Type: multipart/form-data; boundary=" + boundary
    return head(b"POST", A + b"/upload_file/1", ctype, b"Content-Length: %d" % len(body)) + body


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.fixture
def address(emulator_server: BackgroundServer) -> Iterator[tuple[str, int]]:
    host, port = emulator_server.base_url.removeprefix("http://").split(":")
    yield host, int(port)
    assert_serves_the_next_request((host, int(port)))


class Answer:
    """One response read off a socket: status line, headers (lower-cased names), body."""

    def __init__(self, stream: BinaryIO) -> None:
        self.status_line = stream.readline().decode("latin-1").rstrip("\r\n")
        self.headers: dict[str, str] = {}
        while line := stream.readline().decode("latin-1").rstrip("\r\n"):
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        length = int(self.headers.get("content-length", "0"))
        self.body = stream.read(length) if length else b""

    @property
    def status(self) -> int:
        return int(self.status_line.split(" ", 2)[1])

    def error_code(self) -> str:
        envelope = json.loads(self.body)
        assert set(envelope) == {"message", "error"}
        assert envelope["error"]["detail"]
        code: str = envelope["error"]["code"]
        return code


def exchange(address: tuple[str, int], raw: bytes, answers: int = 1) -> list[Answer]:
    """Send raw bytes, read ``answers`` responses, then check whether the server closed."""
    with socket.create_connection(address, timeout=TIMEOUT) as sock:
        sock.sendall(raw)
        reader = sock.makefile("rb")
        return [Answer(reader) for _ in range(answers)]


def closed_after(address: tuple[str, int], raw: bytes) -> tuple[Answer, bool]:
    """The answer, and whether the server then closed the connection."""
    with socket.create_connection(address, timeout=TIMEOUT) as sock:
        sock.sendall(raw)
        reader = sock.makefile("rb")
        answer = Answer(reader)
        return answer, reader.read(1) == b""


def assert_serves_the_next_request(address: tuple[str, int]) -> None:
    (answer,) = exchange(address, head(b"GET", A + b"/chatbot/1"))
    assert answer.status_line == "HTTP/1.1 200 OK", answer.body


HOSTILE = {
    "request line over 64 KB": (head(b"GET", b"/" + b"a" * 70_000), 414, "URI_TOO_LONG"),
    "request line that never ends": (b"GET /" + b"a" * 300_000, 414, "URI_TOO_LONG"),
    "headers over 256 KB": (head(b"GET", b"/", b"X: " + b"a" * 300_000), 431, "HEADERS_TOO_LARGE"),
    "negative chunk size": (chunked(b"-1\r\n{}\r\n0\r\n\r\n"), 400, "BAD_REQUEST"),
    "chunk size not hex": (chunked(b"zz\r\n{}\r\n0\r\n\r\n"), 400, "BAD_REQUEST"),
    "bad chunk terminator": (chunked(b"2\r\n{}XX0\r\n\r\n"), 400, "BAD_REQUEST"),
    "conflicting Content-Length": (
        head(b"POST", A + b"/chatbot/1", b"Content-Length: 2", b"Content-Length: 3") + b"{}",
        400,
        "BAD_REQUEST",
    ),
    "Content-Length and chunked": (
        head(b"POST", A + b"/chatbot/1", b"Content-Length: 2", b"Transfer-Encoding: chunked")
        + b"0\r\n\r\n",
        400,
        "BAD_REQUEST",
    ),
    "negative Content-Length": (
        head(b"POST", A + b"/chatbot/1", b"Content-Length: -5"),
        400,
        "BAD_REQUEST",
    ),
    "body declared over 64 MB": (
        head(b"POST", A + b"/chatbot/1", b"Content-Length: 70000000"),
        413,
        "PAYLOAD_TOO_LARGE",
    ),
    "unknown HTTP version": (
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        505,
        "HTTP_VERSION_NOT_SUPPORTED",
    ),
    "binary request line": (b"\x00\x01\x02\r\n\r\n", 400, "BAD_REQUEST"),
    "no Host header": (b"GET / HTTP/1.1\r\n\r\n", 400, "BAD_REQUEST"),
    "space in the header name": (head(b"GET", b"/", b"Bad Name: x"), 400, "BAD_REQUEST"),
}


@pytest.mark.parametrize("raw,status,code", HOSTILE.values(), ids=HOSTILE.keys())
def test_malformed_framing_is_refused_and_the_connection_closed(
    address: tuple[str, int], raw: bytes, status: int, code: str
) -> None:
    answer, closed = closed_after(address, raw)
    assert answer.status == status, answer.status_line
    assert answer.headers["connection"] == "close"
    assert answer.error_code() == code
    assert closed


BAD_JSON = {
    "lone surrogate in a value": b'{"name": "\\ud800", "language": "en"}',
    "lone low surrogate in a key": b'{"\\udc00": 1}',
    "nested 100,000 deep": b'{"name": ' + deep(100_000) + b"}",
    "nested 65 deep": b'{"name": ' + deep(65) + b"}",
    "integer over 64 bits": b'{"name": "a", "language": "en", "type": 18446744073709551616}',
    "integer under -2**63": b'{"name": "a", "language": "en", "type": -9223372036854775809}',
    "integer of 5,000 digits": b'{"name": "a", "type": ' + b"9" * 5000 + b"}",
    "float overflow": b'{"name": "a", "language": "en", "type": 1e400}',
}


@pytest.mark.parametrize("body", BAD_JSON.values(), ids=BAD_JSON.keys())
def test_hostile_json_bodies_are_400(address: tuple[str, int], body: bytes) -> None:
    (answer,) = exchange(address, post_json(A + b"/chatbot/1", body))
    assert answer.status_line == "HTTP/1.1 400 Bad Request", answer.body
    assert answer.error_code() == "BAD_REQUEST"


def test_hostile_json_in_a_persona_is_400(address: tuple[str, int]) -> None:
    (created,) = exchange(address, post_json(A + b"/chatbot/1", b'{"name": "a", "language": "en"}'))
    path = A + b"/persona/1/" + json.loads(created.body)["data"].encode()
    for value in (b'"\\ud83d"', b"18446744073709551616"):
        body = b'{"x": ' + value + b"}"
        raw = head(
            b"PUT", path, b"Content-Type: application/json", b"Content-Length: %d" % len(body)
        )
        (answer,) = exchange(address, raw + body)
        assert answer.status == 400, (value, answer.body)
    (persona,) = exchange(address, head(b"GET", path))
    assert json.loads(persona.body)["data"] == {}


BAD_METADATA = {
    "nested 100,000 deep": deep(100_000),
    "nested 65 deep": deep(65),
    "lone surrogate": b'{"note": "\\udfff"}',
    "integer over 64 bits": b'{"n": 99999999999999999999}',
}


@pytest.mark.parametrize("metadata", BAD_METADATA.values(), ids=BAD_METADATA.keys())
def test_hostile_upload_metadata_is_400(address: tuple[str, int], metadata: bytes) -> None:
    (answer,) = exchange(address, upload(metadata))
    assert answer.status_line == "HTTP/1.1 400 Bad Request", answer.body
    assert answer.error_code() == "BAD_REQUEST"


def test_connections_are_kept_alive_and_pipelined_requests_answered(
    address: tuple[str, int],
) -> None:
    get = head(b"GET", A + b"/chatbot/1")
    answers = exchange(address, get + post_json(A + b"/chatbot/1", b"{}") + get, answers=3)
    assert [a.status for a in answers] == [200, 400, 200]
    assert all("connection" not in a.headers for a in answers)


def test_chunked_body_with_extensions_and_trailers(address: tuple[str, int]) -> None:
    body = b'{"name": "Chunky", "language": "en"}'
    raw = chunked(b"%x;ext=1\r\n%s\r\n0\r\nX-Trailer: t\r\n\r\n" % (len(body), body))
    (answer,) = exchange(address, raw)
    assert answer.status == 200, answer.body


def test_expect_100_continue_is_answered_before_the_body(address: tuple[str, int]) -> None:
    body = b'{"name": "Patient", "language": "en"}'
    length = b"Content-Length: %d" % len(body)
    raw = head(b"POST", A + b"/chatbot/1", b"Expect: 100-continue", length)
    with socket.create_connection(address, timeout=TIMEOUT) as sock:
        sock.sendall(raw)
        reader = sock.makefile("rb")
        assert reader.readline() == b"HTTP/1.1 100 \r\n"
        assert reader.readline() == b"\r\n"
        sock.sendall(body)
        assert Answer(reader).status == 200


def test_connection_close_is_honoured(address: tuple[str, int]) -> None:
    answer, closed = closed_after(address, head(b"GET", A + b"/chatbot/1", b"Connection: close"))
    assert answer.status == 200 and answer.headers["connection"] == "close" and closed


def test_head_gets_headers_without_a_body(address: tuple[str, int]) -> None:
    raw = head(b"HEAD", A + b"/chatbot/1") + head(b"GET", A + b"/chatbot/1")
    with socket.create_connection(address, timeout=TIMEOUT) as sock:
        sock.sendall(raw)
        reader = sock.makefile("rb")
        first = reader.readline()
        while reader.readline() != b"\r\n":
            pass
        assert first.startswith(b"HTTP/1.1 405")
        assert Answer(reader).status == 200  # the next answer follows at once: no body between


def form(disposition: bytes, data: bytes = b"# A\r\n", boundary: bytes = b"xyzzy") -> bytes:
    body = b"--" + boundary + b"\r\nContent-Disposition: " + disposition + b"\r\n\r\n" + data
    return body + b"\r\n--" + boundary + b"--\r\n"


def post_form(body: bytes, boundary: bytes = b"xyzzy") -> bytes:
    ctype = b"Content-Type: multipart/form-data; boundary=" + boundary
    return head(b"POST", A + b"/upload_file/1", ctype, b"Content-Length: %d" % len(body)) + body


FILE_NAMES = {
    "quoted semicolon": (b'form-data; name="file"; filename="a;b.md"', "a;b.md"),
    "escaped quotes": (b'form-data; name="file"; filename="say \\"hi\\".md"', 'say "hi".md'),
    "raw UTF-8": ('form-data; name="file"; filename="ü b.md"'.encode(), "ü b.md"),
    "RFC 2231": (b"form-data; name=\"file\"; filename*=UTF-8''%C3%BC%3B.md", "ü;.md"),
    "unquoted, odd case": (b"FORM-DATA; NAME=file; FILENAME=plain.md", "plain.md"),
    "filename first": (b'form-data; filename="x=y.md"; name="file"', "x=y.md"),
    "spaces kept": (b'form-data; name="file"; filename=" padded .md"', " padded .md"),
    "not UTF-8": (b'form-data; name="file"; filename="\xff\xfe.md"', "\ufffd\ufffd.md"),
}


@pytest.mark.parametrize("disposition,name", FILE_NAMES.values(), ids=FILE_NAMES.keys())
def test_upload_file_names_are_parsed_as_quoted(
    emulator_server: BackgroundServer, address: tuple[str, int], disposition: bytes, name: str
) -> None:
    (answer,) = exchange(address, post_form(form(disposition)))
    assert answer.status == 200, answer.body
    (asset,) = emulator_server.app.state()["assets"]
    assert asset["name"] == name


def test_a_quoted_boundary_with_a_semicolon(
    emulator_server: BackgroundServer, address: tuple[str, int]
) -> None:
    body = form(b'form-data; name="file"; filename="q.md"', boundary=b"a;b")
    ctype = b'Content-Type: multipart/form-data; boundary="a;b"'
    raw = head(b"POST", A + b"/upload_file/1", ctype, b"Content-Length: %d" % len(body)) + body
    (answer,) = exchange(address, raw)
    assert answer.status == 200, answer.body
    assert [a["name"] for a in emulator_server.app.state()["assets"]] == ["q.md"]


BAD_FORMS = {
    "no closing boundary": form(b'form-data; name="file"; filename="a.md"')[:-10],
    "no blank line after the headers": b'--xyzzy\r\nContent-Disposition: form-data; name="file"',
    "not form-data": form(b'attachment; name="file"; filename="a.md"'),
    "nested multipart": b'--xyzzy\r\nContent-Disposition: form-data; name="file"\r\n'
    + b"Content-Type: multipart/mixed; boundary=inner\r\n\r\n"
    + b"--inner\r\n\r\nx\r\n--inner--\r\n--xyzzy--\r\n",
}


@pytest.mark.parametrize("body", BAD_FORMS.values(), ids=BAD_FORMS.keys())
def test_malformed_forms_are_400(
    emulator_server: BackgroundServer, address: tuple[str, int], body: bytes
) -> None:
    (answer,) = exchange(address, post_form(body))
    assert answer.status == 400, answer.body
    assert answer.error_code() == "BAD_REQUEST"
    assert emulator_server.app.state()["assets"] == []


TARGET_CHARS = st.sampled_from([*"/abc?=&%.-_~:@!$'()*+,;", "%00", "%ff", "%2F", "%C3%A9"])
HEADER_LINES = st.sampled_from(
    [
        b"Content-Type: application/json",
        b"Content-Type: multipart/form-data; boundary=b",
        b"Content-Type: multipart/form-data",
        b"Transfer-Encoding: gzip",
        b"Expect: something-else",
        b"Connection: upgrade",
        b"Authorization: Bearer other-key",
        b"Authorization: Basic",
        b"X-Odd: \xff\xfe",
    ]
)
ROUTES = st.sampled_from(
    [b"/_emulator/faults", b"/_emulator/clock", A + b"/chatbot/1", A + b"/upload_file/1"]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from([b"GET", b"POST", b"PUT", b"DELETE", b"PATCH", b"HEAD", b"OPTIONS"]),
    route=ROUTES
    | st.lists(TARGET_CHARS, max_size=30).map(lambda cs: "/" + "".join(cs)).map(str.encode),
    extra=st.lists(HEADER_LINES, max_size=3),
    body=st.binary(max_size=200) | st.sampled_from([b"{}", b'{"seconds": 1e308}', b"[]", b'"x"']),
)
def test_no_request_reaches_a_500(
    address: tuple[str, int], method: bytes, route: bytes, extra: list[bytes], body: bytes
) -> None:
    raw = head(method, route, *extra, b"Content-Length: %d" % len(body)) + body
    with socket.create_connection(address, timeout=TIMEOUT) as sock:
        sock.sendall(raw)
        status_line = sock.makefile("rb").readline()
    assert status_line.startswith(b"HTTP/1.1 "), status_line
    assert not status_line.startswith(b"HTTP/1.1 5"), (raw[:300], status_line)
