"""A real headless browser for the console's tests: Debian's Chromium, driven by Selenium.

Chromium comes from the OS packages (`chromium`, `chromium-driver`): a browser cannot be
downloaded here. Without it the browser tests are skipped with the reason shown; with
CONVO_TEST_REQUIRE_BROWSER=1 (CI sets it) that skip is a failure instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from infrastructure.settings import PROJECT_ROOT
from tests.servers import free_port

REQUIRED = os.environ.get("CONVO_TEST_REQUIRE_BROWSER", "") not in ("", "0", "false", "no")
ARTEFACTS = PROJECT_ROOT / "test-artifacts" / "console"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
)


def chromium_paths() -> tuple[str | None, str | None]:
    chromium = (
        os.environ.get("CONVO_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    driver = os.environ.get("CONVO_TEST_CHROMEDRIVER") or shutil.which("chromedriver")
    return chromium, driver


def browser_problem() -> str | None:
    """Why no browser can be driven here, or None."""
    chromium, driver = chromium_paths()
    if chromium is None or driver is None:
        missing = [name for name, path in (("chromium", chromium), ("chromedriver", driver)) if path is None]
        return f"no {' and '.join(missing)} installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (pip install -e '.[dev]')"
    return None


@contextmanager
def chromium() -> Iterator[object]:
    from selenium import webdriver

    chromium_path, driver_path = chromium_paths()
    assert chromium_path is not None and driver_path is not None
    profile = tempfile.mkdtemp(prefix="convo-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_path
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app on a free loopback port, in a thread of this process (so tests share its objects)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="console-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the console's server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def screenshot(driver: object, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    return path
