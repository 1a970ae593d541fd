"""What the remote commands share: their common options, the banner, output formats."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, TextIO

from kbsync.errors import ConfigError
from kbsync.manifest import resolve_manifest_path
from kbsync.model import ApplyResult, DesiredState, Plan, PlanOptions
from kbsync.neutralise import neutralise
from kbsync.pipeline import Connection
from kbsync.sandbox import sandbox_banner
from kbsync.sources import load_desired_state
from kbsync.urls import normalize_url


class RemoteArgs(NamedTuple):
    """Options every remote command takes."""

    manifest: str | None = None
    sandbox: bool = False
    base_url: str | None = None
    parallelism: int = 8
    agents: tuple[str, ...] = ()
    fmt: str = "text"
    rate_limit_budget: float = 600.0

    @property
    def connection(self) -> Connection:
        return Connection(self.sandbox, self.base_url, self.parallelism, self.rate_limit_budget)


def load_desired(args: RemoteArgs, env: Mapping[str, str]) -> DesiredState:
    desired = load_desired_state(resolve_manifest_path(args.manifest, env), env)
    known = [a.key for a in desired.agents]
    unknown = [a for a in args.agents if a not in known]
    if unknown:
        raise ConfigError(
            f"--agent {', '.join(unknown)}: no such agent in {desired.manifest_path.name} "
            f"(agents: {', '.join(known) or 'none'})"
        )
    return desired


def print_banner(args: RemoteArgs, manifest: Path, stdout: TextIO, stderr: TextIO) -> None:
    """The sandbox says so first; on stderr when stdout must stay machine-readable."""
    if args.sandbox:
        stream = stdout if args.fmt == "text" else stderr
        stream.write(sandbox_banner(manifest) + "\n")
        stream.flush()


def recrawl_targets(values: Sequence[str]) -> tuple[str, ...]:
    targets = []
    for value in values:
        if value == "all":
            targets.append("all")
            continue
        try:
            targets.append(normalize_url(value))
        except ValueError:
            raise ConfigError(f"--recrawl {value!r}: expected a site URL or 'all'") from None
    return tuple(targets)


def check_recrawl(options: PlanOptions, desired: DesiredState) -> None:
    """Every ``--recrawl URL`` must be a declared site of the selected agents: a near miss
    (a missing trailing slash) would otherwise crawl nothing and say "No changes"."""
    agents = [a for a in desired.agents if not options.agents or a.key in options.agents]
    declared = sorted({site.url for agent in agents for site in agent.sites})
    unknown = [url for url in options.recrawl if url != "all" and url not in declared]
    if unknown:
        scope = f" for --agent {', '.join(options.agents)}" if options.agents else ""
        raise ConfigError(
            f"--recrawl {', '.join(unknown)}: not a site declared in "
            f"{desired.manifest_path.name}{scope} (sites: {', '.join(declared) or 'none'})"
        )


def use_color(stream: TextIO, env: Mapping[str, str]) -> bool:
    return stream.isatty() and "NO_COLOR" not in env and env.get("TERM") != "dumb"


def render_plan(plan: Plan, fmt: str, color: bool) -> str:
    if fmt == "json":
        from kbsync.render.json import render_plan_json

        return render_plan_json(plan)
    if fmt == "markdown":
        return _plan_markdown(plan)
    from kbsync.render.text import render_plan_text

    return render_plan_text(plan, color=color)


def render_result(result: ApplyResult, fmt: str, color: bool) -> str:
    if fmt == "json":
        from kbsync.render.json import render_result_json

        return render_result_json(result)
    if fmt == "markdown":
        from kbsync.render.markdown import render_result_markdown

        return render_result_markdown(result)
    from kbsync.render.text import render_result_text

    return render_result_text(result, color=color)


def _plan_markdown(plan: Plan) -> str:
    from kbsync.render.markdown import render_plan_markdown

    return render_plan_markdown(plan)


def write_block(stream: TextIO, text: str, *, color: bool = False) -> None:
    """Write a rendered block, neutralised: it holds foreign strings (see neutralise)."""
    text = neutralise(text, colour=color)
    stream.write(text if text.endswith("\n") else text + "\n")
    stream.flush()


def step_summary(
    plan: Plan | None, result: ApplyResult | None, env: Mapping[str, str], stderr: TextIO
) -> None:
    """In GitHub Actions, also append the Markdown rendering to the job summary (a file
    that cannot be written is a warning on ``stderr``, never an error: see
    append_step_summary)."""
    if not env.get("GITHUB_STEP_SUMMARY"):
        return
    from kbsync.github.summary import append_step_summary

    if plan is not None:
        append_step_summary(_plan_markdown(plan), env, stderr)
    if result is not None:
        from kbsync.render.markdown import render_result_markdown

        append_step_summary(render_result_markdown(result), env, stderr)
