"""GitHub Actions workflow commands: step summary, ::error:: annotations, log groups.

Every function takes the environment as a mapping instead of reading os.environ,
so the commands pass theirs and tests pass a dict. Outside GitHub Actions all of
them do nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

from kbsync.apikey import robofy_api_key
from kbsync.neutralise import neutralise


def in_github_actions(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true"


def append_step_summary(
    markdown: str, env: Mapping[str, str], stream: TextIO | None = None
) -> None:
    """Append to the job's summary page when $GITHUB_STEP_SUMMARY names a file. A file
    that cannot be written is a one-line warning on ``stream`` (stderr by default), not
    an error: after apply it would hide that the changes were made."""
    path = env.get("GITHUB_STEP_SUMMARY", "")
    if not path:
        return
    text = neutralise(markdown if markdown.endswith("\n") else markdown + "\n")
    try:
        # a blank line first, so this does not run into a previous step's Markdown
        with open(path, "a", encoding="utf-8", newline="\n") as summary:
            summary.write("\n" + text)
    except OSError as e:
        warning = f"cannot write the step summary to {path}: {e.strerror or e}"
        prefix = "::warning::" if in_github_actions(env) else "kbsync: warning: "
        out = stream if stream is not None else sys.stderr
        out.write(prefix + escape_data(warning) + "\n")


def escape_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's own escaping rules), after
    neutralising the other control characters in it."""
    text = neutralise(text.replace("%", "%25"))
    return text.replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (file=..., title=...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def redact(text: str, env: Mapping[str, str]) -> str:
    """Never let the API key into a log line, whoever built the message."""
    key = robofy_api_key(env)
    return text.replace(key, "***") if len(key) >= 4 else text


def annotate_error(message: str, env: Mapping[str, str], stream: TextIO) -> None:
    """One ::error:: annotation per line of the message, in GitHub Actions only."""
    if not in_github_actions(env):
        return
    for line in redact(message, env).splitlines():
        if line.strip():
            stream.write(f"::error::{escape_data(line)}\n")
    stream.flush()


@contextmanager
def log_group(title: str, env: Mapping[str, str], stream: TextIO) -> Iterator[None]:
    """Fold what is written inside into one collapsible group of the job log."""
    if not in_github_actions(env):
        yield
        return
    stream.write(f"::group::{escape_data(' '.join(title.split()))}\n")
    stream.flush()
    try:
        yield
    finally:
        stream.write("::endgroup::\n")
        stream.flush()
