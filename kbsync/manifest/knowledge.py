"""Knowledge entries of one agent (texts, files, websites) from the YAML tree, with their checks."""

from __future__ import annotations

import posixpath

from kbsync.errors import Problem
from kbsync.manifest.durations import parse_duration
from kbsync.manifest.schema import FILES, TEXT, WEBSITE
from kbsync.manifest.specs import FileSpec, TextSpec
from kbsync.manifest.urls import normalize_written_url
from kbsync.manifest.validation import Schema, conforms
from kbsync.manifest.yamlload import Loc, YNode
from kbsync.model import DesiredSite
from kbsync.robofy.contract import MAX_TEXT_CHARS


def _valid_items(node: YNode | None, schema: Schema) -> list[YNode]:
    if node is None or not isinstance(node.value, list):
        return []
    return [item for item in node.value if conforms(schema, item)]


def _get(node: YNode, key: str) -> YNode | None:
    assert isinstance(node.value, dict)
    return node.value.get(key)


def _strings(node: YNode | None) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node.value, list):
        return tuple(str(item.value) for item in node.value)
    return (str(node.value),)


def _at(file: str, loc: Loc, message: str) -> Problem:
    return Problem(file, loc.line, loc.col, message)


# --- texts -------------------------------------------------------------------


def build_texts(
    node: YNode | None, where: str, file: str
) -> tuple[tuple[TextSpec, ...], list[Problem]]:
    specs: list[TextSpec] = []
    problems: list[Problem] = []
    seen: dict[str, Loc] = {}
    for item in _valid_items(node, TEXT):
        name_node = _get(item, "name")
        assert name_node is not None
        name = str(name_node.value)
        if name in seen:
            message = f"{where}: duplicate text name '{name}' (first at line {seen[name].line})"
            problems.append(_at(file, name_node.loc, message))
            continue
        seen[name] = name_node.loc
        spec, problem = _text(item, name, where, file)
        specs.append(spec)
        problems += problem
    return tuple(specs), problems


def _text(item: YNode, name: str, where: str, file: str) -> tuple[TextSpec, list[Problem]]:
    content = _get(item, "content")
    if content is None:
        path = _get(item, "file")
        assert path is not None
        return TextSpec(name, None, str(path.value), path.loc), []
    text = str(content.value)
    spec = TextSpec(name, text, None, content.loc)
    if content.placeholder or not text.strip():
        return spec, []  # an unset ${VAR} may hold any text; the schema reports a blank one
    return spec, text_problems(text, name, where, file, content.loc)


def text_problems(text: str, name: str, where: str, file: str, loc: Loc) -> list[Problem]:
    """An empty or oversized text, wherever its content came from."""
    if not text.strip():
        return [_at(file, loc, f"{where}: text '{name}' is empty")]
    if len(text) > MAX_TEXT_CHARS:
        message = f"{where}: text '{name}' has {len(text):,} characters; the limit is 1,000,000"
        return [_at(file, loc, message)]
    return []


# --- files -------------------------------------------------------------------


def build_files(
    node: YNode | None, where: str, file: str
) -> tuple[tuple[FileSpec, ...], list[Problem]]:
    specs: list[FileSpec] = []
    problems: list[Problem] = []
    for item in _valid_items(node, FILES):
        path_node = _get(item, "path")
        assert path_node is not None
        spec = FileSpec(
            path=str(path_node.value),
            include=_strings(_get(item, "include")),
            exclude=_strings(_get(item, "exclude")),
            loc=path_node.loc,
            oversize_error=_str(_get(item, "oversize")) == "error",
        )
        problems += _overlaps(spec, specs, where, file)
        specs.append(spec)
    return tuple(specs), problems


def _overlaps(spec: FileSpec, earlier: list[FileSpec], where: str, file: str) -> list[Problem]:
    mine = _norm(spec.path)
    for other in earlier:
        theirs = _norm(other.path)
        if mine == theirs:
            message = f"{where}: duplicate files path '{spec.path}' (also at line {other.loc.line})"
            return [_at(file, spec.loc, message)]
        if _inside(mine, theirs) or _inside(theirs, mine):
            message = (
                f"{where}: files path '{spec.path}' overlaps '{other.path}' "
                f"(line {other.loc.line}); use include/exclude in one entry instead"
            )
            return [_at(file, spec.loc, message)]
    return []


