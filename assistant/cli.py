"""`newsdesk`: the command line.

Exit codes scripts can rely on:
  0  success (an abstention is a successful answer: check "abstained" in --json output)
  1  failure: the store or a model could not be used
  2  usage or settings error
  3  ingest finished but skipped some files or records (each named on stderr)
  4  not found (an article id that is not stored)
  141  the reader of the output went away (`newsdesk articles list | head`): quietly, as
       other Unix tools end on SIGPIPE
"""
# Heavy imports (Chroma, sentence-transformers) happen only in the commands that need them.

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING

from assistant import cli_brief, cli_stories, cli_watch
from assistant.options import describe_options
from assistant.settings import SettingsError, load_settings

if TYPE_CHECKING:
    from datetime import datetime

    from assistant.app import Newsdesk
    from assistant.types import Answer
    from vectorstore.lock import StoreBusy

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_PARTIAL, EXIT_NOT_FOUND = 0, 1, 2, 3, 4
SAMPLE_LABEL = "sample article, not real news"
MAX_OUTLET_CHARS = 200
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a process ended by SIGPIPE


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from exc


def _outlet(value: str) -> str:
    value = " ".join(value.split())
    if not value or len(value) > MAX_OUTLET_CHARS:
        raise argparse.ArgumentTypeError(f"an outlet name of 1 to {MAX_OUTLET_CHARS} characters")
    return value


def _question(value: str) -> str:
    # Checked while parsing: a blank question is refused before any store is opened.
    if not value.strip():
        raise argparse.ArgumentTypeError("the question is empty")
    return value


