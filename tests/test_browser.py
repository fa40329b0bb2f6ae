"""The visual server in a real browser: Debian's chromium, driven by Playwright.

Starts ``python run.py serve`` on a free port with the scenario library as presets, and checks
what a presenter and the audience see:

* two viewers (a second tab, and a second browser) each step a model of their own, and a
  reload starts again at step 0;
* at 1920x1080, 1600x1000 and 1280x720 no chart image intersects another, none is clipped by
  its container or covered by anything (Solara's badge included), chart type is at least about
  12 px on screen, every slider shows its value over a usable track, and at 1920x1080 the two
  headline charts are whole without scrolling (a screenshot of each size is saved);
* two scenarios side by side step together, and the CSV the page exports holds exactly what
  plain runs of both scenarios give; a chart's PNG export is 1920 px wide;
* in language mode, the "what the models write" panel shows exactly what a plain run published;
* the bands of plausible worlds (``viz/band.py``) arrive while the page runs, and every layout
  check is made with them drawn. The server draws them from the posterior the project ships, or,
  until one ships, from a small one the test writes (:data:`DRAWS`).

The browser console shows no warning but one inside Solara itself (see :data:`SOLARA_OWN`), and
the server's output no warning or traceback. Screenshots go to the test's temporary folder; with
``SAVE_SCREENSHOTS=DIR`` the README's pictures are also written to DIR (the README's are made with
``SAVE_SCREENSHOTS=docs/img python -m pytest -q tests/test_browser.py``). Nothing is downloaded:
without a ``chromium`` on PATH the test is skipped (CI installs it).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from model.scenario import load

pytest.importorskip("solara", reason="the app extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (CI installs Debian's chromium package)"),
    pytest.mark.filterwarnings("ignore:.*use_state.*found despite early return"),  # inside Mesa 3.3's ComponentsView, met on importing viz
]

REPO = Path(__file__).resolve().parent.parent
SIZES = ((1920, 1080), (1600, 1000), (1280, 720))
#: Solara's own router template has a typo (``modules.export``), so Vue warns on every Solara page: not this project's to fix.
SOLARA_OWN = "Failed to evaluate Vue script and find module.exports"
#: On a loaded machine the page's websocket may drop and reconnect to the same kernel (the page goes on; viz/sessions.py
#: keeps the server's count of it right): Jupyter's client warns; the test then checks the page's state as usual.
RECONNECT = re.compile(r"^Connection lost, reconnecting in \d+ seconds\.$")
FIRST, SECOND = "First run (blue): preset", "Second run (orange): preset, as saved"
#: A posterior of eight draws of three calibrated keys, for the bands when none ships.
DRAWS = {"ai.cost": [0.08, 0.2, 0.12, 0.3, 0.1, 0.15, 0.25, 0.09], "humans.adoption_q": [0.02, 0.1, 0.05, 0.2, 0.01, 0.07, 0.04, 0.12]}


@pytest.fixture(scope="module")
def server(tmp_path_factory, free_port):
    """The server on a free port of 127.0.0.1, with the scenario library as presets."""
    folder = tmp_path_factory.mktemp("server")
    port = free_port()
    from experiments.calibration import posterior

    drawn_from = posterior.SHIPPED
    if not drawn_from.is_file():
        drawn_from = folder / "posterior.csv"
        posterior.write(drawn_from, pd.DataFrame(DRAWS), ["a test posterior (tests/test_browser.py)"])
    env = {**os.environ, "CONTENT_PRESETS": str(REPO / "scenarios"), "CONTENT_POSTERIOR": str(drawn_from)}
    log = open(folder / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "run.py", "serve", "--port", str(port)], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 300  # Solara starts in seconds on an idle machine, minutes on a loaded one
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start: {(folder / 'server.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    output = (folder / "server.log").read_text()
    assert f"http://127.0.0.1:{port}/" in output  # serve prints the address
    for bad in ("Traceback", "Warning", "New version of Solara"):
        assert bad not in output, output[-3000:]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def screenshot_folders(tmp_path) -> list[Path]:
    """The test's own folder, then DIR of ``SAVE_SCREENSHOTS=DIR`` when given (the README's pictures)."""
    folders = [tmp_path / "screenshots"] + ([REPO / os.environ["SAVE_SCREENSHOTS"]] if os.environ.get("SAVE_SCREENSHOTS") else [])
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


@contextlib.contextmanager
def opened(context, url, size=(1920, 1080)):
    """A page at step 0; on leaving, no page error, no console warning of the project's, and nothing shown as an error."""
    page = context.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("warning", "error") and SOLARA_OWN not in m.text and not RECONNECT.match(m.text) else None)
    page.goto(url)
    page.get_by_role("button", name="Step", exact=True).wait_for(timeout=60_000)
    wait_for_step(page, 0)
    page.locator(".chart-card img").nth(5).wait_for(timeout=30_000)
    yield page
    text = page.inner_text("body")
    for bad in ("Traceback", "Error", "error in step", "cannot draw"):
        assert bad not in text, text[:2000]
    assert not problems, problems
    # As a tab closes: the page's unload tells the server it closed before its websocket drops, so Solara does not
    # disconnect it twice (its "cannot disconnect a page that is in state DISCONNECTED" in the server's log).
    with page.expect_event("close", timeout=60_000):
        page.close(run_before_unload=True)


