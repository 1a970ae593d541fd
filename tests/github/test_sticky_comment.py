"""The sticky PR comment against a fake GitHub served on loopback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from kbsync.github.sticky_comment import (
    MAX_BODY_CHARS,
    GitHubError,
    main,
    upsert_sticky_comment,
)
from tests.github.fake_github import TOKEN, FakeGitHub

REPO = "acme/knowledge"
TAG = "<!-- kbsync:kbsync-plan -->"


def client(github: FakeGitHub, token: str = TOKEN) -> httpx.Client:
    return httpx.Client(base_url=github.url, headers={"Authorization": f"Bearer {token}"})


def test_creates_then_updates_the_same_comment(github: FakeGitHub) -> None:
    with client(github) as c:
        assert (
            upsert_sticky_comment(c, REPO, 7, "**kbsync plan** — support: 1 to add.") == "created"
        )
        assert (
            upsert_sticky_comment(c, REPO, 7, "**kbsync plan** — support: 2 to add.") == "updated"
        )
    [comment] = github.on(REPO, 7)
    assert comment["body"] == f"**kbsync plan** — support: 2 to add.\n\n{TAG}\n"
    assert (github.count("POST"), github.count("PATCH")) == (1, 1)


def test_leaves_other_comments_alone(github: FakeGitHub) -> None:
    human = github.add(REPO, 7, f"LGTM, but why {TAG[:-4]}-old -->?")
    drift = github.add(REPO, 7, "drift\n\n<!-- kbsync:kbsync-drift -->")
    other_pr = github.add(REPO, 8, f"plan for another PR\n\n{TAG}")
    with client(github) as c:
        assert upsert_sticky_comment(c, REPO, 7, "plan") == "created"
        assert upsert_sticky_comment(c, REPO, 7, "plan 2") == "updated"
    bodies = {c["id"]: c["body"] for c in github.comments}
    assert bodies[human].startswith("LGTM")
    assert bodies[drift].startswith("drift")
    assert bodies[other_pr].startswith("plan for another PR")
    assert [c["body"] for c in github.on(REPO, 7)][-1] == f"plan 2\n\n{TAG}\n"
    assert len(github.on(REPO, 7)) == 3


def test_finds_the_comment_on_a_later_page(github: FakeGitHub) -> None:
    github.max_page_size = 30
    for i in range(70):
        github.add(REPO, 7, f"review comment {i}")
    ours = github.add(REPO, 7, f"old plan\n\n{TAG}\n")
    for i in range(20):
        github.add(REPO, 7, f"later comment {i}")
    with client(github) as c:
        assert upsert_sticky_comment(c, REPO, 7, "new plan") == "updated"
    assert next(c for c in github.comments if c["id"] == ours)["body"] == f"new plan\n\n{TAG}\n"
    assert github.count("GET") == 4  # every page: an older own comment would come first
    assert github.count("POST") == 0


def test_reads_every_page_before_creating(github: FakeGitHub) -> None:
    github.max_page_size = 30
    for i in range(65):
        github.add(REPO, 7, f"review comment {i}")
    with client(github) as c:
        assert upsert_sticky_comment(c, REPO, 7, "plan") == "created"
    assert github.count("GET") == 3
    assert len(github.on(REPO, 7)) == 66


def test_a_custom_marker_is_a_separate_comment(github: FakeGitHub) -> None:
    with client(github) as c:
        upsert_sticky_comment(c, REPO, 7, "plan")
        upsert_sticky_comment(c, REPO, 7, "plan for staging", marker="kbsync-plan-staging")
        upsert_sticky_comment(c, REPO, 7, "plan for staging 2", marker="kbsync-plan-staging")
    assert [c["body"].split("\n")[0] for c in github.on(REPO, 7)] == ["plan", "plan for staging 2"]


def test_a_marker_cannot_close_the_html_comment(github: FakeGitHub) -> None:
    with client(github) as c, pytest.raises(GitHubError, match="--marker"):
        upsert_sticky_comment(c, REPO, 7, "plan", marker="x --><b>")
    assert github.requests == []


def test_an_oversized_body_is_cut_to_githubs_limit(github: FakeGitHub) -> None:
    with client(github) as c:
        upsert_sticky_comment(c, REPO, 7, "x" * 100_000)
    [comment] = github.on(REPO, 7)
    assert len(comment["body"]) <= MAX_BODY_CHARS
    assert comment["body"].endswith(f"the full text is in the job log.*\n\n{TAG}\n")


def test_an_error_answer_is_a_clear_error(github: FakeGitHub) -> None:
    with client(github, token="wrong") as c, pytest.raises(GitHubError) as raised:
        upsert_sticky_comment(c, REPO, 7, "plan")
    assert str(raised.value) == ("GitHub answered 401 to GET /user: Bad credentials")


def test_a_foreign_comment_carrying_the_marker_is_never_edited(github: FakeGitHub) -> None:
    foreign = github.add(REPO, 7, f"gotcha\n\n{TAG}\n", user="mallory")
    with client(github) as c:
        assert upsert_sticky_comment(c, REPO, 7, "plan") == "created"
        assert upsert_sticky_comment(c, REPO, 7, "plan 2") == "updated"
    bodies = {c["id"]: c["body"] for c in github.comments}
    assert bodies[foreign] == f"gotcha\n\n{TAG}\n"
    [ours] = [c for c in github.on(REPO, 7) if c["id"] != foreign]
    assert ours["user"]["login"] == "github-actions[bot]" and ours["body"].startswith("plan 2")


def test_with_a_personal_token_only_that_users_comments_count(github: FakeGitHub) -> None:
    github.login = "kbsync-ci"
    bot = github.add(REPO, 7, f"old, by the Actions bot\n\n{TAG}\n")
    mine = github.add(REPO, 7, f"old, mine\n\n{TAG}\n", user="kbsync-ci")
    with client(github) as c:
        assert upsert_sticky_comment(c, REPO, 7, "plan") == "updated"
    bodies = {c["id"]: c["body"] for c in github.comments}
    assert bodies[mine].startswith("plan") and bodies[bot].startswith("old, by the Actions bot")


def test_a_minimized_comment_of_ours_is_left_alone(github: FakeGitHub) -> None:
    hidden = github.add(REPO, 7, f"outdated\n\n{TAG}\n", minimized=True)
    visible = github.add(REPO, 7, f"current\n\n{TAG}\n")
    with client(github) as c:
        assert upsert_sticky_comment(c, REPO, 7, "plan") == "updated"
    bodies = {c["id"]: c["body"] for c in github.comments}
    assert bodies[hidden].startswith("outdated") and bodies[visible].startswith("plan")
    assert ("POST", "/graphql") in github.requests


def run_cli(github: FakeGitHub, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GITHUB_TOKEN": token, "GITHUB_API_URL": github.url}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "kbsync.github.sticky_comment", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_command_line_creates_then_updates(github: FakeGitHub, tmp_path: Path) -> None:
    body = tmp_path / "plan.md"
    body.write_text("**kbsync plan** — support: 1 to add.\n", encoding="utf-8")
    args = ("--repo", REPO, "--pr", "12", "--body-file", str(body))
    first, second = run_cli(github, *args), run_cli(github, *args)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert first.stdout == f"kbsync: created the kbsync-plan comment on {REPO}#12\n"
    assert second.stdout == f"kbsync: updated the kbsync-plan comment on {REPO}#12\n"
    assert len(github.on(REPO, 12)) == 1


def call_main(github: FakeGitHub, *args: str, token: str = TOKEN) -> tuple[int, str]:
    err = io.StringIO()
    env = {"GITHUB_TOKEN": token, "GITHUB_API_URL": github.url}
    return main(list(args), env, io.StringIO(), err), err.getvalue()


def test_command_line_errors_exit_1_without_the_token(github: FakeGitHub, tmp_path: Path) -> None:
    body = tmp_path / "plan.md"
    body.write_text("plan", encoding="utf-8")
    args = ("--repo", REPO, "--pr", "3", "--body-file")
    code, err = call_main(github, *args, str(body), token="t0k3n-x")
    assert code == 1 and "GitHub answered 401" in err and "t0k3n-x" not in err
    code, err = call_main(github, *args, str(tmp_path / "no.md"))
    assert code == 1 and "no.md: cannot read the comment body" in err
    code, err = call_main(github, *args, str(body), token="")
    assert code == 1 and "GITHUB_TOKEN is not set" in err


def test_command_line_usage_errors_exit_1(github: FakeGitHub, tmp_path: Path) -> None:
    bad_repo = run_cli(github, "--repo", "acme", "--pr", "3", "--body-file", "x.md")
    assert bad_repo.returncode == 1 and "expected OWNER/NAME" in bad_repo.stderr
    assert "Traceback" not in bad_repo.stderr
    with pytest.raises(SystemExit) as raised:
        call_main(github, "--repo", REPO, "--pr", "0", "--body-file", "x.md")
    assert raised.value.code == 1
