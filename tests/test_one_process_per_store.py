"""An embedded store has one process at a time: `newsdesk` commands run while `newsdesk serve`
holds the store go through that server, anything else is refused, and simultaneous writers of
one URL leave one article. Real processes on a temporary data folder throughout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.load import wait_ready
from tests.api import test_scale_out as scale_out
from tests.api.conftest import WRITE_KEY
from tests.chroma_server import free_port
from tests.concurrent_versions import articles_per_url, post_versions_at_once
from vectorstore.lock import read_holder

pytestmark = pytest.mark.slow

PILOTS = {**scale_out.PILOTS, "url": "https://example.test/pilots"}


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return {**env, "NEWSDESK_DATA_DIR": str(data_dir), "NEWSDESK_SAMPLE_CORPUS": "false", **extra}


def newsdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "assistant.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


class Server:
    """A real `newsdesk serve` on a data folder, with one read-write API key."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.url = f"http://127.0.0.1:{free_port()}"
        self.env = _env(data_dir, NEWSDESK_API_KEYS=WRITE_KEY)
        self.http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {WRITE_KEY}"}, timeout=120
        )
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log = (data_dir / "serve.log").open("wb")
        port = self.url.rsplit(":", 1)[1]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--port", port],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.http.close()
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("served"))
    try:
        wait_ready(running.url, running.proc)
        yield running
    finally:
        running.stop()


def test_an_ingest_while_serve_runs_goes_through_the_server_and_is_answered_with_a_date_filter(
    server: Server, tmp_path: Path
):
    # The server has articles and has answered from its index before the command runs.
    earlier = {**PILOTS, "title": "Ferry fares rise", "url": "https://example.test/ferry"}
    earlier["body"] = "Ferry fares in Port Ellis rose by 12 per cent on Monday, the operator said."
    assert server.http.post("/v1/articles", json=[earlier]).status_code == 200
    assert server.http.post("/v1/ask", json={"question": "How much did fares rise?"}).is_success
    (tmp_path / "pilots.json").write_text(json.dumps(PILOTS), encoding="utf-8")
    with_key = {**server.env, "NEWSDESK_API_KEY": WRITE_KEY}
    done = newsdesk(with_key, "ingest", str(tmp_path / "pilots.json"), "--json")
    assert done.returncode == 0, done.stderr
    [article_id] = json.loads(done.stdout)["added"]

    # The server answers from its own index: no 500, the article found by both rankings.
    dates = {"published_after": "2024-05-01", "published_before": "2024-05-31"}
    asked = server.http.post("/v1/ask", json={"question": scale_out.QUESTION, "filters": dates})
    assert asked.status_code == 200, asked.text
    assert [c["article_id"] for c in asked.json()["citations"]] == [article_id]
    found = server.http.get("/v1/search", params={"q": "harbour pilots strike", **dates})
    assert found.status_code == 200, found.text
    ranks = {p["article_id"]: p["dense_rank"] for p in found.json()["passages"]}
    assert ranks[article_id] == 1
    assert f"working through {server.url}" in done.stderr

    # Reads, questions and removals from the command line go through the server too.
    answered = newsdesk(with_key, "ask", scale_out.QUESTION, "--after", "2024-05-01", "--json")
    assert [c["article_id"] for c in json.loads(answered.stdout)["citations"]] == [article_id]
    shown = newsdesk(with_key, "articles", "show", article_id, "--json")
    assert json.loads(shown.stdout)["title"] == PILOTS["title"], shown.stderr
    listed = newsdesk(with_key, "articles", "list", "--source", "coastal ledger", "--json")
    assert article_id in [a["id"] for a in json.loads(listed.stdout)], listed.stderr
    removed = newsdesk(with_key, "articles", "remove", article_id, "no-such-id")
    assert removed.returncode == 4 and f"removed {article_id}" in removed.stdout
    assert "no article with id 'no-such-id'" in removed.stderr
    assert server.http.get(f"/v1/articles/{article_id}").status_code == 404


def test_commands_that_need_the_store_to_themselves_are_refused_naming_the_server(
    server: Server, tmp_path: Path
):
    exported = newsdesk(server.env, "export", str(tmp_path / "all.jsonl"))
    assert exported.returncode == 1
    assert f"'newsdesk serve' (pid {server.proc.pid}) at {server.url}" in exported.stderr
    assert "stop that server first" in exported.stderr
    assert not (tmp_path / "all.jsonl").exists()
    # A second server on the same folder stops at once, saying which server holds it.
    second = newsdesk(server.env, "serve", "--port", str(free_port()))
    assert second.returncode == 1 and server.url in second.stderr


