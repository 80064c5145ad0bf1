"""Articles the project wrote for the hand-over tests: one with a hostile title (markup and a
`javascript:` link would be the attack), asked about so that the answers are real ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from assistant.app import Newsdesk
from assistant.types import Answer
from ingest.types import Article

HOSTILE_TITLE = 'Harbour <script>alert("x")</script> ferries & <img src=x onerror=alert(1)>'
ARTICLES = [
    Article(
        title=HOSTILE_TITLE,
        text=(
            "The Lakeport ferry company said on Tuesday that 14 ferries will cross the harbour "
            "each day from March. The company's chief executive, Mara Vell, said demand had "
            "doubled since the new pier opened."
        ),
        source="Lakeport Gazette",
        published_at="2024-02-06",
        url="https://gazette.example/harbour-ferries?id=7&ref=feed",
    ),
    Article(
        title="New pier opens on the east shore",
        text=(
            "The new east shore pier opened on Saturday after two years of building. It cost "
            "31 million euros, the city council said, and can berth four ferries at once."
        ),
        source="East Shore Herald",
        published_at="2024-01-20",
        url="https://herald.example/pier-opens",
    ),
]
ASKED_AT = datetime(2024, 2, 10, 9, 30, 15, tzinfo=UTC)


@pytest.fixture
def harbour_app(store_of: Callable[[list[Article]], Newsdesk]) -> Newsdesk:
    return store_of(ARTICLES)


@pytest.fixture
def answers(harbour_app: Newsdesk) -> list[Answer]:
    """Two real, cited answers from the store (the conversation of the tests)."""
    found = [
        harbour_app.ask("How many ferries will cross the harbour each day?"),
        harbour_app.ask("How much did the new east shore pier cost?"),
    ]
    assert all(a.citations and not a.abstained for a in found), [a.text for a in found]
    return found
