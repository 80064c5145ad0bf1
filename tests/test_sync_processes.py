"""The sync across real processes on one real Chroma server: a `newsdesk sync` killed midway
is resumed by the next pass without losing or repeating work, processes racing for the
sync lease never both win, and two `newsdesk sync --watch` schedulers never run at once (the
second takes over when the first is killed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.news_site import Story, article_html, etagged
from tests.test_sync import LOCAL, stories
from vectorstore.sync_lease import SyncLease
from vectorstore.sync_state import STORED

pytestmark = pytest.mark.slow


def server_settings(port: int) -> dict:
    return {"store.host": "127.0.0.1", "store.port": port,
            "store.collection": f"t{uuid.uuid4().hex[:12]}"}  # fmt: skip


def cli_env(data_dir: Path, settings: dict, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return {
        **env,
        "NEWSDESK_DATA_DIR": str(data_dir),
        "NEWSDESK_SAMPLE_CORPUS": "false",
        "NEWSDESK_CHROMA_HOST": "127.0.0.1",
        "NEWSDESK_CHROMA_PORT": str(settings["store.port"]),
        "NEWSDESK_COLLECTION": settings["store.collection"],
        "NEWSDESK_FETCH_ALLOW_HOSTS": "127.0.0.1",
        "NEWSDESK_FETCH_HOST_INTERVAL": "0",
        **extra,
    }


def wait_for(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def slow_story(site, story: Story, delay: float) -> None:  # noqa: ANN001 - a NewsSite
    def route(handler):  # noqa: ANN001, ANN202
        text = article_html(story.title, story.body, "Alder Gazette", story.day,
                            site.url(story.path))  # fmt: skip
        reply = etagged(handler, text.encode(), "text/html; charset=utf-8")
        reply.delay = delay
        return reply

    site.routes[story.path] = route


def test_a_sync_killed_midway_resumes_where_it_stopped(make_app, news_site, chroma_port, tmp_path):
    prefix = f"/k{uuid.uuid4().hex[:8]}"
    listed = stories(prefix, 5) + [
        Story(f"{prefix}/more-{i}", f"Tram depot report part {i}",
              f"The tram depot report part {i} was published on Monday. It lists {i + 7} "
              f"repairs and {i + 2} new trams for the Port Alder network", day="2024-05-01")
        for i in range(11)
    ]  # fmt: skip
    feed = news_site.feed(f"{prefix}/feed", "rss", listed, pages=False)
    for story in listed:
        slow_story(news_site, story, 0.3)
    settings = server_settings(chroma_port)
    app = make_app(**LOCAL, **settings)
    source = app.add_source(feed)
    state = app.store.sync_state
    first = len(news_site.answers)
    env = cli_env(tmp_path / "one", settings, NEWSDESK_SYNC_WORKERS="1", NEWSDESK_SYNC_LEASE="3")
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "sync", "--no-progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # Killed once some articles are stored and some pages are still to come.
        stored = wait_for(
            lambda: len(state.items(source.id, STORED)) >= 3 and state.items(source.id, STORED),
            180,
            "three articles stored by the subprocess",
        )
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    done_before = {news_site.url(s.path) for s in listed} & set(stored)
    assert 3 <= len(done_before) < len(listed)
    assert app.count_articles() == len(stored)
    pages = {s.path for s in listed}
    fetched_before = [p for p in news_site.bodies(first) if p in pages]

    # The killed holder's lease runs out (3 s); the next pass picks up what is left.
    lease = SyncLease(state, "test")
    wait_for(lambda: lease.current().expires_at < time.time(), 30, "the killed lease to expire")
    since = len(news_site.answers)
    (run,) = app.sync().runs
    assert run.status == "ok" and run.not_modified == 1  # the feed: 304, its items known
    fetched_again = [p for p in news_site.bodies(since) if p in pages]
    assert not {news_site.url(p) for p in fetched_again} & done_before
    assert set(fetched_before) | set(fetched_again) == pages
    infos = app.list_articles()
    assert sorted(i.url for i in infos) == sorted(news_site.url(p) for p in pages)
    statuses = [r.status for r in app.store.sync_state.runs(source.id)]
    assert statuses == ["ok", "interrupted"]


RACER = """
import sys, time
from vectorstore.client import make_client
from vectorstore.config import StoreConfig
from vectorstore.sync_lease import SyncLease
from vectorstore.sync_state import SyncState

