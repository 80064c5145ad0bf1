"""The background rounds (assistant/watcher.py) on a real store, with an answerer slowed down
on purpose: a poke returns at once, however long the asking takes; pokes during a round make
one more round, not one each; a round starts no ask after `watch.max_seconds`, and the
watches it did not reach are asked first in the next one; a failing ask does not stop the
others."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from assistant.types import Answer
from assistant.watcher import Watcher
from assistant.watches import Watch


def slow_watcher(make_app, seconds: float, max_seconds: float = 60.0):
    app = make_app()
    settings = replace(app.settings, watch=replace(app.settings.watch, max_seconds=max_seconds))
    asked: list[str] = []
    failing: set[str] = set()
    gate, entered = threading.Event(), threading.Event()
    gate.set()

    def ask(watch: Watch) -> Answer:
        entered.set()
        gate.wait(30)
        time.sleep(seconds)
        asked.append(watch.question)
        if watch.question in failing:
            raise RuntimeError("the answerer broke")
        return Answer.abstain(watch.question, [])

    return app, Watcher(app.store.watches, settings, ask), asked, failing, gate, entered


def test_a_poke_returns_at_once_and_pokes_during_a_round_make_one_more(make_app):
    _app, watcher, asked, _, gate, entered = slow_watcher(make_app, 0.0)
    watcher.add("How many ferries run?")
    asked.clear()
    gate.clear()  # the next ask waits: a round is in hand
    entered.clear()
    watcher.poke()
    assert entered.wait(30)
    started = time.perf_counter()
    for _ in range(10):
        watcher.poke()
    assert time.perf_counter() - started < 0.5
    gate.set()
    assert watcher.wait_idle(30)
    assert asked == ["How many ferries run?"] * 2  # the round in hand, and one more
    watcher.close()


def test_a_round_stops_asking_at_its_time_bound_and_the_rest_wait_for_the_next(make_app):
    _app, watcher, asked, failing, _, _ = slow_watcher(make_app, 0.4, max_seconds=1.0)
    questions = [f"How many trams run on line {n}?" for n in range(5)]
    for q in questions:
        watcher.add(q)
    asked.clear()
    failing.add(questions[0])
    watcher.check_now()  # the first fails (logged), the next ones are asked until time is up
    reached = len(asked)
    assert 2 <= reached < 5 and asked == questions[:reached]
    asked.clear()
    watcher.check_now()
    # Least recently asked first: the failed one and those not reached, then the others.
    assert asked[: 5 - reached + 1] == [questions[0], *questions[reached:]]
    watcher.close()
