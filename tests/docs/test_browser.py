"""The built site in a real browser: headless Chromium loads pages served over loopback.

Out of the default run (it builds the site and starts a browser): run it with
``KBSYNC_BROWSER=1 python -m pytest -q tests/docs/test_browser.py``. It needs the docs
extra (``pip install -e '.[docs]'``) and Debian's ``chromium`` and ``chromium-driver``;
with KBSYNC_BROWSER=1, a missing one is a failure, not a skip.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kbsync.commands.schema import schema_text
from kbsync.schema_markdown import objects
from tests.docs.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        os.environ.get("KBSYNC_BROWSER") != "1", reason="browser test: set KBSYNC_BROWSER=1"
    ),
]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output to failures


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site built with --strict into a temp folder, served on a free loopback port."""
    built = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(built)]
    result = subprocess.run(build, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    handler = functools.partial(QuietHandler, directory=str(built))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM.is_file() and CHROMEDRIVER.is_file(), "apt-get install chromium chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    yield driver
    driver.quit()


def load(browser: Any, url: str) -> str:
    """Open the page, wait until the theme's script has run, and return its visible text."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == [], f"console errors on {url}: {errors}"
    return str(browser.find_element("tag name", "body").text)


def test_home_page(site: str, browser: Any) -> None:
    text = load(browser, site + "/")
    assert "kbsync" in browser.title
    assert "GitOps for chatbot content" in text
    assert "Tutorial: the sandbox" in text  # the navigation rendered


def test_manifest_reference_shows_every_generated_key(site: str, browser: Any) -> None:
    text = load(browser, site + "/reference/manifest/")
    schema = json.loads(schema_text())
    keys = {key for _, node in objects(schema) for key in node["properties"]}
    assert sorted(k for k in keys if k not in text) == []
    described = schema["properties"]["agents"]["additionalProperties"]["properties"]
    assert described["knowledge"]["properties"]["websites"]["description"] in text
    assert "kbsync:schema" not in browser.page_source  # every placeholder was replaced


def test_cli_reference_is_generated_from_the_commands(site: str, browser: Any) -> None:
    from kbsync.cli import cli

    text = load(browser, site + "/reference/cli/")
    for name in cli.commands:
        assert f"kbsync {name} [OPTIONS]" in text
    assert "--wait-timeout SECONDS" in text
