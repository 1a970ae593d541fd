"""The ASCII fast path of marker escaping gives exactly the per-character result."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kbsync.desired import markers


def _per_character(text: str) -> str:
    return "".join(markers._escape_char(c, at_start=i == 0) for i, c in enumerate(text))


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_fast_path_matches_per_character_escaping(text: str) -> None:
    assert markers._escape(text) == _per_character(text)


@given(st.text(max_size=20))
def test_any_text_matches_per_character_escaping(text: str) -> None:
    assert markers._escape(text) == _per_character(text)


def test_leading_space_and_dot_are_escaped() -> None:
    assert markers._escape(" a.b") == "%20a.b"
    assert markers._escape(".hidden/x") == "%2Ehidden%2Fx"