port, collection, start, ttl = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
state = SyncState(make_client(StoreConfig(host="127.0.0.1", port=port)), collection)
lease = SyncLease(state, "racer", ttl)
time.sleep(max(0.0, start - time.time()))
print(lease.try_take(), lease.holder, flush=True)
"""


def race(port: int, collection: str, racers: int, ttl: float) -> list[str]:
    start = str(time.time() + 12)  # once every racer has imported Chroma and connected
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(port), collection, start, str(ttl)],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(racers)
    ]
    outputs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    return [holder for won, holder in outputs if won == "True"]


def test_processes_racing_for_the_sync_lease_never_both_win(make_app, chroma_port):
    settings = server_settings(chroma_port)
    app = make_app(**settings)
    state = app.store.sync_state  # creates the collection
    collection = settings["store.collection"]
    winners = race(chroma_port, collection, 6, ttl=1.0)
    assert len(winners) == 1
    # Its lease (1 s) runs out: they race for the next term, and again one wins it.
    time.sleep(1.5)
    again = race(chroma_port, collection, 6, ttl=30.0)
    assert len(again) == 1
    assert SyncLease(state, "test").current().holder == again[0]
    assert SyncLease(state, "test").current().term == 2


class Watcher:
    """A `newsdesk sync --watch` process, its stderr in a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "sync", "--watch"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )

    @property
    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    @property
    def holding(self) -> bool:
        return "holding the sync lease" in self.text

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)


def test_two_schedulers_never_run_at_once_and_the_second_takes_over(
    make_app, news_site, chroma_port, tmp_path
):
    prefix = f"/w{uuid.uuid4().hex[:8]}"
    listed = stories(prefix, 3)
    settings = server_settings(chroma_port)
    app = make_app(**LOCAL, **settings)
    source = app.add_source(news_site.feed(f"{prefix}/feed", "atom", listed))
    state = app.store.sync_state
    lease = SyncLease(state, "test")
    watchers = [
        Watcher(
            cli_env(tmp_path / name, settings, NEWSDESK_SYNC_LEASE="3"), tmp_path / f"{name}.log"
        )
        for name in ("a", "b")
    ]
    try:
        first = wait_for(lambda: [w for w in watchers if w.holding], 180, "a scheduler")
        wait_for(lambda: state.runs(source.id), 120, "the first run")
        assert len(first) == 1
        holder, other = first[0], next(w for w in watchers if w is not first[0])
        wait_for(lambda: "standing by" in other.text, 60, "the other to stand by")
        assert not other.holding
        wait_for(lambda: state.runs(source.id)[0].status == "ok", 120, "the first run to end")
        assert app.count_articles() == 3

        # A one-off pass elsewhere does not run beside the scheduler: it asks it to.
        outcome = app.sync()
        assert outcome.runs == [] and outcome.queued == [source.id]
        assert outcome.holder and f"pid {holder.proc.pid}" in outcome.holder
        wait_for(lambda: len(state.runs(source.id)) >= 2 and not state.requests(), 60, "asked")

        holder.stop(signal.SIGKILL)  # no release: its lease must run out first
        wait_for(lambda: other.holding, 60, "the other scheduler to take over")
        assert lease.current().holder != state.runs(source.id)[-1].holder
        listed[0].updated = "2024-06-01"
        app.sync()  # asks the new holder
        wait_for(lambda: len(state.runs(source.id)) >= 3 and not state.requests(), 60, "run 3")
        other.stop()
        assert "stopped" in other.text
        assert lease.current().expires_at <= time.time() + 0.5  # released when stopped
    finally:
        for watcher in watchers:
            watcher.stop(signal.SIGKILL)
    runs = sorted(state.runs(source.id), key=lambda r: r.started_at)
    holders = [r.holder for r in runs]
    assert len(set(holders)) == 2 and holders == sorted(holders, key=holders.index)
    for before, after in zip(runs, runs[1:], strict=False):
        if before.holder != after.holder:  # a handover: the first had finished
            assert before.finished_at is not None and before.finished_at <= after.started_at
    assert all(r.status == "ok" for r in runs), [(r.status, r.error) for r in runs]
    assert app.count_articles() == 3
