"""The visual server's model and components, rendered with ``solara.render`` (no browser).

The presets here are two small scenario files in a temporary folder (``CONTENT_PRESETS``),
so that a preset change has something to change to and each run takes a fraction of a second.
"""

from __future__ import annotations

import importlib
import io
import re
import warnings

import numpy as np
import pytest

solara = pytest.importorskip("solara", reason="the app extra is not installed")
v = pytest.importorskip("ipyvuetify")
import ipywidgets  # noqa: E402
import PIL.Image  # noqa: E402

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
    (folder / "baseline.toml").write_text(SMALL)
    (folder / "ai_flood.toml").write_text(FLOOD)
    (folder / "text.toml").write_text(TEXT)
    mp = pytest.MonkeyPatch()
    mp.setenv("CONTENT_PRESETS", str(folder))
    warnings.filterwarnings("ignore", message=".*use_state.*found despite early return")  # inside Mesa's ComponentsView
    import viz.components
    import viz.model

    components = importlib.reload(viz.components)
    yield components, viz.model
    mp.undo()
    importlib.reload(viz.components)


def image_size(data: bytes) -> tuple[int, int]:
    return PIL.Image.open(io.BytesIO(data)).size


def test_presets_are_the_folder_files_baseline_first(viz):
    components, _ = viz
    assert list(components.PRESETS) == ["baseline", "ai_flood", "text"]
    assert components.model_params()["preset"]["values"] == ["baseline", "ai_flood", "text"]


def test_every_chart_draws_a_fresh_model_and_changes_with_steps(viz):
    components, vm = viz
    from viz import figures

    model = vm.PresentationModel(preset="ai_flood", seed="3")
    assert model.counterfactual is not None  # a flood is not the baseline: two runs
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


def test_counterfactual_is_the_baseline_with_the_same_seed_and_steps_in_lock_step(viz):
    _, vm = viz
    model = vm.PresentationModel(preset="ai_flood", seed="4", policy_data_regime="accumulate")
    cf = model.counterfactual
    assert cf.config.run.seed == 4 and cf.config.policy.data_regime == "replace"
    assert cf.config.ai.items_per_step == 60.0 and model.config.ai.items_per_step == 400.0
    for _ in range(3):
        model.step()
    assert cf.steps == model.steps == 3
    assert list(model.baseline_history["step"]) == [0, 1, 2, 3]
    # the grey line is exactly a plain baseline run with that seed
    alone = vm.ContentEcosystem(cf.config)
    for _ in range(3):
        alone.step()
    assert alone.metrics == cf.metrics
    # the live run is untouched by being watched: drawing does not draw from the model's generator
    plain = vm.ContentEcosystem(model.config)
    for _ in range(3):
        plain.step()
    assert plain.metrics == model.metrics
    # the baseline preset itself has no separate counterfactual: its grey line is the run
    assert vm.PresentationModel(preset="baseline").counterfactual is None


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


def _page(components, model):
    from mesa.visualization import SolaraViz

    @solara.component
    def Page():
        with solara.AppLayout():
            SolaraViz(model, components=components.COMPONENTS, model_params=components.model_params())

    return solara.render(Page(), handle_error=False)


def test_page_step_reset_preset_and_slider_act_on_the_model(viz):
    components, vm = viz
    components.reset_controls()
    model = solara.reactive(vm.PresentationModel())
    _, rc = _page(components, model)
    images = lambda: [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]  # noqa: E731
    from viz import figures

    assert len(images()) == len(figures.CHARTS)
    first = images()

    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(13):  # past the first yearly retraining, so the generations chart changes too
        step.click()
    assert model.value.steps == 13
    assert all(a != b for a, b in zip(first, images()))  # every chart redrew

    # choosing a preset moves the levers to that preset's values, and Reset builds it
    flood = components.PRESET_LEVERS["ai_flood"]
    rc.find(v.Select, label="Preset").widget.v_model = "ai_flood"
    assert rc.find(v.Slider, label="AI items per model at step 1").widget.v_model == flood["ai_items_per_step"] == 400.0
    assert rc.find(v.Select, label="AI supply").widget.v_model == "fixed"
    rc.find(v.Btn, children=["Reset"]).widget.click()
    rebuilt = model.value
    assert rebuilt.steps == 0 and rebuilt.preset == "ai_flood" and not rebuilt.notices
    assert rebuilt.config.ai.items_per_step == 400.0 and rebuilt.config.ai.output_growth == 0.05
    assert rebuilt.counterfactual is not None

    # a slider moved by hand overrides the preset at the next Reset
    rc.find(v.Slider, label="top_p (nucleus)").widget.v_model = 0.8
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert model.value.config.ai.top_p == 0.8 and model.value.preset == "ai_flood" and not model.value.notices
    assert model.value.changed == {"ai_top_p": 0.8}

    # back to the baseline: every lever follows
    rc.find(v.Select, label="Preset").widget.v_model = "baseline"
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert model.value.config.ai.top_p == 0.95 and model.value.config.ai.items_per_step == 60.0
    assert not model.value.notices and not model.value.changed
    components.reset_controls()


def test_log_option_and_messages_render(viz):
    components, vm = viz
    components.reset_controls()
    model = solara.reactive(vm.PresentationModel(policy_human_reserve=0.7, policy_verified_share=0.7))
    _, rc = _page(components, model)
    alerts = " ".join(str(w.children) for w in rc.find(v.Alert).widgets)
    assert "cannot run" in alerts
    checkbox = rc.find(v.Checkbox, label="originality index on a log scale").widget
    before = [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]
    rc.find(v.Btn, children=["Step"]).widget.click()
    checkbox.v_model = True
    after = [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]
    assert after[1] != before[1]
    assert np.isfinite(model.value.history["originality_index"]).all()


def _texts(rc, cls: str | None = None) -> list[str]:
    """The text of every line of text on the page (Solara's Text is a span), or of the elements of class ``cls``."""
    import ipyvue

    found = rc.find(ipyvue.Html, tag="span") if cls is None else rc.find(ipyvue.Html, class_=cls)
    return [c for w in found.widgets for c in w.children if isinstance(c, str)]


def test_text_preset_shows_what_people_and_models_write_and_follows_the_steps(viz):
    components, vm = viz
    from model.text.samples import latest_documents
    from viz import samples

    components.reset_controls()
    model = solara.reactive(vm.PresentationModel())
    _, rc = _page(components, model)
    # the ideas world: the panel says that nothing is written, and shows no document
    assert any("Nothing is written" in t for t in _texts(rc)) and not _texts(rc, samples.HUMAN_DOC)

    rc.find(v.Select, label="Preset").widget.v_model = "text"
    rc.find(v.Btn, children=["Reset"]).widget.click()
    live = model.value
    assert live.config.world.kind == "text" and live.preset == "text" and not live.notices
    assert not any("Nothing is written" in t for t in _texts(rc))
    at_setup = latest_documents(live, samples.DOCUMENTS)
    assert _texts(rc, samples.HUMAN_DOC) == at_setup["human"][::-1]  # the archive's, newest first
    assert not _texts(rc, samples.MODEL_DOC) and "no model has written yet" in _texts(rc)

    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(6):  # past the first retraining (every 5 steps)
        step.click()
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
    components.reset_controls()


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

    assert run.main(["serve", "--port", "70000"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--port 70000" in err and "0 to 65535" in err


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
