"""The manifest's shape, written once: validation and `kbsync schema` both read it."""

from __future__ import annotations

from typing import Any

from kbsync.manifest.durations import DURATION_PATTERN
from kbsync.manifest.json_schema import to_json_schema
from kbsync.manifest.statuses import API
from kbsync.manifest.validation import (
    AnyOf,
    Arr,
    Bool,
    Int,
    Null,
    Num,
    Obj,
    Schema,
    Str,
)
from kbsync.robofy import contract as c

_DURATION_HINT = "is not a duration: write a number and a unit, e.g. 30m, 12h, 7d, 2w"
# an http(s) URL with no whitespace or control character anywhere (a space, a newline or a
# NUL would be crawled as written); the lookahead, not $, because $ allows a final newline
_HTTP_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://(?![\s\S]*[\s\x00-\x1f\x7f])"
_HTTP_HINT = "is not an http(s) URL without spaces or control characters (write %20 for a space)"


def _strs(description: str) -> Schema:
    return AnyOf((Str(), Arr(Str())), description)


def _url(description: str, max_length: int | None = None) -> Str:
    return Str(description, pattern=_HTTP_PATTERN, pattern_hint=_HTTP_HINT, max_length=max_length)


def _file_ref(description: str) -> Obj:
    path = Str(
        "Path relative to the manifest's folder; the file is UTF-8, taken exactly as written.",
        min_length=1,
    )
    return Obj({"file": path}, description, required=("file",))


PROFILE: dict[str, Schema] = {
    "description": Str("The agent's profile description.", max_length=c.MAX_PROFILE_TEXT_CHARS),
    "language": Str(
        "The agent's language code, e.g. en.", min_length=1, max_length=c.MAX_NAME_CHARS
    ),
    "avatar_url": _url(
        "URL of the agent's avatar image (http or https).", c.MAX_PROFILE_TEXT_CHARS
    ),
    "type": Int("Robofy agent type (integer)."),
    "access_type": Int("Robofy access type (integer)."),
    "llm_source": Int("Robofy LLM source (integer)."),
}

SETTINGS = Obj(
    {
        "not_found_answer": Str("What the agent answers when its knowledge has nothing."),
        "tone": Str("The answer tone, e.g. Professional And Friendly."),
        "temperature": Num("Sampling temperature.", minimum=0, maximum=2),
        "chunk_size": Int("Knowledge chunk size.", minimum=1),
        "chunk_overlap": AnyOf((Int(minimum=0), Null()), "Knowledge chunk overlap, or null."),
        "past_questions_limit": Int("How many past questions the agent remembers.", minimum=0),
        "enable_chatbot_memory": Bool("Remember the conversation."),
        "question_pre_processing": Bool("Rewrite questions before searching."),
        "thinking_mode": AnyOf(
            (Str(), Int()), 'Thinking mode, e.g. "1" (a number is taken as text).'
        ),
    },
    "AI settings; only the keys written here are managed. llm_api_key is refused: "
    "secrets never go in the manifest.",
    forbidden={
        "llm_api_key": "llm_api_key must not be in the manifest: kbsync never sends or "
        "stores the LLM key (set it once in Robofy); the Robofy key comes from ROBOFY_API_KEY",
    },
)

PERSONA = Obj(
    {},
    "Persona: an open map of flat values (string, number, boolean, null) sent as-is; "
    "only the keys written here are managed.",
    values=AnyOf((Str(), Num(), Bool(), Null())),
    keys=Str(min_length=1, max_length=c.MAX_NAME_CHARS),
)

WEBSITE = Obj(
    {
        "url": _url(
            "Start URL of the crawl, http or https. Normalized: scheme and host lowercased, "
            "default port and #fragment dropped. The same URL twice in one agent is an error."
        ),
        "max_pages": Int("Most pages to crawl.", minimum=1, maximum=c.MAX_CRAWL_PAGES),
        "max_depth": Int(
            "Most link hops from the start URL.", minimum=0, maximum=c.MAX_CRAWL_DEPTH
        ),
        "include": _strs(
            "Only pages matching these URL patterns; a trailing * matches any rest. "
            "One pattern or a list."
        ),
        "exclude": _strs("Skip pages matching these URL patterns (a trailing * = prefix)."),
        "use_sitemap": Bool("Also follow the site's sitemap."),
        "main": Bool("This is the agent's main website (at most one per agent)."),
        "recrawl": Str(
            "Crawl again when the newest crawl is older than this: a number and a unit "
            "s, m, h, d, w, combinable (30m, 12h, 7d, 1d12h).",
            pattern=DURATION_PATTERN,
            pattern_hint=_DURATION_HINT,
        ),
    },
    "A website to crawl.",
    required=("url",),
)