def size_of(page) -> tuple[int, int]:
    return page.viewport_size["width"], page.viewport_size["height"]


def wait_for_step(page, n: int) -> None:
    page.get_by_text(f"step {n} of").wait_for(timeout=180_000)  # a state, not a time: minutes on a loaded machine


def step(page, n: int, start: int = 0) -> None:
    button = page.get_by_role("button", name="Step", exact=True)
    for k in range(start + 1, start + n + 1):
        button.click()
        wait_for_step(page, k)


def title(preset: str) -> str:
    """What the page calls a preset of the library: the title in its file's first line."""
    from viz.presets import discover, titles

    return titles(discover(REPO / "scenarios"))[preset].title


def choose(page, select: str, option: str) -> None:
    """Choose a preset (by its file name) in a menu, which lists it by its title and one-line description; or a plain option."""
    page.get_by_role("button", name=select).click()
    menu = page.locator(".menuable__content__active")  # the menu just opened
    if select in (FIRST, SECOND):
        menu.get_by_role("option", name=re.compile("^" + re.escape(title(option)) + "(:|$)")).click()
    else:
        menu.get_by_role("option", name=option, exact=True).click()


def reset(page, shows: str = "") -> None:
    """Press Reset, then wait for step 0 and for the status line to show ``shows`` (the new model is built)."""
    page.get_by_role("button", name="Reset", exact=True).click()
    if shows:
        page.locator(".run-status").get_by_text(shows).wait_for(timeout=60_000)
    wait_for_step(page, 0)


def side_by_side(page, first: str, second: str) -> None:
    choose(page, FIRST, first)
    choose(page, SECOND, second)
    reset(page, f"{title(first)} (blue) against {title(second)} (orange)")


def bands_drawn(page) -> None:
    """Wait until both headline charts draw their bands (the note that they are being made has gone)."""
    page.locator(".band-note").first.wait_for(state="detached", timeout=180_000)


# -- one model per viewer ------------------------------------------------------------------------
def test_every_viewer_steps_a_model_of_their_own_and_a_reload_starts_afresh(server, browser):
    presenter, audience = browser.new_context(), browser.new_context()
    with opened(presenter, server) as first, opened(presenter, server) as second_tab, opened(audience, server) as other_browser:
        step(first, 3)
        for page in (second_tab, other_browser):  # the others did not move
            assert "step 0 of" in page.inner_text(".run-status")
        step(second_tab, 1)
        assert "step 3 of" in first.inner_text(".run-status") and "step 1 of" in second_tab.inner_text(".run-status")
        choose(other_browser, FIRST, "ai_flood")  # a viewer's inputs are their own too
        reset(other_browser, f"{title('ai_flood')} (blue)")
        assert f"{title('baseline')} (blue)" in first.inner_text(".run-status") and "step 3 of" in first.inner_text(".run-status")
        first.reload()
        first.get_by_role("button", name="Step", exact=True).wait_for(timeout=60_000)
        wait_for_step(first, 0)  # a reload: step 0 of the default preset and seed
        assert "step 1 of" in second_tab.inner_text(".run-status")
    presenter.close()
    audience.close()


