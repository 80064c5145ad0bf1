"""Each input format becomes articles with their metadata; text written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.loaders import load_file
from ingest.pipeline import load_paths

MB = 1024 * 1024

PASTED = """Flooded metro line reopens after three weeks of repairs
Source: Lakeside Herald
By Ines Moreau

Commuters returned to the Blue Line on Monday after crews pumped out tunnels flooded by a record storm.

Published: April 8, 2024

Live updates: Follow the latest travel news

Trains ran every six minutes during the morning rush, the transit agency said.

Passengers wait on a platform at Central station on Monday. AFP

Repairs to signals and power cables cost an estimated 42 million dollars.
"""


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def only_article(path: Path):
    articles, problems = load_file(path, max_bytes=MB)
    assert problems == [] and len(articles) == 1
    return articles[0]


def test_pasted_text_gives_headline_outlet_author_date_and_drops_page_furniture(tmp_path):
    article = only_article(write(tmp_path, "metro.txt", PASTED))
    assert article.title == "Flooded metro line reopens after three weeks of repairs"
    assert (article.source, article.author) == ("Lakeside Herald", "Ines Moreau")
    assert article.published_at == "2024-04-08"
    assert article.text.startswith("Commuters returned to the Blue Line")
    assert "42 million dollars" in article.text
    for furniture in ("Live updates", "AFP", "Published:", "Source:"):
        assert furniture not in article.text
    assert article.origin == str(tmp_path / "metro.txt")


def test_a_date_line_at_the_end_of_pasted_text_is_read_and_removed(tmp_path):
    text = "Library extends hours\n\nThe city library will open until 9pm.\n\n"
    text += "Updated: December 04, 2023, 10:39 AM\n"
    article = only_article(write(tmp_path, "library.txt", text))
    assert article.published_at == "2023-12-04T10:39:00"
    assert "Updated" not in article.text


def test_markdown_front_matter_sets_metadata_and_markup_is_removed(tmp_path):
    md = (
        "---\ntitle: Orchard growers brace for a smaller harvest\nsource: Valley Times\n"
        "published_at: 2023-04-20\nurl: https://valley.example/frost\nauthor: Jo Park\n---\n\n"
        "# Orchard growers brace for a smaller harvest\n\n"
        "A **late frost** damaged blossoms, said the [growers' union](https://x.example).\n\n"
        "![a photo](photo.jpg)\n\n## Outlook\n\n- Yields may fall by *40 percent*.\n"
    )
    article = only_article(write(tmp_path, "frost.md", md))
    assert article.title == "Orchard growers brace for a smaller harvest"
    assert (article.source, article.published_at) == ("Valley Times", "2023-04-20")
    assert (article.url, article.author) == ("https://valley.example/frost", "Jo Park")
    assert "A late frost damaged blossoms, said the growers' union." in article.text
    assert "Yields may fall by 40 percent." in article.text
    for markup in ("**", "](", "![", "#", "- Yields"):
        assert markup not in article.text


def test_markdown_without_front_matter_takes_the_first_heading_as_title(tmp_path):
    md = "# Ferry fares rise\nPublished: June 1, 2024\n\nFares rise by 5 percent from July.\n"
    article = only_article(write(tmp_path, "fares.markdown", md))
    assert article.title == "Ferry fares rise"
    assert article.published_at == "2024-06-01"
    assert article.text == "Fares rise by 5 percent from July."


HTML = """<!doctype html><html><head>
<title>Dam opens floodgates | Riverside Post</title>
<meta property="og:title" content="Dam opens floodgates after heavy rain">
<meta property="og:site_name" content="Riverside Post">
<meta name="author" content="Lea Novak">
<link rel="canonical" href="https://riverside.example/dam">
<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-10-02T08:30:00Z"}</script>
</head><body>
<nav><a href="/">Home</a><a href="/news">News</a></nav>
<div class="cookie-consent">We use cookies.</div>
<article>
<h1>Dam opens floodgates after heavy rain</h1>
<div class="byline">By Lea Novak, 2 October 2024</div>
<figure><img src="d.jpg"><figcaption>Water pours through the spillway.</figcaption></figure>
<p>Operators opened four of the dam's six floodgates on Wednesday.</p>
<p><a href="/live">Live updates: storm latest</a></p>
<p>The river is expected to peak at <b>6.2 metres</b> in the town centre.</p>
<aside class="related"><p>Related: last year's floods</p></aside>
<script>alert("x")</script>
</article>
<footer><p>Copyright Riverside Post</p></footer>
</body></html>"""


def test_html_keeps_the_article_text_and_reads_title_date_outlet_author_url(tmp_path):
    article = only_article(write(tmp_path, "dam.html", HTML))
    assert article.title == "Dam opens floodgates after heavy rain"
    assert article.source == "Riverside Post"
    assert article.published_at == "2024-10-02T08:30:00+00:00"
    assert (article.author, article.url) == ("Lea Novak", "https://riverside.example/dam")
    assert article.text == (
        "Operators opened four of the dam's six floodgates on Wednesday.\n\n"
        "The river is expected to peak at 6.2 metres in the town centre."
    )


RECORD = {
    "title": "Tram drivers vote to strike",
    "content": "Tram drivers voted to strike for two days next week.",
    "url": "https://metro.example/tram-strike",
    "outlet": "Metro Daily",
    "published_at": "2024-02-01",
}


def test_json_holds_one_record_a_list_or_an_articles_field(tmp_path):
    second = {
        **RECORD,
        "title": "Bus fares frozen",
        "text": "Bus fares will not rise.",
        "url": None,
    }
    second.pop("content")
    for name, payload, count in (
        ("one.json", RECORD, 1),
        ("list.json", [RECORD, second], 2),
        ("wrapped.json", {"articles": [RECORD, second]}, 2),
    ):
        articles, problems = load_file(write(tmp_path, name, json.dumps(payload)), max_bytes=MB)
        assert problems == [] and len(articles) == count, name
    first = articles[0]
    assert (first.source, first.published_at, first.url) == (
        "Metro Daily",
        "2024-02-01",
        "https://metro.example/tram-strike",
    )


def test_a_malformed_jsonl_line_is_reported_by_line_and_the_others_go_in(tmp_path):
    lines = [json.dumps(RECORD), "{broken", json.dumps({"title": "No body here"}), ""]
    lines.append(json.dumps({**RECORD, "title": "Second record", "content": "Other text."}))
    path = write(tmp_path, "feed.jsonl", "\n".join(lines))
    articles, problems = load_file(path, max_bytes=MB)
    assert [a.title for a in articles] == ["Tram drivers vote to strike", "Second record"]
    assert [p.path for p in problems] == [f"{path}:line 2", f"{path}:line 3"]
    assert "malformed JSON" in problems[0].reason and "no body" in problems[1].reason


def test_pdf_text_is_extracted_and_reflowed(sample_pdf):
    article = only_article(sample_pdf)
    assert article.title.startswith("Drought forces shipping canal")
    assert article.source == "Meridian Wire" and article.published_at == "2023-11-03"
    assert "allow only 24 vessels a day through the waterway" in article.text


@pytest.fixture
def sample_pdf() -> Path:
    return (
        Path(__file__).parent.parent / "assistant" / "sample_corpus" / "shipping-canal-drought.pdf"
    )


def test_a_folder_is_walked_recursively_skipping_hidden_and_unsupported_files(tmp_path):
    write(tmp_path, "a.txt", "Headline A\n\nBody of article A.")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "b.md", "# Headline B\n\nBody of article B.")
    write(tmp_path / "sub", "notes.docx", b"PK\x03\x04")
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git", "c.txt", "Hidden\n\nShould not be read.")
    result = load_paths([tmp_path])
    assert sorted(a.title for a in result.articles) == ["Headline A", "Headline B"]
    assert result.problems == [] and result.files_seen == 2


def test_the_same_article_in_two_files_has_one_id_and_is_kept_once(tmp_path):
    write(tmp_path, "one.txt", "Same story\n\nIdentical   body text.")
    write(tmp_path, "two.md", "# Same story\n\nIdentical body text.")
    result = load_paths([tmp_path])
    assert len(result.articles) == 1
