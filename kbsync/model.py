"""kbsync's own data: desired state, remote state, actions, plans and outcomes.

Everything here is immutable (NamedTuple, evolved with ``_replace``) and knows
nothing of YAML, HTTP or Robofy's JSON. The manifest/sources side produces the
Desired* types, ``kbsync.robofy`` produces the Remote* types, the planner turns
both into a Plan, the executor turns a Plan into Outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from kbsync.errors import Problem

# --- scalar vocabularies -----------------------------------------------------


class Word(str, Enum):
    """A closed vocabulary. A member is its own string: it equals it, hashes like it and
    reads as it in f-strings and JSON, so saved plans and rendered output are unchanged,
    while mypy keeps one vocabulary's words out of another's fields."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class AssetState(Word):
    """kbsync's own asset and crawl-run states (docs/robofy-contract.md maps Robofy's free
    strings onto these)."""

    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


PENDING = AssetState.PENDING
READY = AssetState.READY
FAILED = AssetState.FAILED

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

# the shared empty default of mapping fields: read-only, so no instance can change another's
NO_VALUES: Mapping[str, Scalar] = MappingProxyType({})
NO_NAMES: Mapping[str, str] = MappingProxyType({})


class PruneMode(Word):
    """What ``plan`` may delink of an agent's knowledge (``prune:`` in the manifest)."""

    MANAGED = "managed"  # kbsync's own items that left the manifest, duplicates, failed copies
    ALL = "all"  # also pages of no declared site and texts/files added in the dashboard
    NONE = "none"  # nothing


# --- desired state (from the manifest) ---------------------------------------


class DesiredAsset(NamedTuple):
    """A text or a file kbsync uploads, identified by its source key."""

    source_key: str  # "text:<name>" or "file:<path relative to the manifest>"
    kind: str  # TEXT or FILE
    fingerprint: str  # sha256 hex of exactly the bytes uploaded (texts: name + content)
    size: int  # bytes uploaded
    display_name: str  # the text's name or the file's relative path (posix)
    content: str | None = None  # texts only: the content sent
    path: str | None = None  # files only: absolute path, a Path only when streamed at upload


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
    profile: Mapping[str, Scalar] = NO_VALUES  # declared profile fields only (includes "name")
    prompt: str | None = None  # system prompt; None = not declared
    settings: Mapping[str, Scalar] = NO_VALUES  # declared AI settings only (never llm_api_key)
    persona: Mapping[str, Scalar] | None = None  # None = not declared
    prune: PruneMode = PruneMode.MANAGED
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
    file_fingerprints: Mapping[str, str] = NO_NAMES
    # validate only: where each unset ${VAR} taken as a placeholder is first used (Problem)
    unset: tuple[Problem, ...] = ()
    statuses: Mapping[str, str] = NO_NAMES  # the manifest's `api:` section: Robofy status -> state


# --- remote state (from Robofy) ----------------------------------------------


class RemoteAgent(NamedTuple):
    chatbot_id: str
    name: str
    profile: Mapping[str, Scalar] = NO_VALUES  # PROFILE_FIELDS as Robofy reports them
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
    state: AssetState
    raw_status: str = ""
    created_at: str = ""  # "YYYY-MM-DD HH:MM:SS" UTC


class CrawlRun(NamedTuple):
    run_id: str
    state: AssetState  # PENDING (running) | READY (completed) | FAILED
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


class ActionKind(Word):
    """What an action does, in apply order."""

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


# the kinds under their old names (code written against them keeps working)
CREATE_AGENT = ActionKind.CREATE_AGENT
UPDATE_AGENT = ActionKind.UPDATE_AGENT
UPDATE_PROMPT = ActionKind.UPDATE_PROMPT
UPDATE_SETTINGS = ActionKind.UPDATE_SETTINGS
UPDATE_PERSONA = ActionKind.UPDATE_PERSONA
ADD_TEXT = ActionKind.ADD_TEXT
ADD_FILE = ActionKind.ADD_FILE
REPLACE_TEXT = ActionKind.REPLACE_TEXT
REPLACE_FILE = ActionKind.REPLACE_FILE
CRAWL = ActionKind.CRAWL
WAIT_CRAWL = ActionKind.WAIT_CRAWL
DELINK = ActionKind.DELINK

