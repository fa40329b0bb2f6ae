"""The visual server's model, charts and page, rendered with ``solara.render`` (no browser).

The presets here are small scenario files in a temporary folder (``CONTENT_PRESETS``),
so that a preset change has something to change to and each run takes a fraction of a second.
"""

from __future__ import annotations

import importlib
import io
import re
import time
import warnings

import numpy as np
import pytest
from conftest import buttons, page_renderer, press

solara = pytest.importorskip("solara", reason="the app extra is not installed")
v = pytest.importorskip("ipyvuetify")
import ipyvue
import ipywidgets
import PIL.Image

from model.scenario import Scenario

SMALL = """
[run]
steps = 30
window = 5
[world]
dim = 3
archive_items = 4000
[humans]
count = 200
[ai]
models = 2
train_size = 2000
retrain_every = 5
items_per_step = 60.0
"""
FLOOD = SMALL.replace("items_per_step = 60.0", 'items_per_step = 400.0\noutput_growth = 0.05\nsupply = "fixed"\ntop_p = 0.9')
# Language mode: the same small world, written in English words.
TEXT = SMALL.replace("[world]\n", '[world]\nkind = "text"\n')


@pytest.fixture(scope="module")
def viz(tmp_path_factory):
    """The viz modules, imported with the small presets as the preset folder."""
    folder = tmp_path_factory.mktemp("presets")
    (folder / "baseline.toml").write_text("# Small world: today's web at a test's scale.\n" + SMALL)
    (folder / "ai_flood.toml").write_text("# Flood: AI output grows 5% a month, whatever it earns.\n" + FLOOD)
    (folder / "text.toml").write_text(TEXT)
    mp = pytest.MonkeyPatch()
    mp.setenv("CONTENT_PRESETS", str(folder))
    mp.setenv("CONTENT_POSTERIOR", str(folder / "no_posterior.csv"))  # no band here (tests/test_band.py draws them)
    warnings.filterwarnings("ignore", message=".*use_state.*found despite early return")  # inside Mesa's ComponentsView
    import viz.components
    import viz.model
    import viz.page

    components = importlib.reload(viz.components)
    importlib.reload(viz.page)
    yield components, viz.model
    mp.undo()
    importlib.reload(viz.components)
    importlib.reload(viz.page)


def image_size(data: bytes) -> tuple[int, int]:
    return PIL.Image.open(io.BytesIO(data)).size


def test_presets_are_the_folder_files_baseline_first(viz):
    components, _ = viz
    assert list(components.PRESETS) == ["baseline", "ai_flood", "text"]
    params = components.model_params()
    assert params["preset"]["values"] == params["compare"]["values"] == ["baseline", "ai_flood", "text"]


def test_every_chart_draws_a_fresh_model_and_changes_with_steps(viz):
    components, vm = viz
    from viz import figures

    model = vm.PresentationModel(preset="ai_flood", seed="3")
    assert model.other is not None  # a flood is not the baseline: two runs
    before = {kind: figures.chart(model, kind).image(model) for kind in figures.CHARTS}
    for data in before.values():
        assert data.startswith(b"\xff\xd8") and min(image_size(data)) > 200
    for _ in range(6):
        model.step()
    after = {kind: figures.chart(model, kind).image(model) for kind in figures.CHARTS}
    for kind in figures.CHARTS:
        assert after[kind] != before[kind], kind.__name__
        # the kept background with the moving parts drawn over it is the picture a full draw makes
        chart = figures.chart(model, kind)
        quick = np.asarray(PIL.Image.open(io.BytesIO(chart.image(model))).convert("RGB"), float)
        chart.figure(model)
        full = np.asarray(chart.canvas.buffer_rgba())[..., :3].astype(float)
        assert quick.shape == full.shape
        assert np.abs(quick - full).mean() < 2.0, kind.__name__  # JPEG noise only


