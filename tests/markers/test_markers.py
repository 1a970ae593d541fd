"""Ownership markers: round trip, length limit, distinctness, and names that are not ours."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.desired.markers import MAX_BYTES, MAX_CHARS, Marker, encode, marker_for, parse

# every code point, surrogates included (a path from os.fsdecode may carry them)
any_char = st.characters(codec=None, categories=None)
fingerprints = st.text(alphabet="0123456789abcdefABCDEF", min_size=16, max_size=64)
segment = st.text(any_char, min_size=1, max_size=40)
extension = st.sampled_from(["", ".md", ".pdf", ".PDF", ".tar.gz", ".markdown", ".json", "."])
paths = st.builds(
    lambda parts, ext: "/".join(parts) + ext,
    st.lists(segment, min_size=1, max_size=12),
    extension,
)
keys = st.one_of(
    st.builds("text:{}".format, st.text(any_char, max_size=300)),
    st.builds("file:{}".format, paths),
    st.text(any_char, max_size=300),  # any other key: kind "k"
)
FP = "1a2b3c4d5e6f7a8b" + "0" * 48


@settings(max_examples=400)
@given(keys, fingerprints)
def test_round_trip(key: str, fingerprint: str) -> None:
    assert parse(encode(key, fingerprint)) == marker_for(key, fingerprint)


@settings(max_examples=300)
@given(keys, fingerprints)
def test_names_are_valid_multipart_file_names(key: str, fingerprint: str) -> None:
    name = encode(key, fingerprint)
    assert len(name) <= MAX_CHARS
    assert len(name.encode("utf-8")) <= MAX_BYTES  # also proves: no lone surrogate left
    assert not {"/", "\\", '"', "\r", "\n", "\0"} & set(name)
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) <= 0x9F for c in name)


@given(st.builds("file:{}".format, paths), fingerprints)
def test_the_real_extension_stays_last(key: str, fingerprint: str) -> None:
    last = key.rsplit("/", 1)[-1]
    suffix = "." + last.rsplit(".", 1)[-1] if "." in last.lstrip(".") else ""
    if suffix[1:].isascii() and suffix[1:].isalnum() and len(suffix) <= 11:
        assert encode(key, fingerprint).endswith(suffix)


@given(st.text(any_char, max_size=300), fingerprints)
def test_texts_end_in_txt(name: str, fingerprint: str) -> None:
    assert encode(f"text:{name}", fingerprint).endswith(".txt")


@settings(max_examples=300)
@given(keys, keys)
def test_distinct_keys_keep_distinct_key_ids(a: str, b: str) -> None:
    if a != b:
        assert marker_for(a, FP).key_id != marker_for(b, FP).key_id


@given(st.text(any_char, min_size=150, max_size=400), st.text(any_char, min_size=1, max_size=3))
def test_long_keys_sharing_a_long_prefix_stay_distinct(prefix: str, tail: str) -> None:
    a, b = f"file:{prefix}/a{tail}.md", f"file:{prefix}/b{tail}.md"
    assert marker_for(a, FP).key_id != marker_for(b, FP).key_id
    assert parse(encode(a, FP)) != parse(encode(b, FP))


@given(keys)
def test_key_ids_are_fixed_points(key: str) -> None:
    """A shortened key id, fed back in, names the same asset (the planner relies on it)."""
    key_id = marker_for(key, FP).key_id
    assert marker_for(key_id, FP).key_id == key_id
    assert encode(key_id, FP) == encode(key, FP)


@settings(max_examples=500)
@given(st.text(any_char, max_size=250))
def test_arbitrary_names_never_crash(name: str) -> None:
    marker = parse(name)
    if marker is not None:  # then it is exactly what encode writes for that marker
        assert encode(marker.key_id, marker.fingerprint) == name


@given(st.text(string.printable, max_size=80))
def test_plain_names_are_not_ours(name: str) -> None:
    assert parse(name + ".md") is None or "~kb1" in name


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("file:docs/faq.md", "docs%2Ffaq.md~kb1f~1a2b3c4d5e6f7a8b.md"),
        ("text:support-hours", "support-hours~kb1t~1a2b3c4d5e6f7a8b.txt"),
        ("file:guides/Über uns.pdf", "guides%2FÜber uns.pdf~kb1f~1a2b3c4d5e6f7a8b.pdf"),
        ('text:a/b~c%d"e', "a%2Fb%7Ec%25d%22e~kb1t~1a2b3c4d5e6f7a8b.txt"),
        ("file:.env.md", "%2Eenv.md~kb1f~1a2b3c4d5e6f7a8b.md"),
        ("site:https://x.example/", "site:https:%2F%2Fx.example%2F~kb1k~1a2b3c4d5e6f7a8b"),
    ],
)
def test_documented_format(key: str, name: str) -> None:
    assert encode(key, FP.upper()) == name
    assert parse(name) == Marker(key, "1a2b3c4d5e6f7a8b", 1)


def test_long_path_is_shortened_readably() -> None:
    key = "file:" + "handbook/" * 30 + "chapter.pdf"
    name = encode(key, FP)
    assert MAX_CHARS - 3 <= len(name) <= MAX_CHARS  # an escape is never split
    assert name.startswith("handbook%2Fhandbook%2F")
    assert name.endswith(".pdf~kb1f~1a2b3c4d5e6f7a8b.pdf")
    key_id = parse(name)
    assert key_id is not None and "…" in key_id.key_id and key_id.key_id.endswith(".pdf")


@pytest.mark.parametrize(
    "name",
    [
        "faq.md",
        "",
        "~kb1f~1a2b3c4d5e6f7a8b.md~",
        "docs%2Ffaq.md~kb2f~1a2b3c4d5e6f7a8b.md",  # a future version: not ours to judge
        "docs%2Ffaq.md~kb1f~1A2B3C4D5E6F7A8B.md",  # upper-case digits: never written
        "docs%2Ffaq.md~kb1f~1a2b3c4d5e6f7a8.md",  # 15 digits
        "docs%2Ffaq.md~kb1f~1a2b3c4d5e6f7a8b.pdf",  # extension does not match the key
        "docs/faq.md~kb1f~1a2b3c4d5e6f7a8b.md",  # raw slash: never written
        "docs%2ffaq.md~kb1f~1a2b3c4d5e6f7a8b.md",  # lower-case escape: never written
        "docs%FFfaq.md~kb1f~1a2b3c4d5e6f7a8b.md",  # invalid UTF-8 escape
        "hours~kb1x~1a2b3c4d5e6f7a8b.txt",  # unknown kind
        "hours~kb1t~1a2b3c4d5e6f7a8b",  # a text without .txt
    ],
)
def test_not_markers(name: str) -> None:
    assert parse(name) is None


@pytest.mark.parametrize("fingerprint", ["", "abc", "g" * 64, "1a2b3c4d5e6f7a8"])
def test_bad_fingerprints_are_refused(fingerprint: str) -> None:
    with pytest.raises(ValueError, match="16 hex digits"):
        encode("text:x", fingerprint)
