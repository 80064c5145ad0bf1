"""What every benchmark shares: the machine report, the corpus, medians and ratios."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

# Benchmarks must never reach a hub, and Gradio must not phone home.
for _name, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("HF_HUB_DISABLE_TELEMETRY", "1"),
    ("GRADIO_ANALYTICS_ENABLED", "False"),
    ("TOKENIZERS_PARALLELISM", "false"),
):
    os.environ.setdefault(_name, _value)

REPO = Path(__file__).resolve().parent.parent
SHARED_DEV = REPO.parent / "shared" / "eval" / "realtimeqa-dev"
# `--reader`: the answerer with the learned reader ("on", the shipped default) and without it
# ("off", the answerer before the reader), the baseline its cost is read against. Both words
# are values the `answer.reader` setting (NEWSDESK_READER) itself accepts.
READER_MODES = ("on", "off")

T = TypeVar("T")


def machine() -> dict:
    """Enough to tell whether two result tables are comparable."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def print_header(title: str, settings: dict) -> None:
    print(f"# {title}")
    print("machine:", json.dumps(machine()))
    print("settings:", json.dumps(settings, default=str))
    print("command: python -m", " ".join([sys.modules["__main__"].__spec__.name, *sys.argv[1:]]))


def reader_modes(raw: str) -> list[str]:
    """The argparse type of `--reader`: "on,off" measures both, interleaved, in that order."""
    modes = [mode.strip() for mode in raw.split(",") if mode.strip()]
    if not modes or set(modes) - set(READER_MODES):
        raise argparse.ArgumentTypeError(f"expected on, off or both (on,off), got {raw!r}")
    return modes


def taking_turns(items: list[T], round_: int) -> list[T]:
    """`items` in order on even rounds and reversed on odd ones: interleaved runs where none
    is always first (the first one pays for cold caches, the last one for a busier machine)."""
    return items if round_ % 2 == 0 else items[::-1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def article_records(limit: int | None, source: Path | None = None) -> list[dict]:
    """Records from realtimeqa-dev's articles.jsonl (by path: shared/ is not in the project),
    or, where it is absent, articles the benchmark writes itself of a similar size."""
    path = (source or SHARED_DEV) / "articles.jsonl"
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        return records[:limit] if limit else records
    return list(synthetic_records(limit or 1663))


_WORDS = (
    "council port harbour ferry minister budget election court ruling drought reservoir "
    "wildfire evacuation vaccine trial rates inflation bank tariff strike union airline "
    "hospital school bridge railway grid storm flood farmers harvest export border troops"
).split()


def synthetic_records(count: int) -> Iterator[dict]:
    """Deterministic news-like records (~3,000 characters each, like the dev set's median)."""
    for i in range(count):
        words = [_WORDS[(i * 7 + j * 13) % len(_WORDS)] for j in range(60)]
        sentences = [
            f"The {words[j]} officials said {j + i % 97} {words[j + 1]} cases were reported "
            f"near the {words[j + 2]} on day {j}, and the {words[j + 3]} plan would follow."
            for j in range(0, 56, 2)
        ]
        yield {
            "id": f"synthetic-{i}",
            "title": f"{words[0].title()} {words[1]} report number {i}",
            "source": f"outlet{i % 7}.example",
            "published_at": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "body": " ".join(sentences),
        }


def questions(limit: int = 50, source: Path | None = None) -> list[str]:
    path = (source or SHARED_DEV) / "questions.jsonl"
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            found = [json.loads(line)["question"] for line in handle if line.strip()]
        return found[:limit]
    return [f"How many {w} cases were reported near the {w}?" for w in _WORDS][:limit]
