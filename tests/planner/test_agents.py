"""Agent matching and the agent's own fields: profile, prompt, settings, persona."""

from __future__ import annotations

import pytest

from kbsync.errors import ConfigError
from kbsync.model import (
    ADD_FILE,
    ADD_TEXT,
    CRAWL,
    CREATE_AGENT,
    UPDATE_AGENT,
    UPDATE_PERSONA,
    UPDATE_PROMPT,
    UPDATE_SETTINGS,
    FieldChange,
    RemoteAgent,
    Scalar,
)
from kbsync.plan.planner import match_agents
from kbsync.plan.profile import same_value

from .builders import agent, desired, file, inventory, remote, rows, run, site, text

# --- matching -------------------------------------------------------------------

REMOTE = [
    RemoteAgent("cb-1", "Support"),
    RemoteAgent("cb-2", "Sales"),
    RemoteAgent("cb-3", "Twin"),
    RemoteAgent("cb-4", "Twin"),
]


@pytest.mark.parametrize(
    ("agents", "expected"),
    [
        ([agent("s", "Support")], {"s": "cb-1"}),
        ([agent("s", "Nobody")], {}),
        ([agent("s", "support")], {}),  # exact name only
        ([agent("t", "Twin", id="cb-4")], {"t": "cb-4"}),
        ([agent("x", "Renamed", id="cb-2")], {"x": "cb-2"}),  # id wins over name
        ([agent("s", "Support"), agent("x", "Sales")], {"s": "cb-1", "x": "cb-2"}),
    ],
)
def test_match_agents(agents: list, expected: dict[str, str]) -> None:
    matched = match_agents(agents, REMOTE)
    assert {k: r.chatbot_id for k, r in matched.items()} == expected


