"""The multipart parser against forms that httpx (a real client) encodes."""

from __future__ import annotations

import httpx
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kbsync.emulator.multipart import parse_multipart

# httpx percent-encodes '"', CR and LF in names (WHATWG); everything else goes as is
NAME_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\%')
names = st.text(NAME_CHARS, min_size=1, max_size=40)
contents = st.binary(max_size=3000) | st.sampled_from(
    [b"", b"\r\n", b"--\r\n--x--\r\n", b"\r\n\r\n"]
)


@settings(max_examples=200, deadline=None)
@given(filename=names, data=contents, field=st.text(NAME_CHARS, max_size=30))
@example(filename=" ", data=b"", field=" ")  # email's get_filename() strips spaces
@example(filename="a;b.md", data=b"\r\n--", field="x")
def test_what_httpx_encodes_is_parsed_back(filename: str, data: bytes, field: str) -> None:
    request = httpx.Request(
        "POST", "http://emulator.local/", files={"file": (filename, data)}, data={"note": field}
    )
    parts = parse_multipart(request.headers["Content-Type"], request.read())
    assert set(parts) == {"file", "note"}
    assert parts["file"].filename == filename
    assert parts["file"].data == data
    assert parts["note"].data == field.encode()
    assert parts["note"].filename is None