# -- layouts that fit ----------------------------------------------------------------------------
GEOMETRY = """() => {
  const imgs = [...document.querySelectorAll('.chart-card img')];
  const rect = e => { const r = e.getBoundingClientRect(); return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height, b: r.bottom + scrollY, r: r.right + scrollX}; };
  const clippedBy = img => {
    const box = img.getBoundingClientRect(); const out = [];
    for (let e = img.parentElement; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      if ((s.overflowX + s.overflowY).replace(/visible/g, '') === '') continue;
      const c = e.getBoundingClientRect();
      if (e.scrollHeight > e.clientHeight + 1 && e.scrollWidth <= e.clientWidth + 1 && s.overflowY !== 'hidden' && s.overflowY !== 'clip') {
        if (box.left < c.left - 1 || box.right > c.right + 1) out.push(e.className);  // a scrolling container: only its width can clip
      } else if (box.left < c.left - 1 || box.right > c.right + 1 || box.top < c.top - 1 || box.bottom > c.bottom + 1) out.push(e.className);
    }
    return out;
  };
  const tiny = [...document.querySelectorAll('body *')].filter(e => {
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !e.offsetParent) return false;
    return parseFloat(getComputedStyle(e).fontSize) < 11.5;
  }).map(e => e.textContent.trim().slice(0, 40) + ' (' + getComputedStyle(e).fontSize + ')');
  const sliders = [...document.querySelectorAll('.lever')].map(l => ({
    label: l.querySelector('.lever-label') ? l.querySelector('.lever-label').innerText : '',
    track: l.querySelector('.v-slider') ? l.querySelector('.v-slider').getBoundingClientRect().width : 0}));
  return {imgs: imgs.map(i => ({...rect(i), natural: i.naturalWidth, clipped: clippedBy(i)})), tiny, sliders,
          banner: document.body.innerText.includes('runs on Solara'), viewport: [innerWidth, innerHeight]};
}"""


def covered(page, index: int) -> list[str]:
    """What sits over chart ``index`` at five points (scrolled into view first): nothing, if the list is empty."""
    img = page.locator(".chart-card img").nth(index)
    img.scroll_into_view_if_needed()
    return page.evaluate("""i => {
      const img = document.querySelectorAll('.chart-card img')[i]; const r = img.getBoundingClientRect(); const out = [];
      for (const [fx, fy] of [[0.5, 0.5], [0.03, 0.03], [0.97, 0.03], [0.03, 0.97], [0.97, 0.97]]) {
        const x = r.left + fx * r.width, y = r.top + fy * r.height;
        if (y < 0 || y > innerHeight) continue;
        const top = document.elementFromPoint(x, y);
        if (top !== img) out.push(`${fx},${fy}: ${top ? top.tagName + '.' + top.className : 'nothing'}`);
      }
      return out; }""", index)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_charts_fit_at_projector_and_laptop_sizes(server, browser, size, tmp_path):
    from viz.chart import MIN_FONT_PX

    folders = screenshot_folders(tmp_path)
    context = browser.new_context()
    with opened(context, server, size) as page:
        side_by_side(page, "ai_flood", "baseline")
        step(page, 12)
        bands_drawn(page)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(folders[0] / f"page_{size[0]}x{size[1]}.png"))
        found = page.evaluate(GEOMETRY)
        images = found["imgs"]
        assert len(images) == 6
        for i, a in enumerate(images):
            assert not a["clipped"], (i, a)
            assert MIN_FONT_PX * a["w"] / a["natural"] >= 11.9, (i, a)  # chart type, on screen
            for b in images[i + 1:]:
                overlap = min(a["r"], b["r"]) - max(a["x"], b["x"]) > 0 and min(a["b"], b["b"]) - max(a["y"], b["y"]) > 0
                assert not overlap, (a, b)
        assert not found["tiny"], found["tiny"]
        assert not found["banner"]
        assert len(found["sliders"]) >= 15
        for slider in found["sliders"]:
            assert slider["track"] >= 200 and any(ch.isdigit() for ch in slider["label"]), slider  # a usable track, and its value
        if size == (1920, 1080):  # the headline charts, whole, without scrolling
            for headline in images[:2]:
                assert headline["y"] >= 0 and headline["b"] <= size[1], headline
        for i in range(len(images)):
            assert not covered(page, i), (i, covered(page, i))
    context.close()


