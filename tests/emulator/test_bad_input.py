"""Bad input never crashes the emulator: always the error envelope with a 4xx, never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulator.helpers import A, assert_error, create_agent

CID = "{cid}"  # replaced by a real chatbot id
JSON_WRITES = [
    ("POST", f"{A}/chatbot/1"),
    ("PUT", f"{A}/chatbot/1/{CID}"),
    ("PUT", f"{A}/chatbot_ai_settings/1/{CID}"),
    ("PUT", f"{A}/persona/1/{CID}"),
    ("POST", f"{A}/link_content/1"),
    ("DELETE", f"{A}/chatbot_asset_delink"),
    ("POST", f"{A}/crawl_website"),
    ("POST", f"{A}/chat"),
    ("POST", "/_emulator/faults"),
    ("POST", "/_emulator/clock"),
    ("POST", "/_emulator/seed-demo"),
    ("POST", "/_emulator/conversations"),
]
RAW_BODIES = [
    *(b"", b"not json", b"[1, 2]", b'"text"', b"42", b"null", b"\xff\xfe", b"{", b"{}"),
    *(b'{"seconds": NaN}', b'{"name": Infinity}', b'{"persona": 1e400}', b"[" * 5000),
]
# An empty update changes nothing; seed-demo's body is optional (project 1 by default).
ACCEPTED = {
    (b"{}", "PUT", f"{A}/chatbot/1/{CID}"),
    (b"{}", "PUT", f"{A}/chatbot_ai_settings/1/{CID}"),
    (b"{}", "PUT", f"{A}/persona/1/{CID}"),
    (b"{}", "POST", "/_emulator/faults"),
    (b"{}", "POST", "/_emulator/seed-demo"),
    (b"", "POST", "/_emulator/seed-demo"),
}
FIELD_BODIES: list[dict[str, Any]] = [
    {"name": 5, "language": "en"},
    {"name": "x"},
    {"name": "", "language": "en"},
    {"name": "x", "language": "en", "type": "1"},
    {"name": "x", "language": "en", "type": True},
    {"system_prompt_text": ["a"]},
    {"chunk_overlap": "x"},
    {"chatbot_id": CID},
    {"chatbot_id": 12, "content": "x"},
    {"chatbot_id": CID, "content": 5},
    {"chatbot_id": CID, "content": "x", "is_webpage": "no"},
    {"project_id": "1"},
    {"project_id": "abc", "chatbot_id": CID, "linkage_ids": [1]},
    {"project_id": None, "chatbot_id": CID, "linkage_ids": [1]},
    {"project_id": "1", "chatbot_id": CID, "linkage_ids": [-1, 2.5]},
    {"project_id": "1", "chatbot_id": CID, "start_urls": [{"url": 5}]},
    {"project_id": "1", "chatbot_id": CID, "start_urls": [{}]},
    {"query": "hi", "pid": "1", "chatbot_id": CID, "user_context": "web"},
    {"query": None, "pid": "1", "chatbot_id": CID, "user_context": {}},
    {"query": "hi", "pid": [1], "chatbot_id": CID, "user_context": {}},
    {"project_id": "x"},
    {"seconds": None},
    {"deeply": {"nested": {"value": [1, {"x": None}]}}},
    {"name": "x", "language": "en", "type": 2**70},
    {"project_id": str(10**30), "chatbot_id": CID, "linkage_ids": [2**70]},
    {"project_id": "²", "chatbot_id": CID, "start_urls": [{"url": "https://a/"}]},
    {"query": "hi", "pid": 10**30, "chatbot_id": CID, "user_context": {}},
    {"seconds": 1e300},
    {"latency_ms": 1e300},
    {"rate_limit_rps": 10**30, "seed": 2**80},
]


@pytest.fixture
def cid(emulator_client: httpx.Client) -> str:
    return create_agent(emulator_client)


def send(client: httpx.Client, method: str, path: str, cid: str, content: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    return client.request(method, path.replace(CID, cid), content=content, headers=headers)


def assert_client_error(response: httpx.Response, sent: object = None) -> None:
    assert 400 <= response.status_code < 500, (sent, response.status_code, response.text)
    assert_error(response, response.status_code, response.json()["error"]["code"])


@pytest.mark.parametrize(("method", "path"), JSON_WRITES)
def test_malformed_bodies_get_the_error_envelope(
    emulator_client: httpx.Client, cid: str, method: str, path: str
) -> None:
    for raw in RAW_BODIES:
        response = send(emulator_client, method, path, cid, raw)
        if (raw, method, path) in ACCEPTED:
            assert response.status_code == 200, (raw, response.text)
        else:
            assert_client_error(response, raw)


@pytest.mark.parametrize(("method", "path"), JSON_WRITES)
def test_wrong_fields_never_cause_a_500(
    emulator_client: httpx.Client, cid: str, method: str, path: str
) -> None:
    for body in FIELD_BODIES:
        content = json.dumps(body).replace(CID, cid).encode()
        response = send(emulator_client, method, path, cid, content)
        assert response.status_code != 500, (body, response.text)
        if response.status_code >= 400:
            assert_client_error(response, body)


MULTIPART_CASES = [
    ("text/plain", b"hello"),
    ("multipart/form-data", b"--x\r\n"),
    ("multipart/form-data; boundary=x", b"garbage"),
    ("multipart/form-data; boundary=x", b"--x\r\nno headers here--x--"),
    ("multipart/form-data; boundary=x",
     b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nno filename\r\n--x--\r\n'),
    ("multipart/form-data; boundary=x",
     b"--x\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n--x--\r\n"),
    ("multipart/form-data; boundary=x",
     b'--x\r\nContent-Disposition: form-data; name="file"; filename=""\r\n\r\nx\r\n--x--\r\n'),
]  # fmt: skip


@pytest.mark.parametrize(("content_type", "body"), MULTIPART_CASES)
def test_malformed_uploads_are_400(
    emulator_client: httpx.Client, content_type: str, body: bytes
) -> None:
    response = emulator_client.post(
        f"{A}/upload_file/1", content=body, headers={"Content-Type": content_type}
    )
    assert_error(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize(
    "form",
    [{"metadata": "{not json"}, {"chatbot_id": "cb_missing"}],
)
def test_bad_upload_form_fields(emulator_client: httpx.Client, form: dict[str, str]) -> None:
    response = emulator_client.post(f"{A}/upload_file/1", files={"file": ("a.md", b"x")}, data=form)
    assert_client_error(response)
    response = emulator_client.post(f"{A}/upload_file/1", files={"file": ("a.md", b"")})
    assert_error(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize("token", ["YWZ0ZXI6wrI", "====", "after:1", "%%%", ""])
def test_odd_page_tokens(emulator_client: httpx.Client, token: str) -> None:
    response = emulator_client.get(f"{A}/chatbot/1", params={"nextPageToken": token})
    if token:
        assert_error(response, 400, "BAD_REQUEST")
    else:
        assert response.status_code == 200  # an empty token is the first page


def test_unknown_ids_in_paths(emulator_client: httpx.Client) -> None:
    for method, path in [
        ("GET", f"{A}/chatbot/1/cb_nope"),
        ("PUT", f"{A}/chatbot/1/cb_nope"),
        ("DELETE", f"{A}/chatbot/1/cb_nope"),
        ("GET", f"{A}/chatbot_ai_settings/1/cb_nope"),
        ("PUT", f"{A}/persona/1/cb_nope"),
        ("GET", f"{A}/crawl_status/1/%00"),
    ]:
        assert_error(emulator_client.request(method, path, json={}), 404, "NOT_FOUND")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(index=st.integers(0, len(JSON_WRITES) - 1), body=json_values)
def test_arbitrary_json_never_causes_a_500(
    emulator_client: httpx.Client, cid: str, index: int, body: object
) -> None:
    method, path = JSON_WRITES[index]
    response = send(emulator_client, method, path, cid, json.dumps(body).encode())
    assert response.status_code != 500, response.text
    if response.status_code >= 400:
        assert_client_error(response)
