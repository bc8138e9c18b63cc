"""The digest in a real browser: Debian's headless Chromium, driven by Playwright (no browser
download: the system binary is used). Renders without console errors, loads nothing but the
file itself, fits a phone, and leaves screenshots in test-artifacts/ to look at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from inboxcoach.demo import run_demo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("INBOXCOACH_ARTIFACTS",
                                Path(__file__).parent.parent / "test-artifacts"))
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
    pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def digest(tmp_path_factory) -> Path:
    result = run_demo(tmp_path_factory.mktemp("browser") / "demo")
    assert result.report.digest is not None
    return result.report.digest


# The smallest chart text as rendered, in CSS pixels: its font size in the SVG's units times
# the SVG's scale on the page.
SMALLEST_CHART_TEXT = """() => Math.min(...Array.from(document.querySelectorAll('svg.chart'))
  .flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return Array.from(svg.querySelectorAll('text'))
      .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  }))"""


@pytest.mark.parametrize(("name", "width"), [("desktop", 1000), ("phone", 390)])
def test_digest_renders_cleanly_in_chromium(digest: Path, name: str, width: int):
    _require_browser()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(digest.as_uri())
            page.screenshot(path=str(ARTIFACTS / f"digest-{name}.png"), full_page=True)
            headings = page.locator("h2").all_inner_texts()
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            charts = page.locator("svg[role=img]").count()
            smallest = page.evaluate(SMALLEST_CHART_TEXT)
        finally:
            browser.close()
    assert errors == []
    assert requests == [digest.as_uri()]  # nothing remote, nothing else local
    assert "Since last time" in headings and "The search over time" in headings
    assert scroll_width <= width  # no sideways scrolling on a phone
    assert charts == 3
    assert smallest >= 11, f"chart text is {smallest:.1f} px at {width} px wide"
    assert (ARTIFACTS / f"digest-{name}.png").stat().st_size > 10_000
