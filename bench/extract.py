"""Which extractor reads a fetched news page better: the hand-written HTML loader
(ingest/loaders/html.py) or trafilatura (ingest/web/extract.py).

    python -m bench.extract [--json] [--show NAME]

The pages (bench/pages/*.html) are written by the project in the shapes real news sites
have: JSON-LD, OpenGraph, bylines, cookie walls, comments, a live blog, a paywall teaser,
AMP, a date only in the URL, Windows-1252, div soup, inline "Read more" links, microdata,
key-point lists, section grids, captions. bench/pages/expected.json holds for each page the
address it is read from, its title, date, author, outlet and canonical URL, the sentences of
its main text, and sentences of its boilerplate.

Each extractor gets what the URL path would give it: the hand loader the page's bytes (it
reads <meta charset> itself), trafilatura the text decoded by the fetcher
(ingest/web/body.py) and the page's address. Scores per page: title, date (the day),
author, outlet and URL exactly (case and spacing aside; a missing URL counts as the
address read from, as ingest falls back to it), the share of main-text sentences found in
the article's text, and the share of boilerplate sentences wrongly kept.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from bench.common import print_header
from ingest.loaders import html as hand_loader
from ingest.types import Article, IngestError
from ingest.web.body import decode_body
from ingest.web.extract import extract_article, trafilatura_article

PAGES = Path(__file__).resolve().parent / "pages"
FIELDS = ("title", "date", "author", "outlet", "url")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES).casefold()
    return " ".join(re.sub(r"[^\w%€£$.,:;'\"/-]+", " ", text).split())


def hand(raw: bytes, page: dict) -> Article:
    return hand_loader.load(Path("page.html"), raw)[0]


def _decoded(raw: bytes, page: dict) -> str:
    return decode_body(raw, page["content_type"])[0]


def trafilatura_alone(**options: object) -> Callable[[bytes, dict], Article]:
    def read(raw: bytes, page: dict) -> Article:
        return trafilatura_article(_decoded(raw, page), page["url"], **options)

    return read


EXTRACTORS: dict[str, Callable[[bytes, dict], Article]] = {
    "hand-written loader (file ingest)": hand,
    "trafilatura alone (favor_precision)": trafilatura_alone(),
    "trafilatura alone, default balance": trafilatura_alone(favor_precision=False),
    "trafilatura alone, favor_recall": trafilatura_alone(favor_precision=False, favor_recall=True),
    "kept for URLs: trafilatura metadata, hand-loader text": (
        lambda raw, page: extract_article(_decoded(raw, page), page["url"])
    ),
    "the same without the page's address (as for a file)": (
        lambda raw, page: extract_article(_decoded(raw, page), "")
    ),
}


def score(article: Article | None, page: dict) -> dict:
    if article is None:
        return {**dict.fromkeys(FIELDS, 0.0), "text_found": 0.0, "boilerplate_kept": 0.0}
    got = {
        "title": article.title,
        "date": (article.published_at or "")[:10],
        "author": article.author,
        "outlet": article.source,
        "url": article.url or page["url"],
    }
    wanted = {**{k: page[k] for k in ("title", "date", "author", "outlet")}}
    wanted["url"] = page["canonical"]
    body = norm(article.text)
    found = [s for s in page["text"] if norm(s) in body]
    kept = [s for s in page["boilerplate"] if norm(s) in body]
    result = {k: float(norm(got[k]) == norm(wanted[k])) for k in FIELDS}
    result["text_found"] = len(found) / len(page["text"])
    result["boilerplate_kept"] = len(kept) / len(page["boilerplate"])
    result["missed"] = [s for s in page["text"] if s not in found]
    result["kept"] = kept
    result["got"] = got
    return result


def run() -> dict[str, dict]:
    expected = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
    results: dict[str, dict] = {}
    first = next(iter(expected))
    for name, read in EXTRACTORS.items():
        pages = {}
        read((PAGES / first).read_bytes(), expected[first])  # imports and caches: not timed
        started = time.perf_counter()
        for file, page in expected.items():
            raw = (PAGES / file).read_bytes()
            try:
                article = read(raw, page)
            except IngestError as exc:
                article = None
                pages[file] = {"error": str(exc)}
            pages[file] = {**pages.get(file, {}), **score(article, page)}
        seconds = time.perf_counter() - started
        keys = (*FIELDS, "text_found", "boilerplate_kept")
        mean = {k: sum(p[k] for p in pages.values()) / len(pages) for k in keys}
        results[name] = {"mean": mean, "pages": pages, "ms_per_page": 1000 * seconds / len(pages)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="every page's scores as JSON")
    parser.add_argument("--show", metavar="NAME", help="what each extractor got from one page")
    args = parser.parse_args()
    results = run()
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return
    if args.show:
        for name, result in results.items():
            page = result["pages"][args.show]
            print(f"## {name}\n{json.dumps(page, indent=2, ensure_ascii=False)}")
        return
    pages = len(next(iter(results.values()))["pages"])
    print_header("Web page extraction", {"pages": pages})
    print()
    columns = "title | date | author | outlet | URL | main text found | boilerplate kept | ms/page"
    print(f"| extractor | {columns} |")
    print("| --- " * 9 + "|")
    for name, result in results.items():
        m = result["mean"]
        cells = [f"{m[k]:.0%}" for k in FIELDS]
        cells += [f"{m[k]:.1%}" for k in ("text_found", "boilerplate_kept")]
        print(f"| {name} | {' | '.join(cells)} | {result['ms_per_page']:.0f} |")
    print()
    for name, result in results.items():
        for file, page in result["pages"].items():
            wrong = [k for k in FIELDS if not page[k]]
            if wrong or page["text_found"] < 1 or page["boilerplate_kept"] > 0:
                detail = (
                    ", ".join(f"{k}={page['got'][k]!r}" for k in wrong)
                    if "got" in page
                    else page.get("error", "")
                )
                print(
                    f"{name} / {file}: text {page['text_found']:.0%}, boilerplate "
                    f"{page['boilerplate_kept']:.0%}; {detail}"
                )


if __name__ == "__main__":
    main()
