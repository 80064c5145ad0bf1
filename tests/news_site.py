"""A news site on 127.0.0.1 for the fetching tests: the project's own pages, served by the
standard library's HTTP server in a thread, with the habits of real sites (ETags and 304s,
redirects, errors, slow and huge answers, gzip, Windows-1252, a robots.txt).

Every route is a function of the request; `NewsSite.hits` counts the requests per path,
`NewsSite.requests` keeps each one's headers and `NewsSite.answers` each status, so a test
can say what was (not) fetched. `story` and `feed` serve article pages and feeds (RSS, Atom,
JSON Feed, news sitemaps) made from `Story` objects a test may change between fetches.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROBOTS = "User-agent: *\nDisallow: /private/\n\nUser-agent: OtherBot\nDisallow: /\n"
LAST_MODIFIED = formatdate(1_717_000_000, usegmt=True)  # 2024-05-29


def article_html(
    title: str = "Harbour bridge reopens after repairs",
    body: str = (
        "The harbour bridge in Port Alder reopened to traffic on Tuesday after eleven weeks "
        "of repairs, the city council said. Engineers replaced 140 steel cables and resurfaced "
        "the main deck. The council said the work cost 3.2 million euros, less than planned."
    ),
    outlet: str = "Alder Gazette",
    day: str = "2024-05-28",
    url: str = "https://www.alder-gazette.example/2024/05/28/harbour-bridge-reopens",
    charset: str = "utf-8",
) -> str:
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip(" ."))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}">
<title>{title} | {outlet}</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{outlet}">
<meta name="author" content="Mara Lindqvist">
<meta property="article:published_time" content="{day}T09:30:00+00:00">
<link rel="canonical" href="{url}">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1><p class="byline">By Mara Lindqvist</p>
{paragraphs}
</article>
<footer>© {outlet}. All rights reserved.</footer>
</body></html>"""


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterator[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds to wait before the status line, and between the chunks of an iterator body.
    delay: float = 0.0
    pause: float = 0.0


Route = Callable[["Handler"], Reply]


def html(text: str, charset: str = "utf-8", **headers: str) -> Reply:
    return Reply(
        body=text.encode(charset),
        headers={"Content-Type": f"text/html; charset={charset}", **headers},
    )


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, headers={"Location": location})


def _huge(total: int) -> Iterator[bytes]:
    """`total` bytes of a page, made as they are sent (never held in memory)."""
    chunk = b"<p>" + b"Filler text of an endless page. " * 2000 + b"</p>\n"
    yield b"<!DOCTYPE html><html><head><title>Endless</title></head><body>"
    sent = 0
    while sent < total:
        yield chunk
        sent += len(chunk)


def _gzip_of_spaces(megabytes: int) -> bytes:
    """A gzip body of `megabytes` MB of spaces (about 60 KB compressed), made a MB at a time."""
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    out = [z.compress(b"<html><body>")]
    out += [z.compress(b" " * 1024 * 1024) for _ in range(megabytes)]
    return b"".join([*out, z.flush()])


def _drip() -> Iterator[bytes]:
    yield b"<!DOCTYPE html><html><body><p>"
    for _ in range(200):
        yield b"."


def _conditional(handler: Handler) -> Reply:
    etag = '"bridge-v1"'
    if handler.headers.get("If-None-Match") == etag:
        return Reply(status=304, headers={"ETag": etag})
    return html(article_html(), ETag=etag, **{"Last-Modified": LAST_MODIFIED})


def _since(handler: Handler) -> Reply:
    if handler.headers.get("If-Modified-Since") == LAST_MODIFIED:
        return Reply(status=304)
    return html(article_html(), **{"Last-Modified": LAST_MODIFIED})


WINDOWS_1252 = article_html(
    title="Café owners protest “unfair” rent rises",
    body=(
        "Café owners in the old town protested on Monday against rent rises of up to 40% — "
        "the third this decade. “We cannot pay twice what we paid in 2019,” said Zoë Müller, "
        "who runs a café on the market square"
    ),
    url="https://www.alder-gazette.example/2024/05/20/cafe-rents",
    charset="windows-1252",
)


