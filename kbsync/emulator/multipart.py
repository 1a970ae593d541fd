"""A small multipart/form-data parser (the stdlib ``cgi`` module is gone in Python 3.13)."""

from __future__ import annotations

from typing import NamedTuple

from kbsync.emulator.wire import bad_request


class Part(NamedTuple):
    name: str
    filename: str | None
    data: bytes


def _header_params(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in value.split(";")[1:]:
        key, _, raw = item.strip().partition("=")
        params[key.strip().lower()] = raw.strip().strip('"')
    return params


def parse_multipart(content_type: str, body: bytes) -> dict[str, Part]:
    """The form's parts by field name (the first part of a name wins)."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise bad_request("request must be multipart/form-data")
    boundary = _header_params(content_type).get("boundary")
    if not boundary:
        raise bad_request("multipart/form-data request has no boundary")
    parts: dict[str, Part] = {}
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        part = _parse_part(chunk)
        parts.setdefault(part.name, part)
    return parts


def _parse_part(chunk: bytes) -> Part:
    head, sep, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
    if not sep:
        raise bad_request("malformed multipart part")
    disposition = ""
    for line in head.decode("utf-8", "replace").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-disposition":
            disposition = value
    params = _header_params(disposition)
    if "name" not in params:
        raise bad_request("multipart part without a name")
    return Part(params["name"], params.get("filename"), data.removesuffix(b"\r\n"))