def _export_file(value: str) -> str:
    # Checked while parsing: a file whose format cannot be told is refused before asking.
    from pathlib import Path

    from assistant.handover import format_of_file

    try:
        format_of_file(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if not Path(value).absolute().parent.is_dir():
        raise argparse.ArgumentTypeError(f"{value}: its folder does not exist")
    return value


def _build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    g = common.add_argument_group("settings (override NEWSDESK_* variables and the config file)")
    sup = argparse.SUPPRESS
    g.add_argument("--config", metavar="FILE", default=sup, help="TOML config file")
    g.add_argument("--data-dir", metavar="DIR", default=sup, help="where the store lives")
    g.add_argument("--chroma-host", metavar="HOST", default=sup, help="use a Chroma server")
    g.add_argument("--chroma-port", metavar="PORT", type=int, default=sup)
    g.add_argument("--collection", metavar="NAME", default=sup, help="collection name prefix")
    g.add_argument(
        "--no-sample",
        dest="sample_corpus",
        action="store_false",
        default=sup,
        help="do not load the sample articles into an empty store",
    )

    filters = argparse.ArgumentParser(add_help=False)
    f = filters.add_argument_group("filters")
    f.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="OUTLET",
        help="only articles from this outlet (repeatable)",
    )
    f.add_argument("--after", type=_date, metavar="YYYY-MM-DD", help="published on or after")
    f.add_argument("--before", type=_date, metavar="YYYY-MM-DD", help="published on or before")
    f.add_argument("-k", type=int, metavar="N", help="passages to retrieve [settings: top_k]")
    f.add_argument(
        "--include-samples",
        action="store_true",
        help="let the bundled sample articles answer too (by default they do only in a store "
        "that holds nothing else)",
    )
    f.add_argument(
        "--as-of",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the day to ask on: 'last week' and 'now' count from it, nothing later is used "
        "[default: today, or the newest article's date when the articles end earlier]",
    )

    parser = argparse.ArgumentParser(
        prog="newsdesk",
        parents=[common],
        description="Ask questions about news articles; every answer cites its sources.",
        epilog="environment variables:\n"
        + describe_options()
        + "\n\n"
        + __doc__.split("\n", 2)[2].strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", parents=[common], help="add article files, folders or web pages")
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH|URL",
        help="files, folders (recursive) or http(s) URLs of web pages (fetched under the "
        "NEWSDESK_FETCH_* limits; private addresses need NEWSDESK_FETCH_ALLOW_HOSTS)",
    )
    p.add_argument("--chunk-size", type=int, default=None, metavar="CHARS")
    p.add_argument("--chunk-overlap", type=int, default=None, metavar="CHARS")
    p.add_argument("--max-file-mb", type=float, default=None, metavar="MB")
    p.add_argument(
        "--workers", type=int, default=None, metavar="N",
        help="processes that read and embed while this one writes (0: one per core; through "
        "a running server, the server embeds) [NEWSDESK_INGEST_WORKERS, 1]",
    )  # fmt: skip
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print a JSON report")
    p.add_argument("--outlet", type=_outlet, metavar="NAME", help="the outlet of every article")
    p.add_argument(
        "--published", type=_date, metavar="YYYY-MM-DD", help="the date of every article"
    )

    p = sub.add_parser("ask", parents=[common, filters], help="answer one question")
    p.add_argument("question", type=_question, help="the question, in quotes")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument(
        "--export", type=_export_file, metavar="FILE",
        help="also write the answer with its sources to FILE: .md (footnotes), .html (a "
        "self-contained page) or .docx (Word)",
    )  # fmt: skip

    p = sub.add_parser("chat", parents=[common, filters], help="a conversation in the terminal")
    p.add_argument(
        "--export", type=_export_file, metavar="FILE",
        help="when the chat ends, write every answer with its sources to FILE: .md, .html "
        "or .docx",
    )  # fmt: skip

    p = sub.add_parser("eval", parents=[common], help="measure answer quality on a question set")
    p.add_argument("dataset", metavar="DATASET_DIR", help="folder with questions.jsonl etc.")
    p.add_argument("--out", metavar="DIR", help="where result.json and report.md go")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    p.add_argument(
        "--no-explanations", action="store_true",
        help="ingest articles.jsonl alone (the setting for abstention on unanswerable questions)",
    )  # fmt: skip
    p.add_argument("--no-baseline", action="store_true", help="skip the dense baseline")
    p.add_argument(
        "--sample", type=int, metavar="N",
        help="a random sample of N questions, storing only the articles they point at",
    )  # fmt: skip
    p.add_argument(
        "--seed", type=int, default=0, metavar="S", help="which sample --sample draws [0]"
    )
    p.add_argument(
        "--skip", type=int, default=0, metavar="N",
        help="leave out the first N questions (and the articles only they point at) [0]",
    )  # fmt: skip
    p.add_argument(
        "--leave-out", metavar="FILE",
        help="ask none of the questions whose ids FILE holds (.jsonl, an \"id\" a line: the "
        "reader's training examples), so the figures are on questions no model learned "
        "from; their articles stay stored",
    )  # fmt: skip

    p = sub.add_parser("articles", parents=[common], help="list, show or remove articles")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    v = verbs.add_parser("list", parents=[common], help="stored articles, newest first")
    v.add_argument("--source", action="append", default=[], metavar="OUTLET")
    v.add_argument("--search", metavar="TEXT", help="only titles containing TEXT")
    v.add_argument(
        "--match", metavar="TEXT", help="only articles with TEXT in title, outlet, URL or text"
    )
    v.add_argument("--json", action="store_true")
    v = verbs.add_parser("show", parents=[common], help="one article's metadata and text")
    v.add_argument("id")
    v.add_argument("--json", action="store_true")
    v = verbs.add_parser("remove", parents=[common], help="delete articles and their chunks")
    v.add_argument("ids", nargs="*", metavar="ID")
    v.add_argument(
        "--samples", action="store_true", help="delete every sample article (never reloaded)"
    )

    p = sub.add_parser("sources", parents=[common], help="feeds and sitemaps kept in sync")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    v = verbs.add_parser(
        "add", parents=[common], help="add a feed (RSS, Atom, JSON Feed) or a sitemap"
    )
    v.add_argument("url", metavar="URL", help="the feed's or sitemap's http(s) address")
    v.add_argument(
        "--every", metavar="INTERVAL", help="how often to sync: 30m, 2h, 1d [NEWSDESK_SYNC_EVERY]"
    )
    v.add_argument("--outlet", type=_outlet, metavar="NAME", help="the outlet of its articles")
    v = verbs.add_parser("list", parents=[common], help="sources, last run, errors, next run")
    v.add_argument("--json", action="store_true")
    v = verbs.add_parser("remove", parents=[common], help="forget sources (articles stay)")
    v.add_argument("refs", nargs="+", metavar="SOURCE", help="a source's id or URL")

    p = sub.add_parser("sync", parents=[common], help="sync sources now, or keep them in sync")
    p.add_argument("refs", nargs="*", metavar="SOURCE", help="ids or URLs [all sources]")
    p.add_argument(
        "--watch",
        action="store_true",
        help="keep running due syncs until stopped (one scheduler per store: another one "
        "waits, and takes over when this one stops)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the runs as JSON")

    cli_watch.add_parser(sub, common)
    cli_stories.add_parser(sub, common, _date, _outlet)
    cli_brief.add_parser(sub, common, _date, _outlet, _export_file)

    p = sub.add_parser("export", parents=[common], help="write every article to JSON Lines")
    p.add_argument("file", metavar="FILE.jsonl", help="where to write ('-': standard output)")
    p = sub.add_parser("import", parents=[common], help="restore articles from an export")
    p.add_argument("file", metavar="FILE.jsonl", help="a file written by 'newsdesk export'")

    p = sub.add_parser("check", parents=[common], help="check the store for crash damage")
    p.add_argument(
        "--repair",
        action="store_true",
        help="remove orphan chunks, rebuild a damaged dense index or BM25 cache "
        "(no other writer running)",
    )

    p = sub.add_parser("serve", parents=[common], help="serve the HTTP API (REST, OpenAI, MCP)")
    p.add_argument("--host", metavar="HOST", help="address to listen on [settings: 127.0.0.1]")
    p.add_argument("--port", type=int, metavar="N", help="port to listen on [settings: 8000]")
    p.add_argument(
        "--mcp-stdio", action="store_true", help="serve the MCP tools on stdin/stdout instead"
    )
    p.add_argument(
        "--no-sync",
        dest="in_server",
        action="store_false",
        default=None,
        help="do not run due syncs of sources in this server [NEWSDESK_SYNC_IN_SERVER]",
    )

    p = sub.add_parser(
        "llm-server", parents=[common], help="serve the bundled model, OpenAI-compatible"
    )
    p.add_argument("--port", type=int, default=8080, metavar="N", help="port on 127.0.0.1")
    p.add_argument("--model", choices=("0.5b", "1.5b"), help="[settings: llm.local_model]")
    return parser


