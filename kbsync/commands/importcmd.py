"""``kbsync import``: write a manifest (and prompt files) for existing agents of a project."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple, TextIO

from kbsync.adopt.manifest_text import ImportedManifest, build_manifest
from kbsync.adopt.snapshots import read_snapshots
from kbsync.commands.common import RemoteArgs, print_banner, write_block
from kbsync.commands.connect import open_api
from kbsync.desired.expand import load_desired_state
from kbsync.error_handler import EXIT_OK
from kbsync.errors import ConfigError, ManifestError, RobofyError

SANDBOX_PROJECT = 1


class ImportArgs(NamedTuple):
    output: Path = Path("kbsync.yaml")
    project: int | None = None
    force: bool = False
    seed_demo: bool = False


def import_agents(
    args: RemoteArgs, import_args: ImportArgs, env: Mapping[str, str], *, stdout: TextIO
) -> int:
    """Read the chosen agents (``args.agents``: names or ids) and write the manifest."""
    output = import_args.output
    _refuse_overwrite([output], import_args.force)
    project = given_project_id(import_args.project, env, sandbox=args.sandbox)
    if project is None:
        project = only_project(args, env)
    print_banner(args._replace(fmt="text"), output, stdout, stdout)
    with _file_errors(output):
        if import_args.seed_demo:
            _seed_demo(args, output, project, stdout)
        api = open_api(args.connection, output, project, env)
        try:
            snapshots = read_snapshots(api, args.agents, parallelism=args.parallelism)
        finally:
            api.close()
        imported = build_manifest(project, snapshots)
        write_manifest(output, imported, force=import_args.force)
    write_block(stdout, summary(output, imported, sandbox=args.sandbox))
    return EXIT_OK


@contextmanager
def _file_errors(output: Path) -> Iterator[None]:
    """A folder that cannot be created or a file that cannot be written (the manifest,
    a prompt file, the sandbox next to it) is a ConfigError naming the path."""
    try:
        yield
    except OSError as e:
        where = e.filename if e.filename else output
        raise ConfigError(f"cannot write {where}: {e.strerror or e}") from None


WHICH_PROJECT = "which project? pass --project ID or set ROBOFY_PROJECT_ID"


def project_id(option: int | None, env: Mapping[str, str], *, sandbox: bool) -> int:
    """``--project``, else ROBOFY_PROJECT_ID, else (sandbox only) project 1."""
    found = given_project_id(option, env, sandbox=sandbox)
    if found is None:
        raise ConfigError(WHICH_PROJECT)
    return found


def given_project_id(option: int | None, env: Mapping[str, str], *, sandbox: bool) -> int | None:
    """As ``project_id``; None when none is given (import then asks Robofy)."""
    if option is not None:
        return option
    raw = env.get("ROBOFY_PROJECT_ID", "").strip()
    if raw:
        # ASCII digits only ("²".isdigit() is true, int("²") fails), and a size int() takes
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 15) or int(raw) < 1:
            shown = raw if len(raw) <= 40 else raw[:37] + "..."
            raise ConfigError(f"ROBOFY_PROJECT_ID must be a positive integer, not {shown!r}")
        return int(raw)
    return SANDBOX_PROJECT if sandbox else None


def only_project(args: RemoteArgs, env: Mapping[str, str]) -> int:
    """The one project the key sees (List Projects); else an error listing them."""
    from kbsync.robofy.client import client_from_env

    which = WHICH_PROJECT
    with client_from_env(env, 0, base_url=args.base_url) as client:
        try:
            projects = client.list_projects()
        except RobofyError as err:
            raise ConfigError(f"{which} (Robofy did not list the key's projects: {err})") from None
    if len(projects) == 1:
        return projects[0][0]
    if not projects:
        raise ConfigError(f"{which}: the API key sees no project")
    listed = ", ".join(f"{pid} ({name})" if name else str(pid) for pid, name in projects[:20])
    more = f" and {len(projects) - 20} more" if len(projects) > 20 else ""
    raise ConfigError(f"{which}: the API key sees {len(projects)} projects: {listed}{more}")


def _refuse_overwrite(paths: list[Path], force: bool) -> None:
    existing = [str(p) for p in paths if p.exists()]
    if existing and not force:
        raise ConfigError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            "nothing was written (use --force to overwrite)"
        )


def _seed_demo(args: RemoteArgs, output: Path, project: int, stdout: TextIO) -> None:
    if not args.sandbox:
        raise ConfigError("--seed-demo only works with --sandbox (it never touches an account)")
    from kbsync.sandbox.demo import seed_sandbox_demo

    created = seed_sandbox_demo(output, project)
    what = "created the demo agent" if created else "the demo agent already exists"
    stdout.write(f"sandbox: {what} (Demo Support Bot, made the dashboard way)\n")


def write_manifest(output: Path, imported: ImportedManifest, *, force: bool = False) -> None:
    """Write the manifest and its prompt files; refuses to overwrite unless ``force``."""
    root = output.absolute().parent
    _refuse_overwrite([output, *(root / rel for rel in imported.files)], force)
    _check_valid(imported, output.name)
    _write(root, output, imported)


def _check_valid(imported: ImportedManifest, name: str) -> None:
    """Load what would be written, from a scratch folder: import never writes a bad manifest."""
    with tempfile.TemporaryDirectory(prefix="kbsync-import-") as scratch:
        root = Path(scratch)
        _write(root, root / name, imported)
        try:
            load_desired_state(root / name, {}, use_cache=False)
        except ManifestError as err:
            raise ConfigError(
                f"import produced a manifest kbsync refuses (a bug):\n{err}"
            ) from None


def _write(root: Path, output: Path, imported: ImportedManifest) -> None:
    for rel, content in imported.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(imported.text, encoding="utf-8")


def summary(output: Path, imported: ImportedManifest, *, sandbox: bool = False) -> str:
    lines = [f"Wrote {output} ({_count(len(imported.agents), 'agent')}):"]
    for agent in imported.agents:
        parts = [f"prompt in {agent.prompt_file}" if agent.prompt_file else "no prompt"]
        pages = sum(s.pages for s in agent.sites)
        parts.append(f"{_count(len(agent.sites), 'website')} ({_count(pages, 'page')})")
        if agent.listed:
            listed = len(agent.listed)
            noun = "text or file" if listed == 1 else "texts and files"
            parts.append(f"{listed} {noun} listed in a comment")
        if agent.left_out:
            parts.append(f"{_count(len(agent.left_out), 'value')} not imported (see comments)")
        lines.append(f"  {agent.key}: {agent.name!r}: " + "; ".join(parts))
    command = "kbsync plan" + (" --sandbox" if sandbox else "")
    if output.name != "kbsync.yaml" or output.parent != Path():
        command += f" -f {output}"
    lines.append(f"Next: review it, then `{command}` should show no changes.")
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
