"""The briefing through every door: POST /v1/brief over real HTTP with keys and roles, the
MCP `brief` tool, and `newsdesk brief` as a user runs it (a new process, progress on stderr,
--json, --export)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import docx
import httpx
import pytest

from assistant.api import create_app
from assistant.settings import Names
from tests.api.conftest import READ_KEY, WRITE_KEY, LiveServer, with_api
from tests.api.test_mcp import run_session
from tests.briefing.test_briefing import TOPIC
from tests.served import serving
from tests.stories_corpus import GARRISON, NORTHERN, STORY_ARTICLES, VALLEY
from tests.test_cli import cli_env, newsdesk

BODY = {"topic": TOPIC, "since": "2023-11-01", "until": "2023-11-10"}


@pytest.fixture(scope="module")
def keyed_url(story_app):
    app = with_api(story_app, keys=Names([WRITE_KEY]), read_keys=Names([READ_KEY]))
    with LiveServer(create_app(app, warm_up=False, web=False)) as server:
        yield server.url


def _post(url: str, body: dict, key: str | None = READ_KEY) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(f"{url}/v1/brief", json=body, headers=headers, timeout=120)


def test_the_api_briefs_any_key_holder_and_refuses_everyone_else(keyed_url, story_app):
    assert _post(keyed_url, BODY, key=None).status_code == 401
    assert _post(keyed_url, BODY, key="not-a-key-0123456789").status_code == 401
    found = _post(keyed_url, BODY)
    assert found.status_code == 200, found.text
    data = found.json()
    assert [e["date"] for e in data["events"]] == ["2023-11-02", "2023-11-08"]
    for event in data["events"]:
        for c in event["citations"]:
            text = story_app.article(c["article_id"]).text
            assert text[c["start"] : c["end"]] == c["quote"]
    kinds = {d["kind"] for d in data["events"][0]["differences"]}
    assert kinds == {"disagreement", "change"}
    assert _post(keyed_url, BODY, key=WRITE_KEY).status_code == 200


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({**BODY, "since": "2023-11-20"}, "since"),
        ({**BODY, "topic": "  "}, "topic"),
        ({**BODY, "topic": "x" * 301}, "topic"),
        ({**BODY, "since": "soon"}, "since"),
        ({**BODY, "extra": 1}, "extra"),
        ({**BODY, "source": ""}, "source"),
    ],
)
def test_a_brief_body_that_cannot_be_used_is_a_422_naming_its_field(keyed_url, body, named):
    refused = _post(keyed_url, body)
    assert refused.status_code == 422 and named in refused.text, refused.text


def test_the_api_says_when_the_period_holds_nothing_on_the_topic(keyed_url):
    data = _post(keyed_url, {**BODY, "since": "2024-01-01", "until": "2024-01-31"}).json()
    assert data["events"] == []
    assert data["notes"] == [f"No articles about {TOPIC} between 2024-01-01 and 2024-01-31."]


def test_the_mcp_brief_tool_gives_the_same_timeline(story_app):
    with LiveServer(create_app(story_app, warm_up=False, web=False)) as server:
        _, (briefed, refused) = run_session(
            f"{server.url}/mcp",
            ("brief", {**BODY, "source": NORTHERN}),
            ("brief", {"topic": TOPIC, "since": "2023-11-09", "until": "2023-11-01"}),
        )
    events = briefed.structured_content["events"]
    assert events and {c["source"] for e in events for c in e["citations"]} == {NORTHERN}
    assert refused.is_error and "since" in refused.content[0].text


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli-brief")
    records = [{"title": a.title, "body": a.text, "source": a.source,
                "published_at": a.published_at, "url": a.url} for a in STORY_ARTICLES]  # fmt: skip
    path = folder / "stories.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    newsdesk(folder, "ingest", str(path), env={"NEWSDESK_SAMPLE_CORPUS": "false"})
    return folder


def _json(folder: Path) -> dict:
    args = ("brief", TOPIC, "--since", "2023-11-01", "--until", "2023-11-10", "--json")
    return json.loads(newsdesk(folder, *args).stdout)


def _cited(event: dict) -> list[dict]:
    sides = [c for d in event["differences"] for c in (d["earlier"], d["later"])]
    return [*event["citations"], *sides]


def test_newsdesk_brief_prints_the_timeline_with_progress_and_exports_it(cli_store: Path):
    out = cli_store / "briefing.docx"
    proc = newsdesk(cli_store, "brief", TOPIC, "--since", "2023-11-01", "--until",
                    "2023-11-10", "--export", str(out))  # fmt: skip
    assert "… searching" in proc.stderr and "… event 2 of 2" in proc.stderr
    assert f"exported to {out}" in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"Briefing: {TOPIC}, between 2023-11-01 and 2023-11-10")
    dated = [line.split()[0] for line in lines if line[:4] == "2023"]
    assert dated == ["2023-11-02", "2023-11-08"]
    assert "give different figures" in proc.stdout and "The figure changed" in proc.stdout
    word = "\n".join(p.text for p in docx.Document(io.BytesIO(out.read_bytes())).paragraphs)
    printed = set(re.findall(r"https://\S+", proc.stdout))
    assert {a.url for a in GARRISON} & printed and all(url in word for url in printed)
    quotes = [c["quote"] for e in _json(cli_store)["events"] for c in _cited(e)]
    assert quotes and all(q in word for q in quotes)


def test_newsdesk_brief_json_and_an_outlet_and_an_empty_period(cli_store: Path):
    data = json.loads(newsdesk(cli_store, "brief", TOPIC, "--since", "2023-11-01",
                               "--source", VALLEY, "--json").stdout)  # fmt: skip
    assert data["events"] and all(
        c["source"] == VALLEY for e in data["events"] for c in e["citations"]
    )
    empty = newsdesk(cli_store, "brief", TOPIC, "--since", "2024-01-01", "--until", "2024-01-05")
    assert f"No articles about {TOPIC} between 2024-01-01 and 2024-01-05." in empty.stdout


def test_newsdesk_brief_refuses_what_it_cannot_use_with_a_usage_error(tmp_path: Path):
    late = newsdesk(tmp_path, "brief", TOPIC, "--since", "2023-11-09", "--until", "2023-11-01",
                    check_rc=2)  # fmt: skip
    assert "since (2023-11-09) is after until (2023-11-01)" in late.stderr
    blank = newsdesk(tmp_path, "brief", "  ", check_rc=2)
    assert "a topic of 1 to 300 characters" in blank.stderr
    wrong = newsdesk(tmp_path, "brief", TOPIC, "--since", "Monday", check_rc=2)
    assert "expected a date as YYYY-MM-DD" in wrong.stderr
    bad_file = newsdesk(tmp_path, "brief", TOPIC, "--export", str(tmp_path / "x.pdf"), check_rc=2)
    assert "cannot tell the export format" in bad_file.stderr


def test_newsdesk_brief_goes_through_a_running_server(cli_store: Path):
    with serving(cli_store, {**cli_env(cli_store), "NEWSDESK_SAMPLE_CORPUS": "false"}) as url:
        args = ("brief", TOPIC, "--since", "2023-11-01", "--until", "2023-11-10")
        through = newsdesk(cli_store, *args)
        assert f"working through {url}" in through.stderr
        dated = [line.split()[0] for line in through.stdout.splitlines() if line[:4] == "2023"]
        assert dated == ["2023-11-02", "2023-11-08"]
        assert "give different figures" in through.stdout
        late = newsdesk(cli_store, "brief", TOPIC, "--since", "2023-11-09", "--until",
                        "2023-11-01", check_rc=2)  # fmt: skip
        assert "since" in late.stderr and "is after until" in late.stderr


def test_a_pasted_article_without_an_outlet_is_cited_without_a_placeholder():
    from assistant.cli_brief import _cite
    from assistant.types import Citation

    pasted = Citation(
        n=1, article_id="a1", title="Militias step up attacks", source="",
        published_at="2023-12-04T10:39:00", url=None, quote="Two attacks.", start=5, end=17,
    )  # fmt: skip
    assert _cite(pasted) == "    [1] 2023-12-04, Militias step up attacks (chars 5-17)"
