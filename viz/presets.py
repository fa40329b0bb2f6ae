"""The scenario library as presets, and the levers the page exposes.

A preset is any top-level ``*.toml`` file in the preset folder (``scenarios/`` unless
the environment variable ``CONTENT_PRESETS`` names another), labelled by its file
stem; a new file appears on the page the next time the server starts.
A lever is one flat scenario keyword (``section_key``) with the input that sets it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from experiments.library import description, display_name
from model.scenario import Scenario, ScenarioError, load

REPO = Path(__file__).resolve().parent.parent
#: Names the preset folder; read when :mod:`viz` is imported.
PRESETS_ENV = "CONTENT_PRESETS"
BASELINE = "baseline"


def preset_folder() -> Path:
    """The folder whose top-level TOML files are the presets."""
    return Path(os.environ.get(PRESETS_ENV) or REPO / "scenarios")


def discover(folder: Path | None = None) -> dict[str, Path]:
    """Preset name (file stem) -> path; the baseline first, then alphabetical."""
    folder = preset_folder() if folder is None else folder
    paths = {p.stem: p for p in sorted(folder.glob("*.toml")) if p.is_file()}
    return dict(sorted(paths.items(), key=lambda item: (item[0] != BASELINE, item[0])))


@dataclass(frozen=True)
class Title:
    """What a reader calls a preset: its title, and the file's first line, which says what it is."""

    title: str
    line: str  # "Title: one-line description" (the title alone when the file has no opening comment)


def titles(presets: dict[str, Path]) -> dict[str, Title]:
    """Each preset's :class:`Title`, from its file's first comment line (``python run.py list`` prints the same lines)."""
    out = {}
    for name, path in presets.items():
        line = description(path)
        out[name] = Title(display_name(name, line), line or display_name(name))
    return out


def preset_scenario(name: str, presets: dict[str, Path]) -> Scenario:
    """The scenario a preset file holds; an unknown name raises :class:`ScenarioError`."""
    if name not in presets:
        raise ScenarioError(f"preset {name!r}: not found; allowed: {', '.join(presets) or 'none (the preset folder is empty)'}")
    return load(presets[name])


def baseline_scenario(presets: dict[str, Path]) -> Scenario:
    """No policy: the folder's baseline file, or the schema defaults (which are the baseline)."""
    return load(presets[BASELINE]) if BASELINE in presets else Scenario()


@dataclass(frozen=True)
class Lever:
    """One input on the page: a flat scenario keyword and how it is set.

    Attributes:
        name: flat keyword, ``section_key`` (what :meth:`Scenario.with_flat` takes).
        label: what the page shows.
        kind: ``"SliderFloat"``, ``"SliderInt"`` or ``"Select"`` (Mesa's input types).
        low, high, step: slider range; ``high`` widens to fit any preset's value.
        values: the choices of a select.
    """

    name: str
    label: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05
    values: tuple[str, ...] = ()

    def value_in(self, scenario: Scenario):
        section, _, key = self.name.partition("_")
        return getattr(getattr(scenario, section), key)


#: The main levers, in the order the page lists them.
LEVERS = (
    Lever("humans_count", "Human creators at setup", "SliderInt", 0, 3000, 50),
    Lever("ai_models", "AI model lines", "SliderInt", 0, 8, 1),
    Lever("ai_supply", "AI supply", "Select", values=("market", "fixed")),
    Lever("ai_items_per_step", "AI items per model at step 1", "SliderFloat", 0, 1000, 1),
    Lever("ai_cost", "AI cost per item (market supply)", "SliderFloat", 0.005, 0.5, 0.001),
    Lever("policy_data_regime", "Training data regime", "Select", values=("replace", "window", "accumulate")),
    Lever("policy_human_reserve", "Human reserve in training sets", "SliderFloat"),
    Lever("policy_detector_tpr", "Detector: AI items caught", "SliderFloat", step=0.001),
    Lever("policy_detector_fpr", "Detector: human items wrongly flagged", "SliderFloat", step=0.001),
    Lever("policy_watermark_share", "Watermarked share of AI items", "SliderFloat"),
    Lever("policy_signed_share", "Provenance: signed share of human items", "SliderFloat"),
    Lever("policy_verified_share", "Provenance: verified share of training sets", "SliderFloat"),
    Lever("policy_creator_subsidy", "Creator pay per human item", "SliderFloat", 0, 2, 0.005),
    Lever("policy_training_royalty", "Royalty per human item trained on", "SliderFloat", 0, 2, 0.005),
    Lever("platform_ai_visibility", "Ranking weight of AI items", "SliderFloat", 0, 2, 0.0001),
    Lever("platform_ai_demotion", "Ranking policy: share of that weight AI items keep", "SliderFloat", 0, 1, 0.01),
    Lever("platform_human_premium", "Ranking premium of labelled human items", "SliderFloat", 0, 2),
    Lever("platform_novelty_premium", "Ranking premium for novelty", "SliderFloat", 0, 2, 0.01),
    Lever("ai_temperature", "Temperature", "SliderFloat", 0.5, 1.5, 0.05),
    Lever("ai_top_p", "Top-p (nucleus sampling)", "SliderFloat", 0.5, 1.0, 0.001),
)


def readable(message: str, levers=None) -> str:
    """An error message with the scenario keys of the page's levers named as the page labels them.

    ``policy: human_reserve + verified_share must be <= 1`` reads ``“Human reserve in training sets” +
    “Provenance: verified share of training sets” must be <= 1``.
    """
    text = message.replace("keyword arguments: ", "")
    for lever in levers or LEVERS:
        section, _, key = lever.name.partition("_")
        named = f"“{lever.label}”"
        text = re.sub(rf"\b({re.escape(lever.name)}|{re.escape(section)}\.{re.escape(key)})\b", named, text)
        text = re.sub(rf"(?<![\w.“])({re.escape(key)})\b(?![”\w])", named, text) if key not in ("count", "models", "supply", "cost") else text
    for section in ("run", "world", "humans", "ai", "policy", "platform"):
        text = text.replace(f"{section}: “", "“")
    return text


def lever_values(scenario: Scenario) -> dict[str, object]:
    """What each lever reads in ``scenario``."""
    return {lever.name: lever.value_in(scenario) for lever in LEVERS}


def slider_range(lever: Lever, scenarios: list[Scenario]) -> tuple[float, float]:
    """The slider's ends: its nominal range, widened to every preset's value.

    A value outside a slider's range would be clamped by the browser, silently changing the lever.
    """
    values = [float(lever.value_in(s)) for s in scenarios]
    return min([lever.low, *values]), max([lever.high, *values])