def _norm(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/"))


def _inside(path: str, folder: str) -> bool:
    return folder == "." or path.startswith(folder.rstrip("/") + "/")


# --- websites ----------------------------------------------------------------


def build_sites(
    node: YNode | None, where: str, file: str
) -> tuple[tuple[DesiredSite, ...], list[Problem]]:
    sites: list[DesiredSite] = []
    problems: list[Problem] = []
    seen: dict[str, Loc] = {}
    main_at: Loc | None = None
    for item in _valid_items(node, WEBSITE):
        site, site_problems = _site(item, where, file)
        problems += site_problems
        if site is None:
            continue
        url_loc = _loc(item, "url")
        if site.url in seen:
            message = f"{where}: duplicate website {site.url} (first at line {seen[site.url].line})"
            problems.append(_at(file, url_loc, message))
            continue
        seen[site.url] = url_loc
        if site.main and main_at is not None:
            message = f"{where}: only one website can be main (first at line {main_at.line})"
            problems.append(_at(file, _loc(item, "main"), message))
        main_at = main_at or (url_loc if site.main else None)
        sites.append(site)
    return tuple(sites), problems


def _site(item: YNode, where: str, file: str) -> tuple[DesiredSite | None, list[Problem]]:
    problems: list[Problem] = []
    url_node = _get(item, "url")
    assert url_node is not None
    if url_node.placeholder:
        return None, []  # validate: an unset ${VAR} may be any URL; no site to describe
    try:
        url = normalize_written_url(str(url_node.value))
    except ValueError as e:
        return None, [_at(file, url_node.loc, f"{where}: invalid website url: {e}")]
    include, include_problems = _patterns(_get(item, "include"), where, file)
    exclude, exclude_problems = _patterns(_get(item, "exclude"), where, file)
    recrawl, recrawl_problems = _recrawl(_get(item, "recrawl"), where, file)
    problems = include_problems + exclude_problems + recrawl_problems
    site = DesiredSite(
        source_key=f"site:{url}",
        url=url,
        max_pages=_int(_get(item, "max_pages")),
        max_depth=_int(_get(item, "max_depth")),
        include=include,
        exclude=exclude,
        use_sitemap=_bool(_get(item, "use_sitemap")),
        main=_bool(_get(item, "main")),
        recrawl_seconds=recrawl,
    )
    return site, problems


def _patterns(node: YNode | None, where: str, file: str) -> tuple[tuple[str, ...], list[Problem]]:
    """URL patterns normalized like page URLs are, so a pattern can match at all."""
    patterns: list[str] = []
    problems: list[Problem] = []
    items = node.value if node is not None and isinstance(node.value, list) else [node]
    for item in items:
        if item is None or item.placeholder:
            continue
        text = str(item.value)
        star = text.endswith("*")
        try:
            patterns.append(normalize_written_url(text.rstrip("*")) + ("*" if star else ""))
        except ValueError as e:
            problems.append(_at(file, item.loc, f"{where}: invalid URL pattern: {e}"))
    return tuple(patterns), problems


def _recrawl(node: YNode | None, where: str, file: str) -> tuple[float | None, list[Problem]]:
    if node is None or node.placeholder:
        return None, []
    try:
        return parse_duration(str(node.value)), []
    except ValueError as e:
        return None, [_at(file, node.loc, f"{where}: recrawl: {e}")]


def _loc(item: YNode, key: str) -> Loc:
    found = _get(item, key)
    return item.loc if found is None else found.loc


def _int(node: YNode | None) -> int | None:
    return node.value if node is not None and isinstance(node.value, int) else None


def _bool(node: YNode | None) -> bool:
    return node is not None and node.value is True


def _str(node: YNode | None) -> str | None:
    return node.value if node is not None and isinstance(node.value, str) else None