def etagged(handler: Handler, body: bytes, content_type: str) -> Reply:
    """`body` with an ETag of its content, and a 304 without it when the client has it."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    if handler.headers.get("If-None-Match") == etag:
        return Reply(status=304, headers={"ETag": etag})
    return Reply(body=body, headers={"Content-Type": content_type, "ETag": etag})


@dataclass
class Story:
    """An article page the site serves, and what its feeds say of it."""

    path: str
    title: str
    body: str
    day: str = "2024-05-28"
    updated: str | None = None


def _rss(base: str, title: str, stories: list[Story]) -> str:
    items = "".join(
        f"<item><title>{s.title}</title><link>{base}{s.path}</link><guid>{base}{s.path}</guid>"
        f"<pubDate>{formatdate(_stamp(s.updated or s.day), usegmt=True)}</pubDate></item>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>{base}/</link><description>News</description>"
        f"{items}</channel></rss>"
    )


def _atom(base: str, title: str, stories: list[Story]) -> str:
    entries = "".join(
        f'<entry><title>{s.title}</title><link rel="alternate" href="{s.path}"/>'
        f"<id>urn:story:{s.path}</id><published>{s.day}T08:00:00Z</published>"
        f"<updated>{s.updated or s.day}T08:00:00Z</updated></entry>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:base="{base}/"><title>{title}</title><id>urn:feed:{title}</id>'
        f"<updated>2024-05-28T08:00:00Z</updated>{entries}</feed>"
    )


def _json_feed(base: str, title: str, stories: list[Story]) -> str:
    items = [
        {"id": s.path, "url": base + s.path, "title": s.title,
         "date_published": f"{s.day}T08:00:00Z",
         **({"date_modified": f"{s.updated}T08:00:00Z"} if s.updated else {})}
        for s in stories
    ]  # fmt: skip
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title,
                       "home_page_url": base + "/", "items": items})  # fmt: skip


def _news_sitemap(base: str, title: str, stories: list[Story]) -> str:
    urls = "".join(
        f"<url><loc>{base}{s.path}</loc>"
        + (f"<lastmod>{s.updated}</lastmod>" if s.updated else "")
        + f"<news:news><news:publication><news:name>{title}</news:name>"
        f"<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{s.day}T08:00:00Z</news:publication_date>"
        f"<news:title>{s.title}</news:title></news:news></url>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + urls + "</urlset>"
    )


def sitemap_index(base: str, children: list[tuple[str, str | None]]) -> str:
    entries = "".join(
        f"<sitemap><loc>{base}{path}</loc>" + (f"<lastmod>{day}</lastmod>" if day else "")
        + "</sitemap>"
        for path, day in children
    )  # fmt: skip
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + entries + "</sitemapindex>"
    )  # fmt: skip


def _stamp(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() + 8 * 3600


FEED_FORMATS: dict[str, tuple[Callable[[str, str, list[Story]], str], str]] = {
    "rss": (_rss, "application/rss+xml; charset=utf-8"),
    "atom": (_atom, "application/atom+xml; charset=utf-8"),
    "json": (_json_feed, "application/feed+json"),
    "news-sitemap": (_news_sitemap, "application/xml"),
}


class Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *_: object) -> None:  # quiet
        pass

    def handle(self) -> None:
        # The fetcher stopped reading: that is what some tests want.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def do_GET(self) -> None:
        site = self.server.site
        path = self.path.split("?")[0]
        with site.lock:
            site.hits[path] += 1
            site.requests.append((path, dict(self.headers)))
        route = site.routes.get(path)
        reply = (
            route(self)
            if route
            else Reply(404, b"<h1>Not found</h1>", {"Content-Type": "text/html"})
        )
        with site.lock:
            site.answers.append((path, reply.status))
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        time.sleep(reply.delay)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if isinstance(reply.body, bytes):
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            return
        if "Content-Length" not in reply.headers:
            self.send_header("Connection", "close")  # the body ends when the connection does
        self.end_headers()
        self.close_connection = True
        for chunk in reply.body:
            self.wfile.write(chunk)
            self.wfile.flush()
            time.sleep(reply.pause)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: NewsSite


class NewsSite:
    """The site on a free port of 127.0.0.1: `url(path)`, `routes`, `hits`, `requests`."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.answers: list[tuple[str, int]] = []  # (path, status), in order
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.site = self
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.routes: dict[str, Route] = self._routes()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def page(self, path: str, text: str, **headers: str) -> str:
        """Serve `text` as HTML at `path` (replacing what was there); its URL."""
        self.routes[path] = lambda _h: html(text, **headers)
        return self.url(path)

    def story(self, story: Story, outlet: str = "Alder Gazette") -> str:
        """Serve an article page at `story.path` (ETag, 304), its canonical URL its own
        address, its content read at each request (change `story` to edit the page)."""

        def route(handler: Handler) -> Reply:
            text = article_html(story.title, story.body, outlet, story.day, self.url(story.path))
            return etagged(handler, text.encode(), "text/html; charset=utf-8")

        self.routes[story.path] = route
        return self.url(story.path)

    def feed(
        self,
        path: str,
        kind: str,
        stories: list[Story],
        title: str = "Alder Gazette",
        pages: bool = True,
    ) -> str:
        """Serve a feed or news sitemap (`FEED_FORMATS`) of `stories` at `path`, made at
        each request (change the list to change the feed), with an ETag of its content;
        with `pages`, each story's page is served too."""
        make, content_type = FEED_FORMATS[kind]
        for story in stories if pages else ():
            self.story(story)

        def route(handler: Handler) -> Reply:
            return etagged(handler, make(self.base, title, stories).encode(), content_type)

        self.routes[path] = route
        return self.url(path)

    def bodies(self, since: int = 0) -> list[str]:
        """The paths answered with a body (a 200), of the answers after the first `since`
        (robots.txt aside: a new fetcher reads it once)."""
        with self.lock:
            later = self.answers[since:]
        return [path for path, status in later if status == 200 and path != "/robots.txt"]

    def _routes(self) -> dict[str, Route]:
        flaky = iter([Reply(503, b"busy", {"Retry-After": "0"})])
        ferry = article_html(
            title="Ferry timetable changes",
            body="The island ferry will sail hourly from June, its operator said on Monday",
            url="https://www.alder-gazette.example/2024/05/27/ferry-timetable",
        )
        gzipped = gzip.compress(ferry.encode())
        bomb = _gzip_of_spaces(60)
        return {
            "/robots.txt": lambda _h: Reply(
                body=ROBOTS.encode(), headers={"Content-Type": "text/plain"}
            ),
            "/article": lambda _h: html(article_html()),
            "/conditional": _conditional,
            "/since": _since,
            "/hop/1": lambda _h: redirect("/hop/2", 301),
            "/hop/2": lambda _h: redirect(self.url("/hop/3"), 307),
            "/hop/3": lambda _h: redirect("/article", 308),
            "/loop/a": lambda _h: redirect("/loop/b"),
            "/loop/b": lambda _h: redirect("/loop/a"),
            "/broken": lambda _h: Reply(
                500, b"<h1>Internal error</h1>", {"Content-Type": "text/html"}
            ),
            "/flaky": lambda _h: (
                next(flaky, None) or html(article_html(title="Flaky page recovers"))
            ),
            "/busy": lambda _h: Reply(429, b"slow down", {"Retry-After": "3600"}),
            "/slow": lambda _h: Reply(
                delay=3.0, body=article_html().encode(), headers={"Content-Type": "text/html"}
            ),
            "/drip": lambda _h: Reply(
                body=_drip(), pause=0.1, headers={"Content-Type": "text/html"}
            ),
            "/huge": lambda _h: Reply(
                body=_huge(50 * 1024 * 1024), headers={"Content-Type": "text/html"}
            ),
            "/huge-declared": lambda _h: Reply(
                body=_huge(50 * 1024 * 1024),
                headers={"Content-Type": "text/html", "Content-Length": str(50 * 1024 * 1024)},
            ),
            "/gzip": lambda _h: Reply(
                body=gzipped,
                headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
            ),
            "/bomb": lambda _h: Reply(
                body=bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
            ),
            "/cp1252": lambda _h: html(WINDOWS_1252, charset="windows-1252"),
            "/cp1252-meta": lambda _h: Reply(
                body=WINDOWS_1252.encode("windows-1252"), headers={"Content-Type": "text/html"}
            ),
            "/private/memo": lambda _h: html(article_html(title="Internal memo")),
            "/to-loopback": lambda _h: redirect(self.url("/article")),
            "/to-metadata": lambda _h: redirect("http://169.254.169.254/latest/meta-data/"),
            "/report.pdf": lambda _h: Reply(
                body=b"%PDF-1.7\n%binary", headers={"Content-Type": "application/pdf"}
            ),
        }

    def __enter__(self) -> NewsSite:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
