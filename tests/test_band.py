"""The band of plausible worlds behind the server's headline charts (``viz/band.py``).

A small posterior is written into a temporary folder (the format ``python run.py calibrate``
writes), and the bands are made on small worlds of a few steps, so each test takes seconds.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import PIL.Image
import pytest
from conftest import page_renderer, press

from experiments import library
from experiments.calibration import posterior
from experiments.compare import compare
from model.scenario import ScenarioError
from viz import band

pytestmark = pytest.mark.filterwarnings("ignore:.*use_state.*found despite early return")  # inside Mesa 3.3's ComponentsView, met on importing viz
STEPS = 6
# Draws of three calibrated keys around the baseline's values, far enough apart that the worlds differ.
DRAWS = pd.DataFrame({
    "ai.cost": [0.08, 0.2, 0.12, 0.3, 0.1],
    "humans.adoption_q": [0.02, 0.1, 0.05, 0.2, 0.01],
    "ai.top_p": [0.9, 0.97, 0.95, 0.88, 0.93],
})  # fmt: skip


@pytest.fixture
def posterior_file(tmp_path, monkeypatch):
    path = tmp_path / "posterior.csv"
    posterior.write(path, DRAWS, ["a test posterior", "five draws"])
    monkeypatch.setenv(band.POSTERIOR_ENV, str(path))
    return path


def small(name: str = "baseline"):
    return library.quick(name).with_overrides({"run.steps": STEPS}, "test")


def test_a_band_brackets_the_worlds_it_was_made_of_and_is_what_compare_gives(posterior_file):
    made = band.compute(small(), k=3, path=posterior_file)
    assert made.worlds == 3 and made.source == str(posterior_file)
    assert made.steps.tolist() == list(range(STEPS + 1))
    assert set(made.low) == set(made.high) >= {"human_share_new", "originality_index", "model_coverage"}
    # the same worlds as `compare --seeds 3 --posterior` (matched: draw i with seed i), through compare's own code
    runs = compare({"baseline": small()}, seeds=3, posterior="matched", posterior_file=posterior_file).runs
    assert sorted(runs["draw"].unique()) == [0, 1, 2] and sorted(runs["seed"].unique()) == [1, 2, 3]
    for metric in made.low:
        values = runs.pivot(index="step", columns="draw", values=metric).to_numpy(float)
        assert values.shape == (STEPS + 1, 3)
        # every world lies inside the band, and the band's edges are worlds (a range, not a padded envelope)
        assert not np.any(values < made.low[metric][:, None]) and not np.any(values > made.high[metric][:, None])
        np.testing.assert_array_equal(made.low[metric], pd.DataFrame(values).min(axis=1))  # NaN where no world measures it
        np.testing.assert_array_equal(made.high[metric], pd.DataFrame(values).max(axis=1))
    # the worlds differ: the band has a width after the first steps
    assert np.all(made.high["human_share_new"][2:] > made.low["human_share_new"][2:])
    # reproducible from the file: made again, the same to the last digit
    again = band.compute(small(), k=3, path=posterior_file)
    for metric in made.low:
        np.testing.assert_array_equal(again.low[metric], made.low[metric])


def test_a_band_takes_the_draws_the_file_holds_and_the_scenario_keeps_its_own_keys(posterior_file):
    assert band.compute(small(), k=8, path=posterior_file).worlds == len(DRAWS)  # 8 asked, 5 in the file
    # a scenario that sets a calibrated key itself keeps it: its band is not the baseline's
    own = band.compute(small().with_overrides({"ai.top_p": 0.6}, "test"), k=2, path=posterior_file)
    base = band.compute(small(), k=2, path=posterior_file)
    assert not np.array_equal(own.low["originality_index"], base.low["originality_index"])


def test_no_posterior_no_band_and_one_line_saying_why(tmp_path, monkeypatch):
    missing = tmp_path / "baseline.csv"
    monkeypatch.setenv(band.POSTERIOR_ENV, str(missing))
    reason = band.unavailable()
    assert reason.startswith("No band of plausible worlds: no posterior file baseline.csv") and "\n" not in reason
    assert band.unavailable(posterior.SHIPPED) == ("" if posterior.SHIPPED.is_file() else reason)
    with pytest.raises(ScenarioError, match="no posterior file"):
        band.Bands().get(small(), 3, missing)
    broken = tmp_path / "broken.csv"
    broken.write_text("# made by hand\nai.cost,not.a_key\n0.1,2\n")
    with pytest.raises(ScenarioError, match="not.a_key"):
        band.Bands().get(small(), 3, broken)


def test_the_servers_bands_are_made_once_and_bounded(posterior_file):
    bands = band.Bands(kept=2)
    first = bands.get(small(), 2, posterior_file)
    assert bands.get(small().with_overrides({"run.seed": 7}, "test"), 2, posterior_file) is first  # the seed is not part of a band
    for name in ("ai_flood", "human_reserve", "ranking"):
        bands.get(small(name), 2, posterior_file)
    assert len(bands.entries) == 2  # the latest two kept
    assert bands.get(small(), 2, posterior_file) is not first  # made again once it was let go
    posterior.write(posterior_file, DRAWS.iloc[[3, 4]], ["another posterior"])  # a new file is another band
    other = bands.get(small(), 2, posterior_file)
    assert any(not np.array_equal(getattr(other, e)[m], getattr(first, e)[m], equal_nan=True) for e in ("low", "high") for m in first.low)


@pytest.fixture
def presets(tmp_path, monkeypatch, posterior_file):
    """Small presets as the server's preset folder (a flood beside the baseline), with the posterior above."""
    (tmp_path / "baseline.toml").write_text(f"[run]\nsteps = {STEPS}\n[world]\narchive_items = 4000\n[humans]\ncount = 100\n"
                                            "[ai]\ntrain_size = 2000\nitems_per_step = 0.6\nretrain_every = 3\n")
    (tmp_path / "ai_flood.toml").write_text((tmp_path / "baseline.toml").read_text() + 'supply = "fixed"\noutput_growth = 0.05\n')
    monkeypatch.setenv("CONTENT_PRESETS", str(tmp_path))
    return tmp_path


