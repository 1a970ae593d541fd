"""``kbsync doctor``: a read-only probe of an account; exit 1 when kbsync cannot work with it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple, TextIO

from kbsync.commands.importcmd import project_id
from kbsync.doctor import diagnose, render_doctor_json, render_doctor_text
from kbsync.error_handler import EXIT_ERROR, EXIT_OK, redact
from kbsync.errors import ConfigError, KbsyncError
from kbsync.manifest import DEFAULT_MANIFEST, load_manifest
from kbsync.robofy.client import RobofyClient
from kbsync.robofy.probe import probe
from kbsync.robofy.redacted import redacted_report
from kbsync.sandbox import sandbox_banner


class DoctorArgs(NamedTuple):
    manifest: str | None = None  # for the project id (and the sandbox store's place)
    sandbox: bool = False
    base_url: str | None = None
    project: int | None = None
    fmt: str = "text"
    report: str | None = None  # --report FILE: the redacted shapes, for a bug report


def doctor(args: DoctorArgs, env: Mapping[str, str], *, stdout: TextIO, stderr: TextIO) -> int:
    manifest = Path(args.manifest or env.get("KBSYNC_FILE") or DEFAULT_MANIFEST)
    project = _project(args, manifest, env)
    statuses = _statuses(manifest, env)
    if args.sandbox:
        (stdout if args.fmt == "text" else stderr).write(sandbox_banner(manifest) + "\n")
    client = _client(args, manifest, project, env)
    try:
        reports = probe(client)
        report = diagnose(project, reports, limit_rejected=client.limit_rejected, statuses=statuses)
        where = "sandbox" if args.sandbox else client.base_url
    finally:
        client.close()
    if args.report:
        _write_report(
            Path(args.report), redacted_report(reports, limit_rejected=client.limit_rejected)
        )
        stderr.write(f"Wrote the redacted report to {args.report} (shapes only, no values).\n")
    json_format = args.fmt == "json"
    text = render_doctor_json(report) if json_format else render_doctor_text(report, where)
    stdout.write(redact(text) + "\n")  # redact also neutralises
    return EXIT_OK if report.healthy else EXIT_ERROR


def _write_report(path: Path, document: dict[str, object]) -> None:
    try:
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot write the report {path}: {e.strerror or e}") from None


def _project(args: DoctorArgs, manifest: Path, env: Mapping[str, str]) -> int:
    """``--project``, ROBOFY_PROJECT_ID, the manifest's project, or (sandbox) 1."""
    if args.project is None and not env.get("ROBOFY_PROJECT_ID") and manifest.is_file():
        try:
            return load_manifest(manifest, env).project
        except KbsyncError:
            pass  # an invalid manifest is validate's business; fall back to the others
    return project_id(args.project, env, sandbox=args.sandbox)


def _statuses(manifest: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The manifest's `api:` section, when there is a valid manifest."""
    if not manifest.is_file():
        return {}
    try:
        return load_manifest(manifest, env).statuses
    except KbsyncError:
        return {}


def _client(args: DoctorArgs, manifest: Path, project: int, env: Mapping[str, str]) -> RobofyClient:
    if args.sandbox:
        from kbsync.sandbox import open_sandbox_client

        return open_sandbox_client(manifest, project, parallelism=1)
    from kbsync.robofy.client import client_from_env

    return client_from_env(env, project, base_url=args.base_url, parallelism=1)