TEXT = Obj(
    {
        "name": Str(
            "Unique name of the text within the agent: its identity (text:NAME).", min_length=1
        ),
        "content": Str("The text itself.", min_length=1),
        "file": Str(
            "...or a UTF-8 file holding it, relative to the manifest (a leading BOM is dropped).",
            min_length=1,
        ),
    },
    "A text snippet, inline or from a file: give exactly one of content and file.",
    required=("name",),
    exactly_one=("content", "file"),
)

FILES = Obj(
    {
        "path": Str("A folder, or one file, relative to the manifest.", min_length=1),
        "include": _strs(
            "Files to take, gitignore syntax relative to the folder "
            "(default: every supported type)."
        ),
        "exclude": _strs("Files to leave out, gitignore syntax relative to the folder."),
        "oversize": Str(
            "A file over 10 MB in the folder: skip it with a warning (default), or error.",
            enum=("skip", "error"),
        ),
    },
    "Files to upload from a folder or one file.",
    required=("path",),
)

KNOWLEDGE = Obj(
    {
        "websites": Arr(WEBSITE, "Websites to crawl."),
        "texts": Arr(TEXT, "Texts to add."),
        "files": Arr(FILES, "Files to upload."),
    },
    "What the agent knows.",
)

CHECK = Obj(
    {
        "ask": Str("A question for `kbsync check`.", min_length=1, max_length=c.MAX_QUERY_CHARS),
        "expect": _strs("Words the answer must contain (one or a list)."),
        "expect_not": _strs("Words the answer must not contain (one or a list)."),
    },
    "A golden question.",
    required=("ask",),
)

PROMPT = AnyOf(
    (Str(max_length=c.MAX_PROMPT_CHARS), _file_ref("Read the prompt from a file.")),
    "The system prompt: a string, or {file: path}.",
)
PRUNE = Str(
    "What plan and apply may delink: managed (default: what kbsync itself added and the "
    "manifest no longer declares), all (every linked asset the manifest does not declare), "
    "or none (never delink).",
    enum=("managed", "all", "none"),
)

AGENT = Obj(
    {
        "name": Str(
            "The agent's name in Robofy. Without id, the remote agent is found by this exact "
            "name; no two agents may share one.",
            min_length=1,
            max_length=c.MAX_NAME_CHARS,
        ),
        "id": AnyOf(
            (Str(min_length=1), Int(), Null()),
            "Pin an existing chatbot id (then name may change freely); null: not pinned.",
        ),
        **PROFILE,
        "prompt": PROMPT,
        "settings": SETTINGS,
        "persona": PERSONA,
        "prune": PRUNE,
        "knowledge": KNOWLEDGE,
        "checks": Arr(CHECK, "Golden questions for `kbsync check`."),
    },
    "One agent; its key (letters, digits, _ . -) is its identity in this manifest.",
    required=("name",),
)

_PER_AGENT = "is set per agent, not in defaults"
DEFAULTS = Obj(
    {**PROFILE, "prompt": PROMPT, "settings": SETTINGS, "persona": PERSONA, "prune": PRUNE},
    "Merged under every agent (settings and persona key by key; the agent wins).",
    forbidden={key: f"{key} {_PER_AGENT}" for key in ("name", "id", "knowledge", "checks")},
)

MANIFEST = Obj(
    {
        "version": Int("Manifest format version. Only 1 exists."),
        "project": Int("Your Robofy project id (usually ${ROBOFY_PROJECT_ID}).", minimum=1),
        "defaults": DEFAULTS,
        "agents": Obj({}, "The agents, by key. At least one.", values=AGENT),
        "api": API,
    },
    "A kbsync manifest.",
    required=("version", "project", "agents"),
)


def manifest_json_schema() -> dict[str, Any]:
    """The manifest's JSON Schema document, as `kbsync schema` prints it."""
    document: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "kbsync manifest",
    }
    document.update(to_json_schema(MANIFEST))
    document["properties"]["version"]["const"] = 1
    agents = document["properties"]["agents"]
    agents["propertyNames"] = {"pattern": AGENT_KEY_PATTERN}
    agents["minProperties"] = 1  # validate: "no agents declared"
    return document


AGENT_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
