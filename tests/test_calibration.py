"""The confidence users see is recalibrated to how often such answers were right, without
changing a single decision (assistant/reader/calibration.py)."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from assistant.reader.calibration import Calibration, apply, error, fit
from assistant.reader.model import DECISION_FILE, MODEL_DIR, Reader, load_decision
from vectorstore.types import Passage


def _under_confident(n: int = 600, seed: int = 3) -> list[tuple[float, bool]]:
    """Answers right about twice as often as their raw probability says (as on dev)."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        p = rng.uniform(0.05, 0.6)
        pairs.append((p, rng.random() < min(0.97, 2 * p)))
    return pairs


def test_fitting_on_under_confident_answers_raises_the_confidence_and_shrinks_the_error():
    scored = _under_confident()
    calibration = fit(scored)
    assert calibration(0.2) > 0.3
    grid = [i / 100 for i in range(1, 100)]
    assert all(calibration(a) < calibration(b) for a, b in zip(grid, grid[1:], strict=False))
    after = [(calibration(p), y) for p, y in scored]
    assert error(after) < error(scored) / 2


def test_moving_the_thresholds_onto_the_new_scale_keeps_every_decision():
    decision = {"answer_threshold": 0.1, "strong_threshold": 0.77}
    calibration = fit(_under_confident())
    moved = apply(decision, calibration)
    for p in [i / 1000 for i in range(1, 1000)]:
        for key in ("answer_threshold", "strong_threshold"):
            # A rounding step of the stored threshold aside, the same side of it.
            if abs(p - decision[key]) > 0.002:
                assert (p >= decision[key]) == (calibration(p) >= moved[key]), (key, p)
    # Applied again (a refit), the earlier map is undone first rather than compounded.
    again = apply(moved, calibration)
    assert again["answer_threshold"] == pytest.approx(moved["answer_threshold"], abs=1e-3)
    assert again["calibration"] == calibration.as_data()


def test_a_map_that_would_reverse_the_order_is_refused():
    with pytest.raises(ValueError, match="positive"):
        Calibration.from_data({"slope": -0.5, "intercept": 0.0})
    backwards = [(p, p < 0.3) for p in (0.1, 0.2, 0.4, 0.5) for _ in range(10)]
    with pytest.raises(ValueError, match="does not rise"):
        fit(backwards)


def _decision_in(tmp_path, calibration: Calibration | None):  # noqa: ANN202
    folder = tmp_path / ("calibrated" if calibration else "raw")
    shutil.copytree(MODEL_DIR, folder)
    data = json.loads((folder / DECISION_FILE).read_text())
    data.pop("calibration", None)
    data["answer_threshold"], data["strong_threshold"] = 0.1, 0.5
    if calibration:
        data = apply(data, calibration)
    (folder / DECISION_FILE).write_text(json.dumps(data))
    return Reader(folder), load_decision(folder)


def test_a_calibrated_decision_quotes_and_refuses_as_before_and_shows_the_calibrated_number(
    tmp_path, embedder
):
    from assistant.extractive import ExtractiveAnswerer

    calibration = Calibration(slope=1.0, intercept=1.2)
    raw, calibrated = _decision_in(tmp_path, None), _decision_in(tmp_path, calibration)
    text = (
        "The harbour board approved a new ferry terminal on Tuesday. "
        "It will cost 48 million euros and open in 2027, the board's chair said. "
        "Residents had asked for a terminal since the old pier closed."
    )
    passages = [Passage("h-0", "h", text, 0, len(text), "Ferry", "Bay Post", None, None, 1.0)]
    answers = {}
    for name, reader in (("raw", raw), ("calibrated", calibrated)):
        answerer = ExtractiveAnswerer(embedder, lambda token: 1.0, reader=reader)
        ranked = answerer.rank("How much will the ferry terminal cost?", passages)
        assert all(c.probability == reader[1].confidence(c.raw_probability) for c in ranked)
        answers[name] = (
            ranked,
            answerer.answer("How much will the ferry terminal cost?", passages),
        )
    (raw_ranked, before), (cal_ranked, after) = answers["raw"], answers["calibrated"]
    assert [c.text for c in raw_ranked] == [c.text for c in cal_ranked]
    assert after.text == before.text and after.abstained == before.abstained
    assert "48 million euros" in after.text
    assert after.confidence == pytest.approx(calibration(before.confidence))
    assert after.confidence > before.confidence


def test_questions_from_the_hold_out_row_on_are_learned_by_neither_model_and_calibrate(
    tmp_path, capsys
):
    from assistant.reader import calibration
    from assistant.reader.train import asked_before_row

    tiny = Path(__file__).parent / "data" / "reader-tiny"
    written = [{"id": f"q-{n}"} for n in (8, 2, 7, 5)]  # examples are in shuffled order
    assert [q["id"] for q in asked_before_row(written, tiny, 6)] == ["q-2", "q-5"]
    with pytest.raises(ValueError, match="not be negative"):
        asked_before_row(written, tiny, -1)

    # The calibration run asks two questions the examples hold: one learned (q-2), one
    # written after the hold-out row (q-7), which is not left out.
    examples = tmp_path / "examples-train.jsonl"
    examples.write_text("".join(json.dumps(q) + "\n" for q in written))
    rng = random.Random(5)
    results = [
        {
            "id": qid,
            "abstained": False,
            "confidence": rng.uniform(0.1, 0.6) + 0.3 * right,
            "correct": right,
        }
        for qid in ("q-2", "q-7")
        for right in (True, False) * 10
    ]
    run = tmp_path / "run"
    run.mkdir()
    (run / "result.json").write_text(json.dumps({"questions": results}))
    base = ["--run", str(run), "--exclude", str(examples)]
    assert calibration.main([*base, "--hold-out-from", "6", "--data", str(tiny)]) == 0
    held_out = json.loads(capsys.readouterr().out)
    assert (held_out["answers"], held_out["left_out_seen_in_training"]) == (20, 20)
    with pytest.raises(ValueError, match="both right and wrong"):
        calibration.main(base)  # without the hold-out every example's question is left out
