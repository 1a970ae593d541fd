"""multipart/form-data, parsed by the standard library's ``email`` parser (HTTP policy).

The parser does the quoting rules a hand-written split got wrong: ``filename="a;b.md"``
stays ``a;b.md``, escaped quotes and RFC 2231 ``filename*=UTF-8''...`` names are decoded.
Raw UTF-8 in a header (what browsers send for a non-ASCII file name) stays that text.
"""

from __future__ import annotations

import email.parser
import email.policy
from email import errors
from email.message import EmailMessage, Message, MIMEPart
from typing import NamedTuple

from kbsync.emulator.wire import bad_request


class Part(NamedTuple):
    name: str
    filename: str | None
    data: bytes


# what makes a form unreadable (the parser records them instead of raising)
_FATAL = (
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.CloseBoundaryNotFoundDefect,
    errors.MissingHeaderBodySeparatorDefect,
    errors.MultipartInvariantViolationDefect,
)


def parse_multipart(content_type: str, body: bytes) -> dict[str, Part]:
    """The form's parts by field name (the first part of a name wins)."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise bad_request("request must be multipart/form-data")
    form = _message(content_type, body)
    if not form.get_boundary():
        raise bad_request("multipart/form-data request has no boundary")
    _check_defects(form)
    parts: dict[str, Part] = {}
    for message in form.iter_parts():
        part = _part(message)
        parts.setdefault(part.name, part)
    return parts


def _message(content_type: str, body: bytes) -> EmailMessage:
    if "\r" in content_type or "\n" in content_type:
        raise bad_request("malformed Content-Type")
    head = f"Content-Type: {content_type}\r\n\r\n".encode("utf-8", "surrogateescape")
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(head + body)
    assert isinstance(message, EmailMessage)  # the HTTP policy's message class
    return message


def _check_defects(form: Message) -> None:
    if any(isinstance(d, _FATAL) for d in form.defects) or not form.is_multipart():
        raise bad_request("malformed multipart/form-data body")


def _part(message: MIMEPart) -> Part:
    _check_defects_of_part(message)
    name = message.get_param("name", header="content-disposition")
    if not isinstance(name, str) or message.get_content_disposition() != "form-data":
        raise bad_request("multipart part without a name")
    data = message.get_payload(decode=True)
    if not isinstance(data, bytes):
        raise bad_request("malformed multipart part")
    return Part(_text(name), _filename(message), data)


def _check_defects_of_part(message: Message) -> None:
    if any(isinstance(d, _FATAL) for d in message.defects) or message.is_multipart():
        raise bad_request("malformed multipart part")


def _filename(message: MIMEPart) -> str | None:
    filename = message.get_filename()
    return None if filename is None else _text(filename)


def _text(value: str) -> str:
    """Header bytes are UTF-8: undo any surrogate escape the parser left (SQLite cannot
    store one); bytes that are not UTF-8 at all the parser already made U+FFFD."""
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        raise bad_request("multipart header is not UTF-8") from None