ACTION_KINDS = tuple(ActionKind)

# groups of action kinds, defined once for the executor, the limits and the renderers
UPDATE_KINDS = (UPDATE_AGENT, UPDATE_PROMPT, UPDATE_SETTINGS, UPDATE_PERSONA)
ADD_KINDS = (ADD_TEXT, ADD_FILE)
REPLACE_KINDS = (REPLACE_TEXT, REPLACE_FILE)
UPLOAD_KINDS = ADD_KINDS + REPLACE_KINDS  # a text or file sent to Robofy
FILE_UPLOAD_KINDS = (ADD_FILE, REPLACE_FILE)
# an agent's new content in a run: its prunes wait until all of it is confirmed ready
CONTENT_KINDS = (*UPLOAD_KINDS, CRAWL, WAIT_CRAWL)


class DelinkReason(Word):
    """Why a delink is sent; only a PRUNE removes content a person may still want."""

    PRUNE = "prune"  # the manifest no longer declares it (counted by guards and --max-delete)
    # an older version of a declared key whose declared version is ready: it completes a
    # replacement (make-before-break), so every prune mode and watch without --prune send it
    SUPERSEDED = "superseded"
    # a copy that failed processing in Robofy: it holds no content, so delinking it loses
    # nothing; it is sent even after another failure
    FAILED_COPY = "failed_copy"


class FieldChange(NamedTuple):
    field: str
    old: Scalar
    new: Scalar


class Action(NamedTuple):
    agent: str  # desired agent key
    kind: ActionKind
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
    delink_reason: DelinkReason = DelinkReason.PRUNE  # delink only

    @property
    def is_prune(self) -> bool:
        """A delink of content a person may still want: guards count it, --max-delete limits
        it, watch without --prune holds it, it waits for the agent's new content."""
        return self.kind == DELINK and self.delink_reason == DelinkReason.PRUNE

    @property
    def superseded(self) -> bool:
        return self.kind == DELINK and self.delink_reason == DelinkReason.SUPERSEDED

    @property
    def holds_no_content(self) -> bool:
        return self.kind == DELINK and self.delink_reason == DelinkReason.FAILED_COPY


class Note(NamedTuple):
    """Something the plan wants a person to know that is not an action."""

    agent: str
    message: str


class Plan(NamedTuple):
    project: int
    actions: tuple[Action, ...]
    notes: tuple[Note, ...] = ()
    refusals: tuple[str, ...] = ()  # guard refusals: a plan with refusals is not applied
    agent_ids: Mapping[str, str] = NO_NAMES  # desired agent key -> matched chatbot id
    # what the planned agents' folder entries leave out: agent key -> files (kbsync.desired.skipped)
    skipped: Mapping[str, tuple[SkippedFile, ...]] = MappingProxyType({})

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


class Status(Word):
    """How an action ended (not an asset's state: see AssetState)."""

    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    STILL_RUNNING = "still_running"


DONE = Status.DONE
FAILED_OUTCOME = Status.FAILED
SKIPPED = Status.SKIPPED
STILL_RUNNING = Status.STILL_RUNNING


class Outcome(NamedTuple):
    action: Action
    status: Status
    message: str = ""


class ApplyResult(NamedTuple):
    outcomes: tuple[Outcome, ...]
    notes: tuple[str, ...] = ()
    pending_statuses: tuple[str, ...] = ()  # raw statuses of items still pending after the wait

    @property
    def failed(self) -> bool:
        return any(o.status in (FAILED_OUTCOME, STILL_RUNNING) for o in self.outcomes)
