"""The headless browser of the page tests (Debian's chromium, driven by selenium) and their screenshots.

A test module that drives pages uses the ``browser`` fixture (tests/conftest.py) and marks itself with
``needs_browser``; ``screenshot(browser, name)`` saves what the browser shows to
``tests/screenshots/NAME.png`` (ignored by git; the README's screenshots live in docs/img/) and
returns its path, after checking that it is a PNG of the window's size with more than one colour
(a blank or an error page of one colour fails).
"""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").is_file() else None)
SCREENSHOTS = Path(__file__).parent / "screenshots"

needs_browser = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                   reason="needs Debian's chromium and chromedriver (apt-get install chromium "
                                          "chromium-driver; .ci/run installs them)")


def open_browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                "--window-size=1280,1000", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


def screenshot(browser, name: str, target: Path | None = None) -> Path:
    """Save the browser's window as a PNG (``target``, else tests/screenshots/NAME.png) and check it."""
    path = target or SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(path)), f"chromium took no screenshot of {name}"
    width, height, colours = png_summary(path.read_bytes())
    assert width >= 800 and height >= 600, (name, width, height)
    assert colours > 1, f"the screenshot of {name} is of one colour: a blank page"
    return path


def png_summary(data: bytes) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the first rows' pixels) of a PNG: enough to tell a blank page."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompressobj().decompress(idat, 4 * width * 200)
    return width, height, len(set(raw))