def _settings(args: argparse.Namespace):  # noqa: ANN202 - Settings
    overrides = {
        "data_dir": getattr(args, "data_dir", None),
        "store.host": getattr(args, "chroma_host", None),
        "store.port": getattr(args, "chroma_port", None),
        "store.collection": getattr(args, "collection", None),
        "sample_corpus": getattr(args, "sample_corpus", None),
        "ingest.chunking.chunk_size": getattr(args, "chunk_size", None),
        "ingest.chunking.chunk_overlap": getattr(args, "chunk_overlap", None),
        "ingest.max_file_mb": getattr(args, "max_file_mb", None),
        "ingest.workers": getattr(args, "workers", None),
        "sync.in_server": getattr(args, "in_server", None),
    }
    return load_settings(getattr(args, "config", None), overrides)


def _filters(args: argparse.Namespace):  # noqa: ANN202 - SearchFilters
    from vectorstore.types import SearchFilters

    return SearchFilters(
        sources=tuple(args.source), published_after=args.after, published_before=args.before
    )


def format_answer(answer: Answer) -> str:
    lines = (
        [f"(understood as: {answer.rewritten_question})", ""] if answer.rewritten_question else []
    )
    lines += [answer.text, ""]
    if answer.support and answer.confidence is not None:
        lines += [f"Support: {answer.support} ({answer.confidence:.2f})", ""]
    if answer.citations:
        lines.append("Sources")
        for c in answer.citations:
            day = c.published_at[:10] if c.published_at else None
            meta = ", ".join(x for x in (c.source, day) if x)
            mark = f" [{SAMPLE_LABEL}]" if c.sample else ""
            lines.append(f"[{c.n}] {c.title}" + (f" ({meta})" if meta else "") + mark)
            if c.url:
                lines.append(f"    {c.url}")
            lines.append(f"    “{c.quote}”")
            lines.append(f"    article {c.article_id}, characters {c.start}-{c.end}")
    for note in answer.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines).rstrip()


