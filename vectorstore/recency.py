"""Fresh news first: the news of the days before a question outranks the archive.

A news question is asked on a day, and the newest reporting is usually what it is about
("How many US troops are in Syria?" means now). Two things do it, both in
`SearchConfig`: the last few days get candidate lists of their own, and fused scores
decay with the news's age. Both are relative to the question's day, so a store whose
articles are all months old ranks exactly as without them.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from vectorstore.config import SearchConfig
from vectorstore.types import SearchFilters


def day_number(day: date) -> int:
    """YYYYMMDD as an int: how `published_day` is stored in chunk metadata."""
    return day.year * 10000 + day.month * 100 + day.day


def from_day_number(value: int) -> date | None:
    """The date of a YYYYMMDD int; None for 0 (undated) or a number that is no date."""
    try:
        return date(value // 10000, value // 100 % 100, value % 100)
    except ValueError:
        return None


def fresh_filters(
    filters: SearchFilters, as_of: date, config: SearchConfig
) -> SearchFilters | None:
    """The filters narrowed to the last `recent_days` up to `as_of`; None when that window
    is off or falls outside the filters' own range."""
    if config.recent_days <= 0:
        return None
    start = as_of - timedelta(days=config.recent_days)
    after = max(start, filters.published_after or start)
    before = min(as_of, filters.published_before or as_of)
    if after > before:
        return None
    return dataclasses.replace(filters, published_after=after, published_before=before)


def recency_factor(published_day: int | None, as_of: date, config: SearchConfig) -> float:
    """1 + boost x 0.5^(age / half-life): at boost 1, x2 for news of `as_of`, x1.5 a
    half-life earlier, ~x1 after a month. Undated news and news after `as_of` get 1."""
    if not config.recency_boost or not published_day or config.recency_half_life_days <= 0:
        return 1.0
    published = from_day_number(published_day)
    if published is None or published > as_of:
        return 1.0
    age = (as_of - published).days
    return 1.0 + config.recency_boost * 0.5 ** (age / config.recency_half_life_days)
