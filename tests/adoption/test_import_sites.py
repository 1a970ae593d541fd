"""Grouping crawled pages into websites whose rules keep exactly those pages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kbsync.adopt.sites import MAX_INCLUDE_RULES, ImportedSite, group_sites
from kbsync.manifest.urls import page_belongs
from kbsync.model import DesiredSite


def as_site(site: ImportedSite) -> DesiredSite:
    return DesiredSite(f"site:{site.url}", site.url, max_pages=site.pages, include=site.include)


def test_one_site_per_host_at_the_common_folder():
    pages = [
        "https://docs.acme.example/guide/install/",
        "https://docs.acme.example/guide/use.html",
        "https://docs.acme.example/guide/api/one",
        "https://blog.acme.example/2024/post",
    ]
    sites = group_sites(pages)
    assert [s.url for s in sites] == [
        "https://blog.acme.example/2024/",
        "https://docs.acme.example/guide/",
    ]
    assert sites[1].include == (
        "https://docs.acme.example/guide/api/*",
        "https://docs.acme.example/guide/install/*",
        "https://docs.acme.example/guide/use.html",
    )
    assert sites[1].pages == 3


def test_disjoint_folders_of_one_host_are_kept_apart_by_include_rules():
    pages = ["https://a.example/docs/x", "https://a.example/help/y", "https://a.example/"]
    (site,) = group_sites(pages)
    assert site.url == "https://a.example/"
    assert site.include == (
        "https://a.example/",
        "https://a.example/docs/*",
        "https://a.example/help/*",
    )
    assert not page_belongs(as_site(site), "https://a.example/blog/z")


def test_a_crawl_start_url_covering_every_page_is_preferred():
    pages = ["https://a.example/docs/guide/one", "https://a.example/docs/guide/two"]
    (site,) = group_sites(pages, ["https://a.example/docs/index.html", "https://other.example/"])
    assert site.url == "https://a.example/docs/index.html"
    assert site.include == ("https://a.example/docs/guide/*",)


def test_too_many_rules_fall_back_to_the_scope():
    pages = [f"https://a.example/p{i}.html" for i in range(MAX_INCLUDE_RULES + 1)]
    (site,) = group_sites(pages)
    assert site.include == () and site.pages == MAX_INCLUDE_RULES + 1


def test_query_strings_and_odd_urls():
    pages = ["https://a.example/search?q=a/b", "HTTPS://A.example:443/x/", "mailto:x@a.example"]
    (site,) = group_sites(pages)
    assert site.include == ("https://a.example/search?q=a/b", "https://a.example/x/*")
    assert site.pages == 2


segment = st.sampled_from(["a", "b", "docs", "guide", "x.html", "ü", "a b"])
paths = st.lists(segment, min_size=0, max_size=4).map(lambda parts: "/" + "/".join(parts))
hosts = st.sampled_from(["https://one.example", "http://two.example:8080"])


@given(st.lists(st.tuples(hosts, paths, st.booleans()), min_size=1, max_size=30))
def test_every_page_belongs_to_exactly_one_imported_site(items):
    pages = [f"{host}{path}{'/' if slash else ''}" for host, path, slash in items]
    sites = [as_site(s) for s in group_sites(pages)]
    for page in pages:
        assert sum(page_belongs(site, page) for site in sites) == 1, page