def _cmd_ingest(app: Newsdesk, args: argparse.Namespace) -> int:
    from assistant.ingest_workers import IngestWorkerLost
    from ingest.types import MetadataEdit

    published = args.published.isoformat() if args.published else None
    edit = MetadataEdit(source=args.outlet, published_at=published)
    try:
        outcome = app.ingest(
            args.paths,
            progress=not args.no_progress and sys.stderr.isatty(),
            edit=edit if args.outlet or published else None,
        )
    except IngestWorkerLost as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    r = outcome.report
    for problem in outcome.problems:
        print(f"skipped {problem}", file=sys.stderr)
    from ingest.web.policy import is_url

    pages = sum(map(is_url, args.paths))
    if args.json:
        payload = {
            "files": outcome.files_seen - pages,
            "pages": pages,
            "articles_found": outcome.articles_found,
            "added": r.added,
            "unchanged": r.unchanged,
            "replaced": r.replaced,
            "chunks": r.chunks_written,
            "seconds": round(r.seconds, 3),
            "problems": [asdict(p) for p in outcome.problems],
        }
        print(json.dumps(payload, indent=2))
    else:
        rate = f", {r.chunks_written / r.seconds:.1f} chunks/s" if r.seconds and r.added else ""
        seen = f"{outcome.files_seen - pages} file(s)" + (f", {pages} page(s)" if pages else "")
        print(
            f"{seen}: {len(r.added)} article(s) added "
            f"({r.chunks_written} chunks), {len(r.unchanged)} unchanged, "
            f"{len(r.replaced)} replaced, {len(outcome.problems)} skipped "
            f"in {r.seconds:.1f}s{rate}"
        )
    return EXIT_PARTIAL if outcome.problems else EXIT_OK


def _cmd_ask(app: Newsdesk, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    asked_at = datetime.now(UTC)
    answer = app.ask(
        args.question,
        filters=_filters(args),
        k=args.k,
        as_of=args.as_of,
        include_samples=args.include_samples,
    )
    if args.json:
        print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_answer(answer))
    return _write_export(args.export, [(answer, asked_at)]) if args.export else EXIT_OK


def _write_export(path: str, turns: list[tuple[Answer, datetime]]) -> int:
    """The answers, oldest first, handed over as the file `path` names (assistant/handover)."""
    from assistant.cli_export import write_export
    from assistant.handover import handover_document

    if not turns:
        print(f"nothing asked: {path} not written", file=sys.stderr)
        return EXIT_OK
    return write_export(path, handover_document(turns))


