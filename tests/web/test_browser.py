"""A reader's path through the web app in a real headless Chromium, against ``miner serve`` on
127.0.0.1 over a real store: open home, filter the list, open a flagged document, see the
highlighted evidence with its page, search a mention, switch the language, confirm a flag with a
token. Screenshots of each step are written to ``$MINER_SCREENSHOTS`` (default: the test's own
temporary folder) for a person to look at. The browser's console must stay free of errors (a
Content-Security-Policy violation would show there).

Needs Debian's ``chromium`` and ``chromium-driver`` (``make browser``); skipped with the reason
where they are absent. No browser is downloaded.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from webstore import WebStore, fill

from miner.store.watchlists import StoredTerm

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
)

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="headless Chromium not installed: `make browser` (Debian's chromium and chromium-driver)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, WebStore]]:
    store = fill(f"sqlite:///{tmp_path / 'store.db'}", hostile=False)
    port = _free_port()
    env = {**os.environ, "MINER_DATABASE_URL": store.url}
    server = subprocess.Popen(
        [sys.executable, "-m", "miner", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base, store
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MINER_SCREENSHOTS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _snap(driver: object, folder: Path, name: str, width: int = 1280) -> None:
    """A screenshot of the whole page (the window grown to its height)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")  # type: ignore[attr-defined]
    driver.set_window_size(width, min(int(height) + 120, 6000))  # type: ignore[attr-defined]
    driver.save_screenshot(str(folder / f"{name}.png"))  # type: ignore[attr-defined]
    driver.set_window_size(width, 900)  # type: ignore[attr-defined]