@pytest.mark.parametrize(
    ("agents", "message"),
    [
        ([agent("t", "Twin")], r"2 agents in the project are named 'Twin' \(ids cb-3, cb-4\); pin"),
        ([agent("s", "Support", id="cb-99")], "pinned id 'cb-99' is not an agent"),
        ([agent("a", "Support"), agent("b", "X", id="cb-1")], "would all manage chatbot cb-1"),
    ],
)
def test_match_agents_refuses(agents: list, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        match_agents(agents, REMOTE)


def test_a_pinned_agent_without_remote_state_is_an_error_not_a_create() -> None:
    with pytest.raises(ConfigError, match="pinned id 'cb-9'"):
        run(agent(id="cb-9"), None)


# --- create -----------------------------------------------------------------------


def test_new_agent_gets_everything() -> None:
    want = agent(
        profile={"description": "Answers"},
        prompt="Be kind.",
        settings={"temperature": 0.3},
        persona={"name": "Ava"},
        texts=(text("hours"),),
        files=(file("docs/faq.md"),),
        sites=(site(),),
    )
    result = run(want, None)
    assert rows(result) == [
        (CREATE_AGENT, None, ()),
        (UPDATE_PROMPT, None, ()),
        (UPDATE_SETTINGS, None, ()),
        (UPDATE_PERSONA, None, ()),
        (ADD_TEXT, "text:hours", ()),
        (ADD_FILE, "file:docs/faq.md", ()),
        (CRAWL, "site:https://docs.acme.example/", ()),
    ]
    create = result.actions[0]
    assert create.changes == (
        FieldChange("name", None, "Support"),
        FieldChange("description", None, "Answers"),
    )
    assert create.reason == "no agent named 'Support' in the project"
    assert result.actions[1].new_text == "Be kind."
    assert result.agent_ids == {}
    assert not result.refusals


# --- fields of a matched agent ------------------------------------------------------


@pytest.mark.parametrize(
    ("want", "have", "expected"),
    [
        pytest.param(
            {"profile": {"description": "New", "language": "en"}},
            {"profile": {"description": "Old", "language": "en", "avatar_url": "x"}},
            [(UPDATE_AGENT, "description", "Old", "New")],
            id="only-declared-profile-fields",
        ),
        pytest.param(
            {"settings": {"temperature": 0.3, "max_tokens": 500, "memory": True}},
            {"settings": {"temperature": "0.3", "max_tokens": 500.0, "memory": "true"}},
            [],
            id="tolerant-number-and-bool-compare",
        ),
        pytest.param(
            {"settings": {"temperature": 0.3, "tone": "Formal"}},
            {"settings": {"temperature": 0.7, "tone": "Formal", "other": 1}},
            [(UPDATE_SETTINGS, "temperature", 0.7, 0.3)],
            id="settings-per-field",
        ),
        pytest.param(
            {"settings": {"enable_chatbot_memory": False}},
            {"settings": {"enable_chatbot_memory": "true"}},
            [(UPDATE_SETTINGS, "enable_chatbot_memory", "true", False)],
            id="bool-differs",
        ),
        pytest.param(
            {"settings": {"not_found_answer": "Ask us"}},
            {"settings": {}},
            [(UPDATE_SETTINGS, "not_found_answer", None, "Ask us")],
            id="setting-missing-remotely",
        ),
        pytest.param(
            {"settings": {"llm_api_key": "sk-secret", "tone": "Formal"}},
            {"settings": {"tone": "Formal"}},
            [],
            id="secret-never-planned",
        ),
        pytest.param(
            {"persona": {"name": "Ava", "style": "concise"}},
            {"persona": {"name": "Ava", "style": "chatty", "extra": "kept"}},
            [(UPDATE_PERSONA, "style", "chatty", "concise")],
            id="persona-per-field",
        ),
        pytest.param(
            {"persona": {"name": "Ava"}},
            {"persona": None},
            [(UPDATE_PERSONA, "name", None, "Ava")],
            id="persona-unread-counts-as-empty",
        ),
        pytest.param({}, {"persona": {"name": "Bob"}}, [], id="persona-not-declared"),
        pytest.param(
            {"persona": {"code": "7", "version": "2", "limit": "1000"}},
            {"persona": {"code": "007", "version": "2.0", "limit": "1e3"}},
            [
                (UPDATE_PERSONA, "code", "007", "7"),
                (UPDATE_PERSONA, "version", "2.0", "2"),
                (UPDATE_PERSONA, "limit", "1e3", "1000"),
            ],
            id="two-strings-compare-exactly",
        ),
    ],
)
def test_field_updates(want: dict, have: dict, expected: list) -> None:
    result = run(agent(**want), remote(**have))
    found = [(a.kind, c.field, c.old, c.new) for a in result.actions for c in a.changes]
    assert found == expected
    assert result.agent_ids == {"support": "cb-1"}


def test_prompt_update_carries_both_texts_for_a_diff() -> None:
    result = run(agent(prompt="Be kind.\nBe brief.\n"), remote(prompt="Be kind.\n"))
    assert rows(result) == [(UPDATE_PROMPT, None, ())]
    action = result.actions[0]
    assert (action.old_text, action.new_text) == ("Be kind.\n", "Be kind.\nBe brief.\n")
    assert action.reason == "system prompt differs"


@pytest.mark.parametrize("remote_prompt", ["Be kind.", "Be kind.\n", "Be kind.\r\n  "])
def test_prompt_equal_up_to_trailing_whitespace(remote_prompt: str) -> None:
    assert run(agent(prompt="Be kind.\n"), remote(prompt=remote_prompt)).actions == ()


def test_undeclared_prompt_is_left_alone() -> None:
    assert run(agent(), remote(prompt="Anything")).actions == ()


def test_reasons_name_the_fields() -> None:
    result = run(
        agent(profile={"description": "N"}, settings={"tone": "A", "temperature": 1}),
        remote(settings={"tone": "B", "temperature": 0}),
    )
    assert [a.reason for a in result.actions] == [
        "profile differs: description",
        "settings differ: tone, temperature",
    ]


# --- agent filter and ordering ----------------------------------------------------------


def test_agent_filter_restricts_the_plan() -> None:
    want = desired(agent("a", "A", texts=(text("x"),)), agent("b", "B", texts=(text("y"),)))
    have = inventory(a=remote(name="A"), b=remote(chatbot_id="cb-2", name="B"))
    result = run(want, have, agents=("b",))
    assert rows(result) == [(ADD_TEXT, "text:y", ())]
    assert result.agent_ids == {"b": "cb-2"}


def test_unknown_agent_filter_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown agent key.*nope"):
        run(desired(agent("a", "A")), None, agents=("nope",))


def test_actions_are_ordered_by_manifest_agent_then_kind_then_key() -> None:
    want = desired(
        agent("zeta", "Z", texts=(text("b"), text("a")), prompt="p"),
        agent("alpha", "A", files=(file("z.md"), file("a.md"))),
    )
    result = run(want, inventory(zeta=remote(name="Z")))
    assert [(a.agent, a.kind, a.source_key) for a in result.actions] == [
        ("zeta", UPDATE_PROMPT, None),
        ("zeta", ADD_TEXT, "text:a"),
        ("zeta", ADD_TEXT, "text:b"),
        ("alpha", CREATE_AGENT, None),
        ("alpha", ADD_FILE, "file:a.md"),
        ("alpha", ADD_FILE, "file:z.md"),
    ]


@pytest.mark.parametrize(
    ("desired_value", "remote_value", "same"),
    [
        ("2.0", "2", False),
        ("007", "7", False),
        ("1e3", "1000", False),
        ("true", "1", False),
        (2, "2.0", True),
        (0.3, "0.3", True),
        (True, "true", True),
        ("500", 500.0, True),
        (None, "", True),
        ("Formal", "Formal", True),
    ],
)
def test_same_value_tolerates_only_a_type_change(
    desired_value: Scalar, remote_value: Scalar, same: bool
) -> None:
    assert same_value(desired_value, remote_value) is same


def test_agent_filter_cannot_hide_two_agents_managing_one_chatbot() -> None:
    """--agent helpdesk must not let 'helpdesk' take over the chatbot 'support' manages."""
    from kbsync.remote.inventory import read_inventory

    class OneAgentApi:
        def list_agents(self) -> list[RemoteAgent]:
            return [RemoteAgent("cb-1", "Support", {"name": "Support"})]

    both = desired(agent("support", "Support"), agent("helpdesk", "Helpdesk", id="cb-1"))
    with pytest.raises(ConfigError, match="would all manage chatbot cb-1"):
        read_inventory(OneAgentApi(), both, agents=["helpdesk"])  # type: ignore[arg-type]
