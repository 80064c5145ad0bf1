"""`newsdesk stories`: the stored articles grouped into stories (assistant/stories/), each
with its outlets, first and last report, and what its outlets share and differ on, cited.

Its own module, as `newsdesk watch` is: cli.py adds the parser and calls `run`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.stories.listing import MAX_LIMIT

if TYPE_CHECKING:
    from assistant.app import Newsdesk
    from assistant.stories.listing import StoryList
    from assistant.stories.story import Story
    from assistant.types import Citation

EXIT_OK = 0


def _limit(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"a number of stories from 1 to {MAX_LIMIT}")
    return number


def add_parser(
    sub: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    day: Callable[[str], object],
    outlet: Callable[[str], str],
) -> None:
    p = sub.add_parser(
        "stories", parents=[common], help="articles grouped into stories across outlets and days"
    )
    p.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="published on or after")
    p.add_argument("--until", type=day, metavar="YYYY-MM-DD", help="published on or before")
    p.add_argument("--source", type=outlet, metavar="OUTLET", help="stories this outlet reported")
    p.add_argument("--limit", type=_limit, default=20, help="stories shown, largest first [20]")
    p.add_argument("--json", action="store_true", help="print the stories as JSON")


def _cite(c: Citation) -> str:
    day = c.published_at or "undated"
    where = f"chars {c.start}-{c.end}"
    return f"  [{c.n}] {c.source or '?'}, {day}, {c.title} ({where}) {c.url or ''}".rstrip()


def story_lines(story: Story) -> list[str]:
    """A story as the CLI prints it (the remote CLI too)."""
    span = story.first_report or "undated"
    if story.last_report and story.last_report != story.first_report:
        span += f" to {story.last_report}"
    outlets = ", ".join(story.outlets) or "no outlet named"
    lines = [f"{story.id}  {story.headline}",
             f"    {len(story.article_ids)} article(s), {span}; {outlets}"]  # fmt: skip
    for fact in story.shared:
        c = fact.citation
        lines.append(f"    shared by {', '.join(fact.outlets)}: “{c.quote}” [{c.n}]")
    for diff in story.differing:
        a, b = diff.sides
        kind = "on the same day" if diff.same_day else "on different days (perhaps an update)"
        lines.append(f"    differ on {diff.what}, {kind}:")
        lines.append(
            f"      {a.source or '?'} ({a.published_at or 'undated'}): “{a.quote}” [{a.n}]"
        )
        lines.append(
            f"      {b.source or '?'} ({b.published_at or 'undated'}): “{b.quote}” [{b.n}]"
        )
    lines += ["   " + _cite(c) for c in story.citations()]
    return lines


def run(app: Newsdesk, args: argparse.Namespace) -> int:
    found: StoryList = app.stories(
        since=args.since, until=args.until, source=args.source, limit=args.limit
    )
    if args.json:
        print(json.dumps(found.as_dict(), indent=1, ensure_ascii=False))
        return EXIT_OK
    for story in found.stories:
        print("\n".join(story_lines(story)))
        print()
    shown = len(found.stories)
    print(f"{shown} of {found.stories_found} stories, from {found.articles_grouped} article(s)")
    for note in found.notes:
        print(f"note: {note}")
    return EXIT_OK
