"""JSON and JSON Lines: one record, a list, an {"articles": [...]} wrapper, or a line each."""

from __future__ import annotations

import json

import pytest

from ingest.loaders import load_file, records
from ingest.types import IngestError
from tests.ingest.helpers import MB, only_article, write

TRAM = {
    "id": "feed-0001",
    "title": "Tram drivers vote to strike",
    "content": "Tram drivers voted to strike for two days next week.",
    "url": "https://metro.example/tram-strike",
    "outlet": "Metro Daily",
    "date": "Feb 1, 2024",
    "author": "Kim Lee",
}
BUS = {
    "headline": "Bus fares frozen",
    "text": "Bus fares will not rise this year.",
    "source": "Metro Daily",
}
FERRY = {"title": "Ferry timetable changes", "body": "Ferries will leave every 40 minutes."}


def test_a_json_object_is_one_article_with_its_metadata(tmp_path):
    path = write(tmp_path, "tram.json", json.dumps(TRAM))
    article = only_article(path)
    assert article.title == "Tram drivers vote to strike"
    assert article.text == "Tram drivers voted to strike for two days next week."
    assert (article.source, article.published_at) == ("Metro Daily", "2024-02-01")
    assert (article.url, article.author, article.origin) == (
        "https://metro.example/tram-strike",
        "Kim Lee",
        str(path),
    )


def test_the_record_id_field_does_not_become_the_article_id(tmp_path):
    article = only_article(write(tmp_path, "tram.json", json.dumps(TRAM)))
    assert article.id != "feed-0001" and article.id.startswith("a")


@pytest.mark.parametrize(
    "payload", [[TRAM, BUS, FERRY], {"articles": [TRAM, BUS, FERRY]}], ids=["list", "wrapper"]
)
def test_a_json_list_or_articles_wrapper_gives_every_record(tmp_path, payload):
    path = write(tmp_path, "feed.json", json.dumps(payload))
    articles, problems = load_file(path, max_bytes=MB)
    assert problems == []
    assert [a.title for a in articles] == [
        "Tram drivers vote to strike",
        "Bus fares frozen",
        "Ferry timetable changes",
    ]
    assert [a.origin for a in articles] == [f"{path}:record {n}" for n in (1, 2, 3)]


def test_a_malformed_jsonl_line_is_reported_by_line_number_and_the_others_go_in(tmp_path):
    lines = [json.dumps(TRAM), "{not json", json.dumps({"title": "No body"}), "", json.dumps(BUS)]
    lines.append(json.dumps({"body": "A body without a title."}))
    path = write(tmp_path, "feed.jsonl", "\n".join(lines))
    articles, problems = load_file(path, max_bytes=MB)
    assert [a.title for a in articles] == ["Tram drivers vote to strike", "Bus fares frozen"]
    assert [a.origin for a in articles] == [f"{path}:line 1", f"{path}:line 5"]
    assert [p.path for p in problems] == [f"{path}:line {n}" for n in (2, 3, 6)]
    assert "malformed JSON" in problems[0].reason
    assert "no body" in problems[1].reason and "no title" in problems[2].reason
    assert str(problems[0]).startswith(f"{path}:line 2: malformed JSON")


def test_strict_load_names_the_first_bad_record(tmp_path):
    data = "\n".join([json.dumps(FERRY), "[1, 2]"]).encode()
    with pytest.raises(IngestError, match=r"^line 2: expected an object"):
        records.load(tmp_path / "feed.ndjson", data)


def test_a_body_given_as_a_list_of_paragraphs_is_joined(tmp_path):
    record = {"title": "Snow closes schools", "body": ["First paragraph.", "Second one."]}
    article = only_article(write(tmp_path, "snow.json", json.dumps(record)))
    assert article.text == "First paragraph.\n\nSecond one."


def test_a_lone_surrogate_becomes_a_replacement_character_and_costs_no_record(tmp_path):
    # "\ud83d" is half an emoji (a length limit cut it in two): the record still goes in.
    cut = {**TRAM, "title": "Tram drivers vote to strike \ud83d", "author": "Kim \udc00Lee"}
    whole = {**BUS, "text": "Bus fares frozen \ud83d\ude00 this year."}  # a whole pair stays
    path = write(tmp_path, "feed.jsonl", "\n".join([json.dumps(cut), json.dumps(whole)]))
    articles, problems = load_file(path, max_bytes=MB)
    assert problems == []
    assert [a.title for a in articles] == ["Tram drivers vote to strike \ufffd", "Bus fares frozen"]
    assert articles[0].author == "Kim \ufffdLee"
    assert articles[1].text == "Bus fares frozen \U0001f600 this year."


def test_a_number_too_long_to_read_is_one_bad_line_not_a_lost_file(tmp_path):
    lines = [json.dumps(TRAM), '{"title": "t", "body": "b", "n": ' + "7" * 5000 + "}"]
    path = write(tmp_path, "feed.jsonl", "\n".join(lines))
    articles, problems = load_file(path, max_bytes=MB)
    assert [a.title for a in articles] == ["Tram drivers vote to strike"]
    assert [p.path for p in problems] == [f"{path}:line 2"]
    assert problems[0].reason.startswith("malformed JSON (Exceeds the limit")


def test_in_a_json_list_a_bad_record_is_reported_by_position_and_the_others_go_in(tmp_path):
    path = write(tmp_path, "feed.json", json.dumps([TRAM, {"title": "No body"}, [1], BUS]))
    articles, problems = load_file(path, max_bytes=MB)
    assert [a.title for a in articles] == ["Tram drivers vote to strike", "Bus fares frozen"]
    assert [p.path for p in problems] == [f"{path}:record 2", f"{path}:record 3"]
