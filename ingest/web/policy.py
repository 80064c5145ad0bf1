"""What a fetch may do (`FetchPolicy`), how it fails (`FetchError`), and what counts as a URL.

Light on purpose: the settings import it, and `newsdesk --help` must not pay for an HTTP
client. The fetching itself is in `ingest.web.fetch`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.types import IngestError

# The product token robots.txt rules name us by ("User-agent: Newsdesk").
ROBOTS_NAME = "Newsdesk"
# A command-line item with a scheme ("https://...", "ftp://...") is a URL, not a file name:
# a scheme other than http(s) is then refused by name instead of "no such file".
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def is_url(item: object) -> bool:
    return isinstance(item, str) and bool(_URL.match(item))


def default_user_agent() -> str:
    """ "Newsdesk/<version> (...)": who we are, for the sites' logs and robots.txt."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("newsdesk")
    except PackageNotFoundError:  # run from a source tree that was never installed
        release = "0"
    return (
        f"{ROBOTS_NAME}/{release} (news question-answering assistant; fetches pages its "
        "users name; obeys robots.txt)"
    )


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and manners of every fetch (settings `ingest.fetch.*`, NEWSDESK_FETCH_*).

    `allow_hosts`: host names, addresses or CIDR networks that may be fetched even though
    they are loopback, private or link-local (a deployment's intranet; the tests' local
    server). Cloud metadata addresses are refused even then.
    """

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0
    # One fetch in all: redirects, retries and backoff, to the last byte.
    total_timeout_s: float = 60.0
    # News pages run to 2 MB; a hostile page of this size costs the readers ~25 s of CPU.
    max_page_mb: float = 5.0
    # "" is `default_user_agent()`; a deployment may add its contact ("+https://...").
    user_agent: str = ""
    allow_hosts: tuple[str, ...] = ()
    robots: bool = True
    max_redirects: int = 5
    # Tries after the first, for a 5xx, 429, timeout or dropped connection, waiting
    # `backoff_s`, then twice that, ...
    retries: int = 2
    backoff_s: float = 0.5
    # Per host: requests at once, and seconds between the starts of two requests.
    per_host: int = 2
    host_interval_s: float = 1.0
    # A PEM file of certificate authorities trusted besides the system's (certifi's): an
    # intranet's own CA, the tests' local one. Certificates are always checked, the host
    # name included; there is no setting that turns that off.
    ca_file: str = ""

    @property
    def max_bytes(self) -> int:
        return int(self.max_page_mb * 1024 * 1024)

    @property
    def agent(self) -> str:
        return self.user_agent or default_user_agent()


class FetchError(IngestError):
    """A URL that gave no page; `reason` says why in words. `transient` is true for what may
    work later (timeouts, 5xx, 429, a dropped connection), false for what will not (refused
    address, robots.txt, 404, too large, not HTML). `status` is the last HTTP status, if any.
    """

    def __init__(
        self, url: str, reason: str, *, status: int | None = None, transient: bool = False
    ) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.transient = transient
