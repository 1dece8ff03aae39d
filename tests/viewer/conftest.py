"""Browser fixtures: Debian's Chromium driven by Playwright, pages opened from file://.

Every request outside the site folder, every console error and every page error fails the test
at teardown. Browser tests skip when Chromium or Playwright is missing, unless
MEDIABOARD_REQUIRE_BROWSER is set (CI sets it, so there they fail instead).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("MEDIABOARD_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync",
               "--use-gl=swiftshader", "--enable-unsafe-swiftshader", "--autoplay-policy=no-user-gesture-required",
               # sandboxed frames (Bokeh, Html) stay in the page's process: in their own process, a
               # click that Playwright sends right after scrolling the page is routed by the
               # compositor's hit-test data of before the scroll, and lands in a frame that was
               # there (no event reaches the page). A person's click comes frames later. The
               # sandbox attribute is enforced by Blink either way.
               "--disable-features=IsolateSandboxedIframes"]


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium is not at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser():
    missing = _browser_missing()
    if missing:
        if os.environ.get("MEDIABOARD_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests required but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


class SitePage:
    """A Playwright page bound to one site folder, recording everything that must not happen."""

    def __init__(self, page, site: Path, name: str) -> None:
        self.page = page
        self.site = site.resolve()
        self.name = name
        self.bad: list[str] = []
        self.refused: list[str] = []  # outside requests refused by a Content-Security-Policy
        root = self.site.as_uri()
        page.on("request", lambda r: None if r.url.startswith((root + "/", "data:", "blob:", "about:"))
                else self.bad.append(f"request outside the site: {r.url}"))
        # Chromium reports a request its Content-Security-Policy refused, then fails it with "csp":
        # refused before anything was sent, so not a request outside the site
        page.on("requestfailed", lambda r: self.refused.append(r.url) if r.failure == "csp" and
                f"request outside the site: {r.url}" in self.bad and
                self.bad.remove(f"request outside the site: {r.url}") is None else None)
        page.on("console", lambda m: self.bad.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.bad.append(f"page error: {e} {getattr(e, 'stack', '')}"))

    def open(self, fragment: str = "", wait: str | None = None) -> None:
        self.page.goto((self.site / "index.html").as_uri() + fragment)
        if wait:
            self.page.wait_for_selector(wait, timeout=15000)

    def open_run(self, run_key: str, query: str = "") -> None:
        self.open(f"#/run/{run_key}" + (f"?{query}" if query else ""))
        self.page.wait_for_selector("body[data-ready=run]", timeout=15000)

    def wait_cursor(self, step: int) -> None:
        self.page.wait_for_selector(f"body[data-cursor='{step}']", timeout=15000)

    def screenshot(self, label: str = "") -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "_", f"{self.name}{'-' + label if label else ''}")
        path = ARTIFACTS / f"{safe}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def site_page(browser, request):
    """``site_page(site_dir, width=1280, height=800, csp=False) -> SitePage``; fails the test on
    outside requests and console/page errors.

    The pages carry a Content-Security-Policy without 'unsafe-eval', which also stops Playwright's
    string predicates (``wait_for_function("...")`` evaluates them in the page); tests therefore
    run with the policy bypassed, except with ``csp=True`` (tests/viewer/test_csp.py)."""
    pages: list[SitePage] = []
    contexts = []

    def _open(site: Path, width: int = 1280, height: int = 800, csp: bool = False) -> SitePage:
        ctx = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=not csp)
        contexts.append(ctx)
        sp = SitePage(ctx.new_page(), Path(site), request.node.name + (f"-{width}" if width != 1280 else ""))
        pages.append(sp)
        return sp

    yield _open
    problems = [b for sp in pages for b in sp.bad]
    for ctx in contexts:
        ctx.close()
    assert not problems, "\n".join(problems)
