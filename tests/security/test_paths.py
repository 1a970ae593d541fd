"""Path safety: the manifest cannot make kbsync read outside its folder, and nothing a
server answers can make kbsync write anywhere.

Every case puts a file with distinctive content OUTSIDE the manifest's folder and
tries to reach it: ``..``, absolute paths, a symlinked file, a symlinked folder, a
symlinked folder in the middle of a path, ``.kbsyncignore`` as a link, for docs
files, prompt files and text files. Loading must report a clean ManifestError naming
the manifest line, and the outside content must be in no desired item.

Writing: a ``.kbsync`` folder that is a link to elsewhere is not written through, and
asset and agent names a server returns (``../../x``, absolute paths) go into plans,
JSON and imported manifests as text only: no file appears outside the output folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from kbsync.errors import ManifestError
from kbsync.model import DesiredState
from kbsync.sources import load_desired_state
from tests.reliability.processes import EmulatorProcess, run_kbsync
from tests.security.leakcheck import SECURITY_KEY

OUTSIDE_SECRET = "OUTSIDE-CONTENT-3b9d"

BASE = """\
version: 1
project: 1
agents:
  support:
    name: Path Test
{extra}    knowledge:
      texts:
        - name: hello
          content: "Hello."
{knowledge}"""


class Layout:
    """``tmp/outside/`` (secret files) beside ``tmp/project/`` (the manifest)."""

    def __init__(self, tmp: Path) -> None:
        self.outside = tmp / "outside"
        self.outside.mkdir()
        for name in ("secret.md", "secret.txt"):
            (self.outside / name).write_text(f"# {OUTSIDE_SECRET}\n")
        (self.outside / "folder").mkdir()
        (self.outside / "folder" / "inner.md").write_text(f"# {OUTSIDE_SECRET}\n")
        self.root = tmp / "project"
        self.root.mkdir()
        (self.root / "docs").mkdir()
        (self.root / "docs" / "ok.md").write_text("# fine\n")

    def link(self, rel: str, target: Path) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)

    def write(self, knowledge: str = "", extra: str = "") -> Path:
        manifest = self.root / "kbsync.yaml"
        manifest.write_text(BASE.format(knowledge=knowledge, extra=extra))
        return manifest


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    return Layout(tmp_path)


def _files(path: str) -> str:
    return f"      files:\n        - path: {json.dumps(path)}\n"


def _text_file(path: str) -> str:
    """One more entry of the ``texts:`` list (it ends the base manifest)."""
    return f"        - name: from-file\n          file: {json.dumps(path)}\n"


def _prompt(path: str) -> str:
    return f"    prompt: {{file: {json.dumps(path)}}}\n"


# (case id, what to set up, the manifest's knowledge / extra lines, expected words)
ESCAPES: list[tuple[str, Callable[[Layout], None], str, str, str]] = [
    ("dotdot", lambda lay: None, _files("../outside/secret.md"), "", "leaves the manifest folder"),
    ("dotdot-folder", lambda lay: None, _files("../outside"), "", "leaves the manifest folder"),
    ("dotdot-inside-path", lambda lay: None, _files("docs/../../outside"), "", "leaves"),
    ("absolute", lambda lay: None, _files("/etc/hostname"), "", "absolute path"),
    ("absolute-windows", lambda lay: None, _files("C:\\secret.md"), "", "absolute path"),
    (
        "symlinked-file",
        lambda lay: lay.link("docs/secret.md", lay.outside / "secret.md"),
        _files("docs/secret.md"),
        "",
        "symlink leads outside",
    ),
    (
        "symlink-in-walked-folder",
        lambda lay: lay.link("docs/secret.md", lay.outside / "secret.md"),
        _files("docs/"),
        "",
        "symlink leads outside",
    ),
    (
        "symlinked-folder-in-walk",
        lambda lay: lay.link("docs/more", lay.outside / "folder"),
        _files("docs/"),
        "",
        "symlink leads outside",
    ),
    (
        "symlinked-folder-mid-path",
        lambda lay: lay.link("docs/more", lay.outside / "folder"),
        _files("docs/more/inner.md"),
        "",
        "symlink leads outside",
    ),
    (
        "symlinked-root-folder",
        lambda lay: lay.link("linked", lay.outside),
        _files("linked/"),
        "",
        "symlink leads outside",
    ),
    ("text-dotdot", lambda lay: None, _text_file("../outside/secret.txt"), "", "leaves"),
    (
        "text-symlink",
        lambda lay: lay.link("texts/secret.txt", lay.outside / "secret.txt"),
        _text_file("texts/secret.txt"),
        "",
        "symlink leads outside",
    ),
    ("prompt-dotdot", lambda lay: None, "", _prompt("../outside/secret.md"), "leaves"),
    ("prompt-absolute", lambda lay: None, "", _prompt(str(Path("/etc/hostname"))), "absolute"),
    (
        "prompt-symlink-mid-path",
        lambda lay: lay.link("prompts", lay.outside),
        "",
        _prompt("prompts/secret.md"),
        "symlink leads outside",
    ),
    (
        "broken-or-looping-symlink",
        lambda lay: lay.link("docs/loop.md", lay.root / "docs" / "loop.md"),
        _files("docs/loop.md"),
        "",
        "symlink",
    ),
]


def _load(manifest: Path) -> DesiredState:
    return load_desired_state(manifest, {})


def _assert_no_outside_content(desired: DesiredState, root: Path) -> None:
    for agent in desired.agents:
        for asset in agent.assets:
            assert OUTSIDE_SECRET not in (asset.content or "")
            if asset.path is not None:
                real = asset.path.resolve()
                assert real == root.resolve() or root.resolve() in real.parents, real
        assert OUTSIDE_SECRET not in (agent.prompt or "")


@pytest.mark.parametrize(
    ("case", "setup", "knowledge", "extra", "expected"), ESCAPES, ids=[e[0] for e in ESCAPES]
)
def test_the_manifest_cannot_read_outside_its_folder(
    layout: Layout,
    case: str,
    setup: Callable[[Layout], None],
    knowledge: str,
    extra: str,
    expected: str,
) -> None:
    setup(layout)
    manifest = layout.write(knowledge, extra)
    with pytest.raises(ManifestError) as caught:
        _assert_no_outside_content(_load(manifest), layout.root)  # it must not load
    message = str(caught.value)
    assert expected in message, message
    assert "kbsync.yaml:" in message  # located at the manifest line
    assert OUTSIDE_SECRET not in message


def test_links_that_stay_inside_the_folder_are_followed(layout: Layout) -> None:
    """Not a blanket symlink ban: a link to a file or folder inside the manifest's
    folder works, so the refusals above are about leaving the folder."""
    (layout.root / "shared").mkdir()
    (layout.root / "shared" / "inner.md").write_text("# inner\n")
    (layout.root / "single.md").write_text("# single\n")
    layout.link("docs/inner-link.md", layout.root / "single.md")
    layout.link("docs/shared", layout.root / "shared")  # (one file under two names is refused)
    desired = _load(layout.write(_files("docs/")))
    keys = sorted(a.source_key for a in desired.agents[0].assets)
    assert "file:docs/inner-link.md" in keys and "file:docs/shared/inner.md" in keys


def test_a_kbsyncignore_linked_outside_is_a_problem_not_read(layout: Layout) -> None:
    (layout.outside / "ignore").write_text("ok.md\n")  # would drop docs/ok.md if read
    layout.link("docs/.kbsyncignore", layout.outside / "ignore")
    (layout.root / "docs" / "other.md").write_text("# other\n")
    with pytest.raises(ManifestError, match=r"symlink leads outside .*docs/\.kbsyncignore"):
        _load(layout.write(_files("docs/")))


def test_validate_names_every_escape_at_once_and_exits_1(layout: Layout) -> None:
    layout.link("docs/secret.md", layout.outside / "secret.md")
    layout.link("prompts", layout.outside)
    knowledge = (
        "      files:\n"
        "        - path: ../outside/secret.md\n"
        "        - path: /etc/hostname\n"
        "        - path: docs/\n"
    )
    layout.write(knowledge, _prompt("prompts/secret.md"))
    run = run_kbsync("http://127.0.0.1:9", layout.root, "validate", key=SECURITY_KEY)
    assert run.code == 1, run.out + run.err
    both = run.out + run.err
    for words in ("leaves the manifest folder", "absolute path", "symlink leads outside"):
        assert words in both, both
    assert OUTSIDE_SECRET not in both


# --- writing ------------------------------------------------------------------------------


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_a_kbsync_folder_linked_elsewhere_is_not_written_through(
    layout: Layout, tmp_path: Path
) -> None:
    """A checked-out `.kbsync -> somewhere` link must not turn kbsync's caches into writes
    outside the manifest's folder."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    layout.link(".kbsync", elsewhere)
    layout.write(_files("docs/"))
    checked = run_kbsync("http://127.0.0.1:9", layout.root, "validate", key=SECURITY_KEY)
    assert checked.code == 0, checked.out + checked.err  # no hash cache written, that is all
    run = run_kbsync("http://127.0.0.1:9", layout.root, "apply", "--sandbox", key=SECURITY_KEY)
    assert sorted(elsewhere.iterdir()) == [], (run.out, run.err)
    assert run.code == 1 and ".kbsync is a symlink" in run.err, run.out + run.err


