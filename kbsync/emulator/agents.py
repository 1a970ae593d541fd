"""Handlers: agents, AI settings (with the system prompt) and persona."""

from __future__ import annotations

import json
import secrets
from typing import Any

from kbsync.emulator.context import Ctx
from kbsync.emulator.dialect import agent_answer, list_answer
from kbsync.emulator.objects import agent_object, page, require_agent
from kbsync.emulator.validate import check_body, check_length
from kbsync.emulator.wire import Response, bad_request, ok

AGENT_SPEC = {
    "name": "str",
    "language": "str",
    "description": "str",
    "type": "int",
    "access_type": "int",
    "avatar_url": "str",
    "llm_source": "int",
}
AGENT_DEFAULTS: dict[str, Any] = {
    "description": "",
    "type": 1,
    "access_type": 1,
    "avatar_url": "",
    "llm_source": 1,
}
SETTINGS_SPEC = {
    "system_prompt_text": "str",
    "llm_api_key": "str",
    "not_found_answer": "str",
    "tone": "str",
    "chunk_overlap": "int?",
    "enable_chatbot_memory": "bool",
    "question_pre_processing": "bool",
    "past_questions_limit": "int",
    "temperature": "str",
    "thinking_mode": "str",
    "chunk_size": "int",
}
DEFAULT_SETTINGS: dict[str, Any] = {
    "system_prompt_text": "",
    "llm_api_key": "",
    "not_found_answer": "Sorry, I could not find an answer to that in my knowledge base.",
    "tone": "professional",
    "chunk_overlap": None,
    "enable_chatbot_memory": True,
    "question_pre_processing": False,
    "past_questions_limit": 5,
    "temperature": "0.5",
    "thinking_mode": "1",
    "chunk_size": 1000,
}
MAX_PROMPT_CHARS = 100_000


def _check_agent_strings(body: dict[str, Any]) -> None:
    for name in ("name", "language"):
        if name in body:
            check_length(name, body[name], 255, non_empty=True)
    for name in ("description", "avatar_url"):
        if name in body:
            check_length(name, body[name], 2000)


def list_agents(ctx: Ctx) -> Response:
    rows, token = page(
        ctx,
        "SELECT * FROM agents WHERE project_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        (ctx.project_id,),
        "seq",
    )
    items = [agent_answer(ctx.config, agent_object(ctx.db, row)) for row in rows]
    return list_answer(ctx, items, token)


def create_agent(ctx: Ctx) -> Response:
    body = ctx.request.json_object()
    check_body(body, AGENT_SPEC, required=("name", "language"))
    _check_agent_strings(body)
    return ok(insert_agent(ctx, {**AGENT_DEFAULTS, **body}), "Chatbot created successfully")


def insert_agent(ctx: Ctx, fields: dict[str, Any]) -> str:
    """Store a new agent with default settings and an empty persona; returns its id."""
    chatbot_id = "cb_" + secrets.token_hex(6)
    ctx.db.execute(
        "INSERT INTO agents (chatbot_id, project_id, name, description, type, access_type,"
        " avatar_url, llm_source, language, created_at, updated_at)"
        " VALUES (:cid, :pid, :name, :description, :type, :access_type, :avatar_url,"
        " :llm_source, :language, :now, :now)",
        {**fields, "cid": chatbot_id, "pid": ctx.project_id, "now": ctx.now},
    )
    ctx.db.execute(
        "INSERT INTO settings (chatbot_id, body) VALUES (?, ?)",
        (chatbot_id, json.dumps(DEFAULT_SETTINGS)),
    )
    ctx.db.execute("INSERT INTO personas (chatbot_id, body) VALUES (?, '{}')", (chatbot_id,))
    return chatbot_id


def get_agent(ctx: Ctx) -> Response:
    agent = agent_object(ctx.db, require_agent(ctx, ctx.params["cid"]))
    return ok(agent_answer(ctx.config, agent))


def update_agent(ctx: Ctx) -> Response:
    row = require_agent(ctx, ctx.params["cid"])
    body = ctx.request.json_object()
    check_body(body, AGENT_SPEC)
    _check_agent_strings(body)
    for name, value in body.items():  # names come from AGENT_SPEC only
        ctx.db.execute(
            f"UPDATE agents SET {name} = ? WHERE chatbot_id = ?", (value, row["chatbot_id"])
        )
    ctx.db.execute(
        "UPDATE agents SET updated_at = ? WHERE chatbot_id = ?", (ctx.now, row["chatbot_id"])
    )
    return ok(agent_object(ctx.db, require_agent(ctx, row["chatbot_id"])), "Chatbot updated")


def delete_agent(ctx: Ctx) -> Response:
    """Deletes the agent, its settings and persona; its linkages are delinked, not erased."""
    cid = require_agent(ctx, ctx.params["cid"])["chatbot_id"]
    for table in ("agents", "settings", "personas"):
        ctx.db.execute(f"DELETE FROM {table} WHERE chatbot_id = ?", (cid,))
    ctx.db.execute(
        "UPDATE linkages SET linked = 0, delinked_at = ? WHERE chatbot_id = ? AND linked = 1",
        (ctx.now, cid),
    )
    return Response(200, {"message": "Chatbot deleted successfully"})


def read_json_column(ctx: Ctx, table: str, chatbot_id: str) -> dict[str, Any]:
    row = ctx.db.execute(f"SELECT body FROM {table} WHERE chatbot_id = ?", (chatbot_id,)).fetchone()
    value: dict[str, Any] = json.loads(row["body"]) if row else {}
    return value


def write_json_column(ctx: Ctx, table: str, chatbot_id: str, value: dict[str, Any]) -> None:
    ctx.db.execute(
        f"INSERT OR REPLACE INTO {table} (chatbot_id, body) VALUES (?, ?)",
        (chatbot_id, json.dumps(value)),
    )


def get_settings(ctx: Ctx) -> Response:
    cid = require_agent(ctx, ctx.params["cid"])["chatbot_id"]
    return ok({**DEFAULT_SETTINGS, **read_json_column(ctx, "settings", cid)})


def update_settings(ctx: Ctx) -> Response:
    cid = require_agent(ctx, ctx.params["cid"])["chatbot_id"]
    body = ctx.request.json_object()
    check_body(body, SETTINGS_SPEC)
    if "system_prompt_text" in body:
        check_length("system_prompt_text", body["system_prompt_text"], MAX_PROMPT_CHARS)
    merged = {**DEFAULT_SETTINGS, **read_json_column(ctx, "settings", cid), **body}
    write_json_column(ctx, "settings", cid, merged)
    return ok(merged, "Settings updated successfully")


def get_persona(ctx: Ctx) -> Response:
    cid = require_agent(ctx, ctx.params["cid"])["chatbot_id"]
    return ok(read_json_column(ctx, "personas", cid))


def update_persona(ctx: Ctx) -> Response:
    cid = require_agent(ctx, ctx.params["cid"])["chatbot_id"]
    body = ctx.request.json_object()
    for name, value in body.items():
        if not name.strip() or len(name) > 255:
            raise bad_request("persona field names must be 1 to 255 characters")
        if not (value is None or isinstance(value, (str, int, float, bool))):
            raise bad_request(f"persona field {name} must be a string, number, boolean or null")
    merged = {**read_json_column(ctx, "personas", cid), **body}
    write_json_column(ctx, "personas", cid, merged)
    return ok(merged, "Persona updated successfully")