def test_the_second_run_is_its_preset_with_the_first_ones_seed_and_world_stepped_together(viz):
    _, vm = viz
    model = vm.PresentationModel(preset="ai_flood", compare="baseline", seed="4", policy_data_regime="accumulate")
    other = model.other
    assert other.config.run.seed == 4 and other.config.policy.data_regime == "replace"
    assert other.config.ai.items_per_step == 60.0 and model.config.ai.items_per_step == 400.0
    for _ in range(3):
        model.step()
    assert other.steps == model.steps == 3
    assert list(model.other_history["step"]) == [0, 1, 2, 3]
    # the orange line is exactly a plain run of the second preset with that seed
    alone = vm.ContentEcosystem(other.config)
    for _ in range(3):
        alone.step()
    np.testing.assert_equal(alone.metrics, other.metrics)  # NaN where both are undefined
    # the first run is untouched by being watched: drawing does not draw from the model's generator
    plain = vm.ContentEcosystem(model.config)
    for _ in range(3):
        plain.step()
    assert plain.metrics == model.metrics
    # common random numbers: the same seed and world, so both start from the same archive
    assert (model.web.idea[: model.archive_n] == other.web.idea[: other.archive_n]).all()
    # any pair: the flood against the accumulate... preset, and back to front
    back = vm.PresentationModel(preset="baseline", compare="ai_flood", seed="4")
    assert back.other.config.ai.items_per_step == 400.0 and back.config.ai.items_per_step == 60.0
    # the same preset twice is one run, unless levers moved the first away from the preset as saved
    assert vm.PresentationModel(preset="baseline", compare="baseline").other is None
    moved = vm.PresentationModel(preset="baseline", compare="baseline", ai_top_p=0.8)
    assert moved.other is not None and moved.other.config.ai.top_p == Scenario().ai.top_p and moved.label == "Small world (levers moved)"
    assert moved.title == "Small world (levers moved) vs Small world · seed 1" and moved.name == "baseline (levers moved)"
    assert back.label == "Small world" and back.other_label == "Flood"  # the titles of the files, not their names


def test_the_csv_export_holds_both_runs_step_by_step(viz):
    _, vm = viz
    model = vm.PresentationModel(preset="ai_flood", compare="baseline", seed="2")
    for _ in range(4):
        model.step()
    table = model.timeseries_table()
    assert sorted(set(table["scenario"])) == ["ai_flood", "baseline"] and (table["seed"] == 2).all()
    for name, run in (("ai_flood", model), ("baseline", model.other)):
        rows = table[table["scenario"] == name].reset_index(drop=True)
        expected = run.timeseries().reset_index(drop=True)
        assert rows["step"].tolist() == [0, 1, 2, 3, 4]
        for column in expected.columns:
            assert np.allclose(rows[column], expected[column], equal_nan=True), (name, column)


@pytest.mark.parametrize(
    "levers",
    [
        {"humans_count": 0},
        {"ai_models": 0},
        {"policy_detector_tpr": 1.0, "policy_detector_fpr": 1.0, "policy_watermark_share": 1.0, "policy_human_reserve": 1.0},
        # none of these can be used: the page says so three times and runs the baseline as saved
        {"policy_human_reserve": 1.0, "policy_verified_share": 1.0, "seed": "abc", "preset": "no_such_preset"},
    ],
)
def test_unusual_controls_show_state_or_a_message_never_an_error(viz, levers):
    _, vm = viz
    from viz import figures

    model = vm.PresentationModel(**levers)
    for _ in range(6):
        model.step()
    assert not model.stopped, model.notices
    assert model.steps == 6
    for kind in figures.CHARTS:
        assert figures.chart(model, kind).image(model).startswith(b"\xff\xd8")
    assert len(model.notices) == (3 if "preset" in levers else 0), model.notices


def test_a_failure_inside_the_model_becomes_a_message(viz, monkeypatch):
    _, vm = viz
    import model.ecosystem

    real = model.ecosystem.make_culture

    def fragile(world, rng):
        if world.dim == 7:
            raise RuntimeError("no culture in seven dimensions")
        return real(world, rng)

    monkeypatch.setattr(model.ecosystem, "make_culture", fragile)
    built = vm.PresentationModel(world_dim=7)  # building fails: the preset runs as saved, and says so
    assert built.config.world.dim == 3 and "no culture in seven dimensions" in built.notices[0]

    def broken(self, t):
        raise RuntimeError("lost the web")

    monkeypatch.setattr(vm.ContentEcosystem, "publish", broken)
    built.step()  # a step that fails stops the run with a message
    assert built.stopped and not built.running and "lost the web" in built.notices[-1]
    items = built.web.n
    built.step()  # (the page disables Step once the run stops; pressed anyway, nothing happens)
    assert built.web.n == items and len(built.notices) == 2