ALL = ("--max-delete", "100%")
IMPORT = ("import", "--project", "1", "-o", "imported/kbsync.yaml")
HOSTILE_NAMES = (
    "../../../../pwned-text.txt",
    "/tmp/pwned-absolute.txt",
    "..\\..\\pwned-backslash.txt",
    "docs%2F..%2F..%2Fpwned~kb1t~0123456789abcdef.txt",
)


@pytest.fixture
def hostile_emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """An emulator whose project holds an agent with a path-like name and assets named
    like paths (as a compromised or buggy server could answer)."""
    emulator = EmulatorProcess(tmp_path / "store.sqlite", key=SECURITY_KEY)
    auth = {"Authorization": f"Bearer {SECURITY_KEY}"}
    with httpx.Client(base_url=emulator.base_url, headers=auth, timeout=10) as http:
        made = http.post(
            "/v1/ai-agent/chatbot/1", json={"name": "../../Path Test", "language": "en"}
        )
        made.raise_for_status()
        data = made.json()["data"]
        chatbot_id = data if isinstance(data, str) else data["chatbot_id"]
        for name in HOSTILE_NAMES:
            body = {"chatbot_id": chatbot_id, "content": "x", "file_name": name}
            http.post("/v1/ai-agent/link_content/1", json=body).raise_for_status()
        files = {"file": ("../../../pwned-upload.md", b"# x\n", "text/markdown")}
        http.post(
            "/v1/ai-agent/upload_file/1", data={"chatbot_id": chatbot_id}, files=files
        ).raise_for_status()
    yield emulator
    emulator.stop()


