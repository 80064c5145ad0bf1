"""`newsdesk brief TOPIC --since DAY [--until DAY] [--source OUTLET]`: what happened with a
topic over a period, as a dated timeline of events, each sentence cited (assistant/briefing/).

Its own module, as `newsdesk watch` is: cli.py adds the parser and calls `run`. Progress
("searching", "event 2 of 5") goes to stderr, the briefing to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from assistant.briefing.build import MAX_TOPIC_CHARS

if TYPE_CHECKING:
    from assistant.app import Newsdesk
    from assistant.briefing import Briefing
    from assistant.types import Citation

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _topic(value: str) -> str:
    # Checked while parsing: a blank or overlong topic is refused before any store is opened.
    value = " ".join(value.split())
    if not value or len(value) > MAX_TOPIC_CHARS:
        raise argparse.ArgumentTypeError(f"a topic of 1 to {MAX_TOPIC_CHARS} characters")
    return value


def add_parser(
    sub: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    day: Callable[[str], object],
    outlet: Callable[[str], str],
    export_file: Callable[[str], str],
) -> None:
    p = sub.add_parser(
        "brief", parents=[common], help="what happened with a topic over a period, cited"
    )
    p.add_argument("topic", type=_topic, metavar="TOPIC")
    p.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="published on or after")
    p.add_argument("--until", type=day, metavar="YYYY-MM-DD", help="published on or before")
    p.add_argument("--source", type=outlet, metavar="OUTLET", help="only this outlet's reports")
    p.add_argument("--json", action="store_true", help="print the briefing as JSON")
    p.add_argument(
        "--export",
        type=export_file,
        metavar="FILE",
        help="also hand the briefing over as FILE (.md, .html or .docx)",
    )


def _cite(c: Citation) -> str:
    # A pasted file often names no outlet: say nothing rather than "?".
    said = ", ".join(x for x in (c.source, (c.published_at or "")[:10] or "undated", c.title) if x)
    return f"    [{c.n}] {said} (chars {c.start}-{c.end}) {c.url or ''}".rstrip()


def briefing_lines(briefing: Briefing) -> list[str]:
    """A briefing as the CLI prints it (the remote CLI too)."""
    lines = [f"{briefing.title} ({briefing.articles_read} article(s) read)"]
    if not briefing.events:
        return [*lines, "", briefing.empty_text]
    for e in briefing.events:
        outlets = ", ".join(f"{o.name} ({o.first or 'undated'})" for o in e.outlets)
        lines += ["", f"{e.date or 'undated'}  {outlets}", f"  {e.text}"]
        lines += [f"  {d.describe()}" for d in e.differences]
        lines += [_cite(c) for c in e.all_citations]
    notes = [n for n in briefing.notes if n != briefing.empty_text]
    return lines + ([""] if notes else []) + [f"note: {n}" for n in notes]


def _export(briefing: Briefing, made: datetime, path: str) -> int:
    from assistant.cli_export import write_export
    from assistant.handover import briefing_document

    return write_export(path, briefing_document(briefing, made))


def run(app: Newsdesk, args: argparse.Namespace) -> int:
    made = datetime.now(UTC)

    def say(stage: str) -> None:
        print(f"… {stage}", file=sys.stderr)

    try:
        briefing = app.brief(args.topic, since=args.since, until=args.until, source=args.source,
                             progress=say)  # fmt: skip
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(briefing.to_dict(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(briefing_lines(briefing)))
    return _export(briefing, made, args.export) if args.export else EXIT_OK