def test_the_headline_charts_draw_each_runs_band_up_to_the_step_and_say_what_it_is(presets):
    from viz import figures
    from viz.model import PresentationModel

    model = PresentationModel(preset="ai_flood", compare="baseline", seed="2")
    view = band.worlds(model, k=3, bands=band.Bands())
    bands = view.of(model)
    assert not view.note and len(bands) == 2 and bands[0] is not bands[1]
    assert band.worlds(PresentationModel(), k=3).of(model) == ()  # a view belongs to its model only
    for _ in range(4):
        model.step()
    for kind in (figures.WhoWrites, figures.Originality):
        chart = figures.chart(model, kind, bands)
        assert chart is figures.chart(model, kind, bands) and chart is not figures.chart(model, kind)
        fig = chart.figure(model)
        legend = " ".join(t.get_text().replace("\n", " ") for t in fig.legends[0].get_texts())  # long labels wrap
        assert "range of 3 plausible worlds (posterior draws)" in legend
        assert "plausible" not in " ".join(t.get_text() for t in figures.chart(model, kind).figure(model).legends[0].get_texts())
        assert chart.band_polys and len(chart.band_polys) == (2 if kind is figures.WhoWrites else 8)
        assert max(poly.get_paths()[0].vertices[:, 0].max() for poly in chart.band_polys) == model.steps  # up to this step
        for poly in chart.band_polys:  # inside the axes, which start at 0 (a metric not measured yet has an empty band)
            xy = poly.get_paths()[0].vertices
            assert xy[:, 0].max() <= model.steps and xy[:, 0].min() >= 0
            lo, hi = poly.axes.get_ylim()
            assert lo == 0 and xy[:, 1].min() >= lo and xy[:, 1].max() <= hi
        # the kept background with the moving parts over it is what a full draw makes
        quick = np.asarray(PIL.Image.open(io.BytesIO(chart.image(model))).convert("RGB"), float)
        chart.figure(model)
        assert np.abs(quick - np.asarray(chart.canvas.buffer_rgba())[..., :3]).mean() < 2.0, kind.__name__
    # the CSV export holds each run's band beside its metrics
    table = model.timeseries_table(bands)
    for name, made in zip(("ai_flood", "baseline"), bands):
        rows = table[table["scenario"] == name]
        assert rows["step"].tolist() == list(range(5)) and (rows["band_worlds"] == 3).all()
        np.testing.assert_array_equal(rows["band_low_originality_index"], made.low["originality_index"][:5])
        np.testing.assert_array_equal(rows["band_high_human_share_new"], made.high["human_share_new"][:5])
    assert "band_worlds" not in model.timeseries_table().columns


