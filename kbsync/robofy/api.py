"""The interface the rest of kbsync uses to talk to Robofy.

``kbsync.robofy.client.RobofyClient`` implements it over httpx; every method
speaks kbsync's own types (kbsync.model) and raises kbsync.errors.RobofyError
subclasses. Nothing outside ``kbsync.robofy`` knows Robofy's JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from kbsync.conversations import InboxMessage, SessionPage
from kbsync.model import CrawlRun, DesiredSite, RemoteAgent, RemoteLinkage, RemoteSettings, Scalar


class RobofyApi(Protocol):
    project_id: int

    # agents
    def list_agents(self) -> list[RemoteAgent]:
        """Every agent of the project (all pages)."""
        ...

    def create_agent(self, profile: dict[str, Scalar]) -> str:
        """Create an agent from kbsync profile fields; returns the new chatbot id."""
        ...

    def update_agent(self, chatbot_id: str, profile: dict[str, Scalar]) -> None: ...

    # system prompt, settings, persona
    def get_settings(self, chatbot_id: str) -> RemoteSettings:
        """Prompt and settings; the llm_api_key secret is dropped on read."""
        ...

    def update_prompt(self, chatbot_id: str, prompt: str) -> None: ...

    def update_settings(self, chatbot_id: str, values: dict[str, Scalar]) -> None:
        """Send only the given settings (native types; the client converts to wire types)."""
        ...

    def get_persona(self, chatbot_id: str) -> dict[str, Scalar]: ...

    def update_persona(self, chatbot_id: str, values: dict[str, Scalar]) -> None: ...

    # linked assets
    def list_linkages(self, chatbot_id: str) -> list[RemoteLinkage]:
        """Every linked asset of the agent (all pages)."""
        ...

    def add_text(self, chatbot_id: str, file_name: str, content: str) -> RemoteLinkage:
        """POST a text. Raises UncertainWriteError when the outcome is unknown."""
        ...

    def add_file(self, chatbot_id: str, file_name: str, path: Path) -> RemoteLinkage:
        """POST a file as multipart, streamed from disk under ``file_name``.

        Raises UncertainWriteError when the outcome is unknown."""
        ...

    def delink(self, chatbot_id: str, linkage_ids: list[int]) -> list[int]:
        """Delink up to 100 ids per request (the client batches); returns those delinked."""
        ...

    # websites
    def crawl(self, chatbot_id: str, site: DesiredSite) -> CrawlRun:
        """Start a crawl. Raises UncertainWriteError when the outcome is unknown."""
        ...

    def crawl_runs(self, chatbot_id: str, run_id: str | None = None) -> list[CrawlRun]:
        """Crawl runs, newest first."""
        ...

    # inbox (conversations)
    def list_sessions(self, chatbot_id: str, since: float, max_sessions: int) -> SessionPage:
        """Sessions active at or after ``since`` (epoch seconds), at most ``max_sessions``."""
        ...

    def list_messages(self, chatbot_id: str, session_id: str) -> list[InboxMessage]:
        """Every message of one session, oldest first."""
        ...

    # chat, account
    def chat(self, chatbot_id: str, query: str, session_id: str | None = None) -> str: ...

    def chat_messages_sent(self) -> int:
        """Chat requests really sent so far, re-sends included (fair use counts them all)."""
        ...

    def get_project(self) -> dict[str, Scalar]: ...

    def account_limits(self) -> dict[str, int]:
        """Recognised limits/usage (max_files, used_files, ...); {} when unavailable."""
        ...

    def close(self) -> None: ...