@pytest.fixture
def page(viz, monkeypatch):
    """The page as a viewer opens it: render it and get (its model's reactive variable, the render context)."""
    components, _ = viz
    import viz.page

    components.reset_controls()
    yield page_renderer(viz.page, monkeypatch)
    components.reset_controls()


def slider(rc, name: str):
    """The slider of lever ``name`` (its label and value are text beside it, so it has no label of its own)."""
    return rc.find(meta_ref=f"lever-{name}").find(v.Slider).widget


def reset(rc, model) -> None:
    """Press Reset: at once the page says it is building and disables Play and Step; then wait for the new model."""
    before = model.value
    press(rc, "reset")
    deadline = time.monotonic() + 5
    while not _texts(rc, "run-building"):  # the page re-renders from the click's state (at once unless a render is under way)
        assert time.monotonic() < deadline and model.value is before, "Reset showed no building state"
        time.sleep(0.05)
    assert buttons(rc).step_disabled and buttons(rc).play_disabled
    deadline = time.monotonic() + 120
    while model.value is before or _texts(rc, "run-building"):  # (searching the page often would slow the build)
        assert time.monotonic() < deadline, "Reset did not finish building"
        time.sleep(0.3)
    assert model.value is not before and not buttons(rc).step_disabled


def images(rc) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]


def test_page_step_reset_presets_and_slider_act_on_the_model(viz, page):
    components, vm = viz
    from viz import figures

    model, rc = page()
    assert len(images(rc)) == len(figures.CHARTS)
    first = images(rc)

    for _ in range(13):  # past the first yearly retraining, so the generations chart changes too
        press(rc, "step")
    assert model.value.steps == 13
    assert all(a != b for a, b in zip(first, images(rc)))  # every chart redrew

    # choosing a preset moves the levers to that preset's values (shown beside each slider), and Reset builds it
    flood = components.PRESET_LEVERS["ai_flood"]
    rc.find(v.Select, label="First run (blue): preset").widget.v_model = "ai_flood"
    assert slider(rc, "ai_items_per_step").v_model == flood["ai_items_per_step"] == 400.0
    assert "400" in rc.find(meta_ref="lever-ai_items_per_step").find(ipyvue.Html, tag="span")[1].widget.children
    assert rc.find(v.Select, label="AI supply").widget.v_model == "fixed"
    reset(rc, model)
    rebuilt = model.value
    assert rebuilt.steps == 0 and rebuilt.preset == "ai_flood" and not rebuilt.notices
    assert rebuilt.config.ai.items_per_step == 400.0 and rebuilt.config.ai.output_growth == 0.05
    assert rebuilt.other is not None and rebuilt.compare == "baseline"  # against the baseline, as saved

    # a slider moved by hand overrides the preset at the next Reset
    slider(rc, "ai_top_p").v_model = 0.8
    reset(rc, model)
    assert model.value.config.ai.top_p == 0.8 and model.value.preset == "ai_flood" and not model.value.notices
    assert model.value.changed == {"ai_top_p": 0.8} and model.value.other.config.ai.top_p == Scenario().ai.top_p

    # the second run: any preset; and back to the baseline, where every lever follows
    rc.find(v.Select, label="Second run (orange): preset, as saved").widget.v_model = "ai_flood"
    rc.find(v.Select, label="First run (blue): preset").widget.v_model = "baseline"
    reset(rc, model)
    assert model.value.config.ai.top_p == Scenario().ai.top_p and model.value.config.ai.items_per_step == 60.0
    assert model.value.other.config.ai.items_per_step == 400.0 and model.value.compare == "ai_flood"
    assert not model.value.notices and not model.value.changed
    status = " ".join(_texts(rc))
    assert "Small world (blue) against Flood (orange) · seed 1 · step 0 of 30" in status


def test_two_pages_build_two_models(viz, page):
    """One model per viewer: each page builds its own when it opens, and stepping one leaves the other."""
    first, rc1 = page()
    second, rc2 = page()
    assert first.value is not second.value
    press(rc1, "step")
    assert first.value.steps == 1 and second.value.steps == 0


