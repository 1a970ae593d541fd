"""Watch mode end to end in-process: real temp folders, a polling observer, the emulator."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from kbsync.emulator import EmulatorApp, create_app
from kbsync.errors import AuthError
from tests.conftest import EMULATOR_TEST_CONFIG
from tests.watch.conftest import Watching, linked_files, wait_until, write, writes

UPLOAD = "POST /v1/ai-agent/upload_file/{pid}"


def linked_digests(app: EmulatorApp) -> dict[str, str]:
    """The sha256 of every linked file asset, by the file's name (marker stripped)."""
    state = app.state()
    sha = {a["asset_id"]: a["sha256"] for a in state["assets"]}
    return {link["asset_name"]: sha[link["asset_id"]] for link in linked_files(app)}


def holds(app: EmulatorApp, path: Path) -> bool:
    return hashlib.sha256(path.read_bytes()).hexdigest() in linked_digests(app).values()


def test_start_applies_once_then_a_save_is_one_replace(
    watching: Callable[..., Watching], emulator: EmulatorApp, manifest: Path
) -> None:
    w = watching()
    w.ready()
    assert "start -> 1 agent created, 2 added in " in w.lines()[0]
    assert "kbsync.yaml changed -> no changes" in w.lines()[1]
    before = writes(emulator)
    faq = manifest.parent / "docs" / "faq.md"
    write(faq, "# FAQ\n\nVersion 2.\n")
    lines = w.wait_lines(3, "the save's cycle")
    assert "docs/faq.md changed -> 1 replaced in " in lines[2]
    lines = w.marker()
    w.stop()
    assert len(lines) == 4  # start, ready, the save, the marker: the save was applied once
    after = writes(emulator)
    assert after[UPLOAD] - before[UPLOAD] == 1
    assert holds(emulator, faq) and len(linked_files(emulator)) == 2


def test_a_burst_of_200_writes_is_one_apply_cycle(
    watching: Callable[..., Watching], emulator: EmulatorApp, manifest: Path
) -> None:
    w = watching()
    w.ready()
    for i in range(200):
        write(manifest.parent / "docs" / "burst" / f"page{i:03}.md", f"# Page {i}\n")
    lines = w.wait_lines(3, "the burst's cycle")
    first = ", ".join(f"docs/burst/page{i:03}.md" for i in range(3))
    assert f" {first} and 197 more" in lines[2], lines[2]
    assert "changed -> 200 added in " in lines[2], lines[2]
    lines = w.marker()
    w.stop()
    assert len(lines) == 4, lines
    assert len(linked_files(emulator)) == 202


def test_a_save_via_temp_file_and_rename_is_one_replace(
    watching: Callable[..., Watching], emulator: EmulatorApp, manifest: Path
) -> None:
    w = watching()
    w.ready()
    before = writes(emulator)
    faq = manifest.parent / "docs" / "faq.md"
    temp = faq.with_name("faq.md.tmp")
    write(temp, "# FAQ\n\nSaved atomically.\n")
    os.replace(temp, faq)
    lines = w.wait_lines(3, "the save's cycle")
    assert "docs/faq.md changed -> 1 replaced" in lines[2], lines[2]
    w.marker()
    w.stop()
    assert writes(emulator)[UPLOAD] - before[UPLOAD] == 1
    assert holds(emulator, faq)


def test_a_file_created_and_deleted_within_the_debounce_sends_nothing(
    watching: Callable[..., Watching], emulator: EmulatorApp, manifest: Path
) -> None:
    w = watching(debounce=2.0)  # a wide window: the test thread acts well inside it
    w.ready()
    before = writes(emulator)
    draft = manifest.parent / "docs" / "draft.md"
    write(draft, "# Draft\n")
    wait_until(lambda: draft in w.collector.pending(), what="the observer to see the draft")
    draft.unlink()
    lines = w.wait_lines(3, "the cycle")
    w.stop()
    assert "docs/draft.md deleted -> no changes" in lines[2], lines[2]
    assert writes(emulator) == before


def test_an_invalid_manifest_edit_keeps_the_last_good_one(
    watching: Callable[..., Watching], emulator: EmulatorApp, manifest: Path
) -> None:
    w = watching()
    w.ready()
    good = manifest.read_text()
    manifest.write_text(good.replace("path: docs/", "path: docs/\n          colour: blue"))
    lines = w.wait_lines(3, "the invalid manifest's cycle")
    assert "kbsync.yaml changed -> manifest invalid, still watching the last good one" in lines[2]
    assert "kbsync.yaml:" in w.out.getvalue() and "colour" in w.out.getvalue()
    # still watching: the fixed manifest (with a new text) is applied
    manifest.write_text(good + "      texts:\n        - name: hours\n          content: 9 to 5\n")
    lines = w.wait_lines(4, "the fixed manifest's cycle")
    w.stop()
    assert "kbsync.yaml changed -> 1 added" in lines[3], lines[3]
    assert len(linked_files(emulator)) == 2  # nothing was delinked meanwhile