def test_the_page_draws_the_bands_in_the_background_and_the_toggle_removes_them(presets, page):
    pytest.importorskip("solara")
    import ipyvue
    import ipyvuetify as v
    from test_app import images

    with band.BANDS.making:  # while another band is being made, this page's wait, and say so
        model, rc = page()
        time.sleep(0.5)
        notes = [c for w in rc.find(ipyvue.Html, class_="band-note").widgets for c in w.children]
        assert notes == [band.COMPUTING] * 2  # on the two headline charts
        assert model.value.steps == 0 and len(images(rc)) == 6  # the page is drawn meanwhile
        press(rc, "step")  # and the live run steps
        assert model.value.steps == 1
    toggle = rc.find(v.Checkbox, label="Band of plausible worlds (posterior draws)").widget
    assert toggle.v_model is True and not toggle.disabled  # on: there is a posterior
    deadline = time.monotonic() + 120
    while model.value.__dict__.get("_charts") is None or not any(key[1] for key in model.value._charts):
        assert time.monotonic() < deadline, "the bands never arrived"
        time.sleep(0.2)
    while band.COMPUTING in [c for w in rc.find(ipyvue.Html, class_="band-note").widgets for c in w.children]:  # the page's render ends
        assert time.monotonic() < deadline, "the note that the bands are being made stayed"
        time.sleep(0.3)
    press(rc, "step")  # the live run steps on, its band behind it
    with_band = images(rc)
    toggle.v_model = False
    assert images(rc)[:2] != with_band[:2] and images(rc)[2:] == with_band[2:]  # only the headline charts change


@pytest.fixture
def page(presets, monkeypatch):
    """The page as a viewer opens it (as in tests/test_app.py), over the small presets and the posterior here."""
    import importlib

    pytest.importorskip("solara")
    import viz.components
    import viz.page

    importlib.reload(viz.components)
    importlib.reload(viz.page)
    yield page_renderer(viz.page, monkeypatch)
    monkeypatch.undo()  # the presets folder of the environment again, for the modules imported after
    importlib.reload(viz.components)
    importlib.reload(viz.page)


def test_without_a_posterior_the_page_says_why_in_one_line(page, monkeypatch, tmp_path):
    import ipyvue
    import ipyvuetify as v

    monkeypatch.setenv(band.POSTERIOR_ENV, str(tmp_path / "none.csv"))
    model, rc = page()
    toggle = rc.find(v.Checkbox, label="Band of plausible worlds (posterior draws)").widget
    assert toggle.v_model is False and toggle.disabled
    status = [c for w in rc.find(ipyvue.Html, class_="band-status").widgets for c in w.children]
    assert status == ["No band of plausible worlds: no posterior file none.csv (python run.py calibrate makes one)."]
    assert not rc.find(ipyvue.Html, class_="band-note").widgets
    assert not any(key[1] for key in model.value._charts)  # every chart without a band