def test_names_from_the_server_are_never_used_as_paths(
    hostile_emulator: EmulatorProcess, layout: Layout, tmp_path: Path
) -> None:
    manifest = layout.write(_files("docs/"), "    prune: all\n")
    manifest.write_text(manifest.read_text().replace("Path Test", '"../../Path Test"'))
    before = _tree(tmp_path)
    url = hostile_emulator.base_url
    runs = [
        run_kbsync(url, layout.root, "plan", "--out", "plan.json", *ALL, key=SECURITY_KEY),
        run_kbsync(url, layout.root, "plan", "--format", "json", *ALL, key=SECURITY_KEY),
        run_kbsync(url, layout.root, "apply", "plan.json", key=SECURITY_KEY),
        run_kbsync(url, layout.root, *IMPORT, key=SECURITY_KEY),
    ]
    assert [r.code for r in runs] == [0, 0, 0, 0], [r.out + r.err for r in runs]
    assert any("pwned" in r.out for r in runs)  # the names were seen, as text
    new = _tree(tmp_path) - before
    allowed = ("project/plan.json", "project/imported", "project/.kbsync", "store.sqlite")
    unexpected = sorted(p for p in new if not p.startswith(allowed))
    assert not unexpected, unexpected
    assert not any("pwned" in p for p in _tree(tmp_path))
    assert not Path("/tmp/pwned-absolute.txt").exists()
    assert not list(tmp_path.parent.glob("pwned*")) and not list(tmp_path.glob("pwned*"))
