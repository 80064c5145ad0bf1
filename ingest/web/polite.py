"""Manners towards the sites fetched: how often a host is asked (`HostLimits`), and what its
robots.txt allows (`RobotsRules`).

One `HostLimits` may be shared by every fetcher of a process (a sync of many feeds), so that
together they never ask one host more often than the policy allows.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.robotparser import RobotFileParser

# robots.txt is cached this long per site (RFC 9309 asks for at most 24 hours).
ROBOTS_TTL_S = 3600.0
# The most of a robots.txt read (RFC 9309: a parser must read at least 500 KiB).
ROBOTS_MAX_BYTES = 512 * 1024
# A Crawl-delay longer than this is read as this (the rule is not in RFC 9309; some sites
# set hours).
MAX_CRAWL_DELAY_S = 60.0


class HostLimits:
    """At most `per_host` requests to one host at once, and `interval_s` between the starts
    of two of them (longer when its robots.txt asks, up to MAX_CRAWL_DELAY_S). Thread-safe."""

    def __init__(self, per_host: int = 2, interval_s: float = 1.0) -> None:
        self.per_host = max(1, per_host)
        self.interval_s = max(0.0, interval_s)
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def set_delay(self, host: str, seconds: float) -> None:
        """The host's own wish (robots.txt Crawl-delay), when longer than `interval_s`."""
        with self._lock:
            self._delays[host] = min(max(0.0, seconds), MAX_CRAWL_DELAY_S)

    @contextlib.contextmanager
    def slot(self, host: str, spaced: bool = True) -> Iterator[float]:
        """Hold one of the host's request slots, once its turn has come; gives the seconds
        waited for it. `spaced=False` (robots.txt) takes a slot without a turn."""
        queued = time.monotonic()
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        semaphore.acquire()
        try:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, now)) if spaced else now
                if spaced:
                    gap = max(self.interval_s, self._delays.get(host, 0.0))
                    self._next_start[host] = start + gap
            if start > now:
                time.sleep(start - now)
            yield time.monotonic() - queued
        finally:
            semaphore.release()


@dataclass
class RobotsRules:
    """One site's robots.txt as read at `fetched_at`: everything allowed, everything
    forbidden (it could not be read: RFC 9309 treats the site as closed for now), or the
    file's own rules."""

    parser: RobotFileParser | None = None
    closed_because: str | None = None
    fetched_at: float = field(default_factory=time.monotonic)

    @classmethod
    def parse(cls, text: str) -> RobotsRules:
        parser = RobotFileParser()
        parser.parse(text.splitlines())
        return cls(parser)

    @property
    def stale(self) -> bool:
        return time.monotonic() - self.fetched_at > ROBOTS_TTL_S

    def allows(self, agent: str, url: str) -> bool:
        if self.closed_because is not None:
            return False
        return self.parser is None or self.parser.can_fetch(agent, url)

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None
