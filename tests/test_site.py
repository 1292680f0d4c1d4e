"""The built site in a real browser: every page loads, its images load, no console errors.

Needs the book built (`make book`) and Debian's Chromium and ChromeDriver (`make browser`).
Screenshots of every page are saved under _build/screenshots/.
"""

import functools
import http.server
import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"


def toc_pages():
    """The HTML path of every page listed in _toc.yml, in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return [f"{file}.html" for file in files]


PAGES = toc_pages()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    if not (HTML / "index.html").exists():
        pytest.fail("the book is not built: run `make book` first")
    handler = functools.partial(QuietHandler, directory=HTML)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        message = ("headless Chromium is needed for this test: run `make browser` as root, "
                   "or install Debian's packages chromium and chromium-driver")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    yield driver
    driver.quit()


def wait_for(condition, timeout=15):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_with_its_images_and_no_console_errors(site, browser, page):
    browser.set_window_size(1280, 900)
    browser.get(f"{site}/{page}")
    assert wait_for(lambda: browser.execute_script("return document.readyState") == "complete")
    assert browser.find_elements("css selector", "article h1"), "no title on the page"
    # A window as tall as the page puts every (lazily loaded) image in view.
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(height, 30000))
    images = "return Array.from(document.images).map(i => [i.src, i.complete, i.naturalWidth])"
    assert wait_for(lambda: all(done for _, done, _ in browser.execute_script(images)))
    broken = [src for src, _, width in browser.execute_script(images) if width == 0]
    assert not broken, f"images that did not load: {broken}"
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, f"console errors: {errors}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(SHOTS / page.replace("/", "__").replace(".html", ".png"))


def test_every_figure_has_alt_text_and_a_caption(site, browser):
    describe = """return Array.from(document.querySelectorAll('article img')).map(img => [
        img.getAttribute('src'), img.getAttribute('alt') || '',
        Boolean(img.closest('figure') && img.closest('figure').querySelector('figcaption'))])"""
    for page in PAGES:  # every chapter has figures; any other page's figures are checked too
        browser.get(f"{site}/{page}")
        images = browser.execute_script(describe)
        assert images or not page.startswith("notebooks/"), f"{page} shows no figure"
        for src, alt, captioned in images:
            assert alt.strip() and not alt.endswith(".png"), f"{page}: {src} has no alt text"
            assert captioned, f"{page}: {src} has no caption"


# Markup that a page shows as text only where a renderer missed it, or where a notebook printed
# it: Markdown tables, MyST roles and directives. The code a reader is taught (cell sources,
# code blocks and inline code in the prose) may hold such text and is left out; outputs are not.
RAW_MARKUP = {
    "a Markdown table": r"\|\s*:?[-\u2013\u2014]+:?\s*\|",  # a rule row, dashes made typographic too
    "a MyST role": r"\{[a-z]+(:[a-z-]+)?\}`",
    "a MyST directive": r"```\{|:::",
}


@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_raw_markdown_or_myst(site, browser, page):
    browser.get(f"{site}/{page}")
    text = browser.execute_script("""
        const article = document.querySelector('article').cloneNode(true);
        article.querySelectorAll('.cell_input, code').forEach(node => node.remove());
        article.querySelectorAll('pre').forEach(node => {
            if (!node.closest('.cell_output')) node.remove();
        });
        return article.textContent;""")
    raw = {what: re.search(pattern, text)[0] for what, pattern in RAW_MARKUP.items()
           if re.search(pattern, text)}
    assert not raw, f"{page} shows raw markup as text: {raw}"
