"""Error answers map to kbsync errors; odd bodies are clear errors, never tracebacks or hangs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from kbsync.errors import (
    AuthError,
    ConfigError,
    NetworkError,
    NotFoundError,
    RobofyError,
    ServerError,
    ShapeError,
    UncertainWriteError,
)
from kbsync.robofy.client import RobofyClient, client_from_env
from kbsync.robofy.uncertain import ABSENCE_READS
from tests.robofy.conftest import Harness, error, reply


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, "UNAUTHORIZED", AuthError),
        (403, "FORBIDDEN", AuthError),
        (404, "PROJECT_NOT_FOUND", NotFoundError),
        (400, "BAD_REQUEST", RobofyError),
        (413, "PAYLOAD_TOO_LARGE", RobofyError),
        (415, "UNSUPPORTED_MEDIA_TYPE", RobofyError),
        (409, "CONFLICT", RobofyError),
    ],
)
def test_error_answers_map_to_classes(
    harness: Callable[..., Harness], status: int, code: str, cls: type[RobofyError]
) -> None:
    h = harness(lambda request: error(status, code, f"detail of {code}", "Failed"))
    with pytest.raises(cls) as caught:
        h.client.update_persona("cb1", {"a": 1})
    err = caught.value
    assert type(err) is cls
    assert (err.status, err.code, err.detail) == (status, code, f"detail of {code}")
    assert err.endpoint == "PUT /v1/ai-agent/persona/{pid}/{cid}"
    shown = "PUT /v1/ai-agent/persona/7/cb1"  # the request, ids filled in; endpoint: the route
    assert str(err) == f"Robofy answered HTTP {status} {code} on {shown}: detail of {code}"
    assert len(h.requests) == 1  # a 4xx is never retried


def test_error_without_detail_uses_the_message(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: reply({"message": "Project not found"}, 404))
    with pytest.raises(NotFoundError, match=r"HTTP 404 on GET /v1/projects/7: Project not found"):
        h.client.get_project()


def test_html_error_page_is_a_server_error_after_retries(harness: Callable[..., Harness]) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    h = harness(
        lambda request: httpx.Response(502, text=html, headers={"content-type": "text/html"})
    )
    with pytest.raises(ServerError) as caught:
        h.client.get_persona("cb1")
    assert caught.value.status == 502 and caught.value.detail == "no JSON error body"
    assert "<html>" not in str(caught.value)


def test_html_success_is_a_shape_error(harness: Callable[..., Harness]) -> None:
    h = harness(
        lambda request: httpx.Response(
            200,
            text="<!doctype html><p>login</p>",
            headers={"content-type": "text/html; charset=utf-8"},
        )
    )
    with pytest.raises(ShapeError, match=r"not JSON \(text/html\); is the base URL right\?"):
        h.client.list_agents()


def test_huge_declared_body_is_refused(harness: Callable[..., Harness]) -> None:
    big = b"[" + b"1," * (10 * 1024 * 1024 + 10) + b"1]"
    h = harness(lambda request: httpx.Response(200, content=big))
    with pytest.raises(ShapeError, match="over 20 MB"):
        h.client.list_agents()


def test_endless_streamed_body_is_cut_off(harness: Callable[..., Harness]) -> None:
    def endless() -> Iterator[bytes]:
        while True:
            yield b" " * (1024 * 1024)

    h = harness(lambda request: httpx.Response(200, content=endless()))
    with pytest.raises(ShapeError, match="over 20 MB"):
        h.client.get_project()


def test_deeply_nested_json_is_a_shape_error(harness: Callable[..., Harness]) -> None:
    deep = "[" * 200_000 + "]" * 200_000
    h = harness(lambda request: httpx.Response(200, text=deep))
    with pytest.raises(ShapeError, match="not JSON"):
        h.client.list_agents()


def test_empty_success_body_for_a_write_is_fine(harness: Callable[..., Harness]) -> None:
    h = harness(lambda request: httpx.Response(204))
    h.client.update_prompt("cb1", "hi")
    assert len(h.requests) == 1


def test_unreadable_upload_is_a_clear_error(
    harness: Callable[..., Harness], tmp_path: Path
) -> None:
    h = harness(lambda request: reply({}))
    with pytest.raises(RobofyError, match=r"Cannot read .*gone\.pdf"):
        h.client.add_file("cb1", "gone.pdf", tmp_path / "gone.pdf")
    assert h.requests == []


# --- configuration --------------------------------------------------------------------------


def test_missing_key_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="ROBOFY_API_KEY is not set"):
        client_from_env({"ROBOFY_BASE_URL": "http://127.0.0.1:1"}, 1)
    with pytest.raises(ConfigError, match="ROBOFY_API_KEY is not set"):
        client_from_env({"ROBOFY_API_KEY": "  "}, 1)


def test_base_url_option_beats_variable_beats_default() -> None:
    env = {"ROBOFY_API_KEY": "k-123", "ROBOFY_BASE_URL": "http://127.0.0.1:9/"}
    with client_from_env(env, 3, base_url="http://127.0.0.1:8") as client:
        assert client.base_url == "http://127.0.0.1:8"
    with client_from_env(env, 3) as client:
        assert (client.base_url, client.project_id) == ("http://127.0.0.1:9", 3)
    with client_from_env({"ROBOFY_API_KEY": "k-123"}, 3) as client:
        assert client.base_url == "https://agents.robofy.ai"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://robofy.test",
        "agents.robofy.ai",
        "https://",
        "/",
        "https://[::1",  # these used to be internal errors
        "https://robofy.test:99999",
        "https://robofy.test/\x01",
        "https://robofy .test/",
        "https://robofy.test/a\nb",
        "https://" + "a" * 64 + ".test",
    ],
)
def test_a_base_url_that_is_not_http_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="must be an http"):
        RobofyClient("k-123", 1, url)
    with pytest.raises(ConfigError, match="ROBOFY_BASE_URL"):
        client_from_env({"ROBOFY_API_KEY": "k-123", "ROBOFY_BASE_URL": url}, 1)


@pytest.mark.parametrize("key", ["has space", "new\nline", "ключ", ""])
def test_unsendable_key_is_a_config_error_that_hides_it(key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        RobofyClient(key, 1)
    assert key.strip() == "" or key not in str(caught.value)


# --- bodies httpx cannot decode, other request errors ----------------------------------------


def garbled(status: int) -> httpx.Response:
    """A body that claims gzip but is not: httpx raises DecodingError while reading it."""
    headers = {"content-encoding": "gzip", "content-type": "application/json"}
    return httpx.Response(status, content=iter([b"not gzip at all"]), headers=headers)


def test_an_undecodable_success_is_a_shape_error_naming_the_endpoint(
    harness: Callable[..., Harness],
) -> None:
    h = harness(lambda request: garbled(200))
    with pytest.raises(ShapeError, match=r"GET /v1/ai-agent/chatbot/\{pid\}.*cannot decode.*gzip"):
        h.client.list_agents()
    assert len(h.requests) == 1


def test_an_undecodable_error_body_is_mapped_by_its_status(
    harness: Callable[..., Harness],
) -> None:
    h = harness(lambda request: garbled(404))
    with pytest.raises(NotFoundError) as caught:
        h.client.get_project()
    assert caught.value.detail == "no JSON error body"


def test_an_undecodable_5xx_is_retried_like_any_5xx(harness: Callable[..., Harness]) -> None:
    answers = iter([garbled(503), reply({"data": {"role": "guide"}})])
    h = harness(lambda request: next(answers))
    assert h.client.get_persona("cb1") == {"role": "guide"}
    assert len(h.requests) == 2


def test_an_eagerly_undecodable_body_is_a_shape_error(harness: Callable[..., Harness]) -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"not gzip", headers={"content-encoding": "gzip"})

    h = harness(serve)
    with pytest.raises(ShapeError, match=r"GET /v1/projects/\{pid\}.*cannot decode"):
        h.client.get_project()


def raising(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def serve(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return reply({"data": {"items": [], "next_page_token": None}})
        raise exc

    return serve


@pytest.mark.parametrize("exc", [httpx.TooManyRedirects("loop"), httpx.RequestError("odd")])
def test_other_request_errors_on_a_put_are_network_errors(
    harness: Callable[..., Harness], exc: Exception
) -> None:
    h = harness(raising(exc))
    with pytest.raises(NetworkError, match=r"PUT /v1/ai-agent/persona/7/cb1\b"):
        h.client.update_persona("cb1", {"role": "x"})


def test_other_request_errors_on_a_post_are_uncertain_and_re_read(
    harness: Callable[..., Harness],
) -> None:
    h = harness(raising(httpx.TooManyRedirects("loop")))
    with pytest.raises(UncertainWriteError, match="may or may not have been applied"):
        h.client.add_text("cb1", "kb~a.md", "hello")
    assert h.count("POST") == 3  # each send proven absent by re-reads before the next
    assert h.count("GET") == 3 * ABSENCE_READS


# --- redirects are errors, never followed -----------------------------------------------------


def redirect(status: int, location: str | None) -> Callable[[httpx.Request], httpx.Response]:
    headers = {"location": location} if location is not None else {}
    return lambda request: httpx.Response(status, headers=headers)


def test_a_put_answered_with_a_redirect_is_an_error_naming_the_target(
    harness: Callable[..., Harness],
) -> None:
    h = harness(redirect(302, "https://login.robofy.test/signin"))
    with pytest.raises(RobofyError) as caught:
        h.client.update_prompt("cb1", "hello")
    message = str(caught.value)
    assert "redirect to https://login.robofy.test/signin" in message
    assert "set ROBOFY_BASE_URL to the API's address" in message
    assert caught.value.status == 302
    assert caught.value.endpoint == "PUT /v1/ai-agent/chatbot_ai_settings/{pid}/{cid}"
    assert len(h.requests) == 1  # not followed, not retried


def test_a_delink_answered_with_an_empty_redirect_delinks_nothing(
    harness: Callable[..., Harness],
) -> None:
    h = harness(redirect(301, "/v2/delink"))
    with pytest.raises(RobofyError, match="redirect to /v2/delink"):
        h.client.delink("cb1", [1, 2, 3])
    assert len(h.requests) == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_read_is_never_redirected(harness: Callable[..., Harness], status: int) -> None:
    h = harness(redirect(status, "https://robofy.test/v1/projects/7"))  # would loop if followed
    with pytest.raises(RobofyError, match=rf"HTTP {status}\) with a redirect to"):
        h.client.get_project()
    assert len(h.requests) == 1  # neither followed by httpx nor retried


def test_a_redirect_without_location_says_so(harness: Callable[..., Harness]) -> None:
    h = harness(redirect(307, None))
    with pytest.raises(RobofyError, match="no Location header"):
        h.client.get_project()


# --- the key never travels in cleartext to another machine -------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://agents.robofy.ai", "http://10.0.0.5:8080", "http://[2001:db8::1]/", "HTTP://X.Y"],
)
def test_plain_http_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="refusing to send the API key over plain http to") as e:
        RobofyClient("k-secret-123", 1, url)
    assert "use https" in str(e.value) and "k-secret-123" not in str(e.value)
    with pytest.raises(ConfigError, match="plain http"):
        client_from_env({"ROBOFY_API_KEY": "k-secret-123", "ROBOFY_BASE_URL": url}, 1)


def test_plain_http_with_a_network_transport_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"plain http to agents\.example"):
        RobofyClient("k-123", 1, "http://agents.example", transport=httpx.HTTPTransport())


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.8.9.10",
        "http://[::1]:9/",
        "http://localhost:1",
        "https://x.y",
    ],
)
def test_plain_http_to_this_machine_and_https_anywhere_are_fine(url: str) -> None:
    with RobofyClient("k-123", 1, url) as client:
        assert client.base_url == url.rstrip("/")


def test_plain_http_to_an_in_process_app_is_fine() -> None:
    """The sandbox: an emulator in-process, reached through WSGITransport, no network."""
    transport = httpx.WSGITransport(app=lambda environ, start: [])
    with RobofyClient("k-123", 1, "http://sandbox.kbsync.invalid", transport=transport) as client:
        assert client.base_url == "http://sandbox.kbsync.invalid"