def test_an_emulator_failure_is_survived_and_the_next_cycle_converges(
    watching: Callable[..., Watching], emulator: EmulatorApp, manifest: Path
) -> None:
    w = watching()
    w.ready()
    emulator.set_faults(fail_rate=1.0)
    faq = manifest.parent / "docs" / "faq.md"
    write(faq, "# FAQ\n\nWritten while Robofy fails.\n")
    lines = w.wait_lines(3, "the failing cycle")
    assert "docs/faq.md changed -> failed: " in lines[2], lines[2]
    assert "HTTP 500" in lines[2] and "; retrying in 0.2s" in lines[2]
    emulator.set_faults(fail_rate=0.0)
    wait_until(lambda: "1 replaced" in w.lines()[-1], what="the retried cycle to converge")
    w.stop()
    assert holds(emulator, faq) and len(linked_files(emulator)) == 2
    assert "Traceback" not in w.out.getvalue()


def test_without_prune_a_deleted_files_asset_stays_linked_and_output_says_so(
    watching: Callable[..., Watching], emulator: EmulatorApp, manifest: Path
) -> None:
    w = watching()
    w.ready()
    before = writes(emulator)
    (manifest.parent / "docs" / "guide.md").unlink()
    lines = w.wait_lines(3, "the deletion's cycle")
    w.stop()
    assert "docs/guide.md deleted -> nothing to apply" in lines[2], lines[2]
    out = w.out.getvalue()
    assert "note: would delink" in out and "guide.md" in out and "run with --prune" in out
    assert writes(emulator) == before
    assert len(linked_files(emulator)) == 2


def test_with_prune_a_deleted_files_asset_is_delinked(
    watching: Callable[..., Watching], emulator: EmulatorApp, manifest: Path
) -> None:
    w = watching(prune=True)
    w.ready()
    (manifest.parent / "docs" / "guide.md").unlink()
    lines = w.wait_lines(3, "the deletion's cycle")
    w.stop()
    assert "docs/guide.md deleted -> 1 delinked" in lines[2], lines[2]
    assert [link["asset_name"] for link in linked_files(emulator)] == [
        name for name in linked_digests(emulator) if "faq" in name
    ]


def test_json_format_is_one_object_per_cycle(
    watching: Callable[..., Watching], manifest: Path
) -> None:
    w = watching(fmt="json")
    wait_until(lambda: w.out.getvalue().count("\n") >= 1, what="the first cycle")
    write(manifest.parent / "docs" / "faq.md", "# FAQ\n\nVersion 3.\n")
    wait_until(lambda: w.out.getvalue().count('"replaced"') >= 1, what="the save's cycle")
    w.stop()
    cycles = [json.loads(line) for line in w.out.getvalue().splitlines()]
    assert cycles[0]["changed"] == [] and cycles[0]["applied"]["added"] == 2
    assert cycles[-1]["changed"] == ["docs/faq.md"] and cycles[-1]["applied"] == {"replaced": 1}
    assert all(c["format_version"] == 1 and c["status"] == "ok" for c in cycles)


def test_a_rejected_api_key_ends_the_watch(
    watching: Callable[..., Watching], emulator: EmulatorApp
) -> None:
    w = watching(key="not-a-key")
    wait_until(lambda: w.bg.error is not None, what="the watch to end")
    assert isinstance(w.bg.error, AuthError)
    assert writes(emulator) == {}


def test_a_folder_the_manifest_starts_naming_is_watched_from_then_on(
    watching: Callable[..., Watching], emulator: EmulatorApp, manifest: Path
) -> None:
    w = watching()
    w.ready()
    write(manifest.parent / "extra" / "seed.md", "# Seed\n")  # not named yet: no cycle
    entry = '        - path: docs/\n          include: ["**/*.md"]\n'
    manifest.write_text(manifest.read_text().replace(entry, entry + "        - path: extra/\n"))
    lines = w.wait_lines(3, "the manifest edit's cycle")
    assert "kbsync.yaml changed -> 1 added" in lines[2], lines[2]
    write(manifest.parent / "extra" / "deeper" / "new.md", "# New\n")
    lines = w.wait_lines(4, "the new file's cycle")
    w.stop()
    assert " extra/deeper/new.md changed -> 1 added" in lines[3], lines[3]
    assert len(linked_files(emulator)) == 4


def test_watch_says_once_what_it_watches_and_how_to_stop(
    watching: Callable[..., Watching], manifest: Path
) -> None:
    w = watching()
    w.ready()
    w.marker()
    w.stop()
    told = [line for line in w.err.getvalue().splitlines() if line.startswith("Watching ")]
    assert told == ["Watching 3 files of kbsync.yaml; press Ctrl-C to stop."]  # 2 docs + it


def test_a_wait_that_ends_on_linked_files_prints_the_api_line(
    watching: Callable[..., Watching],
) -> None:
    """Documented dialect: files settle at `Linked`, which kbsync reads as not ready."""
    app = create_app(EMULATOR_TEST_CONFIG._replace(dialect="documented"))
    try:
        w = watching(app=app, wait_timeout=0.3)
        w.wait_lines(1, "the first apply")
        w.stop()
        assert "api: {ready_statuses: [Linked]}" in w.out.getvalue()
    finally:
        app.close()
