"""The command line meets its users halfway: "did you mean", folders that never overwrite, a full table."""

from __future__ import annotations

from pathlib import Path

import pytest

import run as cli
from experiments.library import resolve
from experiments.report import headline_table
from experiments.runner import run
from model.scenario import load


@pytest.mark.parametrize(
    "argv, hint",
    [
        (["run", "human_reserv"], "did you mean human_reserve?"),
        (["run", "baseline", "--set", "ai.top=0.9"], "did you mean ai.top_p?"),
        (["run", "baseline", "--set", "ai.human_reserve=0.1"], "did you mean policy.human_reserve?"),
        (["run", "baseline", "--set", "polcy.window=3"], "did you mean policy.window?"),
        (["compare", "baseline", "craetor_pay"], "did you mean creator_pay?"),
        (["validate", "--check", "tial"], "did you mean tail?"),
    ],
)
def test_a_mistyped_name_gets_did_you_mean_in_its_one_line(argv, hint, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(Path(cli.__file__).parent)
    assert cli.main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and hint in err and "allowed" in err
    assert not (tmp_path / "out").exists()


def test_a_name_far_from_every_choice_gets_no_guess(capsys):
    assert cli.main(["run", "zzzzzzzz"]) == 2
    assert "did you mean" not in capsys.readouterr().err


def test_validate_quick_writes_to_its_own_folder_and_never_over_the_full_report():
    parse = cli._parser().parse_args
    assert cli.validation_folder(parse(["validate", "--quick"])) == Path("results") / "validation-quick"
    assert cli.validation_folder(parse(["validate"])) == Path("results") / "validation"
    assert cli.validation_folder(parse(["validate", "--quick", "--out", "x"])) == Path("x")


def table_rows(text: str) -> dict[str, list[str]]:
    return {line[:31].strip(): line[31:].split() for line in text.splitlines()[1:-1]}


def test_the_run_table_shows_the_three_source_shares_which_sum_to_one():
    result = run(load(resolve("baseline"), {"run.steps": 3}))
    rows = table_rows(headline_table(result))
    shares = [float(rows[f"{who} share of new items"][-1]) for who in ("human", "assisted", "AI")]
    last = result.timeseries.iloc[-1]
    assert sum(last[c] for c in ("human_share_new", "assisted_share_new", "ai_share_new")) == pytest.approx(1.0)
    assert sum(shares) == pytest.approx(1.0, abs=3e-3)  # as printed, to three significant digits
    assert "perplexity on human text" not in rows


def test_the_run_table_of_the_text_world_shows_its_text_metrics():
    rows = table_rows(headline_table(run(load(resolve("text_baseline"), {"run.steps": 1}))))
    assert {"perplexity on human text", "vocabulary coverage", "distinct bigrams (recent)"} <= set(rows)
    assert float(rows["perplexity on human text"][0]) > 1
