"""GET /v1/stories over real HTTP on 127.0.0.1, on the project's own two stories: the
stories as the library groups them, each quote the stored text at its offsets; a read-only
key may read them, no key may not; a period the wrong way round, or no date, is a 422."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import Names, load_settings
from tests.api.conftest import READ_KEY, WRITE_KEY, LiveServer, with_api
from tests.stories_corpus import GARRISON, NORTHERN, STORY_ARTICLES


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder) -> Iterator[tuple[str, Newsdesk]]:
    data_dir = tmp_path_factory.mktemp("stories-api")
    settings = load_settings(overrides={"data_dir": data_dir, "sample_corpus": False}, environ={})
    app = Newsdesk(settings, embedder=embedder)
    app.ingest_articles(STORY_ARTICLES)
    keyed = with_api(app, keys=Names([WRITE_KEY]), read_keys=Names([READ_KEY]))
    with LiveServer(create_app(keyed, warm_up=False)) as live:
        yield live.url, app
    app.close()


def _get(url: str, key: str | None, **params: object) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.get(f"{url}/v1/stories", params=params, headers=headers, timeout=60)


def test_stories_come_grouped_and_every_quote_is_the_stored_text(server):
    url, app = server
    response = _get(url, READ_KEY)
    assert response.status_code == 200, response.text
    body = response.json()
    first = body["stories"][0]
    assert set(first["article_ids"]) == {a.id for a in GARRISON}
    assert (first["first_report"], first["last_report"]) == ("2023-11-02", "2023-11-06")
    assert body["stories_found"] == 4 and body["articles_grouped"] == len(STORY_ARTICLES)
    cites = [f["citation"] for s in body["stories"] for f in s["shared"]]
    cites += [c for s in body["stories"] for d in s["differing"] for c in d["sides"]]
    stored = app.articles(sorted({c["article_id"] for c in cites}))
    assert cites and all(
        stored[c["article_id"]].text[c["start"] : c["end"]] == c["quote"] for c in cites
    )
    (troops,) = first["differing"]
    assert NORTHERN in {c["source"] for c in troops["sides"]} and troops["same_day"]


def test_period_outlet_and_limit_narrow_the_stories(server):
    url, _ = server
    body = _get(url, READ_KEY, since="2023-11-07", until="2023-11-30", limit=1).json()
    assert body["articles_in_period"] == 2 and len(body["stories"]) == 1
    assert (body["since"], body["until"]) == ("2023-11-07", "2023-11-30")
    assert _get(url, READ_KEY, source="Nobody Daily").json()["stories"] == []


def test_stories_need_a_key_and_refuse_a_bad_period(server):
    url, _ = server
    assert _get(url, None).status_code == 401
    assert _get(url, "not-a-key-of-this-server").status_code == 401
    backwards = _get(url, WRITE_KEY, since="2023-11-09", until="2023-11-01")
    assert backwards.status_code == 422 and "after until" in backwards.text
    assert _get(url, READ_KEY, since="last week").status_code == 422
    assert _get(url, READ_KEY, limit=0).status_code == 422
