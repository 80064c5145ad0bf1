"""The fetcher against a real HTTP server on 127.0.0.1 (tests/news_site.py): what it gives,
how politely it asks, where it stops, and which addresses it refuses to reach.

DNS is the one part stood in for (a resolver function given to the fetcher): the rebinding
cases need a name whose answer changes, and tests never ask a real resolver about names."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from ingest.web.address import resolve
from ingest.web.fetch import Fetcher, fetch
from ingest.web.policy import FetchError, FetchPolicy, is_url
from ingest.web.polite import HostLimits
from tests.news_site import LAST_MODIFIED

LOCAL = FetchPolicy(allow_hosts=("127.0.0.1",), host_interval_s=0.0, backoff_s=0.01)


def local(**changes) -> Fetcher:
    from dataclasses import replace

    return Fetcher(replace(LOCAL, **changes))


def get(url: str, policy: FetchPolicy = LOCAL, **kw):
    with Fetcher(policy, **kw) as fetcher:
        return fetcher.fetch(url)


def refusal(url: str, policy: FetchPolicy = LOCAL, **kw) -> FetchError:
    with pytest.raises(FetchError) as caught, Fetcher(policy, **kw) as fetcher:
        fetcher.fetch(url)
    assert caught.value.url == url and str(caught.value).startswith(url + ": ")
    return caught.value


def names(table: dict[str, list[str]]):
    """A resolver that knows the names in `table` and reads IP literals as themselves."""

    def lookup(host: str, port: int) -> list[str]:
        return table[host] if host in table else resolve(host, port)

    return lookup


def test_a_page_comes_back_with_its_final_url_status_headers_and_text(news_site):
    with local() as fetcher:
        page = fetcher.fetch(news_site.url("/article"))
    assert page.status == 200 and page.final_url == page.url == news_site.url("/article")
    assert page.content_type == "text/html" and page.encoding == "utf-8"
    assert "Harbour bridge reopens" in page.text and page.body.startswith(b"<!DOCTYPE html>")
    assert page.redirects == () and not page.not_modified


def test_every_request_names_newsdesk_in_its_user_agent(news_site):
    fetch(news_site.url("/article"), LOCAL)
    path, headers = news_site.requests[-1]
    assert path == "/article" and headers["User-Agent"].startswith("Newsdesk/")
    fetch(
        news_site.url("/article"),
        FetchPolicy(allow_hosts=("127.0.0.1",), user_agent="Ours/1 (+mailto:desk@example.org)"),
    )
    assert news_site.requests[-1][1]["User-Agent"] == "Ours/1 (+mailto:desk@example.org)"


def test_an_etag_makes_the_next_fetch_conditional_and_a_304_comes_back_as_not_modified(news_site):
    with local() as fetcher:
        first = fetcher.fetch(news_site.url("/conditional"))
        assert first.etag == '"bridge-v1"' and first.last_modified == LAST_MODIFIED
        again = fetcher.fetch(news_site.url("/conditional"), etag=first.etag)
        assert again.not_modified and again.status == 304 and again.body == b""
        assert news_site.requests[-1][1]["If-None-Match"] == '"bridge-v1"'
        since = fetcher.fetch(news_site.url("/since"), last_modified=LAST_MODIFIED)
        assert since.not_modified
        assert news_site.requests[-1][1]["If-Modified-Since"] == LAST_MODIFIED


def test_a_redirect_chain_is_followed_hop_by_hop(news_site):
    page = fetch(news_site.url("/hop/1"), LOCAL)
    assert page.final_url == news_site.url("/article") and page.url == news_site.url("/hop/1")
    assert page.redirects == tuple(news_site.url(p) for p in ("/hop/2", "/hop/3", "/article"))
    assert "Harbour bridge reopens" in page.text


def test_a_redirect_loop_and_a_chain_past_the_limit_are_refused(news_site):
    loop = refusal(news_site.url("/loop/a"))
    assert "redirect loop" in loop.reason and not loop.transient
    assert news_site.hits["/loop/a"] <= 2
    too_many = refusal(
        news_site.url("/hop/1"), FetchPolicy(allow_hosts=("127.0.0.1",), max_redirects=2)
    )
    assert "more than 2 redirects" in too_many.reason


def test_a_500_is_tried_again_then_reported_with_its_status(news_site):
    before = news_site.hits["/broken"]
    error = refusal(news_site.url("/broken"))
    assert error.reason == "HTTP 500 Internal Server Error after 3 tries"
    assert error.status == 500 and error.transient
    assert news_site.hits["/broken"] - before == 3  # the first try and LOCAL's two retries


def test_a_503_that_recovers_gives_the_page_and_a_404_is_not_tried_again(news_site):
    assert "Flaky page recovers" in fetch(news_site.url("/flaky"), LOCAL).text
    before = news_site.hits["/no-such-page"]
    error = refusal(news_site.url("/no-such-page"))
    assert error.reason == "HTTP 404 Not Found" and error.status == 404 and not error.transient
    assert news_site.hits["/no-such-page"] - before == 1


def test_a_429_asking_for_a_long_pause_is_reported_at_once_as_worth_retrying_later(news_site):
    before = news_site.hits["/busy"]
    error = refusal(news_site.url("/busy"))
    assert error.reason == "HTTP 429 Too Many Requests" and error.status == 429
    assert error.transient and news_site.hits["/busy"] - before == 1


def test_a_server_too_slow_to_answer_times_out_after_bounded_tries(news_site):
    started = time.monotonic()
    error = refusal(
        news_site.url("/slow"),
        FetchPolicy(allow_hosts=("127.0.0.1",), read_timeout_s=0.3, retries=1, backoff_s=0.01),
    )
    assert "timed out after 2 tries" in error.reason and error.transient
    assert time.monotonic() - started < 2.5  # the server would take 3 s a try


def test_a_server_dripping_bytes_is_cut_off_by_the_total_timeout(news_site):
    started = time.monotonic()
    error = refusal(
        news_site.url("/drip"), FetchPolicy(allow_hosts=("127.0.0.1",), total_timeout_s=1.0)
    )
    assert "took longer than 1 s in all" in error.reason
    assert time.monotonic() - started < 2.0  # each byte came within the read timeout


def test_an_oversized_page_is_stopped_at_the_limit_without_holding_it(news_site):
    small = FetchPolicy(allow_hosts=("127.0.0.1",), max_page_mb=1)
    declared = refusal(news_site.url("/huge-declared"), small)
    assert declared.reason == "page is 50.0 MB, over the 1.0 MB limit (NEWSDESK_FETCH_MAX_PAGE_MB)"
    tracemalloc.start()
    try:
        streamed = refusal(news_site.url("/huge"), small)  # no Content-Length: 50 MB sent
        bomb = refusal(news_site.url("/bomb"), small)  # 60 KB of gzip, 60 MB unpacked
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    for error in (streamed, bomb):
        assert "page larger than 1.0 MB (stopped reading there)" in error.reason
        assert "NEWSDESK_FETCH_MAX_PAGE_MB" in error.reason and not error.transient
    assert peak < 8 * 1024 * 1024


def test_a_gzip_page_is_decompressed(news_site):
    page = fetch(news_site.url("/gzip"), LOCAL)
    assert page.headers["content-encoding"] == "gzip" and "Ferry timetable changes" in page.text
    assert news_site.requests[-1][1]["Accept-Encoding"] == "gzip, deflate"


def test_a_windows_1252_page_decodes_by_its_header_or_its_meta_tag(news_site):
    for path in ("/cp1252", "/cp1252-meta"):
        page = fetch(news_site.url(path), LOCAL)
        assert page.encoding == "cp1252", path
        assert "Café owners protest “unfair” rent rises" in page.text
        assert "40% — the third" in page.text and "Zoë Müller" in page.text


def test_robots_txt_forbids_a_path_is_read_once_per_site_and_can_be_turned_off(news_site):
    before = news_site.hits["/robots.txt"]
    with local() as fetcher:
        error = refusal(news_site.url("/private/memo"))
        assert error.reason == "the site's robots.txt forbids fetching this page"
        fetcher.fetch(news_site.url("/article"))
        fetcher.fetch(news_site.url("/gzip"))
    assert news_site.hits["/robots.txt"] - before == 2  # one per fetcher, not per page
    hits = news_site.hits["/private/memo"]
    assert hits == 0  # a forbidden page is never asked for
    page = fetch(
        news_site.url("/private/memo"), FetchPolicy(allow_hosts=("127.0.0.1",), robots=False)
    )
    assert "Internal memo" in page.text


def test_an_unreadable_robots_txt_closes_the_site_for_now_and_a_missing_one_opens_it(news_site):
    from tests.news_site import Reply

    kept = news_site.routes["/robots.txt"]
    try:
        news_site.routes["/robots.txt"] = lambda _h: Reply(503, b"down")
        error = refusal(news_site.url("/article"))
        assert error.reason.startswith("robots.txt could not be read (HTTP 503") and error.transient
        del news_site.routes["/robots.txt"]  # 404: no rules
        assert fetch(news_site.url("/private/memo"), LOCAL).status == 200
    finally:
        news_site.routes["/robots.txt"] = kept


def test_a_body_that_is_not_a_page_is_refused_by_its_content_type(news_site):
    error = refusal(news_site.url("/report.pdf"))
    assert error.reason.startswith("the server sent application/pdf, not a page")


def test_only_http_and_https_urls_without_credentials_are_fetched(news_site):
    for url, words in [
        ("file:///etc/passwd", "only http and https URLs are fetched, not file"),
        ("ftp://ftp.example.org/news.html", "only http and https URLs are fetched, not ftp"),
        (f"http://editor:secret@127.0.0.1:{news_site.port}/article", "user name or password"),
        ("http:///no-host", "names no host"),
    ]:
        assert words in refusal(url).reason, url
    assert is_url("https://x.example/a") and is_url("ftp://x") and not is_url("notes/a.txt")


@pytest.mark.parametrize(
    ("host", "what"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("[::1]", "::1 is a loopback address"),
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1 is a loopback address"),
        ("2130706433", "2130706433 resolves to 127.0.0.1, a loopback address"),
        ("10.1.2.3", "10.1.2.3 is a private address"),
        ("192.168.0.10", "192.168.0.10 is a private address"),
        ("169.254.10.1", "169.254.10.1 is a link-local address"),
        ("0.0.0.0", "0.0.0.0 is an unspecified address"),
        ("224.0.0.1", "224.0.0.1 is a multicast address"),
        ("100.64.0.1", "100.64.0.1 is not a public address"),
        ("169.254.169.254", "169.254.169.254 is a cloud metadata address: never fetched"),
        ("[fd00:ec2::254]", "fd00:ec2::254 is a cloud metadata address: never fetched"),
    ],
)
def test_private_and_metadata_addresses_are_refused_before_anything_is_sent(news_site, host, what):
    port = news_site.port
    before = len(news_site.requests)
    error = refusal(f"http://{host}:{port}/article", FetchPolicy())
    assert error.reason.startswith(what) and not error.transient
    assert len(news_site.requests) == before
    if "metadata" not in what:
        assert error.reason.endswith("refused (NEWSDESK_FETCH_ALLOW_HOSTS can allow it)")


def test_metadata_addresses_stay_refused_whatever_the_allow_list():
    policy = FetchPolicy(allow_hosts=("169.254.0.0/16", "0.0.0.0/0", "::/0"))
    assert "never fetched" in refusal("http://169.254.169.254/latest/", policy).reason


def test_a_redirect_from_an_allowed_host_to_a_private_address_is_refused(news_site):
    # news.test (the site, by name) is allowed; 127.0.0.1 itself is not.
    lookup = names({"news.test": ["127.0.0.1"]})
    policy = FetchPolicy(allow_hosts=("news.test",), host_interval_s=0.0)
    assert get(news_site.url("/article", host="news.test"), policy, resolver=lookup).status == 200
    before = news_site.hits["/article"]
    url = news_site.url("/to-loopback", host="news.test")
    error = refusal(url, policy, resolver=lookup)
    assert error.reason == (
        f"redirected to {news_site.url('/article')}: 127.0.0.1 is a loopback address: "
        "refused (NEWSDESK_FETCH_ALLOW_HOSTS can allow it)"
    )
    assert news_site.hits["/article"] == before
    to_metadata = refusal(news_site.url("/to-metadata"), LOCAL)
    assert "redirected to http://169.254.169.254/latest/meta-data/" in to_metadata.reason


def test_dns_rebinding_cannot_switch_the_checked_address_for_a_private_one(news_site):
    """The name first resolves to a public address, then to the local server: the connection
    makes its own lookup and checks it, so it is refused and the server never hears of it."""
    answers = iter([["93.184.216.34"]])  # public: passes the first check

    def rebinding(host: str, port: int) -> list[str]:
        return next(answers, ["127.0.0.1"])

    before = len(news_site.requests)
    for robots in (False, True):
        answers = iter([["93.184.216.34"]])
        policy = FetchPolicy(robots=robots)
        error = refusal(news_site.url("/article", host="rebind.test"), policy, resolver=rebinding)
        assert "rebind.test resolves to 127.0.0.1, a loopback address: refused" in error.reason
    assert len(news_site.requests) == before


def test_the_connection_goes_to_the_checked_address_and_keeps_the_urls_host(news_site):
    lookup = names({"news.test": ["127.0.0.1"]})
    page = get(news_site.url("/article", host="news.test"), resolver=lookup)
    assert page.status == 200
    assert news_site.requests[-1][1]["Host"] == f"news.test:{news_site.port}"


def test_a_name_with_a_public_and_a_private_address_is_refused_as_a_whole(news_site):
    lookup = names({"mixed.test": ["93.184.216.34", "127.0.0.1"]})
    error = refusal(news_site.url("/article", host="mixed.test"), FetchPolicy(), resolver=lookup)
    assert "mixed.test resolves to 127.0.0.1, a loopback address" in error.reason


def test_host_limits_space_the_requests_to_one_host_and_not_to_others():
    limits = HostLimits(per_host=1, interval_s=0.2)
    started = time.monotonic()
    for _ in range(3):
        with limits.slot("a.example:443"):
            pass
    assert time.monotonic() - started >= 0.35
    started = time.monotonic()
    with limits.slot("b.example:443"):
        pass
    assert time.monotonic() - started < 0.1