def test_log_option_and_messages_render(viz, page):
    components, _ = viz
    components.LEVER_STATE["policy_human_reserve"].set(0.7)
    components.LEVER_STATE["policy_verified_share"].set(0.7)
    model, rc = page()
    alerts = " ".join(str(w.children) for w in rc.find(v.Alert).widgets)
    assert "cannot run" in alerts
    checkbox = rc.find(v.Checkbox, label="index on a log scale").widget
    before = images(rc)
    press(rc, "step")
    checkbox.v_model = True
    after = images(rc)
    assert after[1] != before[1]
    assert np.isfinite(model.value.history["originality_index"]).all()
    assert figures_axes(model.value)[1][0].get_yscale() == "log"


def figures_axes(model):
    from viz import figures

    return [figures.chart(model, kind).fig.axes for kind in figures.CHARTS]


def _texts(rc, cls: str | None = None) -> list[str]:
    """The text of every line of text on the page (Solara's Text is a span), or of the elements of class ``cls``."""
    if cls is None:
        return [c for w in rc.find(ipyvue.Html, tag="span").widgets for c in w.children if isinstance(c, str)]

    def text(widget) -> str:  # a document's words, the marked ones included
        return "".join(c if isinstance(c, str) else text(c) for c in widget.children)

    return [text(w) for w in rc.find(ipyvue.Html, class_=cls).widgets]


def test_text_preset_shows_what_people_and_models_write_and_follows_the_steps(viz, page):
    components, vm = viz
    from model.text.samples import latest_documents
    from viz import samples

    model, rc = page()
    # the ideas world: the panel says that nothing is written, and shows no document
    assert any("Nothing is written" in t for t in _texts(rc)) and not _texts(rc, samples.HUMAN_DOC)

    rc.find(v.Select, label="First run (blue): preset").widget.v_model = "text"
    rc.find(v.Select, label="Second run (orange): preset, as saved").widget.v_model = "text"
    reset(rc, model)
    live = model.value
    assert live.config.world.kind == "text" and live.preset == "text" and not live.notices
    assert not any("Nothing is written" in t for t in _texts(rc))
    at_setup = latest_documents(live, samples.DOCUMENTS)
    assert _texts(rc, samples.HUMAN_DOC) == at_setup["human"][::-1]  # the archive's, newest first
    assert not _texts(rc, samples.MODEL_DOC) and "no model has written yet" in _texts(rc)

    for _ in range(6):  # past the first retraining (every 5 steps)
        press(rc, "step")
    # the panel shows exactly what a plain run of the same scenario and seed has published by then
    alone = vm.ContentEcosystem(live.config)
    for _ in range(6):
        alone.step()
    published = latest_documents(alone, samples.DOCUMENTS)
    human, machine = _texts(rc, samples.HUMAN_DOC), _texts(rc, samples.MODEL_DOC)
    assert human == published["human"][::-1] and human != at_setup["human"][::-1]
    assert machine == published["models"][::-1] and len(machine) == samples.DOCUMENTS
    for doc in human + machine:  # English words, doc_tokens of them, not token ids
        assert re.fullmatch(r"[a-z'-]+( [a-z'-]+)*", doc) and len(doc.split()) == live.config.world.doc_tokens, doc
    assert {"the", "of", "and", "to", "in"} & set(" ".join(human).split())
    # model 0 continues one held-out human prompt: its first generation and the current one
    generation = live.ai_models[0].generation
    assert generation == 2
    prompts = _texts(rc, samples.PROMPT_DOC)
    assert [p.split(":")[0] for p in prompts] == ["human", "generation 1", f"generation {generation}"]
    assert prompts[2].removeprefix(f"generation {generation}: ").split()[:2] == prompts[0].removeprefix("human: ").split()[:2]
    status = next(t for t in _texts(rc) if t.startswith("Step 6, model generation 2."))
    assert f"{live.metrics['model_perplexity']:,.0f}, at setup {live.history['model_perplexity'][0]:,.0f} (" in status


def test_text_panel_without_models_or_before_they_write_shows_a_message(viz):
    _, vm = viz
    from viz import samples

    model = vm.PresentationModel(preset="text", ai_models=0)
    for _ in range(2):
        model.step()
    shown = samples.writing(model)
    assert shown.models == [] and shown.prompt is None and shown.generation == 0 and len(shown.human) == samples.DOCUMENTS
    _, rc = solara.render(samples.WhatTheModelsWrite(model), handle_error=False)
    assert "no model has written yet" in _texts(rc) and len(_texts(rc, samples.HUMAN_DOC)) == samples.DOCUMENTS
    assert samples.writing(vm.PresentationModel(preset="ai_flood")) is None  # the ideas world writes nothing


