"""`newsdesk watch`: questions asked again after each ingest and sync (assistant/watcher.py).

Its own module so that the CLI's main file does not grow by a command's worth of printing:
cli.py adds the parser (`add_parser`) and calls `run`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.app import Newsdesk
    from assistant.watches import Reading, WatchView

EXIT_OK, EXIT_MISSING = 0, 4


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("watch", parents=[common], help="questions asked again after each ingest")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    v = verbs.add_parser("add", parents=[common], help="watch a question (asked now)")
    v.add_argument("question", metavar="QUESTION")
    v.add_argument("--outlet", metavar="NAME", help="only articles of this outlet")
    v.add_argument("--since", metavar="YYYY-MM-DD", help="only articles published on or after")
    v.add_argument(
        "--webhook",
        metavar="URL",
        help="POST each change here, signed with NEWSDESK_WATCH_SECRET (a private address "
        "only if NEWSDESK_FETCH_ALLOW_HOSTS lists it)",
    )
    v = verbs.add_parser("list", parents=[common], help="watches, their answers, unseen changes")
    v.add_argument("--json", action="store_true")
    v = verbs.add_parser("remove", parents=[common], help="stop watching (history goes too)")
    v.add_argument("ids", nargs="+", metavar="ID")
    v = verbs.add_parser(
        "history", parents=[common], help="a watch's changes, both answers cited (marks seen)"
    )
    v.add_argument("id", metavar="ID")
    v.add_argument("--json", action="store_true")
    verbs.add_parser("check", parents=[common], help="ask every watched question again now")


def _when(stamp: float | None) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M") if stamp else "never"


def _answer(reading: Reading | None, indent: str = "    ") -> list[str]:
    if reading is None:
        return [f"{indent}(not asked yet)"]
    lines = [f"{indent}{reading.text}"]
    for c in reading.citations:
        day = c.get("published_at") or "undated"
        lines.append(f"{indent}  [{c['n']}] {c['source'] or '?'}, {day}, {c['title']} "
                     f"(chars {c['start']}-{c['end']}) {c.get('url') or ''}".rstrip())  # fmt: skip
    return lines


def _summary(view: WatchView) -> list[str]:
    w = view.watch
    narrowed = "".join(
        f", {label} {value}" for label, value in (("outlet", w.outlet), ("since", w.since)) if value
    )
    hook = ", webhook" if w.webhook else ""
    badge = f"  [{view.unseen} new change(s)]" if view.unseen else ""
    head = f"{w.id}  {w.question}{narrowed}{hook}{badge}"
    return [head, f"    asked {_when(view.checked_at)}:", *_answer(view.last, "      ")]


def run(app: Newsdesk, args: argparse.Namespace) -> int:
    if args.verb == "add":
        view = app.add_watch(args.question, outlet=args.outlet, since=args.since,
                             webhook=args.webhook)  # fmt: skip
        print("\n".join(_summary(view)))
        print("asked again after each ingest and sync; 'newsdesk watch history ID' shows changes")
        return EXIT_OK
    if args.verb == "remove":
        missing = 0
        for watch_id in args.ids:
            if app.remove_watch(watch_id):
                print(f"removed watch {watch_id}")
            else:
                print(f"no watch {watch_id!r}", file=sys.stderr)
                missing += 1
        return EXIT_MISSING if missing else EXIT_OK
    if args.verb == "check":
        changes = app.check_watches()
        for change in changes:
            print(f"{change.watch_id}: {change.why}")
        print(f"{len(changes)} change(s)")
        return EXIT_OK
    if args.verb == "history":
        view = app.watch(args.id)
        if view is None:
            print(f"no watch {args.id!r} (see 'newsdesk watch list')", file=sys.stderr)
            return EXIT_MISSING
        app.mark_watch_seen(view.watch.id)
        if args.json:
            print(json.dumps(view.as_dict(history=True), indent=2, ensure_ascii=False))
            return EXIT_OK
        print("\n".join(_summary(view)))
        for change in view.changes:
            print(f"\n  {_when(change.at)}: {change.why}"
                  + (f" (webhook: {change.delivery})" if change.delivery else ""))  # fmt: skip
            print("    before:")
            print("\n".join(_answer(change.before, "      ")))
            print("    after:")
            print("\n".join(_answer(change.after, "      ")))
        print(f"\n{len(view.changes)} change(s)")
        return EXIT_OK
    views = app.watches()
    if args.json:
        print(json.dumps([v.as_dict() for v in views], indent=2, ensure_ascii=False))
        return EXIT_OK
    for view in views:
        print("\n".join(_summary(view)))
    print(f"{len(views)} watch(es)")
    return EXIT_OK