# -- two scenarios side by side, and exports ------------------------------------------------------
def test_two_scenarios_step_together_and_export_what_plain_runs_give(server, browser, tmp_path):
    from model.ecosystem import ContentEcosystem
    from viz.model import counterpart_of

    folders = screenshot_folders(tmp_path)
    context = browser.new_context(accept_downloads=True)
    with opened(context, server) as page:
        side_by_side(page, "ai_flood", "baseline")
        step(page, 12)
        bands_drawn(page)
        numbers = page.inner_text(".run-numbers")
        assert title("ai_flood") in numbers and title("baseline") in numbers and "difference" in numbers
        with page.expect_download() as download:
            page.get_by_role("button", name="Time series (CSV)").click()
        table = pd.read_csv(download.value.path())
        assert download.value.suggested_filename == "timeseries_ai_flood-vs-baseline_seed1_step12.csv"
        flood = load(REPO / "scenarios" / "ai_flood.toml").with_overrides({"run.seed": 1}, "test")
        runs = {"ai_flood": flood, "baseline": counterpart_of(flood, load(REPO / "scenarios" / "baseline.toml"))}
        for name, scenario in runs.items():
            alone = ContentEcosystem(scenario)
            for _ in range(12):
                alone.step()
            expected = alone.timeseries().reset_index(drop=True)
            got = table[table["scenario"] == name].reset_index(drop=True)
            assert got["step"].tolist() == list(range(13)) and (got["seed"] == 1).all()
            pd.testing.assert_frame_equal(got[list(expected.columns)], expected.round(6), check_dtype=False, rtol=0, atol=1e-9)  # rounded to 6 decimals
            assert (got["band_worlds"] == 8).all() and (got["band_low_originality_index"] <= got["band_high_originality_index"]).all()
        with page.expect_download() as download:
            page.locator(".chart-originality").get_by_role("button", name="PNG, 1920 px wide").click()
        import PIL.Image

        png = PIL.Image.open(io.BytesIO(Path(download.value.path()).read_bytes()))
        assert png.format == "PNG" and png.size[0] == 1920
        assert download.value.suggested_filename == "originality_ai_flood-vs-baseline_seed1_step12.png"
        if len(folders) > 1:  # the README's picture: the flood against the baseline, five years in, as a projector shows it
            step(page, 48, start=12)
            page.get_by_text("Projector mode (large type)").click()
            page.locator(".headline-aside").wait_for(timeout=60_000)
            page.locator(".v-app-bar__nav-icon").click()  # the sidebar hidden: two charts side by side
            page.wait_for_function("() => document.querySelector('.v-navigation-drawer').getBoundingClientRect().right <= 1")
            bands_drawn(page)
            page.evaluate("window.scrollTo(0, 0)")
            page.mouse.move(0, size_of(page)[1] - 1)  # no button in its hovered look
            page.wait_for_function("() => [...document.querySelectorAll('.chart-card img')].every(i => i.complete && i.naturalWidth > 0)")
            page.screenshot(path=str(folders[1] / "presenting.jpg"), type="jpeg", quality=80)
    context.close()


# -- language mode -------------------------------------------------------------------------------
def test_text_mode_shows_what_the_models_write(server, browser, tmp_path):
    from model.ecosystem import ContentEcosystem
    from model.text.samples import latest_documents
    from viz import samples

    folders = screenshot_folders(tmp_path)
    steps = 24 if len(folders) > 1 else 12  # the README's picture: two years in, model generation 3
    context = browser.new_context()
    with opened(context, server) as page:
        panel = page.locator(f".{samples.PANEL}")
        panel.get_by_text("Nothing is written in the ideas world").wait_for(timeout=30_000)  # the baseline writes no words
        assert page.locator(f".{samples.HUMAN_DOC}").count() == 0

        choose(page, FIRST, "text_baseline")
        choose(page, SECOND, "text_baseline")
        reset(page, f"{title('text_baseline')} (blue), one run")
        panel.get_by_text("Step 0, model generation 1.").wait_for(timeout=30_000)
        panel.scroll_into_view_if_needed()
        at_setup = page.locator(f".{samples.HUMAN_DOC}").all_inner_texts()
        assert len(at_setup) == samples.DOCUMENTS and page.locator(f".{samples.MODEL_DOC}").count() == 0
        panel.get_by_text("no model has written yet").wait_for(timeout=10_000)

        step(page, steps)
        panel.get_by_text(f"Step {steps}, model generation").wait_for(timeout=30_000)
        panel.scroll_into_view_if_needed()
        human = page.locator(f".{samples.HUMAN_DOC}").all_inner_texts()
        machine = page.locator(f".{samples.MODEL_DOC}").all_inner_texts()
        prompts = page.locator(f".{samples.PROMPT_DOC}").all_inner_texts()
        for folder in folders:
            panel.screenshot(path=str(folder / "what_the_models_write.jpg"), type="jpeg", quality=90)

        # the browser shows exactly what a plain run of the preset with seed 1 has published by then
        scenario = load(REPO / "scenarios" / "text_baseline.toml").with_overrides({"run.seed": 1}, "test")
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
    context.close()


