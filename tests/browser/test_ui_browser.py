"""The playground page in a real headless Chromium (Debian's `chromium`, driven through
`chromium-driver` by Selenium) against LocalHub: the fields in order with `basic` first, a bad
value shown with Generate disabled, a good submit ending in a <video> that loads, a file of
the wrong kind, re-attaching a job, and a page without its token refused.

Every wait is WebDriverWait on a condition of the page (never a sleep). The whole module runs
in well under 60 s: one browser for every test, LocalHub jobs of 0.3 s. Skipped only where
/usr/bin/chromium is absent (.ci/run installs it). `SCHEMADRIVE_UPDATE_SCREENSHOTS=1` writes
the screenshot of docs/ui.md (docs/ui.png); otherwise it goes to the test's temporary dir.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium (Debian: apt-get install chromium chromium-driver; CI does)",
)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from ui_support import (  # noqa: E402
    ADVANCED_ORDER,
    BASIC_MODEL,
    BASIC_ORDER,
    PATIENCE,
    Page,
    serve_page,
)

from schemadrive.testing.media import mp4_bytes, png_bytes  # noqa: E402

T2V = "ltx-2-3-quality-text-to-video"
A2V = "ltx-2-3-pro-audio-to-video"
REPOSITORY = Path(__file__).resolve().parents[2]
#: the flags without which Chromium, on a machine with no network, hangs trying to reach out
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,1300",
)  # fmt: skip


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not Path(driver_path).exists():
        pytest.fail(
            "chromium is installed but chromedriver is not: apt-get install chromium-driver"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(PATIENCE)
    driver.set_script_timeout(PATIENCE)
    try:
        yield driver
    finally:
        driver.quit()


def until(driver: WebDriver, condition: Callable[[WebDriver], Any], what: str) -> Any:
    return WebDriverWait(driver, PATIENCE).until(condition, f"waited for {what}")


def open_page(driver: WebDriver, page: Page, model: str) -> None:
    driver.get(f"{page.server.url}#{model}")
    until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".field"), "the form")
    until(driver, lambda d: d.find_element(By.ID, "live").text == "live", "the event stream")


def field(driver: WebDriver, name: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f'.field[data-name="{name}"]')


def names(driver: WebDriver, selector: str) -> list[str | None]:
    """The parameter names of the fields ``selector`` finds, in page order."""
    return [e.get_attribute("data-name") for e in driver.find_elements(By.CSS_SELECTOR, selector)]


def generate_button(driver: WebDriver) -> WebElement:
    return driver.find_element(By.ID, "generate")


def test_fields_appear_in_order_with_basic_first(browser: WebDriver) -> None:
    with serve_page() as page:
        open_page(browser, page, BASIC_MODEL)
        shown = names(browser, ".field")
        basic = names(browser, "#basic-fields .field")
        advanced = names(browser, "#advanced .field")
        assert (shown, basic, advanced) == (
            BASIC_ORDER + ADVANCED_ORDER,
            BASIC_ORDER,
            ADVANCED_ORDER,
        )
        assert browser.find_element(By.ID, "advanced").get_attribute("open") is None  # folded
        # widgets by schema, the default shown, the description as help
        assert field(browser, "prompt").find_element(By.TAG_NAME, "textarea")
        quality = field(browser, "video_quality").find_element(By.TAG_NAME, "select")
        assert quality.get_attribute("value") is not None
        options = [o.text for o in quality.find_elements(By.TAG_NAME, "option")]
        assert options == ["low", "medium", "high", "maximum"]
        selected = [o.text for o in quality.find_elements(By.TAG_NAME, "option") if o.is_selected()]
        assert selected == ["high"]
        frames = field(browser, "num_frames").find_element(By.TAG_NAME, "input")
        assert (frames.get_attribute("type"), frames.get_attribute("min"),
                frames.get_attribute("max")) == ("number", "9", "481")  # fmt: skip
        assert frames.get_property("value") == "121"
        assert field(browser, "generate_audio").find_element(By.TAG_NAME, "input").is_selected()
        help_text = field(browser, "num_frames").find_element(By.CLASS_NAME, "help")
        assert "The number of frames to generate." in (help_text.get_attribute("textContent") or "")


def test_a_bad_value_shows_the_problem_and_disables_generate(browser: WebDriver) -> None:
    with serve_page() as page:
        open_page(browser, page, T2V)
        browser.find_element(By.ID, "f-prompt").send_keys("a red kite over the sea")
        until(browser, lambda d: generate_button(d).is_enabled(), "Generate enabled")
        browser.find_element(By.CSS_SELECTOR, "#advanced summary").click()
        frames = browser.find_element(By.ID, "f-num_frames")
        frames.clear()
        frames.send_keys("1000")
        text = "$.num_frames: 1000 is above the maximum 481"
        until(browser, lambda d: text in d.find_element(By.ID, "problems").text, "the problem")
        assert not generate_button(browser).is_enabled()
        assert "invalid" in (field(browser, "num_frames").get_attribute("class") or "")
        assert (
            text in field(browser, "num_frames").find_element(By.CLASS_NAME, "field-problems").text
        )
        frames.clear()
        frames.send_keys("241")
        until(browser, lambda d: generate_button(d).is_enabled(), "Generate enabled again")
        assert browser.find_element(By.ID, "problems").text == ""
        estimate = browser.find_element(By.ID, "estimate").text
        assert estimate.startswith("Estimated cost: ") and "USD" in estimate
        assert page.hub.requests.filter(method="POST") == []  # checking sends nothing


def test_a_good_submit_ends_with_a_video_that_loads(browser: WebDriver, tmp_path: Path) -> None:
    with serve_page(model=T2V) as page:
        browser.get(page.server.url)  # the model given on the command line opens first
        until(browser, lambda d: d.find_elements(By.ID, "f-prompt"), "the form")
        browser.find_element(By.ID, "f-prompt").send_keys("a red kite over the sea")
        until(browser, lambda d: generate_button(d).is_enabled(), "Generate enabled")
        generate_button(browser).click()
        video = until(
            browser,
            lambda d: d.find_elements(By.CSS_SELECTOR, '#jobs li[data-status="succeeded"] video'),
            "the video",
        )[0]
        until(browser, lambda d: d.execute_script("return arguments[0].readyState", video) >= 1,
              "the video's metadata")  # fmt: skip
        fetched = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0].src)"
            ".then(r => r.arrayBuffer().then(b => done([r.status, b.byteLength])))",
            video,
        )
        assert fetched == [200, len(mp4_bytes())]
        assert len(page.hub.requests.filter(method="POST")) == 1
        item = browser.find_element(By.CSS_SELECTOR, "#jobs li")
        assert [item.get_attribute("data-id")] == list(page.hub.jobs)  # the job queued
        link = item.find_element(By.CSS_SELECTOR, "a.download")
        assert "download=1" in (link.get_attribute("href") or "")
        browser.find_element(By.CSS_SELECTOR, "#advanced summary").click()  # for the picture
        screenshot = tmp_path / "ui.png"
        if os.environ.get("SCHEMADRIVE_UPDATE_SCREENSHOTS") == "1":
            screenshot = REPOSITORY / "docs" / "ui.png"
        assert browser.save_screenshot(str(screenshot))
        assert screenshot.read_bytes().startswith(b"\x89PNG")


def test_a_file_of_the_wrong_kind_is_a_problem(browser: WebDriver, tmp_path: Path) -> None:
    picture = tmp_path / "first.png"
    picture.write_bytes(png_bytes())
    with serve_page() as page:
        open_page(browser, page, A2V)
        browser.find_element(By.ID, "f-prompt").send_keys("a singer")
        picker = field(browser, "input_audio").find_element(By.CSS_SELECTOR, "input[type=file]")
        assert picker.get_attribute("accept") == "audio/*"
        picker.send_keys(str(picture))
        text = "first.png is image/png, but input_audio takes audio"
        until(browser, lambda d: text in d.find_element(By.ID, "problems").text, "the problem")
        assert not generate_button(browser).is_enabled()


def test_a_job_is_reattached_by_its_id(browser: WebDriver) -> None:
    with serve_page() as page:
        open_page(browser, page, T2V)
        job = page.client.submit(T2V, prompt="started from Python")
        browser.find_element(By.ID, "attach-id").send_keys(job.id)
        browser.find_element(By.CSS_SELECTOR, "#attach button").click()
        until(
            browser,
            lambda d: d.find_elements(By.CSS_SELECTOR, f'#jobs li[data-id="{job.id}"] video'),
            "the re-attached job's video",
        )


def test_a_page_without_its_token_is_refused(browser: WebDriver) -> None:
    with serve_page() as page:
        browser.get(page.server.base_url + "/")
        body = browser.find_element(By.TAG_NAME, "body").text
        assert body.startswith("403 Forbidden")
        assert browser.find_elements(By.ID, "form") == []
