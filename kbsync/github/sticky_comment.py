"""Post ONE sticky pull-request comment, and update it on every new push.

The comment is found again by a hidden marker, ``<!-- kbsync:MARKER -->``, so a
pull request gets one kbsync plan comment however often it is pushed to. Only a
comment written by the token's own user counts (anyone can paste the marker into
a comment of theirs), and a minimized (hidden) one is left alone, as the
well-known sticky-comment actions do. Uses GitHub REST: who am I (``GET /user``;
the Actions token may not ask, and then it is ``github-actions[bot]``), list issue
comments (paginated with Link headers), create / update an issue comment; and one
GraphQL query for whether the candidates are minimized (REST does not say).

    python -m kbsync.github.sticky_comment --repo OWNER/NAME --pr N --body-file F [--marker ID]

The token comes from $GITHUB_TOKEN, the API from $GITHUB_API_URL (default
https://api.github.com, so GitHub Enterprise works as is).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import httpx

from kbsync.errors import KbsyncError
from kbsync.github.summary import annotate_error, redact
from kbsync.render.neutralise import neutralise

DEFAULT_API_URL = "https://api.github.com"
# GitHub rejects comment bodies longer than this many characters
MAX_BODY_CHARS = 65_536
_MARKER_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
# a loop guard: 100 pages of 100 comments is more than any pull request has
_MAX_PAGES = 100
# who GITHUB_TOKEN's comments are by; that token gets 403 from GET /user
ACTIONS_BOT = "github-actions[bot]"
_MINIMIZED_QUERY = (
    "query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id isMinimized } } }"
)


class GitHubError(KbsyncError):
    """GitHub answered with an error, or could not be reached."""


def marker_tag(marker: str) -> str:
    if not _MARKER_ID.match(marker):
        raise GitHubError(f"--marker {marker!r}: use letters, digits, '.', '_' and '-' only")
    return f"<!-- kbsync:{marker} -->"


def upsert_sticky_comment(
    client: httpx.Client, repo: str, pr: int, body: str, marker: str = "kbsync-plan"
) -> str:
    """Update the comment carrying the marker, else create it: 'updated' or 'created'."""
    tag = marker_tag(marker)
    text = _with_marker(body, tag)
    comment_id = find_marked_comment(client, repo, pr, tag)
    if comment_id is None:
        _check(client.post(f"/repos/{repo}/issues/{pr}/comments", json={"body": text}))
        return "created"
    _check(client.patch(f"/repos/{repo}/issues/comments/{comment_id}", json={"body": text}))
    return "updated"


def find_marked_comment(client: httpx.Client, repo: str, pr: int, tag: str) -> int | None:
    """The id of the oldest of our own comments containing the tag that is not
    minimized, reading every page."""
    candidates = _marked_comments(client, repo, pr, tag, own_login(client))
    hidden = minimized(client, [node for _, node in candidates[:100]])
    return next((cid for cid, node in candidates if node not in hidden), None)


def own_login(client: httpx.Client) -> str:
    """The login of the token's user; the Actions token may not ask, and is the bot."""
    response = client.get("/user")
    if response.status_code == 403:
        return ACTIONS_BOT
    login = _check(response).json().get("login")
    return str(login) if login else ACTIONS_BOT


def _marked_comments(
    client: httpx.Client, repo: str, pr: int, tag: str, login: str
) -> list[tuple[int, str]]:
    """(id, node id) of every comment by ``login`` containing the tag, oldest first."""
    url: str | None = f"/repos/{repo}/issues/{pr}/comments?per_page=100"
    seen: set[str] = set()
    found: list[tuple[int, str]] = []
    while url and url not in seen and len(seen) < _MAX_PAGES:
        seen.add(url)
        response = _check(client.get(url))
        for comment in response.json():
            author = (comment.get("user") or {}).get("login")
            if author == login and tag in (comment.get("body") or ""):
                found.append((int(comment["id"]), str(comment.get("node_id") or "")))
        url = response.links.get("next", {}).get("url")
    return found