# -- projector mode ------------------------------------------------------------------------------
PROJECTOR = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return {x: r.left, y: r.top, r: r.right, b: r.bottom, w: r.width}; };
  const img = document.querySelector('.chart-card img');
  const cells = [...document.querySelectorAll('.headline-aside td, .headline-aside th')];
  const buttons = ['Reset', '▶', 'Step'].map(name => [...document.querySelectorAll('button')].find(b => b.innerText.trim().toUpperCase() === name.toUpperCase()));
  return {headline: {...box(img), natural: img.naturalWidth}, table: box(document.querySelector('.headline-aside table')),
          cell_px: Math.min(...cells.map(c => parseFloat(getComputedStyle(c).fontSize))), text: document.body.innerText,
          buttons: buttons.map(b => b ? {...box(b), top: document.elementFromPoint((box(b).x + box(b).r) / 2, (box(b).y + box(b).b) / 2)?.closest('button') === b} : null),
          viewport: [innerWidth, innerHeight]};
}"""
#: Press Reset in the page itself and time, in the browser, how long until the page shows its building state: Play and Step disabled, charts faded.
RESET_FEEDBACK = """async () => {
  const find = name => [...document.querySelectorAll('button')].find(b => b.innerText.trim().toUpperCase() === name.toUpperCase());
  const t0 = performance.now();
  find('Reset').click();
  const building = () => [...document.querySelectorAll('.run-building, .run-building-early')].some(e => e.checkVisibility() && e.innerText.startsWith('Building'));
  while (!(building() && find('Step').disabled && find('▶').disabled && parseFloat(getComputedStyle(document.querySelector('.chart-grid')).opacity) < 0.5)) {
    await new Promise(r => setTimeout(r, 5));
    if (performance.now() - t0 > 10000) return -1;
  }
  return performance.now() - t0;
}"""
#: Scenario keys and file names the audience should never read (they name the presets and levers in the code).
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\.toml\b")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_projector_mode_reads_from_the_back_of_the_room(server, browser, size, tmp_path, record_property):
    from viz.chart import PROJECTOR_FONT_PX

    folders = screenshot_folders(tmp_path)
    context = browser.new_context()
    with opened(context, server + "?projector=1", size) as page:
        side_by_side(page, "ai_flood", "baseline")
        step(page, 3)
        bands_drawn(page)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(folders[0] / f"projector_{size[0]}x{size[1]}.png"))
        found = page.evaluate(PROJECTOR)
        chart, table = found["headline"], found["table"]
        assert chart["y"] >= 0 and chart["b"] <= size[1] and chart["x"] >= 0 and chart["r"] <= size[0], chart  # whole, without scrolling
        chart_px = PROJECTOR_FONT_PX * chart["w"] / chart["natural"]
        assert chart_px >= (20 if size[0] >= 1920 else 11.9), chart_px  # 20 px at 1920 wide, scaled with the window (never under 12)
        assert found["cell_px"] >= 24 and table["x"] >= chart["r"], (found["cell_px"], table, chart)  # beside the charts
        assert table["x"] >= 0 and table["r"] <= size[0] and table["y"] >= 0 and table["b"] <= size[1], table  # whole, its last column too
        assert not RAW.findall(found["text"]), RAW.findall(found["text"])  # titles and labels, no file name or raw key
        assert all(b and b["top"] for b in found["buttons"]), found["buttons"]
        # the sidebar hidden: Reset, play and Step still there, on top
        page.locator(".v-app-bar__nav-icon").click()
        page.locator(".v-navigation-drawer--close").wait_for(state="attached", timeout=10_000)
        page.wait_for_function("() => { const d = document.querySelector('.v-navigation-drawer'); return d.getBoundingClientRect().right <= 1; }")
        assert all(b and b["top"] for b in page.evaluate(PROJECTOR)["buttons"])
        # Reset: the building state, Play and Step disabled, at once; then the new runs at step 0
        waited = page.evaluate(RESET_FEEDBACK)
        record_property("reset_feedback_ms", round(waited, 1))  # (in a --junitxml report: the figure under load)
        assert 0 <= waited <= 200, (waited, os.getloadavg())  # shown by the browser itself, so a busy server does not delay it
        page.locator(".run-building").wait_for(state="detached", timeout=180_000)
        wait_for_step(page, 0)
    context.close()


def test_every_preset_menu_lists_titles_and_fits_without_scrolling(server, browser):
    from viz.presets import discover, titles

    context = browser.new_context()
    with opened(context, server, (1920, 1080)) as page:
        for select in (FIRST, SECOND):
            page.get_by_role("button", name=select).click()
            menu = page.locator(".menuable__content__active")
            menu.get_by_role("option").last.wait_for(timeout=30_000)  # the menu opens and fills after the click
            options = menu.get_by_role("option").all_inner_texts()
            assert options == [t.line for t in titles(discover(REPO / "scenarios")).values()]
            assert menu.evaluate("m => m.scrollHeight <= m.clientHeight + 1 && m.getBoundingClientRect().bottom <= innerHeight")
            page.keyboard.press("Escape")
            menu.wait_for(state="detached", timeout=10_000)
    context.close()