def _questions(interactive: bool) -> Iterator[str]:
    """The questions typed at the `you>` prompt, or read one a line from a pipe or a file
    (there, without prompts, and blank lines are skipped rather than ending the chat)."""
    if not interactive:
        yield from (line.strip() for line in sys.stdin if line.strip())
        return
    while True:
        try:
            yield input("\nyou> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return


def _cmd_chat(app: Newsdesk, args: argparse.Namespace) -> int:
    interactive = sys.stdin.isatty()
    if interactive:
        print("Ask about your articles. Follow-ups like 'and in Iraq?' work; /new starts over;")
        print("an empty line or /quit leaves.")
    from datetime import UTC, datetime

    asked: list[str] = []
    answers: list[tuple[Answer, datetime]] = []
    for question in _questions(interactive):
        if question in ("", "/quit", "/exit"):
            break
        if question == "/new":
            asked.clear()
            if interactive:
                print("New conversation.")
            continue
        asked_at = datetime.now(UTC)
        try:
            answer = app.ask(
                question,
                filters=_filters(args),
                k=args.k,
                as_of=args.as_of,
                conversation=asked,
                include_samples=args.include_samples,
            )
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        # Answers are set apart by a blank line (after the prompt's own, when typed).
        print(("\n" if interactive or answers else "") + format_answer(answer), flush=True)
        asked.append(answer.rewritten_question or question)
        answers.append((answer, asked_at))
    return _write_export(args.export, answers) if args.export else EXIT_OK


def _cmd_articles(app: Newsdesk, args: argparse.Namespace) -> int:
    if args.verb == "list":
        from vectorstore.types import ArticleQuery

        infos = app.list_articles(ArticleQuery(tuple(args.source), args.search, args.match))
        if args.json:
            print(json.dumps([asdict(i) for i in infos], indent=2, ensure_ascii=False))
        else:
            for i in infos:
                print(
                    f"{i.id}  {i.published_at or '----------':10.10}  {i.source[:20]:20}  "
                    f"{i.chunk_count:3d} chunks  {'[sample] ' if i.sample else ''}{i.title}"
                )
            samples = sum(i.sample for i in infos)
            note = f", {samples} of them invented sample articles" if samples else ""
            print(f"{len(infos)} article(s){note}")
        return EXIT_OK
    if args.verb == "show":
        shown = app.article(args.id)
        if shown is None:
            print(f"error: no article with id {args.id!r}", file=sys.stderr)
            return EXIT_NOT_FOUND
        if args.json:
            print(json.dumps(shown.as_dict(), indent=2, ensure_ascii=False))
        else:
            for key in ("id", "title", "source", "published_at", "url", "author", "origin"):
                print(f"{key:>13}: {getattr(shown.info, key) or ''}")
            print(f"{'chunks':>13}: {shown.info.chunk_count}\n\n{shown.text}")
        return EXIT_OK
    if args.samples:
        for aid in app.remove_samples():
            print(f"removed sample {aid}")
    elif not args.ids:
        print("error: name the article ids to remove, or --samples", file=sys.stderr)
        return EXIT_USAGE
    return _remove_each(args.ids, app.remove_article, "removed {}", "no article with id {!r}")


def _remove_each(refs: Sequence[str], remove: Callable[[str], bool], done: str, gone: str) -> int:
    """Remove each of `refs`: print what was removed (`done`) and, on stderr, what was not
    there (`gone`); exit 4 when something was not."""
    missing = [ref for ref in refs if not remove(ref)]
    for ref in refs:
        if ref not in missing:
            print(done.format(ref))
    for ref in missing:
        print(f"error: {gone.format(ref)}", file=sys.stderr)
    return EXIT_NOT_FOUND if missing else EXIT_OK


def _cmd_eval(app: Newsdesk, args: argparse.Namespace) -> int:
    from pathlib import Path

    from assistant.evaluation.dataset import question_ids
    from assistant.evaluation.runner import run_evaluation, summarise, write_report

    try:
        leave_out = question_ids(Path(args.leave_out)) if args.leave_out else frozenset()
        run = run_evaluation(
            args.dataset, app.settings, limit=args.limit,
            explanations=not args.no_explanations, baseline=not args.no_baseline,
            progress=sys.stderr.isatty(), sample=args.sample, seed=args.seed, skip=args.skip,
            leave_out=leave_out,
        )  # fmt: skip
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    stamp = date.today().isoformat()
    out = Path(
        args.out or app.settings.data_dir / "eval-results" / f"{Path(args.dataset).name}-{stamp}"
    )
    json_path, _ = write_report(run, out)
    summary = summarise(run.results)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in summary.items()}))
    written = sorted(p.name for p in out.iterdir() if p.suffix in (".json", ".md", ".png"))
    print(f"wrote {', '.join(written)} in {json_path.parent}")
    return EXIT_OK


def _when(stamp: float | None) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M") if stamp else "never"


