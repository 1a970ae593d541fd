"""The remote calls behind each action kind; the executor decides order and outcomes.

Each step raises kbsync.errors.RobofyError (or OSError for a file that became
unreadable) on failure; the executor turns that into the action's Outcome.
"""

from __future__ import annotations

from pathlib import Path

from kbsync.apply.waiting import Watch
from kbsync.desired import markers
from kbsync.model import (
    CRAWL,
    FILE,
    READY,
    UPDATE_AGENT,
    UPDATE_PERSONA,
    UPDATE_PROMPT,
    UPDATE_SETTINGS,
    UPLOAD_KINDS,
    Action,
    DesiredAsset,
    Scalar,
)
from kbsync.robofy.api import RobofyApi


def new_values(action: Action) -> dict[str, Scalar]:
    """The fields an action sets: the ``new`` side of its changes."""
    return {change.field: change.new for change in action.changes}


def create_agent(api: RobofyApi, action: Action) -> str:
    """Create the agent from the plan's profile fields; returns its chatbot id."""
    profile = new_values(action)
    profile.setdefault("name", action.label or action.agent)
    return api.create_agent(profile)


def update(api: RobofyApi, action: Action, chatbot_id: str) -> None:
    """Profile, prompt, settings or persona: send only what the plan changes."""
    if action.kind == UPDATE_PROMPT:
        api.update_prompt(chatbot_id, action.new_text or "")
    elif action.kind == UPDATE_AGENT:
        api.update_agent(chatbot_id, new_values(action))
    elif action.kind == UPDATE_SETTINGS:
        api.update_settings(chatbot_id, new_values(action))
    elif action.kind == UPDATE_PERSONA:
        api.update_persona(chatbot_id, new_values(action))
    else:
        raise ValueError(f"not an update action: {action.kind}")


def start(api: RobofyApi, action: Action, chatbot_id: str) -> Watch:
    """Upload an asset or start a crawl; returns what to wait for."""
    if action.kind in UPLOAD_KINDS:
        return upload(api, _asset(action), chatbot_id)
    if action.kind == CRAWL and action.site is not None:
        run = api.crawl(chatbot_id, action.site)
        return Watch(chatbot_id, run_id=run.run_id)
    raise ValueError(f"action {action.kind} for {action.source_key} carries no payload")


def upload(api: RobofyApi, asset: DesiredAsset, chatbot_id: str) -> Watch:
    """Upload under the ownership marker, so later plans recognise the asset as ours."""
    name = markers.encode(asset.source_key, asset.fingerprint)
    if asset.kind == FILE:
        if asset.path is None:
            raise ValueError(f"{asset.source_key}: the plan carries no file path")
        linkage = api.add_file(chatbot_id, name, Path(asset.path))
    else:
        linkage = api.add_text(chatbot_id, name, asset.content or "")
    # an add Robofy already answered as ready needs no poll to confirm it
    ready = linkage.state == READY
    return Watch(chatbot_id, asset_name=name, linkage_id=linkage.linkage_id, ready=ready)


def _asset(action: Action) -> DesiredAsset:
    if action.asset is None:
        raise ValueError(f"action {action.kind} for {action.source_key} carries no asset")
    return action.asset


def delink(api: RobofyApi, chatbot_id: str, linkage_ids: list[int]) -> set[int]:
    """Delink; returns the ids no longer linked, as the client confirmed them.

    The client already resolves a 404 (say, after a dropped response to an earlier
    attempt) by listing the agent's linkages: ids no longer listed count as delinked.
    """
    return set(api.delink(chatbot_id, linkage_ids)) & set(linkage_ids)
