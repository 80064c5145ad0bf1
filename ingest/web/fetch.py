"""Fetching one URL safely and politely: `Fetcher.fetch(url) -> Page`.

What every fetch does, whoever calls it (a URL given to `newsdesk ingest`, the API or the
web page; later, feeds and sitemaps):

- only http and https, no user name or password in the URL, at most `max_redirects`
  redirects, followed here one hop at a time, each hop checked like the first;
- every connection goes to an address checked by `AddressGuard` (no loopback, private,
  link-local, ... address unless allow-listed; metadata never): the host is resolved once
  per connection, inside the connection itself, and that address is the one connected to,
  so DNS rebinding cannot switch it after the check (the Host header and TLS name stay the
  URL's);
- robots.txt obeyed (cached per site), requests to one host spaced and bounded
  (`HostLimits`), a User-Agent naming Newsdesk;
- timeouts to connect and per read, and one for the whole fetch that also bounds a server
  dripping a byte at a time; retries with backoff for 5xx, 429, timeouts and dropped
  connections;
- the body streamed, decompressed (gzip, deflate) as it comes and stopped at the size
  limit; only the content types asked for (HTML, XML); decoded by its charset;
- conditional GET: given an ETag or Last-Modified, a 304 comes back as `Page.not_modified`.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import httpcore
import httpx

from ingest.types import IngestError
from ingest.web.address import AddressGuard, AddressRefused, Resolver
from ingest.web.body import ACCEPT_ENCODING, decode_body, read_limited, size_words
from ingest.web.policy import ROBOTS_NAME, FetchError, FetchPolicy
from ingest.web.polite import ROBOTS_MAX_BYTES, HostLimits, RobotsRules

HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = (
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
)
MARKUP_TYPES = HTML_TYPES + XML_TYPES
REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRIED = frozenset({429, 500, 502, 503, 504})
# A Retry-After longer than this is not waited for (the status is reported, transient).
MAX_WAIT_S = 30.0
MAX_URL_CHARS = 2048

# When the fetch running in this thread must end (time.monotonic()); read by every socket
# operation of its connections.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the fetch's total time is up")
    return left if timeout is None else min(timeout, left)


def _extend_deadline(seconds: float) -> None:
    deadline = _DEADLINE.get()
    if deadline is not None and seconds > 0:
        _DEADLINE.set(deadline + seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):  # noqa: ANN001, ANN201 - httpcore's signature
        timeout = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, opened only to addresses the guard has just checked."""

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # noqa: ANN001, ANN201 - httpcore's signature
        failed: Exception | None = None
        for address in self.guard.connectable(host, port):  # resolved once, here
            try:
                stream = self._sockets.connect_tcp(
                    address, port, _bounded(timeout, httpcore.ConnectTimeout),
                    local_address, socket_options,
                )  # fmt: skip
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failed = exc
                continue
            return _DeadlineStream(stream)
        assert failed is not None
        raise failed

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over `_GuardedBackend`. No proxy: a proxy would connect for us, to
    addresses this process never checks."""

    def __init__(self, guard: AddressGuard, max_connections: int, ca_file: str = "") -> None:
        super().__init__(trust_env=False)
        # Verifying, with the host name of the URL (SNI too) although the socket is opened
        # to the address the guard checked: httpcore hands TLS the origin's host name.
        context = httpx.create_ssl_context(trust_env=False)
        if ca_file:
            context.load_verify_locations(cafile=ca_file)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=max_connections,
            network_backend=_GuardedBackend(guard),
        )


def guarded_client(policy: FetchPolicy, resolver: Resolver | None = None) -> httpx.Client:
    """An HTTP client for requests other than fetches (a watch's webhook): every connection
    goes to an address `AddressGuard` checked under `policy`, at the connection; no proxy, no
    redirect followed, certificates checked; timeouts the policy's."""
    guard = AddressGuard.of(policy.allow_hosts, resolver)
    timeout = httpx.Timeout(connect=policy.connect_timeout_s, read=policy.read_timeout_s,
                            write=policy.read_timeout_s, pool=policy.total_timeout_s)  # fmt: skip
    return httpx.Client(
        transport=_GuardedTransport(guard, max_connections=4, ca_file=policy.ca_file),
        follow_redirects=False,
        trust_env=False,
        timeout=timeout,
        headers={"User-Agent": policy.agent},
    )


@dataclass(frozen=True)
class Page:
    """What a fetch gave. `url` was asked for, `final_url` answered (after `redirects`, the
    URLs passed through). A 304 (`not_modified`) has no body."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes = b""
    text: str = ""
    encoding: str | None = None
    redirects: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").partition(";")[0].strip().casefold()

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


@dataclass
class _Reply:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    tries: int = 1


@dataclass
class _Hops:
    """The URLs one fetch went through."""

    asked: str
    seen: list[str] = field(default_factory=list)

    def where(self, url: str) -> str:
        return "" if url == self.asked else f"redirected to {url}: "


def _media_type(headers: httpx.Headers) -> str:
    return headers.get("content-type", "").partition(";")[0].strip().casefold()


def _looks_like_markup(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after", "").strip()
    return float(value) if value.isdigit() else None


class Fetcher:
    """Fetches pages under one policy: one HTTP client, one robots.txt cache, and the host
    limits (pass one `HostLimits` to several fetchers to share it). Thread-safe; close it
    (or use it as a context manager) when done."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        limits: HostLimits | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.policy = policy = policy or FetchPolicy()
        self.guard = AddressGuard.of(policy.allow_hosts, resolver)
        self.limits = limits or HostLimits(policy.per_host, policy.host_interval_s)
        timeout = httpx.Timeout(
            connect=policy.connect_timeout_s,
            read=policy.read_timeout_s,
            write=policy.read_timeout_s,
            pool=policy.total_timeout_s,
        )
        self._client = httpx.Client(
            transport=_GuardedTransport(
                self.guard, max_connections=max(10, policy.per_host), ca_file=policy.ca_file
            ),
            follow_redirects=False,
            trust_env=False,
            timeout=timeout,
            headers={
                "User-Agent": policy.agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.1",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )
        self._robots: dict[str, RobotsRules] = {}
        self._robots_lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: Iterable[str] = MARKUP_TYPES,
    ) -> Page:
        """The page at `url`, or FetchError saying why not (its message names the URL).
        With `etag` / `last_modified` (from an earlier Page) the request is conditional and
        an unchanged page comes back as a Page whose `not_modified` is true, without body.
        `accept`: the media types wanted; another is refused without reading the body."""
        started = time.monotonic()
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        token = _DEADLINE.set(started + self.policy.total_timeout_s)
        try:
            hops = _Hops(url)
            reply = self._follow(hops, headers, tuple(accept), self.policy.max_bytes, page=True)
        finally:
            _DEADLINE.reset(token)
        return self._page(hops, reply, time.monotonic() - started)

    def check(self, url: str) -> None:
        """FetchError when `url` could not be fetched whatever the site answers: its scheme,
        length, credentials, and the addresses its host resolves to now (a source is checked
        so when it is added; every fetch checks again, at the connection)."""
        self._check_target(_Hops(url), url)

    def _page(self, hops: _Hops, reply: _Reply, seconds: float) -> Page:
        headers = MappingProxyType({k.casefold(): v for k, v in reply.headers.items()})
        base = dict(url=hops.asked, final_url=reply.url, status=reply.status, headers=headers,
                    redirects=tuple(hops.seen[1:]), seconds=seconds)  # fmt: skip
        if reply.status == 304:
            return Page(**base)
        try:
            text, encoding = decode_body(reply.body, headers.get("content-type", ""))
        except IngestError as exc:
            raise FetchError(hops.asked, f"{hops.where(reply.url)}{exc}") from exc
        return Page(**base, body=reply.body, text=text, encoding=encoding)

    # One hop after another.

    def _follow(
        self, hops: _Hops, headers: dict, accept: tuple[str, ...], max_bytes: int, page: bool
    ) -> _Reply:
        """`page`: a page, which robots.txt must allow and which waits its turn at the host;
        else robots.txt itself, which does neither."""
        url = hops.asked
        for _ in range(self.policy.max_redirects + 1):
            target = self._check_target(hops, url)
            hops.seen.append(url)
            if page:
                self._obey_robots(hops, target)
            reply = self._exchange(hops, target, headers, accept, max_bytes, page)
            location = reply.headers.get("location")
            if reply.status not in REDIRECTS or not location:
                return self._settled(hops, reply)
            try:
                url = str(target.join(location))
            except httpx.InvalidURL as exc:
                raise FetchError(hops.asked, f"a redirect to a bad URL {location!r}") from exc
            if url in hops.seen:
                raise FetchError(hops.asked, f"redirect loop (back to {url})")
        raise FetchError(
            hops.asked, f"more than {self.policy.max_redirects} redirects (the last to {url})"
        )

    def _settled(self, hops: _Hops, reply: _Reply) -> _Reply:
        if reply.status < 300 or reply.status == 304:
            return reply
        where = hops.where(reply.url)
        tried = f" after {reply.tries} tries" if reply.tries > 1 else ""
        phrase = httpx.codes.get_reason_phrase(reply.status)
        raise FetchError(
            hops.asked,
            f"{where}HTTP {reply.status} {phrase}{tried}".rstrip(),
            status=reply.status,
            transient=reply.status in RETRIED,
        )

    def _check_target(self, hops: _Hops, url: str) -> httpx.URL:
        """The URL, if it may be asked for at all: scheme, length, no credentials, and a host
        whose addresses may be reached (checked again by the connection itself)."""
        where = hops.where(url)
        if len(url) > MAX_URL_CHARS:
            raise FetchError(hops.asked, f"{where}URL longer than {MAX_URL_CHARS} characters")
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(hops.asked, f"{where}not a valid URL ({exc})") from exc
        if target.scheme not in ("http", "https"):
            scheme = target.scheme or "none"
            reason = f"{where}only http and https URLs are fetched, not {scheme}"
            raise FetchError(hops.asked, reason)
        if not target.host:
            raise FetchError(hops.asked, f"{where}the URL names no host")
        if target.userinfo:
            raise FetchError(hops.asked, f"{where}URLs with a user name or password are refused")
        try:
            self.guard.connectable(target.host, target.port or _default_port(target))
        except AddressRefused as exc:
            raise FetchError(hops.asked, f"{where}{exc}") from exc
        except IngestError as exc:  # cannot resolve
            raise FetchError(hops.asked, f"{where}{exc}", transient=True) from exc
        return target

    def _exchange(
        self,
        hops: _Hops,
        target: httpx.URL,
        headers: dict,
        accept: tuple[str, ...],
        max_bytes: int,
        page: bool,
    ) -> _Reply:
        """One request, tried again after a 5xx, 429, timeout or dropped connection."""
        host = f"{target.host}:{target.port or _default_port(target)}"
        where = hops.where(str(target))
        tries = self.policy.retries + 1
        for attempt in range(1, tries + 1):
            wait = self.policy.backoff_s * 2 ** (attempt - 1)
            try:
                with self.limits.slot(host, spaced=page) as waited:
                    _extend_deadline(waited)  # politeness is not the server's slowness
                    with self._client.stream("GET", target, headers=headers) as r:
                        asked = _retry_after(r.headers) or 0.0
                        if r.status_code in RETRIED and attempt < tries and asked <= MAX_WAIT_S:
                            wait = max(wait, asked)
                        else:  # settled, or a server asking for a longer pause: reported
                            body = b""
                            if 200 <= r.status_code < 300:
                                body = self._body(hops, r, accept, max_bytes)
                            return _Reply(str(target), r.status_code, r.headers, body, attempt)
            except FetchError:
                raise
            except AddressRefused as exc:  # the connection's own check (DNS rebinding)
                raise FetchError(hops.asked, f"{where}{exc}") from exc
            except IngestError as exc:
                raise FetchError(hops.asked, f"{where}{exc}", transient=True) from exc
            except httpx.TransportError as exc:
                if self._time_left() <= 0:
                    raise self._too_slow(hops) from exc
                if attempt == tries or isinstance(exc, httpx.UnsupportedProtocol):
                    what = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
                    detail = f"{type(exc).__name__}{': ' + str(exc) if str(exc) else ''}"
                    raise FetchError(
                        hops.asked, f"{where}{what} after {attempt} tries ({detail})",
                        transient=True,
                    ) from exc  # fmt: skip
            if wait >= self._time_left():
                raise self._too_slow(hops)
            time.sleep(wait)
        raise AssertionError("unreachable")

    def _body(self, hops: _Hops, r: httpx.Response, accept: tuple[str, ...], max_bytes: int):  # noqa: ANN202 - bytes
        where = hops.where(str(r.url))
        kind = _media_type(r.headers)
        declared = r.headers.get("content-length", "")
        if accept and kind and kind not in accept:
            wanted = ", ".join(accept)
            raise FetchError(hops.asked, f"{where}the server sent {kind}, not a page ({wanted})")
        if (
            declared.isdigit()
            and int(declared) > max_bytes
            and not r.headers.get("content-encoding")
        ):
            raise FetchError(
                hops.asked,
                f"{where}page is {size_words(int(declared))}, over the {size_words(max_bytes)} "
                "limit (NEWSDESK_FETCH_MAX_PAGE_MB)",
            )
        try:
            body = read_limited(r.iter_raw(), r.headers.get("content-encoding", ""), max_bytes)
        except IngestError as exc:
            raise FetchError(hops.asked, f"{where}{exc} (NEWSDESK_FETCH_MAX_PAGE_MB)") from exc
        if accept and not kind and not _looks_like_markup(body[:512]):
            raise FetchError(hops.asked, f"{where}no content type, and the body is not markup")
        return body

    def _time_left(self) -> float:
        deadline = _DEADLINE.get()
        return float("inf") if deadline is None else deadline - time.monotonic()

    def _too_slow(self, hops: _Hops) -> FetchError:
        return FetchError(
            hops.asked,
            f"took longer than {self.policy.total_timeout_s:g} s in all "
            "(NEWSDESK_FETCH_TOTAL_TIMEOUT)",
            transient=True,
        )

    # robots.txt

    def _obey_robots(self, hops: _Hops, target: httpx.URL) -> None:
        if not self.policy.robots:
            return
        rules = self._rules(target)
        host = f"{target.host}:{target.port or _default_port(target)}"
        delay = rules.crawl_delay(ROBOTS_NAME)
        if delay is not None:
            self.limits.set_delay(host, delay)
        if rules.allows(ROBOTS_NAME, str(target)):
            return
        where = hops.where(str(target))
        if rules.closed_because:
            raise FetchError(
                hops.asked, f"{where}robots.txt {rules.closed_because}", transient=True
            )
        raise FetchError(hops.asked, f"{where}the site's robots.txt forbids fetching this page")

    def _rules(self, target: httpx.URL) -> RobotsRules:
        site = f"{target.scheme}://{target.netloc.decode('ascii')}"
        with self._robots_lock:
            rules = self._robots.get(site)
        if rules is not None and not rules.stale:
            return rules
        rules = self._read_robots(site + "/robots.txt")
        with self._robots_lock:
            self._robots[site] = rules
        return rules

    def _read_robots(self, url: str) -> RobotsRules:
        """RFC 9309: a 4xx (none there) allows everything; a 5xx or no answer closes the
        site for now."""
        try:
            reply = self._follow(_Hops(url), {}, (), ROBOTS_MAX_BYTES, page=False)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return RobotsRules()
            return RobotsRules(closed_because=f"could not be read ({exc.reason})")
        return RobotsRules.parse(reply.body.decode("utf-8", "replace"))


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def fetch(url: str, policy: FetchPolicy | None = None, **options: Any) -> Page:
    """One page with a fetcher of its own (`Fetcher.fetch` for the options); many pages
    should share one `Fetcher`, and its robots.txt cache and host limits."""
    with Fetcher(policy) as fetcher:
        return fetcher.fetch(url, **options)
