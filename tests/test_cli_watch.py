"""`newsdesk watch` as a user runs it (new processes, a fresh data folder): a watch added,
a later `newsdesk ingest` re-asks it before it exits, the change listed with its badge and
shown with both answers; and the same through a running `newsdesk serve`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from tests.served import serving
from tests.test_cli import cli_env, newsdesk
from tests.test_watches import EARLY, LATER, QUESTION, write

pytestmark = pytest.mark.slow
ENV = {"NEWSDESK_SAMPLE_CORPUS": "false"}


def test_watch_add_then_an_ingest_with_a_new_figure_shows_the_change(tmp_path: Path):
    newsdesk(tmp_path, "ingest", str(write(tmp_path, "early.json", EARLY)), env=ENV)
    added = newsdesk(tmp_path, "watch", "add", QUESTION, env=ENV).stdout
    watch_id = added.split()[0]
    assert "About 900 US troops" in added and "chars 0-62" in added
    newsdesk(tmp_path, "ingest", str(write(tmp_path, "later.json", LATER)), env=ENV)

    listed = newsdesk(tmp_path, "watch", "list", env=ENV).stdout
    assert f"{watch_id}  {QUESTION}  [1 new change(s)]" in listed
    history = json.loads(newsdesk(tmp_path, "watch", "history", watch_id, "--json", env=ENV).stdout)
    (change,) = history["changes"]
    assert change["before"]["value"] == ["900"] and "2500" in change["after"]["values"]
    assert "new change" not in newsdesk(tmp_path, "watch", "list", env=ENV).stdout  # seen now

    gone = newsdesk(tmp_path, "watch", "remove", watch_id, "wffffffffffff", env=ENV, check_rc=4)
    assert f"removed watch {watch_id}" in gone.stdout and "no watch 'wffffffffffff'" in gone.stderr
    assert "0 watch(es)" in newsdesk(tmp_path, "watch", "list", env=ENV).stdout
    refused = newsdesk(tmp_path, "watch", "add", QUESTION, "--since", "soon", env=ENV, check_rc=2)
    assert "since: 'soon' is not a date" in refused.stderr


def test_watch_goes_through_a_running_server(tmp_path: Path):
    newsdesk(tmp_path, "ingest", str(write(tmp_path, "early.json", EARLY)), env=ENV)
    with serving(tmp_path, {**cli_env(tmp_path), **ENV}) as url:
        added = newsdesk(tmp_path, "watch", "add", QUESTION, env=ENV)
        assert f"working through {url}" in added.stderr and "About 900" in added.stdout
        assert httpx.post(f"{url}/v1/articles", json=LATER, timeout=120).status_code == 200
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the server asks again in the background
            (view,) = json.loads(newsdesk(tmp_path, "watch", "list", "--json", env=ENV).stdout)
            if view["unseen"]:
                break
            time.sleep(0.5)
        assert view["unseen"] == 1, (tmp_path / "serve.log").read_text()
        shown = newsdesk(tmp_path, "watch", "history", view["id"], env=ENV).stdout
        assert "before:" in shown and "after:" in shown and "Northern Ledger" in shown
