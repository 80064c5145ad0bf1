"""Watched questions (assistant/watcher.py, assistant/watches.py): articles the project wrote,
from three outlets over several days, where the number of troops changes. A watch fires
once when the figure changes (a real webhook receiver on 127.0.0.1 checks the signature),
not when the same articles are ingested again; it keeps both answers with their citations;
a webhook to a private address is refused; export and import carry watches."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.webhook import SIGNATURE, verify

SECRET = "watch-secret-0123456789"
QUESTION = "How many US troops are in Syria?"

# Two stories over four days from three outlets: the troop figure changes on the 14th, the
# ferry story runs alongside it.
EARLY = [
    {"title": "US keeps troops in Syria", "source": "Harbour Post", "published_at": "2024-03-11",
     "url": "https://harbour-post.example/syria-troops",
     "body": "About 900 US troops are in Syria, the Pentagon said on Monday. The soldiers "
             "support local forces against Islamic State remnants in the east of the country."},
    {"title": "Pentagon: troop level in Syria unchanged", "source": "Valley Courier",
     "published_at": "2024-03-12", "url": "https://valley-courier.example/pentagon-syria",
     "body": "The Pentagon said on Tuesday that about 900 US troops are in Syria. Officials "
             "said the mission in the east of the country would go on."},
    {"title": "Ferry fares to rise in April", "source": "Harbour Post",
     "published_at": "2024-03-12", "url": "https://harbour-post.example/ferry-fares",
     "body": "Ferry fares between Port Alder and the islands will rise by 8 percent in April, "
             "the ferry company said. Season tickets stay at last year's price."},
]  # fmt: skip
# Another outlet repeats the figure a day later: the answer's value stays, nothing fires.
SAME_FIGURE = [
    {"title": "Syria mission goes on", "source": "Northern Ledger", "published_at": "2024-03-13",
     "url": "https://northern-ledger.example/syria-mission",
     "body": "Some 900 US troops remain in Syria, officials said on Wednesday. The mission in "
             "the east of the country has no end date."},
]  # fmt: skip
LATER = [
    {"title": "US sends more troops to Syria", "source": "Northern Ledger",
     "published_at": "2024-03-14", "url": "https://northern-ledger.example/more-troops",
     "body": "The Pentagon said on Thursday that 2,500 US troops are in Syria after a new "
             "deployment. The soldiers arrived in the east of the country this week."},
    {"title": "Ferry company defends fare rise", "source": "Valley Courier",
     "published_at": "2024-03-14", "url": "https://valley-courier.example/ferry-defends",
     "body": "The ferry company defended its 8 percent fare rise on Thursday, saying fuel "
             "costs had doubled. Island councils asked it to think again."},
]  # fmt: skip


class Receiver:
    """A webhook receiver on 127.0.0.1 that keeps each delivery and whether it was signed
    with the secret; `fail` answers that many 503s first (a receiver briefly down)."""

    def __init__(self) -> None:
        self.deliveries: list[dict] = []
        self.signed: list[bool] = []
        self.fail = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.fail:
                    receiver.fail -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.signed.append(verify(SECRET, body, self.headers.get(SIGNATURE)))
                receiver.deliveries.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def write(folder: Path, name: str, records: list[dict]) -> Path:
    path = folder / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def settle(app) -> None:
    """Wait for the round an ingest asked for (it runs in the background)."""
    assert app.watcher.wait_idle(60), "the watched questions were not asked again"


@pytest.fixture
def watched(make_app, tmp_path: Path):
    app = make_app(**{"watch.secret": SECRET, "ingest.fetch.allow_hosts": "127.0.0.1",
                      "watch.backoff_s": 0.05})  # fmt: skip
    app.ingest([write(tmp_path, "early.json", EARLY)])
    settle(app)
    yield app
    app.close()


def test_a_watch_fires_once_when_the_figure_changes_and_not_on_a_reingest(
    watched, receiver: Receiver, tmp_path: Path
):
    app = watched
    view = app.add_watch(QUESTION, webhook=receiver.url)
    assert view.last is not None and view.last.value == ("900",)
    assert view.unseen == 0 and not view.changes and not receiver.deliveries
    # Lists show the receiver's host only: a webhook's path may hold its own token.
    assert view.as_dict()["webhook"] == receiver.url.rsplit("/", 1)[0] + "/…"

    early_again = app.ingest([write(tmp_path, "early-again.json", EARLY)])  # nothing new
    assert early_again.report.unchanged and not early_again.report.added
    assert len(app.ingest([write(tmp_path, "same.json", SAME_FIGURE)]).report.added) == 1
    settle(app)
    assert not receiver.deliveries and not app.watch(view.watch.id).changes
    later = app.ingest([write(tmp_path, "later.json", LATER)])
    assert len(later.report.added) == 2
    settle(app)  # the ingest returned before the round ran
    again = app.ingest([write(tmp_path, "later-again.json", LATER)])
    assert not again.report.added and not again.report.replaced
    assert app.check_watches() == []  # asked again on purpose: still the same answer

    assert len(receiver.deliveries) == 1 and receiver.signed == [True]
    sent = receiver.deliveries[0]
    assert sent["event"] == "watch.changed" and sent["watch"]["question"] == QUESTION
    before, after = sent["change"]["before"], sent["change"]["after"]
    # Whether the new figure leads or stands as the other side of a disagreement is the
    # answerer's call; either way it is new in the cited values, and the reason says it.
    assert before["values"] == ["900"] and "2500" in after["values"]
    assert "2500" in sent["change"]["why"]
    texts = {a["title"]: a["body"] for a in EARLY + SAME_FIGURE + LATER}
    for side in (before, after):
        assert side["citations"]
        for c in side["citations"]:  # every citation is the exact text at its offsets
            assert texts[c["title"]][c["start"] : c["end"]] == c["quote"]
            assert c["url"] and c["published_at"] and c["source"]
    assert any(c["source"] == "Northern Ledger" for c in after["citations"])

    view = app.watch(view.watch.id)
    assert view.unseen == 1 and len(view.changes) == 1
    change = view.changes[0]
    assert change.delivery == "sent" and change.why == sent["change"]["why"]
    assert app.mark_watch_seen(view.watch.id) and app.watch(view.watch.id).unseen == 0


def test_a_receiver_briefly_down_gets_the_change_on_a_later_try(
    watched, receiver: Receiver, tmp_path: Path
):
    view = watched.add_watch(QUESTION, webhook=receiver.url)
    receiver.fail = 2
    watched.ingest([write(tmp_path, "later.json", LATER)])
    settle(watched)
    assert len(receiver.deliveries) == 1 and receiver.signed == [True]
    assert watched.watch(view.watch.id).changes[0].delivery == "sent"


def test_an_unreachable_receiver_never_fails_the_ingest(watched, tmp_path: Path):
    # A port nobody listens on: every try fails, the ingest is unaffected, the change kept.
    view = watched.add_watch(QUESTION, webhook="http://127.0.0.1:9/hook")
    outcome = watched.ingest([write(tmp_path, "later.json", LATER)])
    assert len(outcome.report.added) == 2 and not outcome.problems
    settle(watched)
    change = watched.watch(view.watch.id).changes[0]
    assert change.delivery.startswith("failed:") and "2500" in change.why


def test_webhooks_to_private_addresses_or_without_a_secret_are_refused(make_app):
    app = make_app(**{"watch.secret": SECRET})
    with pytest.raises(ValueError, match=r"webhook: .*127\.0\.0\.1.*NEWSDESK_FETCH_ALLOW_HOSTS"):
        app.add_watch(QUESTION, webhook="http://127.0.0.1:8080/hook")
    with pytest.raises(ValueError, match="webhook: .*http and https"):
        app.add_watch(QUESTION, webhook="file:///etc/passwd")
    unsigned = make_app("unsigned", **{"ingest.fetch.allow_hosts": "127.0.0.1"})
    with pytest.raises(ValueError, match="NEWSDESK_WATCH_SECRET"):
        unsigned.add_watch(QUESTION, webhook="http://127.0.0.1:8080/hook")
    with pytest.raises(ValueError, match="since: "):
        app.add_watch(QUESTION, since="last Tuesday")
    assert app.watches() == []


def test_export_and_import_carry_watches_and_their_history(watched, make_app, tmp_path: Path):
    view = watched.add_watch(QUESTION, outlet="Northern Ledger")
    watched.add_watch(QUESTION)
    watched.ingest([write(tmp_path, "later.json", LATER)])
    settle(watched)
    out = tmp_path / "export.jsonl"
    with out.open("w", encoding="utf-8") as handle:
        watched.export(handle)
    copy = make_app("copy")
    report = copy.import_file(out)
    assert report.watches == 2
    assert [v.as_dict(history=True) for v in copy.watches()] == [
        v.as_dict(history=True) for v in watched.watches()
    ]
    assert copy.watch(view.watch.id).watch.outlet == "Northern Ledger"


def test_a_sync_pass_that_stores_a_new_figure_asks_the_watch_again(
    make_app, news_site, receiver: Receiver
):
    from tests.news_site import Story

    prefix = f"/w{uuid.uuid4().hex[:8]}"
    first = Story(f"{prefix}/troops", EARLY[0]["title"], EARLY[0]["body"], "2024-03-11")
    listed = [first]
    feed = news_site.feed(f"{prefix}/feed", "rss", listed)
    app = make_app(**{"watch.secret": SECRET, "ingest.fetch.allow_hosts": "127.0.0.1",
                      "ingest.fetch.host_interval_s": 0.0})  # fmt: skip
    try:
        app.add_source(feed, every="1h", outlet="Harbour Post")
        app.sync()
        settle(app)
        view = app.add_watch(QUESTION, webhook=receiver.url)
        assert view.last.value == ("900",)
        app.sync()  # a pass that stores nothing new changes no answer
        settle(app)
        assert not receiver.deliveries
        listed.append(Story(f"{prefix}/more", LATER[0]["title"], LATER[0]["body"], "2024-03-14"))
        news_site.feed(f"{prefix}/feed", "rss", listed)  # serves the new page too
        (run,) = app.sync().runs
        assert run.added == 1
        settle(app)
        assert len(receiver.deliveries) == 1 and receiver.signed == [True]
        change = receiver.deliveries[0]["change"]
        assert "2500" in change["after"]["values"] and "2500" not in change["before"]["values"]
        assert "2500" in change["why"], change["why"]
    finally:
        app.close()


def test_two_processes_on_one_chroma_server_share_watches_and_record_a_change_once(
    make_app, chroma_port: int, tmp_path: Path
):
    store = {"store.host": "127.0.0.1", "store.port": chroma_port,
             "store.collection": f"w{uuid.uuid4().hex[:12]}"}  # fmt: skip
    one, two = make_app("one", **store), make_app("two", **store)
    try:
        one.ingest([write(tmp_path, "early.json", EARLY)])
        settle(one)
        view = one.add_watch(QUESTION)
        assert [v.watch.id for v in two.watches()] == [view.watch.id]
        two.ingest([write(tmp_path, "later.json", LATER)])
        settle(two)
        assert one.check_watches() == []  # the other process's round found it already
        (change,) = one.watch(view.watch.id).changes
        assert "2500" in change.after.values
        assert two.mark_watch_seen(view.watch.id) and one.watch(view.watch.id).unseen == 0
    finally:
        one.close()
        two.close()


def test_a_newsdesk_with_a_watcher_and_a_syncer_is_freed_without_the_cyclic_gc(make_app):
    # The hooks back to the app are weak: otherwise a dropped Newsdesk would keep the store's
    # one-process lock until the cyclic GC ran, and the next process would find it in use.
    import gc
    import weakref

    app = make_app()
    assert app.watcher.ask is not None and app.syncer.on_stored is not None
    gc.disable()
    try:
        dropped = weakref.ref(app)
        del app
        assert dropped() is None
    finally:
        gc.enable()
