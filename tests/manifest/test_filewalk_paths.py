"""The file walk keeps the paths ``os.scandir`` gives as strings (no private pathlib API);
they become a Path only at upload."""

from __future__ import annotations

import os
from pathlib import Path

from kbsync.desired.filewalk import walk_entry
from kbsync.manifest.specs import FileSpec
from kbsync.manifest.yamlload import Loc


def test_walked_paths_are_the_strings_scandir_gives(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "docs" / "deep" / "er").mkdir(parents=True)
    for rel in ("docs/a.md", "docs/deep/b.txt", "docs/deep/er/c.md"):
        (root / rel).write_text(rel, encoding="utf-8")

    walked = walk_entry(root, FileSpec("docs", (), (), Loc(1, 1)))

    assert [f.rel for f in walked.files] == ["docs/a.md", "docs/deep/b.txt", "docs/deep/er/c.md"]
    assert all(type(f.path) is str for f in walked.files)
    assert [f.path for f in walked.files] == [
        os.path.join(str(root), *f.rel.split("/")) for f in walked.files
    ]
    assert [Path(f.path).read_text(encoding="utf-8") for f in walked.files] == [
        f.rel for f in walked.files
    ]


def test_a_single_file_entry_is_a_string_path_too(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "faq.md").write_text("# FAQ", encoding="utf-8")

    (stat,) = walk_entry(root, FileSpec("faq.md", (), (), Loc(1, 1))).files

    assert (stat.rel, stat.path) == ("faq.md", str(root / "faq.md"))