def test_serve_rejects_a_bad_port_in_one_line(capsys):
    import run

    for port in ("70000", "0"):  # 0 (any free port) too: serve prints the address it asked, once it answers
        assert run.main(["serve", "--port", port]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"--port {port}:" in err and "1 to 65535" in err


def test_every_library_preset_sits_on_its_sliders_grid():
    # A slider snaps to low + k * step: a preset value off that grid would count as a change and
    # be applied at the next Reset, so every shipped scenario must be representable exactly.
    from experiments.library import LIBRARY
    from model.scenario import load
    from viz.presets import LEVERS

    for path in sorted(LIBRARY.glob("*.toml")):
        scenario = load(path)
        for lever in LEVERS:
            if lever.kind.startswith("Slider"):
                value = lever.value_in(scenario)
                k = (value - lever.low) / lever.step
                assert abs(k - round(k)) < 1e-6, f"{path.name}: {lever.name} = {value} is off the slider's grid (step {lever.step})"


def test_every_chart_is_legible_and_honest(viz):
    """Type no smaller than the page's minimum, the runs and seed in every title, plain log labels, whole-number steps and
    generations, shares from 0, a point at step 0, and a PNG export 1920 px wide."""
    _, vm = viz
    import matplotlib.text

    from viz import chart as base
    from viz import figures

    model = vm.PresentationModel(preset="ai_flood", compare="baseline", seed="3")
    at_start = {kind: figures.chart(model, kind).figure(model) for kind in figures.CHARTS}
    for kind in (figures.WhoWrites, figures.Originality):  # step 0: every run's line shows its one point
        lines = [line for ax in at_start[kind].axes for line in ax.get_lines() if line.get_animated() or line in figures.chart(model, kind)._dynamic]
        assert any(len(line.get_xdata()) == 1 and line.get_marker() == "o" for line in lines), kind.__name__
    for _ in range(7):
        model.step()
    for kind in figures.CHARTS:
        chart = figures.chart(model, kind)
        fig = chart.figure(model)
        texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip() and t.get_visible()]
        small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() * base.DPI / 72 < base.MIN_FONT_PX - 1e-9]
        assert not small, (kind.__name__, small)
        words = " ".join(t.get_text() for t in texts)
        assert "Flood vs Small world · seed 3" in words, kind.__name__
        for ax in fig.axes:
            for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
                labels = [t.get_text() for t in axis.get_ticklabels(which="both") if t.get_text()]
                assert not [label for label in labels if "^" in label or "$" in label], (kind.__name__, labels)
            if ax.get_xlabel() in (base.STEP_LABEL, "model generation"):  # a metric over time or generations: from 0
                assert all(float(t).is_integer() for t in ax.get_xticks()), (kind.__name__, ax.get_xticks())
                assert ax.get_yscale() == "log" or ax.get_ylim()[0] == 0, (kind.__name__, ax.get_ylabel(), ax.get_ylim())
        png = PIL.Image.open(io.BytesIO(chart.png(model)))
        assert png.format == "PNG" and png.size[0] == base.EXPORT_PX
        assert chart.image(model).startswith(b"\xff\xd8")  # the page's quick path still works after an export
    assert base.MIN_FONT_PX * base.MIN_SHOWN_PX / base.WIDTH_PX >= 12  # the narrowest the page shows a chart keeps 12 px type


def test_the_headline_difference_is_that_of_the_numbers_shown_with_no_signed_zero(viz):
    components, vm = viz
    model = vm.PresentationModel(preset="ai_flood", compare="baseline", seed="1")
    model.history.rows["human_share_new"][-1], model.other_history.rows["human_share_new"][-1] = 0.144, 0.436  # shown 0.14 and 0.44
    model.history.rows["originality_index"][-1] = model.other_history.rows["originality_index"][-1] + 1e-9  # shown equal
    cells = re.findall(r"<td>([^<]*)</td>", components.headline_table(model))
    assert cells[:4] == ["human share of new items", "0.14", "0.44", "-0.30"]
    assert cells[7] == "0.00" and not any(c in ("+0.00", "-0.00", "+0.000", "-0.000") for c in cells)
    narrow = components.headline_table(model, narrow=True)  # projector mode's: each metric's name on a row above its numbers
    assert re.findall(r"<td>([^<]*)</td>", narrow) == [c for i, c in enumerate(cells) if i % 4] and "human share of new items</th>" in narrow


