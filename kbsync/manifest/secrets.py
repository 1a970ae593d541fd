"""Refuse secrets written into the manifest: keys belong in the environment, not in git."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from kbsync.apikey import guarded_key
from kbsync.errors import Problem
from kbsync.manifest.yamlload import YNode

_SECRET_KEY = re.compile(r"(api[_-]?key|token|secret|password|passwd|credential|bearer)", re.I)
# a value that looks like a credential: long, no spaces, letters and digits mixed
_TOKEN_LIKE = re.compile(r"^(bearer\s+)?[A-Za-z0-9_\-\.~+/=:]{16,}$", re.I)
# well-known key formats, refused under ANY key name
_KNOWN_FORMATS = re.compile(
    r"\b(sk-[A-Za-z0-9_\-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9\-]{10,}"
    r"|AKIA[0-9A-Z]{16}|Bearer\s+[A-Za-z0-9_\-\.~+/=]{16,})"
)
# a literal every match of _KNOWN_FORMATS contains: one scan instead of a try per word
_FORMAT_HINT = re.compile(r"sk-|gh[pousr]_|xox[abpr]-|AKIA|Bearer")
# in free text (a prompt or text file) only the vendor formats, and only with a digit:
# "Bearer YOUR_TOKEN_HERE" in a how-to page is an example, not a credential
_KNOWN_IN_TEXT = re.compile(
    r"\b(sk-[A-Za-z0-9_\-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9\-]{10,}"
    r"|AKIA[0-9A-Z]{16})"
)
_ADVICE = "put it in an environment variable and write ${VAR} instead"
_REFUSE = "refusing to upload a secret"
KEY_FOUND_REASON = f"contains the value of ROBOFY_API_KEY; {_REFUSE}"


def find_literal_secrets(tree: YNode, file: str, env: Mapping[str, str]) -> list[Problem]:
    """Every literal credential in the manifest, located; never quoting the value."""
    robofy_key = guarded_key(env)
    problems: list[Problem] = []
    for key, node in _scalars(tree, ""):
        value = node.value
        if not isinstance(value, str) or key == "llm_api_key":  # the schema refuses that key
            continue
        if robofy_key is not None and robofy_key in value:  # even through ${...}: it would be sent
            message = f"'{key}' contains the Robofy API key; it belongs in ROBOFY_API_KEY only"
        elif node.interpolated:
            continue
        elif _SECRET_KEY.search(key) and _looks_like_token(value):
            message = f"'{key}' looks like a literal secret; {_ADVICE}"
        elif _FORMAT_HINT.search(value) and _KNOWN_FORMATS.search(value):
            message = f"'{key}' contains what looks like an API key or token; {_ADVICE}"
        else:
            continue
        problems.append(Problem(file, node.line, node.col, message))
    return problems


def secret_in_text(content: str, env: Mapping[str, str]) -> str | None:
    """Why a prompt or text read from a file must not be uploaded, or None; the
    reason never quotes the value."""
    robofy_key = guarded_key(env)
    if robofy_key is not None and robofy_key in content:
        return KEY_FOUND_REASON
    for match in _KNOWN_IN_TEXT.finditer(content):
        if any(c.isdigit() for c in match.group()):
            return f"contains what looks like an API key or token; {_REFUSE}"
    return None


def _looks_like_token(value: str) -> bool:
    value = value.strip()
    if "://" in value and "@" not in value:  # a plain URL, not credentials
        return False
    return bool(_TOKEN_LIKE.match(value)) and any(c.isdigit() for c in value)


def _scalars(node: YNode, key: str) -> Iterator[tuple[str, YNode]]:
    if isinstance(node.value, dict):
        for child_key, child in node.value.items():
            yield from _scalars(child, child_key)
    elif isinstance(node.value, list):
        for item in node.value:
            yield from _scalars(item, key)
    else:
        yield key, node
