"""kbsync's own data: desired state, remote state, actions, plans and outcomes.

Everything here is immutable (NamedTuple, evolved with ``_replace``) and knows
nothing of YAML, HTTP or Robofy's JSON. The manifest/sources side produces the
Desired* types, ``kbsync.robofy`` produces the Remote* types, the planner turns
both into a Plan, the executor turns a Plan into Outcomes.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from kbsync.errors import Problem

# --- scalar vocabularies -----------------------------------------------------

# kbsync's own asset states (CONTRACT.md maps Robofy's free strings onto these)
PENDING = "pending"
READY = "ready"
FAILED = "failed"

# asset types as kbsync names them
TEXT = "text"
FILE = "file"
URL = "url"

# the profile fields an agent may declare (compared only when declared)
PROFILE_FIELDS = (
    "name",
    "description",
    "language",
    "avatar_url",
    "type",
    "access_type",
    "llm_source",
)

# settings never compared, planned, shown or sent, whatever a manifest says
SECRET_FIELDS = frozenset({"llm_api_key"})

Scalar = str | int | float | bool | None


# --- desired state (from the manifest) ---------------------------------------


class DesiredAsset(NamedTuple):
    """A text or a file kbsync uploads, identified by its source key."""

    source_key: str  # "text:<name>" or "file:<path relative to the manifest>"
    kind: str  # TEXT or FILE
    fingerprint: str  # sha256 hex of exactly the bytes uploaded (texts: name + content)
    size: int  # bytes uploaded
    display_name: str  # the text's name or the file's relative path (posix)
    content: str | None = None  # texts only: the content sent
    path: Path | None = None  # files only: absolute path, streamed at upload time


class DesiredSite(NamedTuple):
    """A website to crawl."""

    source_key: str  # "site:<normalized start url>"
    url: str  # normalized start URL
    max_pages: int | None = None
    max_depth: int | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    use_sitemap: bool = False
    main: bool = False
    recrawl_seconds: float | None = None


class GoldenCheck(NamedTuple):
    ask: str
    expect: tuple[str, ...] = ()
    expect_not: tuple[str, ...] = ()


class SkippedFile(NamedTuple):
    """A file of a folder entry that kbsync does not upload, and why (SKIP_REASONS)."""

    path: str  # relative to the manifest
    reason: str


SKIP_UNSUPPORTED = "unsupported type"
SKIP_OVERSIZE = "over 10 MB"
SKIP_REASONS = (SKIP_UNSUPPORTED, SKIP_OVERSIZE)


class DesiredAgent(NamedTuple):
    key: str  # the agent's key in the manifest
    name: str
    id: str | None = None  # pinned chatbot id
    profile: dict[str, Scalar] = {}  # declared profile fields only (includes "name")
    prompt: str | None = None  # system prompt; None = not declared
    settings: dict[str, Scalar] = {}  # declared AI settings only (never llm_api_key)
    persona: dict[str, Scalar] | None = None  # None = not declared
    prune: str = "managed"
    declares_knowledge: bool = False  # the manifest has any knowledge entry for this agent
    texts: tuple[DesiredAsset, ...] = ()
    files: tuple[DesiredAsset, ...] = ()
    sites: tuple[DesiredSite, ...] = ()
    checks: tuple[GoldenCheck, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()  # what its folder entries leave out, by path

    @property
    def assets(self) -> tuple[DesiredAsset, ...]:
        return self.texts + self.files


class DesiredState(NamedTuple):
    project: int
    agents: tuple[DesiredAgent, ...]
    manifest_path: Path
    manifest_fingerprint: str  # sha256 of the manifest file's bytes
    # every file read (prompts, texts, docs): path relative to the manifest -> sha256
    file_fingerprints: dict[str, str] = {}
    # validate only: where each unset ${VAR} taken as a placeholder is first used (Problem)
    unset: tuple[Problem, ...] = ()
    statuses: dict[str, str] = {}  # the manifest's `api:` section: Robofy status -> state


# --- remote state (from Robofy) ----------------------------------------------


class RemoteAgent(NamedTuple):
    chatbot_id: str
    name: str
    profile: dict[str, Scalar] = {}  # PROFILE_FIELDS as Robofy reports them
    status: str = ""
    # not "": the listing carried no field kbsync reads as a name; says where and what was seen
    unreadable: str = ""


class RemoteSettings(NamedTuple):
    prompt: str  # system prompt text
    values: dict[str, Scalar]  # the other settings, native types (temperature: float); no secret


class RemoteLinkage(NamedTuple):
    linkage_id: int
    asset_id: int | None
    asset_type: str  # TEXT | FILE | URL
    asset_name: str  # file name / text file_name (where the marker lives) / page URL
    state: str  # PENDING | READY | FAILED
    raw_status: str = ""
    created_at: str = ""  # "YYYY-MM-DD HH:MM:SS" UTC


class CrawlRun(NamedTuple):
    run_id: str
    state: str  # PENDING (running) | READY (completed) | FAILED
    start_urls: tuple[str, ...] = ()
    pages_found: int = 0
    pages_crawled: int = 0
    started_at: str = ""
    finished_at: str | None = None
    error: str | None = None


class RemoteAgentState(NamedTuple):
    agent: RemoteAgent
    settings: RemoteSettings
    persona: dict[str, Scalar] | None  # None = not read (no persona declared)
    linkages: tuple[RemoteLinkage, ...]
    crawls: tuple[CrawlRun, ...] | None = None  # None = not read (not needed)


class Inventory(NamedTuple):
    """What Robofy holds for the agents a manifest names."""

    agents: tuple[RemoteAgent, ...]  # every agent of the project
    states: dict[str, RemoteAgentState]  # desired agent key -> state (absent: no match)


# --- plans --------------------------------------------------------------------

# action kinds, in apply order
CREATE_AGENT = "create_agent"
UPDATE_AGENT = "update_agent"
UPDATE_PROMPT = "update_prompt"
UPDATE_SETTINGS = "update_settings"
UPDATE_PERSONA = "update_persona"
ADD_TEXT = "add_text"
ADD_FILE = "add_file"
REPLACE_TEXT = "replace_text"
REPLACE_FILE = "replace_file"
CRAWL = "crawl"
WAIT_CRAWL = "wait_crawl"
DELINK = "delink"

ACTION_KINDS = (
    CREATE_AGENT,
    UPDATE_AGENT,
    UPDATE_PROMPT,
    UPDATE_SETTINGS,
    UPDATE_PERSONA,
    ADD_TEXT,
    ADD_FILE,
    REPLACE_TEXT,
    REPLACE_FILE,
    CRAWL,
    WAIT_CRAWL,
    DELINK,
)

# groups of action kinds, defined once for the executor, the limits and the renderers
UPDATE_KINDS = (UPDATE_AGENT, UPDATE_PROMPT, UPDATE_SETTINGS, UPDATE_PERSONA)
ADD_KINDS = (ADD_TEXT, ADD_FILE)
REPLACE_KINDS = (REPLACE_TEXT, REPLACE_FILE)
UPLOAD_KINDS = ADD_KINDS + REPLACE_KINDS  # a text or file sent to Robofy
FILE_UPLOAD_KINDS = (ADD_FILE, REPLACE_FILE)
# an agent's new content in a run: its prunes wait until all of it is confirmed ready
CONTENT_KINDS = (*UPLOAD_KINDS, CRAWL, WAIT_CRAWL)


class FieldChange(NamedTuple):
    field: str
    old: Scalar
    new: Scalar


class Action(NamedTuple):
    agent: str  # desired agent key
    kind: str  # one of ACTION_KINDS
    reason: str  # a sentence a person can read
    source_key: str | None = None  # for assets and sites
    asset: DesiredAsset | None = None  # add/replace payload
    site: DesiredSite | None = None  # crawl payload
    changes: tuple[FieldChange, ...] = ()  # update_agent/settings/persona: old -> new per field
    old_text: str | None = None  # update_prompt / replace_text: previous text, for diffs
    new_text: str | None = None
    linkage_ids: tuple[int, ...] = ()  # delink: what to delink; replace: the old linkages
    label: str = ""  # delink: what is delinked, for people (asset name / URL)
    run_id: str | None = None  # wait_crawl: the running crawl
    # delink of an older version of a declared key whose declared version is ready: it
    # completes a replacement (make-before-break), so it is no prune: every prune mode and
    # watch without --prune send it, and it does not count toward --max-delete
    superseded: bool = False
    # delink of a copy that failed processing in Robofy: it holds no content, so delinking
    # it loses nothing; it is sent even after another failure and is not counted by guards
    holds_no_content: bool = False


class Note(NamedTuple):
    """Something the plan wants a person to know that is not an action."""

    agent: str
    message: str


class Plan(NamedTuple):
    project: int
    actions: tuple[Action, ...]
    notes: tuple[Note, ...] = ()
    refusals: tuple[str, ...] = ()  # guard refusals: a plan with refusals is not applied
    agent_ids: dict[str, str] = {}  # desired agent key -> matched chatbot id
    # what the planned agents' folder entries leave out: agent key -> files (kbsync.skipped)
    skipped: dict[str, tuple[SkippedFile, ...]] = {}

    @property
    def has_changes(self) -> bool:
        return bool(self.actions)


class PlanOptions(NamedTuple):
    now: float  # unix time; the planner never reads a clock
    max_delete: str | None = None  # "N" or "P%"; None = default rule
    recrawl: tuple[str, ...] = ()  # normalized site URLs, or ("all",)
    agents: tuple[str, ...] = ()  # restrict to these agent keys (empty = all)
    allow_delink: bool = True  # watch mode without --prune: False


# --- outcomes -----------------------------------------------------------------

DONE = "done"
FAILED_OUTCOME = "failed"
SKIPPED = "skipped"
STILL_RUNNING = "still_running"


class Outcome(NamedTuple):
    action: Action
    status: str  # DONE | FAILED_OUTCOME | SKIPPED | STILL_RUNNING
    message: str = ""


class ApplyResult(NamedTuple):
    outcomes: tuple[Outcome, ...]
    notes: tuple[str, ...] = ()
    pending_statuses: tuple[str, ...] = ()  # raw statuses of items still pending after the wait

    @property
    def failed(self) -> bool:
        return any(o.status in (FAILED_OUTCOME, STILL_RUNNING) for o in self.outcomes)
