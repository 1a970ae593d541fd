"""The loopback emulator keeps connections alive, so a client pays one TCP connect per
worker instead of one per request (the apply benchmark depends on it)."""

from __future__ import annotations

import socket

from kbsync.emulator import BackgroundServer, EmulatorConfig, create_app

REQUEST = (
    "POST /v1/ai-agent/chatbot/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-key\r\n"
    "Content-Type: application/json\r\nContent-Length: {n}\r\n\r\n{body}"
)


def _answers(sock: socket.socket, count: int) -> list[bytes]:
    """Read ``count`` responses, each framed by its Content-Length."""
    data = b""
    answers: list[bytes] = []
    sock.settimeout(10)
    while len(answers) < count:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep:
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            if len(rest) >= length:
                answers.append(head)
                data = rest[length:]
                continue
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    return answers


def test_two_requests_on_one_connection_both_answered() -> None:
    app = create_app(EmulatorConfig())
    server = BackgroundServer(app)
    try:
        host, port = server.base_url.removeprefix("http://").split(":")
        body = '{"name": "Kept", "language": "en"}'
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(REQUEST.format(n=len(body), body=body).encode() * 2)
            heads = _answers(sock, 2)
        assert [h.split(b"\r\n")[0] for h in heads] == [b"HTTP/1.1 200 OK"] * 2
        assert all(b"connection: close" not in h.lower() for h in heads)
        assert app.state()["requests"]["by_route"] == {"POST /v1/ai-agent/chatbot/{pid}": 2}
    finally:
        server.close()
        app.close()


def test_http_1_0_request_is_answered_and_closed() -> None:
    app = create_app(EmulatorConfig())
    server = BackgroundServer(app)
    try:
        host, port = server.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(b"GET /_emulator/state HTTP/1.0\r\n\r\n")
            (head,) = _answers(sock, 1)
            sock.settimeout(10)
            leftover = b""
            while chunk := sock.recv(65536):
                leftover += chunk
        assert head.startswith(b"HTTP/1.1 200")  # a server names its own version (RFC 9110 6.2)
        assert b"connection: close" in head.lower()
    finally:
        server.close()
        app.close()