def _then_new_page(driver: object, click: object) -> None:
    """Click (``click()``) and wait until the browser has left the page it was on."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")  # type: ignore[attr-defined]
    click.click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 15).until(expected_conditions.staleness_of(old))


def test_a_readers_path_through_the_app(
    served: tuple[str, WebStore], browser: object, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    d = browser  # a selenium WebDriver
    base, store = served
    folder = _shots(tmp_path)
    token = store.repo.create_token("analyst-anna")

    # Home: the newest documents and changes.
    d.get(base + "/")  # type: ignore[attr-defined]
    assert "Belgian policy" in d.find_element(By.TAG_NAME, "h1").text  # type: ignore[attr-defined]
    assert len(d.find_elements(By.CSS_SELECTOR, ".docs .doc")) == 4  # type: ignore[attr-defined]
    _snap(d, folder, "1-home")

    # Filter the list: Flemish documents only.
    _then_new_page(d, d.find_element(By.LINK_TEXT, "Documents"))  # type: ignore[attr-defined]
    Select(d.find_element(By.ID, "f-government")).select_by_value("flemish")  # type: ignore[attr-defined]
    _then_new_page(d, d.find_element(By.CSS_SELECTOR, ".filters button[type=submit]"))  # type: ignore[attr-defined]
    assert "government=flemish" in d.current_url  # type: ignore[attr-defined]
    rows = d.find_elements(By.CSS_SELECTOR, ".docs .doc")  # type: ignore[attr-defined]
    assert len(rows) == 2 and all("Flemish" in r.text for r in rows)
    _snap(d, folder, "2-documents-filtered")

    # Open the flagged plan and see the evidence highlighted, with its page.
    _then_new_page(d, d.find_element(By.PARTIAL_LINK_TEXT, "beleidsnota.pdf"))  # type: ignore[attr-defined]
    card = d.find_element(By.ID, "flag-no_gender_lens")  # type: ignore[attr-defined]
    assert "No gender lens" in card.text
    quote = card.find_element(By.CSS_SELECTOR, "blockquote.evidence")
    assert quote.find_element(By.TAG_NAME, "mark").text and "page 2" in quote.text
    assert quote.get_attribute("lang") == "nl"
    _snap(d, folder, "3-document-evidence")

    # Search a mention.
    _then_new_page(d, d.find_element(By.LINK_TEXT, "Mentions"))  # type: ignore[attr-defined]
    d.find_element(By.ID, "m-term").send_keys("nieuwkomers")  # type: ignore[attr-defined]
    _then_new_page(d, d.find_element(By.CSS_SELECTOR, "form[role=search] button"))  # type: ignore[attr-defined]
    lines = d.find_elements(By.CSS_SELECTOR, ".kwic li")  # type: ignore[attr-defined]
    assert lines and all(li.find_element(By.TAG_NAME, "mark").text.lower() == "nieuwkomers" for li in lines)
    assert d.find_elements(By.CSS_SELECTOR, "figure.chart svg rect.bar")  # type: ignore[attr-defined]
    _snap(d, folder, "4-mentions")

    # Switch the language: the same search, in Dutch.
    _then_new_page(d, d.find_element(By.LINK_TEXT, "Nederlands"))  # type: ignore[attr-defined]
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"  # type: ignore[attr-defined]
    assert d.find_element(By.TAG_NAME, "h1").text == "Vermeldingen"  # type: ignore[attr-defined]
    assert "term=nieuwkomers" in d.current_url and d.find_elements(By.CSS_SELECTOR, ".kwic li")  # type: ignore[attr-defined]
    _snap(d, folder, "5-mentions-nl")

    # Confirm the flag with a token (the form of the document's page, in Dutch now).
    doc_id = store.ids["pdf"]
    d.get(f"{base}/documents/{doc_id}")  # type: ignore[attr-defined]
    card = d.find_element(By.ID, "flag-no_gender_lens")  # type: ignore[attr-defined]
    card.find_element(By.CSS_SELECTOR, "details.review-form summary").click()
    card.find_element(By.CSS_SELECTOR, "input[value=confirmed]").click()
    card.find_element(By.ID, "note-no_gender_lens").send_keys("Checked against the plan: no word on women.")
    card.find_element(By.ID, "token-no_gender_lens").send_keys(token)
    _snap(d, folder, "6-review-form-nl")
    _then_new_page(d, card.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    status = d.find_element(By.CSS_SELECTOR, "[role=status]")  # type: ignore[attr-defined]
    assert "opgeslagen" in status.text
    card = d.find_element(By.ID, "flag-no_gender_lens")  # type: ignore[attr-defined]
    assert (
        "analyst-anna" in card.text and "no word on women" in card.text and "BEVESTIGD" in card.text.upper()
    )
    _snap(d, folder, "7-reviewed-nl")
    reviews = store.repo.reviews(doc_id)
    assert [(r.flag_code, str(r.decision), r.reviewer) for r in reviews] == [
        ("no_gender_lens", "confirmed", "analyst-anna")
    ]
    assert not store.repo.is_dismissed(doc_id, "no_gender_lens")

    # A wrong token is refused, in the reader's language, and nothing is stored.
    card.find_element(By.CSS_SELECTOR, "details.review-form summary").click()
    card.find_element(By.CSS_SELECTOR, "input[value=dismissed]").click()
    card.find_element(By.ID, "token-no_gender_lens").send_keys("pm_wrong")
    _then_new_page(d, card.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert d.find_element(By.TAG_NAME, "h1").text == "Een token is nodig"  # type: ignore[attr-defined]
    assert len(store.repo.reviews(doc_id)) == 1

    # On a phone: the document page reflows (no horizontal scrolling).
    d.set_window_size(390, 844)  # type: ignore[attr-defined]
    d.get(f"{base}/documents/{doc_id}")  # type: ignore[attr-defined]
    overflow = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
    assert overflow <= 0
    _snap(d, folder, "8-document-phone", width=390)
    d.get(f"{base}/documents")  # type: ignore[attr-defined]
    _snap(d, folder, "9-documents-phone", width=390)

    logged = d.get_log("browser")  # type: ignore[attr-defined]
    errors = [
        e for e in logged if e["level"] == "SEVERE" and "status of 401" not in e["message"]
    ]  # the wrong token
    assert errors == [], errors


#: The pages people open every day, by the name their screenshots carry.
EVERY_PAGE = {
    "home": "/",
    "documents": "/documents",
    "document-flagged": "/documents/{pdf}",
    "mentions": "/mentions?term=VDAB",
    "mentions-watchlist": "/mentions?watchlist=werk",
    "trends": "/trends",
    "sources": "/sources",
    "review": "/review",
}


@pytest.mark.parametrize(("width", "device"), [(1280, "desktop"), (390, "phone")])
def test_every_page_at_desktop_and_phone_width(
    served: tuple[str, WebStore], browser: object, tmp_path: Path, width: int, device: str
) -> None:
    """Each page fits its width (no sideways scrolling on a phone), has one h1 and a way to skip to
    the content, and every form control has a label; screenshots for a person to look at."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    d = browser
    base, store = served
    store.repo.add_watchlist_terms("werk", [StoredTerm("VDAB"), StoredTerm("nieuwkomers", "nl")])
    folder = _shots(tmp_path)
    d.set_window_size(width, 900)  # type: ignore[attr-defined]
    for name, path in EVERY_PAGE.items():
        d.get(base + path.format(pdf=store.ids["pdf"]))  # type: ignore[attr-defined]
        overflow = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
        assert overflow <= 0, (name, device, overflow)
        assert len(d.find_elements(By.TAG_NAME, "h1")) == 1, name  # type: ignore[attr-defined]
        unlabelled = d.execute_script(  # type: ignore[attr-defined]
            "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
            ".filter(e => !e.labels.length && !e.getAttribute('aria-label')).map(e => e.name)"
        )
        assert unlabelled == [], (name, unlabelled)
        _snap(d, folder, f"{device}-{name}", width=width)
        # The keyboard's first stop is the link that skips the navigation.
        d.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)  # type: ignore[attr-defined]
        first = d.switch_to.active_element  # type: ignore[attr-defined]
        assert first.get_attribute("class") == "skip" and first.get_attribute("href").endswith("#main"), name
    logged = d.get_log("browser")  # type: ignore[attr-defined]
    assert [e for e in logged if e["level"] == "SEVERE"] == []