def test_without_a_key_a_command_through_a_keyed_server_is_refused_naming_the_setting(
    server: Server, tmp_path: Path
):
    (tmp_path / "pilots.json").write_text(json.dumps(PILOTS), encoding="utf-8")
    refused = newsdesk(server.env, "ingest", str(tmp_path / "pilots.json"))
    assert refused.returncode == 1
    assert "401" in refused.stderr and "NEWSDESK_API_KEY" in refused.stderr
    listed = server.http.get("/v1/articles", params={"title": PILOTS["title"]})
    assert listed.json()["total"] == 0


def test_a_second_process_on_a_store_held_by_a_command_is_refused_with_who_holds_it(
    tmp_path: Path,
):
    env = _env(tmp_path / "data")
    chat = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "chat"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while (holder := read_holder(tmp_path / "data" / "chroma", 0)) is None or (
            holder.pid != chat.pid
        ):
            assert time.monotonic() < deadline and chat.poll() is None, "chat did not start"
            time.sleep(0.2)
        (tmp_path / "pilots.json").write_text(json.dumps(PILOTS), encoding="utf-8")
        refused = newsdesk(env, "ingest", str(tmp_path / "pilots.json"))
        assert refused.returncode == 1
        assert f"in use by 'newsdesk chat' (pid {chat.pid})" in refused.stderr
        assert "wait for it to finish" in refused.stderr
        served = newsdesk(env, "serve", "--port", str(free_port()))
        assert served.returncode == 1 and f"(pid {chat.pid})" in served.stderr
    finally:
        chat.kill()  # no clean exit: the OS drops the lock of a killed process too
        chat.wait(timeout=60)
    # Once the holder is gone (its lock goes with it), the store is free again.
    done = newsdesk(env, "ingest", str(tmp_path / "pilots.json"))
    assert done.returncode == 0, done.stderr


def test_simultaneous_uploads_of_two_versions_of_one_url_leave_one_article(server: Server):
    for n in range(6):
        post_versions_at_once([server.http, server.http], n)
    assert set(articles_per_url(server.http, range(6)).values()) == {1}
    answer = server.http.post("/v1/ask", json={"question": "How many votes did district 3 count?"})
    cited = {(c["url"], c["article_id"]) for c in answer.json()["citations"]}
    assert len({url for url, _ in cited}) == len(cited)  # never two versions of one page


def test_sample_removal_text_match_as_of_and_outlet_go_through_the_server_too(
    server: Server, tmp_path: Path
):
    with_key = {**server.env, "NEWSDESK_API_KEY": WRITE_KEY}
    dock = {**PILOTS, "title": "Dock cranes idle", "url": "https://example.test/cranes"}
    dock["body"] = "Dock cranes in Port Ellis stood idle for a zebra-striped hour on Friday."
    (tmp_path / "cranes.json").write_text(json.dumps(dock), encoding="utf-8")
    done = newsdesk(with_key, "ingest", str(tmp_path / "cranes.json"), "--outlet", "Quay Post")
    assert done.returncode == 0, done.stderr
    matched = newsdesk(with_key, "articles", "list", "--match", "zebra-striped", "--json")
    assert matched.returncode == 0, matched.stderr
    assert [(a["title"], a["source"]) for a in json.loads(matched.stdout)] == [
        ("Dock cranes idle", "Quay Post")
    ]
    asked = newsdesk(with_key, "ask", "What happened last week?", "--as-of", "2024-05-10")
    assert asked.returncode == 0, asked.stderr
    removed = newsdesk(with_key, "articles", "remove", "--samples")
    assert removed.returncode == 0, removed.stderr  # none here; the real articles stay
    assert server.http.get("/v1/articles", params={"q": "zebra-striped"}).json()["total"] == 1


def test_a_newsdesk_that_answered_is_freed_at_once_and_lets_the_store_go(make_app):
    # Nothing the app hands out may refer back to it (the answerer's idf lookup did): a cycle
    # keeps a dropped Newsdesk, and with it the store's lock, until the cyclic GC runs.
    import gc
    import weakref

    app = make_app(sample_corpus=True)
    assert not app.ask("How many US troops are in Syria?").abstained
    lock = app.settings.data_dir / "chroma" / "newsdesk.lock"
    take = (
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR); "
        "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)"
    )
    assert subprocess.run([sys.executable, "-c", take, str(lock)]).returncode != 0  # held
    gc.disable()
    try:
        dropped = weakref.ref(app)
        del app
        assert dropped() is None
        assert subprocess.run([sys.executable, "-c", take, str(lock)]).returncode == 0
    finally:
        gc.enable()
