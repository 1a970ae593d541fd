"""Handlers: list linked assets, batch delink, add text, add file."""

from __future__ import annotations

import html
import re
from typing import Any

from kbsync.emulator.assets import NewAsset, insert_asset, link_asset, processing_for
from kbsync.emulator.context import Ctx
from kbsync.emulator.dialect import file_ready_status, linkage_answer, list_answer, text_llm_source
from kbsync.emulator.multipart import Part, parse_multipart
from kbsync.emulator.objects import linkage_object, linkage_status, page, require_agent
from kbsync.emulator.validate import check_body, check_length, project_id_of
from kbsync.emulator.wire import ApiError, Response, bad_request, bare, not_found, ok, parse_json

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TEXT_CHARS = 1_000_000
MAX_NAME_CHARS = 255
FILE_EXTENSIONS = [
    ".pdf",
    ".docx",
    ".doc",
    ".xls",
    ".xlsx",
    ".txt",
    ".html",
    ".htm",
    ".md",
    ".markdown",
    ".json",
]
TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".json", ".html", ".htm")
TEXT_SPEC = {
    "chatbot_id": "str",
    "content": "str",
    "file_name": "str",
    "is_webpage": "bool",
    "source_platform": "str",
}
DELINK_SPEC = {"project_id": "any", "chatbot_id": "str", "linkage_ids": "any"}


def list_linkages(ctx: Ctx) -> Response:
    cid = require_agent(ctx, ctx.params["cid"])["chatbot_id"]
    rows, token = page(
        ctx,
        "SELECT * FROM linkages WHERE chatbot_id = ? AND linked = 1"
        " AND linkage_id > ? ORDER BY linkage_id LIMIT ?",
        (cid,),
        "linkage_id",
    )
    items = [linkage_answer(ctx.config, linkage_object(row, ctx.now)) for row in rows]
    return list_answer(ctx, items, token)


def _linkage_ids(value: object) -> list[int]:
    if not isinstance(value, list) or not 1 <= len(value) <= 100:
        raise bad_request("linkage_ids must be a list of 1 to 100 integers")
    if not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 2**63 - 1 for v in value
    ):
        raise bad_request("linkage_ids must be a list of 1 to 100 integers")
    return list(dict.fromkeys(int(v) for v in value))


def delink(ctx: Ctx) -> Response:
    """All or nothing: one id not linked to the chatbot and nothing is delinked."""
    body = ctx.request.json_object()
    unknown = sorted(set(body) - set(DELINK_SPEC))
    if unknown:
        raise bad_request(f"unknown field(s): {', '.join(unknown)}")
    project_id_of(body.get("project_id"))  # the app has already authorised it
    cid = require_agent(ctx, body.get("chatbot_id"))["chatbot_id"]
    ids = _linkage_ids(body.get("linkage_ids"))
    marks = ",".join("?" * len(ids))
    found = {
        int(row["linkage_id"])
        for row in ctx.db.execute(
            f"SELECT linkage_id FROM linkages WHERE chatbot_id = ? AND linked = 1"
            f" AND linkage_id IN ({marks})",
            (cid, *ids),
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise not_found(f"linkage(s) not linked to chatbot {cid}: {missing}", "LINKAGE")
    ctx.db.execute(
        f"UPDATE linkages SET linked = 0, delinked_at = ? WHERE linkage_id IN ({marks})",
        (ctx.now, *ids),
    )
    return ok({"delinked": ids}, "Assets delinked successfully")


def add_text(ctx: Ctx) -> Response:
    body = ctx.request.json_object()
    check_body(body, TEXT_SPEC, required=("chatbot_id", "content"))
    agent = require_agent(ctx, body["chatbot_id"])
    content = check_length("content", body["content"], MAX_TEXT_CHARS, non_empty=True)
    name = check_length("file_name", body.get("file_name") or "Untitled text", MAX_NAME_CHARS)
    data = content.encode("utf-8")
    asset = NewAsset(ctx.project_id, "text", name, data, content)
    row = link_asset(
        ctx.db,
        asset,
        agent["chatbot_id"],
        agent["llm_source"],
        ctx.now,
        processing_for(data, ctx.now, ctx.config.processing_seconds),
    )
    return bare(
        {
            "linkage_id": row["linkage_id"],
            "llm_source": text_llm_source(ctx.config, name, row["llm_source"]),
            "chatbot_id": row["chatbot_id"],
            "asset_id": row["asset_id"],
            "status": linkage_status(row, ctx.now),
        }
    )


def _check_file(part: Part | None) -> tuple[str, bytes]:
    if part is None or part.filename is None:
        raise bad_request("missing required file part: file")
    name = part.filename
    check_length("file name", name, MAX_NAME_CHARS, non_empty=True)
    if not name.lower().endswith(tuple(FILE_EXTENSIONS)):
        raise ApiError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"file type not supported: {name}; allowed: " + " ".join(FILE_EXTENSIONS),
        )
    if len(part.data) > MAX_FILE_BYTES:
        raise ApiError(413, "PAYLOAD_TOO_LARGE", f"file {name} is larger than 10 MB")
    if not part.data:
        raise bad_request(f"file {name} is empty")
    return name, part.data


def readable_text(name: str, data: bytes) -> str | None:
    """The text chat answers from: text-like files decoded, HTML with its tags removed."""
    lower = name.lower()
    if not lower.endswith(TEXT_EXTENSIONS):
        return None
    text = data.decode("utf-8", "replace")
    if lower.endswith((".html", ".htm")):
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


def _form_text(parts: dict[str, Part], name: str) -> str | None:
    part = parts.get(name)
    if part is None:
        return None
    try:
        return part.data.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request(f"form field {name} must be UTF-8 text") from None


def _metadata(parts: dict[str, Part]) -> str | None:
    text = _form_text(parts, "metadata")
    if text is None or text == "":
        return None
    parse_json(text, "form field metadata")
    return text


def add_file(ctx: Ctx) -> Response:
    parts = parse_multipart(ctx.request.content_type, ctx.request.body)
    name, data = _check_file(parts.get("file"))
    metadata = _metadata(parts)
    chatbot_id = _form_text(parts, "chatbot_id")
    asset = NewAsset(ctx.project_id, "file", name, data, readable_text(name, data), None, metadata)
    if not chatbot_id:
        asset_id = insert_asset(ctx.db, asset, ctx.now)
        url = f"https://files.emulator.local/{ctx.project_id}/{asset_id}/{name}"
        ctx.db.execute("UPDATE assets SET url = ? WHERE asset_id = ?", (url, asset_id))
        return ok({"status": "Uploaded", "asset_url": url}, "File uploaded successfully")
    agent = require_agent(ctx, chatbot_id)
    seconds = ctx.config.processing_seconds
    processing = processing_for(data, ctx.now, seconds, file_ready_status(ctx.config))
    row = link_asset(ctx.db, asset, agent["chatbot_id"], agent["llm_source"], ctx.now, processing)
    payload: dict[str, Any] = {
        "linkage_id": row["linkage_id"],
        "chatbot_id": row["chatbot_id"],
        "asset_id": row["asset_id"],
        "status": linkage_status(row, ctx.now),
    }
    return ok(payload, "Chatbot asset linkage initiated.")
