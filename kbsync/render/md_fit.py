"""Cut a Markdown document into a character budget, longest sections first.

A document is a fixed ``lead`` (the summary line) and a sequence of Sections.
A Section has a head and a tail that always stay, and Parts (one per action)
that may be condensed (a diff replaced by one line) or left out from the end.
While the document is too long, the currently longest section gives up
something: a big diff or table is condensed, else parts go from its end. When
even the sections' heads cannot fit, whole sections are left out first, the last
ones first and never a warning. What was cut is said twice: inside the section,
and in a note at the end that also says where the whole thing is.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kbsync.render.md_blocks import blockquote, plural

# room kept for the closing note that lists what was cut
_NOTE_RESERVE = 1_500
_NOTE_MAX_ENTRIES = 12
# a diff or table this long is shortened before any action is left out
_BIG_PART = 5_000
# parts end with a blank line after a block and the tails start with one; never two
_BLANK_RUNS = re.compile(r"\n{3,}")


class Part(NamedTuple):
    full: str
    short: str  # the condensed form; equal to full when nothing can be condensed


class Section(NamedTuple):
    label: str  # names the section in the cut note, e.g. "the actions of support"
    head: str
    parts: tuple[Part, ...]
    tail: str = ""
    noun: str = "action"  # what one part is, for "4,950 more actions not shown"
    quoted: bool = False  # a blockquote section: the omission line is quoted too
    droppable: bool = True  # may go entirely when even its head does not fit (not warnings)


class _Cut(NamedTuple):
    kept: int  # parts kept, from the start
    condensed: frozenset[int] = frozenset()
    dropped: bool = False  # the whole section left out


def fit(lead: str, sections: list[Section], max_chars: int, full_hint: str) -> str:
    """The document, whole when it fits, else cut as described above."""
    cuts = [_Cut(len(s.parts)) for s in sections]
    whole = _join(lead, sections, cuts, full_hint)
    if len(whole) <= max_chars:
        return whole
    budget = max_chars - _NOTE_RESERVE
    cuts = _drop(lead, sections, cuts, budget, full_hint)
    cuts = _shrink(lead, sections, cuts, budget, full_hint)
    note = _cut_note(sections, cuts, max_chars, full_hint)
    return _hard_limit(_join(lead, sections, cuts, full_hint), note, max_chars)


def _join(lead: str, sections: list[Section], cuts: list[_Cut], hint: str) -> str:
    body = lead + "".join(_render(s, c, hint) for s, c in zip(sections, cuts, strict=True))
    return _BLANK_RUNS.sub("\n\n", body)


def _render(section: Section, cut: _Cut, hint: str) -> str:
    if cut.dropped:
        return ""
    parts = [
        p.short if i in cut.condensed else p.full for i, p in enumerate(section.parts[: cut.kept])
    ]
    return section.head + "".join(parts) + _omission(section, cut, hint) + section.tail


def _omission(section: Section, cut: _Cut, hint: str) -> str:
    missing = len(section.parts) - cut.kept
    if not missing:
        return ""
    more = plural(missing, "more " + section.noun)
    line = f"*… and {more} not shown here (cut to fit; see {hint}).*"
    return blockquote([line]) if section.quoted else f"\n{line}\n"


def _shrink(
    lead: str, sections: list[Section], cuts: list[_Cut], budget: int, hint: str
) -> list[_Cut]:
    sizes = [len(_render(s, c, hint)) for s, c in zip(sections, cuts, strict=True)]
    excess = len(lead) + sum(sizes) - budget
    while excess > 0:
        order = sorted(range(len(sections)), key=lambda i: -sizes[i])
        movable = [i for i in order if cuts[i].kept > 0 and not cuts[i].dropped]
        if not movable:
            break
        i = movable[0]
        runner_up = max((sizes[j] for j in movable[1:]), default=0)
        # down to the runner-up, but by at least an eighth: few rounds for many equal sections
        wanted = min(excess, max(sizes[i] - runner_up, sizes[i] // 8))
        cuts[i] = _shrink_one(sections[i], cuts[i], wanted)
        new_size = len(_render(sections[i], cuts[i], hint))
        excess -= sizes[i] - new_size
        sizes[i] = new_size
    return cuts


def _shrink_one(section: Section, cut: _Cut, wanted: int) -> _Cut:
    """Condense a big diff or table when that helps enough, else leave out parts from the end.

    Parts come in apply order, so leaving out from the end keeps prompt and settings
    changes and drops adds and delinks first; a diff is only shortened when it is
    big by itself, because a reviewer needs diffs more than the hundredth added file.
    """
    savings = [
        (len(p.full) - len(p.short), i)
        for i, p in enumerate(section.parts[: cut.kept])
        if i not in cut.condensed
    ]
    best, index = max(savings, default=(0, -1))
    if best > 0 and (best >= _BIG_PART or 2 * best >= wanted):
        return cut._replace(condensed=cut.condensed | {index})
    kept, freed = cut.kept, 0
    while kept > 0 and (freed < wanted or kept == cut.kept):
        kept -= 1
        part = section.parts[kept]
        freed += len(part.short if kept in cut.condensed else part.full)
    return cut._replace(kept=kept)


def _drop(
    lead: str, sections: list[Section], cuts: list[_Cut], budget: int, hint: str
) -> list[_Cut]:
    """When even the sections' heads do not fit: leave out whole ones, last first."""
    heads = [len(_render(s, _Cut(0), hint)) for s in sections]
    excess = len(lead) + sum(heads) - budget
    for i in reversed(range(len(sections))):
        if excess <= 0:
            break
        if sections[i].droppable:
            cuts[i] = cuts[i]._replace(dropped=True)
            excess -= heads[i]
    return cuts


def _cut_note(sections: list[Section], cuts: list[_Cut], max_chars: int, hint: str) -> str:
    pairs = list(zip(sections, cuts, strict=True))
    entries = [_dropped_entry([s for s, c in pairs if c.dropped])]
    entries += [_cut_entry(s, c) for s, c in pairs if not c.dropped]
    entries = [e for e in entries if e]
    shown = entries[:_NOTE_MAX_ENTRIES]
    if len(entries) > len(shown):
        shown.append(f"and {plural(len(entries) - len(shown), 'more section')} cut")
    lines = [
        "[!NOTE]",
        f"**This document was cut to stay under {max_chars:,} characters.**"
        f" The full version is in {hint}.",
        "",
        *(f"- {entry}" for entry in shown),
    ]
    return "\n" + blockquote(lines)


def _dropped_entry(dropped: list[Section]) -> str:
    if not dropped:
        return ""
    named = ", ".join(s.label for s in dropped[:3])
    more = f" and {plural(len(dropped) - 3, 'more section')}" if len(dropped) > 3 else ""
    return f"left out entirely: {named}{more}"


def _cut_entry(section: Section, cut: _Cut) -> str:
    said = []
    missing = len(section.parts) - cut.kept
    if missing:
        said.append(f"{missing:,} of {plural(len(section.parts), section.noun)} left out")
    condensed = len(cut.condensed)
    if condensed:
        said.append(f"{plural(condensed, 'diff or table')} shortened")
    return f"{section.label}: {', '.join(said)}" if said else ""


def _hard_limit(body: str, note: str, max_chars: int) -> str:
    """Last resort when even the heads do not fit: cut at a line, say so in the note."""
    if len(body) + len(note) <= max_chars:
        return body + note
    room = max(0, max_chars - len(note) - 1)
    cut_at = body.rfind("\n", 0, room)
    return body[: cut_at + 1 if cut_at >= 0 else room] + note[:max_chars]