def minimized(client: httpx.Client, node_ids: list[str]) -> set[str]:
    """Which of these comments are minimized; when GraphQL cannot say, none (ours anyway)."""
    ids = [node for node in node_ids if node]
    if not ids:
        return set()
    query = {"query": _MINIMIZED_QUERY, "variables": {"ids": ids}}
    try:
        response = client.post(graphql_url(client), json=query)
        nodes = response.json()["data"]["nodes"] if response.is_success else []
    except (httpx.HTTPError, ValueError, LookupError, TypeError):
        return set()
    if not isinstance(nodes, list):
        return set()
    return {n["id"] for n in nodes if isinstance(n, dict) and n.get("isMinimized") is True}


def graphql_url(client: httpx.Client) -> str:
    """GitHub's GraphQL endpoint beside the REST one (GitHub Enterprise: /api/graphql)."""
    base = str(client.base_url).rstrip("/")
    return base[: -len("/v3")] + "/graphql" if base.endswith("/api/v3") else base + "/graphql"


def _with_marker(body: str, tag: str) -> str:
    """The body with the marker last, cut to GitHub's limit if it has to be."""
    body = body.replace(tag, "").rstrip("\n")
    ending = f"\n\n{tag}\n"
    if len(body) + len(ending) > MAX_BODY_CHARS:
        note = "\n\n*… cut to GitHub's comment size limit; the full text is in the job log.*"
        body = body[: MAX_BODY_CHARS - len(ending) - len(note)] + note
    return body + ending


def _check(response: httpx.Response) -> httpx.Response:
    if response.is_success:
        return response
    request = response.request
    try:
        detail = str(response.json().get("message", ""))
    except ValueError:
        detail = response.text[:200]
    raise GitHubError(
        f"GitHub answered {response.status_code} to {request.method} {request.url.path}: "
        f"{detail or response.reason_phrase}"
    )


def make_client(env: Mapping[str, str]) -> httpx.Client:
    token = env.get("GITHUB_TOKEN", "")
    if not token:
        raise GitHubError("GITHUB_TOKEN is not set: the sticky comment needs a token")
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "kbsync",
    }
    base_url = env.get("GITHUB_API_URL") or DEFAULT_API_URL
    return httpx.Client(base_url=base_url, headers=headers, timeout=30.0)


def post_from_file(repo: str, pr: int, body_file: Path, marker: str, env: Mapping[str, str]) -> str:
    try:
        body = body_file.read_text(encoding="utf-8")
    except OSError as e:
        raise GitHubError(f"{body_file}: cannot read the comment body ({e.strerror})") from None
    with make_client(env) as client:
        try:
            return upsert_sticky_comment(client, repo, pr, body, marker)
        except httpx.HTTPError as e:
            raise GitHubError(f"cannot reach GitHub: {type(e).__name__}: {e}") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = _Parser(
        prog="python -m kbsync.github.sticky_comment",
        description="Create or update ONE pull-request comment identified by a hidden marker.",
    )
    parser.add_argument("--repo", required=True, help="OWNER/NAME")
    parser.add_argument("--pr", required=True, type=int, help="pull request number")
    parser.add_argument("--body-file", required=True, type=Path, help="Markdown body")
    parser.add_argument("--marker", default="kbsync-plan", help="identifies the comment")
    args = parser.parse_args(argv)
    if not _REPO.match(args.repo):
        parser.error(f"--repo {args.repo!r}: expected OWNER/NAME")
    if args.pr <= 0:
        parser.error(f"--pr {args.pr}: expected a pull request number")
    return args


def main(argv: Sequence[str], env: Mapping[str, str], stdout: TextIO, stderr: TextIO) -> int:
    args = _parse(argv)
    try:
        outcome = post_from_file(args.repo, args.pr, args.body_file, args.marker, env)
    except GitHubError as e:
        message = redact(f"Error: sticky comment: {e}", env)
        stderr.write(neutralise(message) + "\n")
        annotate_error(message, env, stderr)
        return 1
    stdout.write(f"kbsync: {outcome} the {args.marker} comment on {args.repo}#{args.pr}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ, sys.stdout, sys.stderr))
