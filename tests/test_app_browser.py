"""`committee-sim app` in a real headless Chromium: it renders, a slider updates the pictures,
and no request leaves this computer.

The page is served by the command itself, started as a user would start it; the browser's
DevTools network events (its performance log) list every request it made. A screenshot is
kept in test-artifacts/app.png. A slow test: `python -m pytest -m slow tests/test_app_browser.py`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from conftest import ROOT

pytest.importorskip("streamlit", reason="the app's tests need the app extra: pip install '.[app]'")
# About 15 s of wall time (the server's start, two runs of 20 replications, the browser's):
# past the default suite's budget.
pytestmark = pytest.mark.slow

LOCAL = {"127.0.0.1", "localhost"}
NOT_NETWORK = {"data", "blob", "about", "chrome"}  # the browser's own, never sent anywhere
SCREENSHOT = ROOT / "test-artifacts" / "app.png"
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def command() -> list[str]:
    """`committee-sim` as installed beside this Python, else the same through `python -m sim`."""
    script = Path(sys.executable).with_name("committee-sim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sim"]


@pytest.fixture
def served(tmp_path):
    """`committee-sim app --port FREE` running; its address. Stopped (the whole session) after."""
    port = free_port()
    log = (tmp_path / "app.log").open("w")
    server = subprocess.Popen(
        [*command(), "app", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=tmp_path,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(address) or server.poll() is not None, STARTUP_SECONDS)
        if server.poll() is not None:
            pytest.fail(f"committee-sim app stopped: {(tmp_path / 'app.log').read_text()}")
        yield address
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
        log.close()


def healthy(address: str) -> bool:
    try:
        with urllib.request.urlopen(f"{address}/_stcore/health", timeout=2) as answer:
            return answer.read() == b"ok"
    except OSError:
        return False


def wait_for(condition: Callable[[], Any], seconds: float) -> Any:
    """The condition's first true value, checked every 50 ms; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"waited {seconds} s in vain for {condition.__doc__ or condition}")


def settled(browser) -> list[str] | None:
    """The pictures' addresses, once the page has finished running (its last part is shown)."""
    state = browser.execute_script(
        "return {running: document.querySelector('[data-testid=stStatusWidget]') !== null,"
        " downloads: document.querySelectorAll('[data-testid=stDownloadButton]').length,"
        " images: Array.from(document.querySelectorAll('[data-testid=stImage] img'))"
        ".filter(i => i.complete && i.naturalWidth > 0).map(i => i.src)}"
    )
    done = not state["running"] and state["downloads"] == 4 and state["images"]
    return state["images"] if done else None


def requested(browser) -> list[str]:
    """Every address the browser asked for since the last call (requests and web sockets)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            urls.append(message["params"]["url"])
    return urls


def test_the_app_renders_updates_and_stays_on_this_computer(browser, served):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    requested(browser)  # what the browser did before: not the page's
    browser.get(served)
    first = wait_for(lambda: settled(browser), 60)
    assert browser.title == "committee-sim"
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading.startswith("committee-sim: buying committees")
    assert len(first) >= 4, "the pictures of the baseline: cycle, funnel, outcomes, time"

    stallers = browser.find_element(By.CSS_SELECTOR, "input[type=range][aria-label=stallers]")
    assert stallers.get_attribute("value") == "3"
    browser.execute_script("arguments[0].focus()", stallers)  # a slider's thumb, by keyboard
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT * 3).perform()
    after = wait_for(lambda: (images := settled(browser)) and images != first and images, 60)
    assert stallers.get_attribute("value") == "6"
    assert len(after) == len(first)
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "committee.stallers=6" in text
    assert "Against baseline (unchanged)" in text or "are not distinguishable from" in text

    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    urls = requested(browser)
    assert any(urlparse(url).hostname in LOCAL for url in urls), "the log saw the page's requests"
    away = [
        url
        for url in urls
        if urlparse(url).scheme not in NOT_NETWORK and urlparse(url).hostname not in LOCAL
    ]
    assert away == [], "requests that left this computer"
