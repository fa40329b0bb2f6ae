"""The visual server in a real browser: Debian's chromium, driven by Playwright.

Starts ``python run.py serve`` on a free port, opens the page, steps, changes a preset
and a slider, and checks that the charts change and no error or traceback shows.
Screenshots go to the test's temporary folder. With ``SAVE_SCREENSHOTS=DIR`` the test also
plays the flood preset to step 60 and saves that view as DIR/presenting.jpg (the README's
screenshot is made this way: ``SAVE_SCREENSHOTS=docs/img python -m pytest -q tests/test_browser.py``).
Nothing is downloaded: without a ``chromium`` on PATH the test is skipped (CI installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from model.scenario import load

pytest.importorskip("solara", reason="the app extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (CI installs Debian's chromium package)")

REPO = Path(__file__).resolve().parent.parent
FLOOD = """
[ai]
items_per_step = 1000.0
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """The server on a free port of 127.0.0.1, with the scenario library as presets.

    Where the library has no ai_flood preset yet, a temporary folder holds the baseline and
    a minimal flood, so that there is a preset to change to.
    """
    presets = REPO / "scenarios"
    if not (presets / "ai_flood.toml").exists():
        presets = tmp_path / "presets"
        presets.mkdir()
        shutil.copy(REPO / "scenarios" / "baseline.toml", presets)
        (presets / "ai_flood.toml").write_text(FLOOD)
    port = free_port()
    env = {**os.environ, "CONTENT_PRESETS": str(presets)}
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "run.py", "serve", "--port", str(port)], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield url, presets
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    output = (tmp_path / "server.log").read_text()
    assert f"http://127.0.0.1:{port}/" in output  # serve prints the address
    assert "Traceback" not in output, output[-3000:]


def chart_images(page) -> list[bytes]:
    """The charts as the browser shows them (each <img> in the grid, as screenshot bytes)."""
    images = page.locator(".vue-grid-item img")
    return [images.nth(i).screenshot() for i in range(images.count())]


def wait_for_step(page, n: int) -> None:
    page.get_by_text(f"step {n} of").wait_for(timeout=30_000)


def test_page_steps_changes_preset_and_slider_without_errors(server, tmp_path):
    url, presets = server
    top_p = round(load(presets / "ai_flood.toml").ai.top_p - 0.01, 2)  # one notch of the slider down
    shots = [tmp_path / "screenshots"]
    if os.environ.get("SAVE_SCREENSHOTS"):
        shots.append(REPO / os.environ["SAVE_SCREENSHOTS"])
    for folder in shots:
        folder.mkdir(parents=True, exist_ok=True)

    def snap(page, name: str) -> None:
        for folder in shots if name == "presenting.jpg" else shots[:1]:  # only the README's picture goes to DIR
            page.screenshot(path=str(folder / name), type="jpeg", quality=85)

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1500, "height": 1250})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        step = page.get_by_role("button", name="Step", exact=True)
        step.wait_for(timeout=60_000)
        wait_for_step(page, 0)
        page.locator(".vue-grid-item img").nth(5).wait_for(timeout=30_000)
        before = chart_images(page)
        assert len(before) == 6

        for n in range(1, 13):
            step.click()
            wait_for_step(page, n)
        after = chart_images(page)
        changed = [a != b for a, b in zip(before, after)]
        assert all(changed), changed
        snap(page, "step12.jpg")

        # a preset change moves the levers; Reset builds it
        page.get_by_role("button", name="Preset").click()
        page.get_by_role("option", name="ai_flood").click()
        page.get_by_role("button", name="Reset", exact=True).click()
        page.get_by_text("ai_flood · seed").wait_for(timeout=30_000)
        wait_for_step(page, 0)

        # a slider: the keyboard moves the top_p thumb one notch down; Reset applies it
        slider = page.get_by_role("slider").last
        slider.focus()
        slider.press("ArrowLeft")
        page.get_by_role("button", name="Reset", exact=True).click()
        page.get_by_text(f"Changed from the preset: top_p (nucleus) {top_p}").wait_for(timeout=30_000)
        for n in range(1, 4):
            step.click()
            wait_for_step(page, n)
        snap(page, "after_preset.jpg")

        if len(shots) > 1:  # the README's picture: the flood as saved, well into the run
            slider.focus()
            slider.press("ArrowRight")
            page.get_by_role("button", name="Reset", exact=True).click()
            wait_for_step(page, 0)
            for n in range(1, 61):
                step.click()
                wait_for_step(page, n)
            snap(page, "presenting.jpg")

        text = page.inner_text("body")
        for bad in ("Traceback", "Error", "error in step", "cannot draw"):
            assert bad not in text, text[:2000]
        assert not errors, errors
        browser.close()
