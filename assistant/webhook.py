"""A watch's webhook: the change as JSON, signed, sent with retries, never to a private address.

The receiver checks `X-Newsdesk-Signature: sha256=<hex>`, the HMAC-SHA256 of the exact body
with the shared secret (NEWSDESK_WATCH_SECRET), before trusting anything in it; the body
holds when it was sent, so a receiver may refuse old replays. The URL meets the fetch rules
(ingest/web): http(s) only, no credentials, and no loopback, private or link-local address
unless NEWSDESK_FETCH_ALLOW_HOSTS lists it, checked when the watch is added and again at the
connection (`guarded_client`), so a name that resolves elsewhere later gets no further.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable

import httpx

from ingest.types import IngestError
from ingest.web.fetch import Fetcher, guarded_client
from ingest.web.policy import FetchPolicy

log = logging.getLogger(__name__)

SIGNATURE = "X-Newsdesk-Signature"
EVENT = "watch.changed"


def signature(secret: str, body: bytes) -> str:
    """The signature header's value for `body`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` signs `body` (what a receiver does; compared in constant time)."""
    return header is not None and hmac.compare_digest(signature(secret, body), header)


def check_webhook(url: str, policy: FetchPolicy, secret: str) -> str:
    """The URL, if a watch may send to it; ValueError naming `webhook` otherwise."""
    if not secret:
        raise ValueError("webhook: set NEWSDESK_WATCH_SECRET first (webhooks are signed with it)")
    with Fetcher(policy) as fetcher:
        try:
            fetcher.check(url)
        except IngestError as exc:
            raise ValueError(f"webhook: {exc}") from exc
    return url


def deliver(
    url: str,
    payload: dict,
    secret: str,
    policy: FetchPolicy,
    *,
    tries: int,
    backoff_s: float,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """POST `payload` to `url`: "sent" after a 2xx, else "failed: <why>" after `tries`
    tries, `backoff_s` apart and doubling. Never raises: a receiver that is down is the
    receiver's problem, not the ingest's."""
    body = json.dumps({**payload, "sent_at": time.time()}, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        SIGNATURE: signature(secret, body),
        "X-Newsdesk-Event": EVENT,
    }
    why = "not tried"
    with guarded_client(policy) as client:
        for attempt in range(tries):
            if attempt:
                sleep(backoff_s * 2 ** (attempt - 1))
            try:
                status = client.post(url, content=body, headers=headers).status_code
            except (httpx.HTTPError, IngestError) as exc:
                why = f"{type(exc).__name__}: {exc}"[:200]
                continue
            if 200 <= status < 300:
                return "sent"
            why = f"HTTP {status}"
            if 400 <= status < 500 and status not in (408, 429):
                break  # the receiver refuses this body: sending it again changes nothing
    # The host only: a webhook's path often holds the receiver's own token.
    log.warning("watch webhook to %s failed: %s", httpx.URL(url).host, why)
    return f"failed: {why}"
