"""Hand-over over real HTTP: saving an answer, reading it back and exporting it, a
conversation of saved answers, and keys and roles on each of them."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import docx
import httpx
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.cli import _write_export
from assistant.handover.document import STALE
from assistant.remote import RemoteNewsdesk
from assistant.serving.login import COOKIE
from assistant.settings import Names
from tests.api.conftest import READ_KEY, WRITE_KEY, LiveServer, with_api
from tests.handover.conftest import ARTICLES, HOSTILE_TITLE
from tests.handover.test_exports import read_html

pytestmark = pytest.mark.slow
FERRIES = {"question": "How many ferries will cross the harbour each day?"}
PIER = {"question": "How much did the new east shore pier cost?", "title": "Pier"}


@pytest.fixture
def harbour(make_app: Callable[..., Newsdesk]) -> Newsdesk:
    app = make_app()
    app.ingest_articles(ARTICLES)
    return app


@pytest.fixture
def open_server(harbour: Newsdesk) -> Iterator[httpx.Client]:
    with (
        LiveServer(create_app(harbour, warm_up=False, web=False)) as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        yield client


@pytest.fixture
def keyed_server(harbour: Newsdesk) -> Iterator[str]:
    keyed = with_api(harbour, keys=Names([WRITE_KEY]), read_keys=Names([READ_KEY]))
    with LiveServer(create_app(keyed, warm_up=False)) as server:
        yield server.url


def test_a_saved_answer_reads_back_with_its_citations_and_exports_in_every_format(
    open_server: httpx.Client,
):
    saved = open_server.post("/v1/answers", json=FERRIES)
    assert saved.status_code == 201, saved.text
    body = saved.json()
    assert body["kind"] == "answer" and len(body["id"]) == 24
    assert body["permalink"] == f"{str(open_server.base_url).rstrip('/')}/a/{body['id']}"
    answer = body["turns"][0]["answer"]
    assert answer["citations"] and not answer["abstained"]
    again = open_server.get(f"/v1/answers/{body['id']}").json()
    assert again["turns"] == body["turns"]
    quotes = [c["quote"] for c in answer["citations"]]

    page = open_server.get(body["exports"]["html"])
    assert page.headers["content-type"].startswith("text/html")
    assert "attachment" in page.headers["content-disposition"]
    text = "".join(read_html(page.content).text)
    assert all(q in text for q in quotes) and HOSTILE_TITLE in text
    word = open_server.get(f"/v1/answers/{body['id']}/export", params={"format": "docx"})
    document = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert all(q in document for q in quotes) and answer["citations"][0]["url"] in document
    markdown = open_server.get(f"/v1/answers/{body['id']}/export").text  # md by default
    assert "[^1]:" in markdown and body["permalink"] in markdown
    saved_at = body["saved_at"][:19].replace("T", " ")
    assert f", saved {saved_at} UTC" in markdown  # when it was saved, not only exported


def test_a_conversation_of_saved_answers_keeps_them_in_order(open_server: httpx.Client):
    first = open_server.post("/v1/answers", json=FERRIES).json()
    second = open_server.post("/v1/answers", json=PIER).json()
    assert second["title"] == "Pier"
    made = open_server.post("/v1/conversations", json={"answers": [first["id"], second["id"]]})
    assert made.status_code == 201, made.text
    conversation = made.json()
    assert conversation["kind"] == "conversation"
    asked = [t["answer"]["question"] for t in conversation["turns"]]
    assert asked == [FERRIES["question"], PIER["question"]]
    page = open_server.get(conversation["permalink"])
    assert page.status_code == 200 and "[2.1]" in "".join(read_html(page.content).text)
    # Taking an answer away ends its permalink; the conversation keeps its own copy.
    assert open_server.delete(f"/v1/answers/{first['id']}").status_code == 204
    assert open_server.get(first["permalink"]).status_code == 404
    assert open_server.delete(f"/v1/answers/{first['id']}").status_code == 404
    assert open_server.get(conversation["permalink"]).status_code == 200


def test_unknown_ids_and_formats_are_refused_clearly(open_server: httpx.Client):
    unknown = "B" * 24
    assert open_server.get(f"/v1/answers/{unknown}").status_code == 404
    assert open_server.get(f"/v1/answers/{unknown}/export").status_code == 404
    assert open_server.get(f"/a/{unknown}").status_code == 404
    missing = open_server.post("/v1/conversations", json={"answers": [unknown]})
    assert missing.status_code == 404 and unknown in missing.json()["error"]["message"]
    saved = open_server.post("/v1/answers", json=FERRIES).json()
    pdf = open_server.get(f"/v1/answers/{saved['id']}/export", params={"format": "pdf"})
    assert pdf.status_code == 422
    bad = open_server.post("/v1/conversations", json={"answers": ["../../etc/passwd"]})
    assert bad.status_code == 422
    hostile = open_server.get("/a/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert hostile.status_code == 404 and "<script>" not in hostile.text


def test_saving_needs_a_read_write_key_and_reading_a_read_key(keyed_server: str):
    def client(key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=keyed_server, headers=headers, timeout=120)

    with client(WRITE_KEY) as writer, client(READ_KEY) as reader, client() as nobody:
        assert reader.post("/v1/answers", json=FERRIES).status_code == 403
        saved = writer.post("/v1/answers", json=FERRIES).json()
        conversation = {"answers": [saved["id"]]}
        assert reader.post("/v1/conversations", json=conversation).status_code == 403
        assert reader.delete(f"/v1/answers/{saved['id']}").status_code == 403
        for path in (f"/v1/answers/{saved['id']}", f"/v1/answers/{saved['id']}/export"):
            assert nobody.get(path).status_code == 401
            assert reader.get(path).status_code == 200
        assert reader.get(f"/a/{saved['id']}").status_code == 200  # a bearer key works too
        # A browser without a session is sent to sign in, and brought back to the answer.
        page = nobody.get(f"/a/{saved['id']}", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == f"/login?next=/a/{saved['id']}"
        form = nobody.get(page.headers["location"]).text
        assert f'name="next" value="/a/{saved["id"]}"' in form
        signed = nobody.post("/login", data={"key": READ_KEY, "next": f"/a/{saved['id']}"})
        assert signed.status_code == 303 and signed.headers["location"] == f"/a/{saved['id']}"
        assert nobody.cookies.get(COOKIE) == signed.cookies[COOKIE]  # the session, kept
        shown = nobody.get(f"/a/{saved['id']}")
        assert shown.status_code == 200 and saved["turns"][0]["answer"]["question"] in shown.text


def test_signing_in_never_leads_to_another_site(keyed_server: str):
    with httpx.Client(base_url=keyed_server, timeout=60) as nobody:
        for elsewhere in ("https://evil.example/a/" + "C" * 24, "//evil.example", "/a/x"):
            signed = nobody.post("/login", data={"key": READ_KEY, "next": elsewhere})
            assert signed.status_code == 303 and signed.headers["location"] == "/"
            form = nobody.get("/login", params={"next": elsewhere}).text
            assert "evil" not in form and 'name="next"' not in form


def test_the_cli_through_a_server_gets_the_whole_answer_and_exports_it(
    open_server: httpx.Client, harbour: Newsdesk, tmp_path
):
    remote = RemoteNewsdesk(str(open_server.base_url))
    try:
        answer = remote.ask(FERRIES["question"])
    finally:
        remote.close()
    local = harbour.ask(FERRIES["question"])
    assert answer.citations == local.citations and answer.text == local.text
    assert (answer.support, answer.answer_span) == (local.support, local.answer_span)
    out = tmp_path / "ferries.html"
    assert _write_export(str(out), [(answer, datetime.now(UTC))]) == 0
    text = "".join(read_html(out.read_bytes()).text)
    assert all(c.quote in text and c.url in text for c in answer.citations)


def test_a_permalink_marks_a_quote_whose_article_was_removed_since(open_server: httpx.Client):
    saved = open_server.post("/v1/answers", json=FERRIES).json()
    page = "".join(read_html(open_server.get(saved["permalink"]).content).text)
    assert STALE not in page and "checked against the library" in page
    cited = saved["turns"][0]["answer"]["citations"][0]
    assert open_server.delete(f"/v1/articles/{cited['article_id']}").status_code == 204
    page = "".join(read_html(open_server.get(saved["permalink"]).content).text)
    assert STALE in page and cited["quote"] in page  # still shown, as it was when asked
    word = open_server.get(saved["exports"]["docx"]).content
    assert STALE in "\n".join(p.text for p in docx.Document(io.BytesIO(word)).paragraphs)
