"""A bounded load test in CI: 8 clients asking known questions of a real `newsdesk serve`
while another adds and deletes articles. No errors and no wrong answers; timings and memory
are reported by `python -m bench.load` into docs/benchmarks.md, not asserted here."""

from __future__ import annotations

import pytest

from bench.load import QUESTIONS, run

pytestmark = pytest.mark.slow


def test_concurrent_questions_during_ingest_get_no_errors_and_no_wrong_answers():
    summary = run(clients=8, requests=3)
    assert summary["error_examples"] == []
    assert summary["errors"] == 0 and summary["wrong_answers"] == 0
    assert summary["requests"] == 8 * 3 and summary["writes"] >= 1
    assert len(QUESTIONS) >= 4