def test_projector_charts_have_larger_type_and_at_most_six_legend_entries(viz):
    _, vm = viz
    from viz import chart as base
    from viz import figures

    model = vm.PresentationModel(preset="ai_flood", compare="baseline", seed="1", ai_top_p=0.8)  # two runs, levers moved
    for kind in figures.CHARTS:
        normal, big = figures.chart(model, kind), figures.chart(model, kind, projector=True)
        assert big is not normal and big.fig.get_size_inches()[0] < normal.fig.get_size_inches()[0]
        assert image_size(big.image(model))[0] == image_size(normal.image(model))[0] == base.WIDTH_PX  # same pixels, larger type
        legend = big.figure(model).legends[0]
        assert len(legend.get_texts()) <= base.PROJECTOR_LEGEND, (kind.__name__, [t.get_text() for t in legend.get_texts()])
        renderer = big.canvas.get_renderer()
        inside = big.fig.bbox.expanded(1.0, 1.0)
        for text in legend.get_texts():  # every label whole inside the image: long names wrap, never clip
            box = text.get_window_extent(renderer)
            assert inside.x0 - 1 <= box.x0 and box.x1 <= inside.x1 + 1, (kind.__name__, text.get_text())
    assert base.PROJECTOR_FONT_PX >= 20


def test_inputs_changed_since_reset_are_marked_and_restore_puts_the_presets_levers_back(viz, page):
    components, _ = viz
    model, rc = page()
    assert not _texts(rc, "pending-note")
    slider(rc, "ai_top_p").v_model = 0.8
    assert _texts(rc, "pending-note") == [components.PENDING_NOTE]
    assert any("Top-p (nucleus sampling)" in t for t in _texts(rc, "run-pending"))
    rc.find(v.Btn, children=["Restore the preset's levers"]).widget.click()
    assert slider(rc, "ai_top_p").v_model == components.PRESET_LEVERS["baseline"]["ai_top_p"] and not _texts(rc, "pending-note")


def test_errors_name_the_levers_as_the_page_labels_them(viz):
    _, vm = viz
    model = vm.PresentationModel(policy_human_reserve=0.7, policy_verified_share=0.7)
    notice = " ".join(model.notices)
    assert "“Human reserve in training sets” + “Provenance: verified share of training sets” must be <= 1" in notice
    assert "human_reserve" not in notice and "keyword arguments" not in notice and "Small world" in notice


def test_a_png_export_names_the_runs_the_seed_and_the_month_inside_the_image(viz):
    _, vm = viz
    from viz import figures

    model = vm.PresentationModel(preset="ai_flood", compare="baseline", seed="3")
    for _ in range(2):
        model.step()
    for kind in figures.CHARTS:
        chart = figures.chart(model, kind)
        written = []
        real = chart.fig.savefig
        chart.fig.savefig = lambda out, **kw: written.append(chart.fig.runs_line.get_text()) or real(out, **kw)
        assert image_size(chart.png(model))[0] == 1920
        assert written == ["Flood vs Small world · seed 3 · month 2 of 30"], (kind.__name__, written)
        assert chart.fig.runs_line.get_text() == "Flood vs Small world · seed 3"  # the page's picture is as before


def test_the_human_words_the_models_no_longer_write_are_marked(viz):
    _, vm = viz
    from viz import samples

    model = vm.PresentationModel(preset="text", seed="2")
    for _ in range(6):
        model.step()
    shown = samples.writing(model)
    learner = model.ai_models[0].learner
    written = set(model.culture.language.words[learner.token_counts_[-1] > 0].tolist())
    human = set(" ".join(shown.human).split())
    assert shown.unwritten == human - written  # exactly the human words model 0's latest sample never wrote
    assert shown.unwritten and shown.unwritten < human  # this world has lost some words, and kept most
