"""The visual server in a real browser: Debian's chromium, driven by Playwright.

Starts ``python run.py serve`` on a free port, opens the page, steps, changes a preset
and a slider, and checks that the charts change and no error or traceback shows.
A second test chooses the language-mode preset (``text_baseline``) and reads the "what the
models write" panel: real English words, exactly the documents a plain run of that scenario
has published by the step shown. Screenshots go to the test's temporary folder. With
``SAVE_SCREENSHOTS=DIR`` the tests also play the flood preset to step 60 and save that view as
DIR/presenting.jpg, and save the text panel at step 24 as DIR/what_the_models_write.jpg (the
README's screenshots are made this way: ``SAVE_SCREENSHOTS=docs/img python -m pytest -q tests/test_browser.py``).
Nothing is downloaded: without a ``chromium`` on PATH the test is skipped (CI installs it).
"""

from __future__ import annotations

import contextlib
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
        shutil.copy(REPO / "scenarios" / "text_baseline.toml", presets)
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


def screenshot_folders(tmp_path) -> list[Path]:
    """The test's own folder, then DIR of ``SAVE_SCREENSHOTS=DIR`` when given (the README's pictures)."""
    folders = [tmp_path / "screenshots"] + ([REPO / os.environ["SAVE_SCREENSHOTS"]] if os.environ.get("SAVE_SCREENSHOTS") else [])
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


@contextlib.contextmanager
def opened(url):
    """The page in headless chromium at step 0; on leaving, no page error and no error shown on it."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1500, "height": 1250})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        page.get_by_role("button", name="Step", exact=True).wait_for(timeout=60_000)
        wait_for_step(page, 0)
        yield page
        text = page.inner_text("body")
        for bad in ("Traceback", "Error", "error in step", "cannot draw"):
            assert bad not in text, text[:2000]
        assert not errors, errors
        browser.close()


def test_page_steps_changes_preset_and_slider_without_errors(server, tmp_path):
    url, presets = server
    top_p = round(load(presets / "ai_flood.toml").ai.top_p - 0.01, 2)  # one notch of the slider down
    shots = screenshot_folders(tmp_path)

    def snap(page, name: str) -> None:
        for folder in shots if name == "presenting.jpg" else shots[:1]:  # only the README's picture goes to DIR
            page.screenshot(path=str(folder / name), type="jpeg", quality=85)

    with opened(url) as page:
        step = page.get_by_role("button", name="Step", exact=True)
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


@pytest.mark.filterwarnings("ignore:.*use_state.*found despite early return")  # inside Mesa's ComponentsView, met on importing viz
def test_text_mode_shows_what_the_models_write(server, tmp_path):
    from model.ecosystem import ContentEcosystem
    from model.text.samples import latest_documents
    from viz import samples

    url, presets = server
    folders = screenshot_folders(tmp_path)
    steps = 24 if len(folders) > 1 else 12  # the README's picture: two years in, model generation 3
    with opened(url) as page:
        step = page.get_by_role("button", name="Step", exact=True)
        panel = page.locator(f".{samples.PANEL}")
        panel.get_by_text("Nothing is written in the ideas world").wait_for(timeout=30_000)  # the baseline writes no words
        assert page.locator(f".{samples.HUMAN_DOC}").count() == 0

        page.get_by_role("button", name="Preset").click()
        page.get_by_role("option", name="text_baseline").click()
        page.get_by_role("button", name="Reset", exact=True).click()
        page.get_by_text("text_baseline · seed 1").wait_for(timeout=60_000)
        panel.get_by_text("Step 0, model generation 1.").wait_for(timeout=30_000)
        panel.scroll_into_view_if_needed()
        at_setup = page.locator(f".{samples.HUMAN_DOC}").all_inner_texts()
        assert len(at_setup) == samples.DOCUMENTS and page.locator(f".{samples.MODEL_DOC}").count() == 0
        panel.get_by_text("no model has written yet").wait_for(timeout=10_000)

        for n in range(1, steps + 1):
            step.click()
            wait_for_step(page, n)
        panel.get_by_text(f"Step {steps}, model generation").wait_for(timeout=30_000)
        panel.scroll_into_view_if_needed()
        human = page.locator(f".{samples.HUMAN_DOC}").all_inner_texts()
        machine = page.locator(f".{samples.MODEL_DOC}").all_inner_texts()
        prompts = page.locator(f".{samples.PROMPT_DOC}").all_inner_texts()
        for folder in folders:
            panel.screenshot(path=str(folder / "what_the_models_write.jpg"), type="jpeg", quality=90)
        page.screenshot(path=str(folders[0] / "text_mode.jpg"), type="jpeg", quality=85)

        # the browser shows exactly what a plain run of the preset with seed 1 has published by then
        scenario = load(presets / "text_baseline.toml").with_overrides({"run.seed": 1}, "test")
        alone = ContentEcosystem(scenario)
        for _ in range(steps):
            alone.step()
        published = latest_documents(alone, samples.DOCUMENTS)
        assert human == published["human"][::-1] and human != at_setup
        assert machine == published["models"][::-1] and len(machine) == samples.DOCUMENTS
        for doc in human + machine:  # twenty English words each
            assert len(doc.split()) == scenario.world.doc_tokens and doc.replace(" ", "").isalpha() and doc == doc.lower(), doc
        assert {"the", "of", "and", "to", "in"} & set(" ".join(human + machine).split())
        generation = alone.ai_models[0].generation
        assert [line.split(":")[0] for line in prompts] == ["human", "generation 1", f"generation {generation}"] and generation >= 2
