"""HTML pages: the article text without the page around it, and the page's metadata."""

from __future__ import annotations

from ingest.loaders import html as html_loader
from ingest.pipeline import load_paths
from ingest.types import IngestError
from tests.ingest.helpers import only_article, write

PAGE = """<!doctype html><html><head>
<meta charset="utf-8">
<title>Dam opens floodgates | Riverside Post</title>
<meta property="og:title" content="Dam opens floodgates after heavy rain">
<meta property="og:site_name" content="Riverside Post">
<meta property="article:published_time" content="2024-10-02T08:30:00Z">
<meta name="author" content="Lea Novak">
<link rel="canonical" href="https://riverside.example/dam">
<style>p { color: red }</style>
</head><body>
<header><a href="/">Riverside Post</a></header>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="cookie-banner"><p>We use cookies to improve the site.</p></div>
<article>
<h1>Dam opens floodgates after heavy rain</h1>
<p class="standfirst">Water levels downstream will rise through the week.</p>
<div class="byline">By Lea Novak</div>
<figure><img src="dam.jpg"><figcaption>Water pours through the spillway.</figcaption></figure>
<p>Operators opened four of the dam&#8217;s six floodgates on Wednesday.</p>
<p><a href="/live">Live updates: storm latest</a></p>
<div class="share-tools"><p>Share on social media</p></div>
<h2>Town centre</h2>
<p>The river is expected to peak at <b>6.2 metres</b> near the old bridge.</p>
<p><a href="/more">Read more</a></p>
<aside class="related"><ul><li>Last year's floods</li></ul></aside>
<script>window.ads = [];</script>
</article>
<footer><p>Copyright Riverside Post</p></footer>
</body></html>"""


def test_html_keeps_article_paragraphs_and_drops_navigation_captions_and_links(tmp_path):
    article = only_article(write(tmp_path, "dam.html", PAGE))
    assert article.text == (
        "Water levels downstream will rise through the week.\n\n"
        "Operators opened four of the dam\u2019s six floodgates on Wednesday.\n\n"
        "Town centre\n\n"
        "The river is expected to peak at 6.2 metres near the old bridge."
    )


def test_html_metadata_comes_from_open_graph_meta_and_canonical_link(tmp_path):
    article = only_article(write(tmp_path, "dam.htm", PAGE))
    assert article.title == "Dam opens floodgates after heavy rain"
    assert article.source == "Riverside Post"
    assert article.published_at == "2024-10-02T08:30:00+00:00"
    assert (article.author, article.url) == ("Lea Novak", "https://riverside.example/dam")


JSON_LD_PAGE = """<html><head><title>Library extends hours - City Desk</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "City Desk"},
  {"@type": "NewsArticle", "datePublished": "2024-01-15T07:00:00+01:00",
   "author": [{"@type": "Person", "name": "Sam Ortiz"}],
   "publisher": {"@type": "Organization", "name": "City Desk"}}]}</script>
</head><body><main>
<p>The central library will stay open until 9pm on weekdays from February.</p>
<p>Funding comes from a one-year grant.</p>
</main></body></html>"""


def test_json_ld_supplies_date_author_and_outlet_and_the_title_loses_the_site_name(tmp_path):
    article = only_article(write(tmp_path, "library.html", JSON_LD_PAGE))
    assert article.title == "Library extends hours"
    assert article.published_at == "2024-01-15T07:00:00+01:00"
    assert (article.author, article.source) == ("Sam Ortiz", "City Desk")
    assert article.text.startswith("The central library will stay open")


def test_a_time_element_dates_a_page_without_meta_tags(tmp_path):
    page = (
        "<html><body><article><h1>Tram line extended</h1>"
        '<time datetime="2023-12-04">4 December</time>'
        "<p>The tram now reaches the airport.</p></article></body></html>"
    )
    article = only_article(write(tmp_path, "tram.html", page))
    assert (article.title, article.published_at) == ("Tram line extended", "2023-12-04")
    assert article.text == "The tram now reaches the airport."


def test_a_wrapper_with_a_furniture_like_class_does_not_take_the_article_with_it(tmp_path):
    page = (
        "<html><body><article><h1>Museum reopens</h1><div class='layout with-sidebar'>"
        "<p>The museum reopened after a two-year renovation.</p>"
        "<p>Entry is free for the first month.</p></div></article></body></html>"
    )
    article = only_article(write(tmp_path, "museum.html", page))
    assert "Entry is free for the first month." in article.text


def test_absurdly_deep_nesting_gives_the_text_or_a_problem_never_a_crash(tmp_path):
    depth = 20_000
    page = "<html><head><title>Deep page</title></head><body>" + "<div>" * depth
    page += "<p>Deep text.</p>" + "</div>" * depth + "</body></html>"
    path = write(tmp_path, "deep.html", page)
    result = load_paths([path])
    assert [a.text for a in result.articles] in ([], ["Deep text."])
    assert len(result.problems) + len(result.articles) == 1


def test_a_recursion_error_while_reading_a_page_becomes_an_ingest_error(tmp_path, monkeypatch):
    def too_deep(*args):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(html_loader, "_main_text", too_deep)
    [problem] = load_paths([write(tmp_path, "page.html", PAGE)]).problems
    assert problem.reason == "HTML nested too deeply to parse"


def test_a_page_with_no_title_is_refused_with_a_reason(tmp_path):
    path = write(tmp_path, "notitle.html", "<html><body><p>Only a paragraph.</p></body></html>")
    [problem] = load_paths([path]).problems
    assert "no title" in problem.reason


FURNISHED = """<!doctype html><html><head><meta charset="utf-8"><title>Site</title>
<script type="application/ld+json">{"@type": "NewsArticle", "author": {"name": "Ada Ruiz"}}</script>
</head><body>
<header><nav><h1>Harbour reopens after storm</h1><ul><li><a href="/a">Sport</a></li></ul></nav></header>
<nav><ul><li><a href="/b">Business</a></li><li><a href="/c">Weather</a></li></ul></nav>
<!-- a comment with <p>markup that is not text</p> -->
<main><p>The harbour reopened on Monday after three days closed by the storm.</p>
<p>Ferries to the islands will run a reduced timetable until Thursday.</p></main>
<aside><p>Most read</p><time datetime="2024-03-04">4 March</time>
<article><p>An older story about the harbour wall.</p></article></aside>
<footer><span itemprop="publisher">Coast Courier</span><p>Copyright</p></footer>
</body></html>"""


def test_furniture_holding_a_title_date_author_or_card_is_read_as_if_kept_whole():
    # Decoded text (a fetched page) is pruned of furniture before BeautifulSoup reads it;
    # bytes (a file) are read whole: both must give the same article.
    pruned = html_loader.read_html(FURNISHED, "page.html")
    whole = html_loader.read_html(FURNISHED.encode(), "page.html")
    assert pruned == whole
    assert pruned.title == "Harbour reopens after storm"
    assert pruned.published_at == "2024-03-04" and pruned.author == "Ada Ruiz"
    assert "Ferries to the islands" not in pruned.text  # the <article> card is the container
    assert pruned.text == "An older story about the harbour wall."
    assert "Business" not in pruned.text and "markup" not in pruned.text


def test_deep_nesting_in_decoded_text_gives_the_text_or_a_problem_never_a_crash():
    depth = 20_000
    page = "<html><head><title>Deep page</title></head><body>" + "<div>" * depth
    page += "<p>Deep text.</p>" + "</div>" * depth + "</body></html>"
    try:
        assert html_loader.read_html(page, "deep.html").text == "Deep text."
    except IngestError as exc:
        assert "nested" in str(exc)