def _cmd_sources(app: Newsdesk, args: argparse.Namespace) -> int:
    if args.verb == "add":
        view = app.add_source(args.url, every=args.every, outlet=args.outlet)
        info = view.as_dict()
        outlet = f", outlet {info['outlet']}" if info["outlet"] else ""
        print(f"source {view.id}: {info['url']} every {info['every']}{outlet}")
        print("next: 'newsdesk sync' now, or 'newsdesk serve' / 'newsdesk sync --watch'")
        return EXIT_OK
    if args.verb == "remove":
        done = "removed source {} (its articles stay in the library)"
        return _remove_each(args.refs, app.remove_source, done, "no source {!r}")
    views = [v.as_dict() for v in app.sources()]
    if args.json:
        print(json.dumps(views, indent=2, ensure_ascii=False))
        return EXIT_OK
    for v in views:
        state = "failing" if v["last_error"] else ("ok" if v["last_success_at"] else "new")
        print(f"{v['id']}  every {v['every']:>4}  {v['kind'] or '?':13}  {state:7}  {v['url']}")
        print(f"    last success {_when(v['last_success_at'])}, next run "
              f"{'now' if v['sync_requested'] else _when(v['next_run_at'])}")  # fmt: skip
        run = v["last_run"]
        if run:
            print(f"    last run: {run['status']}, {run['listed']} listed, {run['added']} added, "
                  f"{run['replaced']} replaced, {run['unchanged']} unchanged, "
                  f"{run['failed']} failed")  # fmt: skip
            for error in run["errors"][:5]:
                print(f"    failed {error['url']}: {error['reason']}")
        if v["last_error"]:
            print(f"    error: {v['last_error']}")
    print(f"{len(views)} source(s)")
    return EXIT_OK


def _cmd_sync(app: Newsdesk, args: argparse.Namespace) -> int:
    if args.watch:
        return _watch(app, args)
    outcome = app.sync(args.refs, progress=not args.no_progress and sys.stderr.isatty())
    from assistant.sync import describe_run

    if args.json:
        payload = {"runs": [asdict(r) for r in outcome.runs], "queued": outcome.queued,
                   "holder": outcome.holder}  # fmt: skip
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    for run in outcome.runs:
        if not args.json:
            print(describe_run(run))
        for error in run.errors:
            print(f"failed {error.url}: {error.reason}", file=sys.stderr)
    if outcome.queued:
        print(
            f"note: {', '.join(outcome.queued)} asked to sync now: the syncs of this store are "
            f"run by {outcome.holder}, which will do it within seconds",
            file=sys.stderr,
        )
    if not outcome.runs and not outcome.queued and not args.json:
        print("no sources: add one with 'newsdesk sources add URL'")
    troubled = any(r.status in ("failed", "partial", "stopped") for r in outcome.runs)
    return EXIT_PARTIAL if troubled else EXIT_OK


