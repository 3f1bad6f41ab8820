"""The web app end to end in headless Chromium (Debian's package, driven by Selenium): upload a
photo, run every condition mode, and see the error for a corrupt file. Skips, saying why, when
the browser is missing; CI installs it (.ci/run)."""

from __future__ import annotations

import os
import re
import shutil
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from pixtask.core.image_io import decode_image, write_image

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and DRIVER),
        reason="needs Debian's chromium and chromium-driver (apt install chromium chromium-driver)",
    ),
]
# for the README's screenshot: PIXTASK_APP_SCREENSHOT=docs/images/app.png PIXTASK_APP_MODEL=pixtask-naf-base
# (PIXTASK_APP_MODEL: conftest.py)
SCREENSHOT = os.environ.get("PIXTASK_APP_SCREENSHOT")


@pytest.fixture(scope="module")
def app_url(start_app):
    from pixtask.app.service import Limits

    url, _, _ = start_app(Limits(max_bytes=5 * 2**20))
    return url


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1300"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def _upload(driver, elem_id: str, path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, f"#{elem_id} input[type=file]").send_keys(str(path))


def _clear(driver, elem_id: str) -> None:
    from selenium.webdriver.common.by import By

    for button in driver.find_elements(By.CSS_SELECTOR, f"#{elem_id} button[aria-label='Clear']"):
        button.click()


def _set_text(driver, css: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.CSS_SELECTOR, css)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    if text:
        box.send_keys(text)


def _choose_task(driver, task: str) -> None:
    from selenium.webdriver.common.keys import Keys

    _set_text(driver, "#task input", task)
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, "#task input").send_keys(Keys.ENTER)


def _run(driver, previous: str) -> str:
    """Click Run and wait for a new report (or an error toast); returns its text."""
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, "#run").click()
    deadline = time.time() + 60
    while time.time() < deadline:
        report = " ".join(driver.find_element(By.CSS_SELECTOR, "#report").text.split())
        pending = "processing" in report or re.match(r"^[\d.]+\s*s\b", report)  # Gradio's timer while it runs
        if report != previous and not pending and "was told by" in report:
            return report
        toasts = driver.find_elements(By.CSS_SELECTOR, ".toast-body")
        if toasts and toasts[-1].text:
            return "ERROR " + toasts[-1].text
        time.sleep(0.3)
    raise AssertionError("the app did not answer within 60 s")


def _output_image(driver) -> np.ndarray:
    from selenium.webdriver.common.by import By

    images = [i.get_attribute("src") for i in driver.find_elements(By.CSS_SELECTOR, "#result img")]
    assert len(images) >= 2, images
    with urllib.request.urlopen(images[-1]) as response:  # the app's own loopback URL
        return decode_image(response.read())


def test_every_condition_mode_in_a_real_browser(app_url, browser, photo_128, tmp_path):
    photo = tmp_path / "photo.png"
    write_image(photo, photo_128)
    write_image(tmp_path / "before.png", photo_128)
    write_image(tmp_path / "after.png", photo_128 * 0.5)
    browser.get(app_url)
    time.sleep(2)
    _upload(browser, "input-photo", photo)
    time.sleep(1)
    seen = ""
    runs = {
        "example": lambda: _choose_task(browser, "derain"),
        "instruction": lambda: (
            _choose_task(browser, "(none)"),
            _set_text(browser, "#instruction textarea", "the colours warm up"),
        ),
        "both": lambda: (
            _set_text(browser, "#instruction textarea", "the colours warm up"),
            _choose_task(browser, "white-balance"),
        ),
    }
    for mode, prepare in runs.items():
        prepare()
        seen = _run(browser, seen)
        assert f"({mode})" in seen, seen
        out = _output_image(browser)
        assert out.shape == photo_128.shape and np.abs(out - photo_128).mean() > 1e-3, mode
    # an uploaded pair (and words): the page's second tab
    _choose_task(browser, "(none)")
    from selenium.webdriver.common.by import By

    next(t for t in browser.find_elements(By.CSS_SELECTOR, "button[role=tab]") if "pair" in t.text).click()
    time.sleep(0.5)
    _upload(browser, "pair-before", tmp_path / "before.png")
    _upload(browser, "pair-after", tmp_path / "after.png")
    time.sleep(1)
    seen = _run(browser, seen)
    assert "your example pair" in seen and "(both)" in seen, seen


@pytest.mark.skipif(not SCREENSHOT, reason="writes the README's screenshot (set PIXTASK_APP_SCREENSHOT)")
def test_the_readme_screenshot(app_url, browser, tmp_path):
    """A bundled photo made dark by the task library, told in words as a person would ask."""
    from pixtask.data.photos import resolve_photos
    from pixtask.tasks import get_task

    photo = next(p for p in resolve_photos("bundled") if p.id == "bundled/coffee").load()
    task = get_task("lowlight-enhancement")
    dark, _ = task.apply(photo, task.sample_params(np.random.default_rng(0), 3))
    write_image(tmp_path / "dark.png", dark)
    browser.get(app_url)
    time.sleep(2)
    _upload(browser, "input-photo", tmp_path / "dark.png")
    time.sleep(1)
    _set_text(browser, "#instruction textarea", "way too dark, bring the light up so I can see the cups")
    assert "(instruction)" in _run(browser, "")
    time.sleep(3)  # let the page finish drawing the outputs
    Path(SCREENSHOT).parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(SCREENSHOT)


def test_a_corrupt_upload_shows_a_message(app_url, browser, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"definitely not the rest of a PNG")
    browser.get(app_url)
    time.sleep(2)
    _upload(browser, "input-photo", bad)
    time.sleep(1)
    _set_text(browser, "#instruction textarea", "the colours warm up")
    answer = _run(browser, "")
    assert answer.startswith("ERROR") and "could not be read as an image" in answer, answer