def _watch(app: Newsdesk, args: argparse.Namespace) -> int:
    """Run due syncs until SIGINT or SIGTERM; lines about the lease and each run go to
    stderr, stamped."""
    import signal
    import threading
    import time

    if args.refs:
        print("error: --watch syncs every source when it is due; name none", file=sys.stderr)
        return EXIT_USAGE
    stop = threading.Event()

    def say(line: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    say(f"newsdesk sync --watch: pid {os.getpid()}")
    app.scheduler(say).run(stop)
    say("stopped")
    return EXIT_OK


def _cmd_export(app: Newsdesk, args: argparse.Namespace) -> int:
    if args.file == "-":
        count = app.export(sys.stdout)
    else:
        from pathlib import Path

        target = Path(args.file)
        partial = target.with_name(target.name + ".partial")
        with partial.open("w", encoding="utf-8") as out:
            count = app.export(out)
        partial.replace(target)  # never a half-written export under the real name
    print(f"exported {count} article(s) to {args.file}", file=sys.stderr)
    return EXIT_OK


def _cmd_import(app: Newsdesk, args: argparse.Namespace) -> int:
    from pathlib import Path

    report = app.import_file(Path(args.file))  # ExportFormatError is a ValueError: 2
    sources = f"; {report.sources} source(s) with their sync state" if report.sources else ""
    if report.saved_answers:
        sources += f"; {report.saved_answers} saved answer(s)"
    if report.watches:
        sources += f"; {report.watches} watched question(s) with their history"
    print(
        f"imported {report.articles} article(s): {report.added} added, "
        f"{report.unchanged} already stored{sources}"
    )
    if report.note:
        print(f"note: {report.note}", file=sys.stderr)
    return EXIT_OK


# What mends each kind of damage `check` finds below the records (vectorstore/health.py).
_REPAIR_HINTS = {
    "sqlite": "SQLite cannot mend this in place: restore the data folder from a backup, or "
    "'newsdesk export' what is readable, move the data folder aside and 'newsdesk import' it",
    "records": "restore the data folder from a backup, or import an earlier export into a "
    "fresh data folder",
    "dense": "'newsdesk check --repair' rebuilds the dense index from the stored records",
    "dense_hangs": "'newsdesk export' (it reads only the articles), move the data folder "
    "aside and 'newsdesk import' the export, or restore the data folder from a backup",
    "lexical_cache": "'newsdesk check --repair' (or the next search) rebuilds it",
}


def _cmd_check(app: Newsdesk, args: argparse.Namespace) -> int:
    report = app.check()
    print(
        f"{report.articles} article(s), {report.chunks} chunk(s): "
        f"{len(report.orphan_chunks)} orphan chunk(s), "
        f"{len(report.incomplete_articles)} incomplete article(s), "
        f"{len(report.misplaced_chunks)} misplaced chunk(s), "
        f"{len(report.problems)} store problem(s)"
    )
    for aid in report.incomplete_articles:
        print(f"incomplete: {aid} (ingest its file again to repair it)", file=sys.stderr)
    for problem in report.problems:
        print(f"problem: {problem} ({_REPAIR_HINTS[problem.kind]})", file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}")
    if args.repair:
        report.problems = [p for p in report.problems if not _repair(app, p.kind)]
        if report.orphan_chunks:
            print(f"removed {app.remove_orphans(report)} orphan chunk(s)")
            report.orphan_chunks = []
    return EXIT_OK if report.ok else EXIT_FAILURE


def _repair(app: Newsdesk, kind: str) -> bool:
    """Mend one kind of store damage where that is possible here; True when mended."""
    if kind == "dense":
        try:
            count, left = app.rebuild_dense_index()
        except Exception as exc:  # records unreadable too: Chroma raises many types
            print(f"error: cannot rebuild the dense index: {exc}", file=sys.stderr)
            return False
        print(f"rebuilt the dense index of {count} record(s)")
        if left is not None:
            print(f"error: the rebuilt dense index still fails: {left}", file=sys.stderr)
        return left is None
    if kind == "lexical_cache":
        print(f"rebuilt the BM25 cache {app.rebuild_lexical_index()}")
        return True
    return False


def _cmd_serve(app: Newsdesk, args: argparse.Namespace) -> int:
    from assistant.api.server import serve_http, serve_mcp_stdio

    if args.mcp_stdio:
        serve_mcp_stdio(app.settings)
    else:
        serve_http(app.settings, host=args.host, port=args.port)  # SettingsError: exit 2
    return EXIT_OK


def _cmd_llm_server(app: Newsdesk, args: argparse.Namespace) -> int:
    from assistant.llm.factory import local_model_cache
    from assistant.llm.local_server import serve_forever
    from assistant.llm.model_files import ModelFileError, model_path

    settings = app.settings
    try:
        model = model_path(args.model or settings.llm.local_model, local_model_cache(settings))
    except ModelFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    serve_forever(model, port=args.port, threads=settings.llm.threads)
    return EXIT_OK


COMMANDS = {
    "ingest": _cmd_ingest,
    "ask": _cmd_ask,
    "chat": _cmd_chat,
    "articles": _cmd_articles,
    "sources": _cmd_sources,
    "sync": _cmd_sync,
    "watch": cli_watch.run,
    "stories": cli_stories.run,
    "brief": cli_brief.run,
    "eval": _cmd_eval,
    "check": _cmd_check,
    "export": _cmd_export,
    "import": _cmd_import,
    "serve": _cmd_serve,
    "llm-server": _cmd_llm_server,
}


# Commands on the configured store. On an embedded store each holds it for its whole run;
# when a running server holds it, those in THROUGH_SERVER are sent through that server.
STORE_COMMANDS = frozenset(
    {"ingest", "ask", "chat", "articles", "sources", "sync", "watch", "stories", "brief"}
    | {"export", "import", "check"}
)
THROUGH_SERVER = frozenset(
    {"ingest", "ask", "chat", "articles", "sources", "sync", "watch", "stories", "brief"}
)


def _run(app: Newsdesk, args: argparse.Namespace) -> int:
    from vectorstore.lock import StoreBusy, hold_store

    store = app.settings.store
    if args.command not in STORE_COMMANDS or store.host:
        return COMMANDS[args.command](app, args)
    try:
        lease = hold_store(store.path, app.holder)
    except StoreBusy as busy:
        return _through_server(busy, args, app.settings.api.client_key)
    try:
        return COMMANDS[args.command](app, args)
    finally:
        app.close()
        lease.release()


def _through_server(busy: StoreBusy, args: argparse.Namespace, key: str) -> int:
    """Run a command through the server that holds the store, or refuse, saying who holds it."""
    from assistant.remote import RemoteNewsdesk, ServerError

    holder = busy.holder
    if holder is None or holder.role != "server" or not holder.url:
        print(f"error: {busy}", file=sys.stderr)
        return EXIT_FAILURE
    if args.command not in THROUGH_SERVER or getattr(args, "watch", False):
        print(
            f"error: '{args.command}' needs the store at {busy.path} to itself, and "
            f"{holder.describe()} holds it: stop that server first (ingest, articles, ask, "
            "chat, sources, sync, watch, stories and brief go through it; the server runs "
            "due syncs itself unless started with --no-sync)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(f"note: newsdesk serve holds this store: working through {holder.url}", file=sys.stderr)
    remote = RemoteNewsdesk(holder.url, key or None)
    try:
        return COMMANDS[args.command](remote, args)
    except ServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        remote.close()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # inside the try: a reader that left shows here at the latest
    except BrokenPipeError:
        # The Python docs' recipe: point stdout at /dev/null so that the interpreter's own
        # flush at exit cannot fail again and print a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code


def _main(argv: Sequence[str] | None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from assistant.app import Newsdesk
    from vectorstore.client import StoreUnavailable
    from vectorstore.lock import this_process

    app = Newsdesk(settings, holder=this_process(f"newsdesk {args.command}"))
    previous = _stop_on_signals()
    _STOPPING.clear()
    try:
        return _run(app, args)
    except StoreUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception:
        # A stop that lands inside the import of a C extension (onnxruntime's, loaded on the
        # first embed) comes out as that import's ImportError, not as the KeyboardInterrupt.
        if _STOPPING.is_set():
            return 130
        raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


# Set by the stop handlers: the command was asked to stop, whatever exception that became.
_STOPPING = threading.Event()


def _stop_on_signals() -> dict[int, object]:
    """SIGTERM (`kill`, `timeout`, a service manager stopping the command) stops a command as
    Ctrl-C does. Python runs the handler between bytecodes, so a Chroma write in progress
    finishes first: killed inside it, Chroma 1.5 can leave its index files unreadable
    (docs/benchmarks.md, "Adds into a large store"). Both handlers also mark the command
    as stopping (`_STOPPING`). SIGINT's is replaced only where Python's own is in place (a
    command started with SIGINT ignored keeps ignoring it). `serve` and `sync --watch` put
    their own handlers in place of these. Returns the handlers replaced (none off the main
    thread, where none can be set)."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def stop(signum: int, frame: object) -> None:
        _STOPPING.set()
        raise KeyboardInterrupt

    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, stop)}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, stop)
    return previous


if __name__ == "__main__":
    sys.exit(main())
