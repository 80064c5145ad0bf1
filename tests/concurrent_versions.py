"""Two versions of one story posted at the same moment: the race of issue 16 (B2)."""

from __future__ import annotations

import json
import threading
from collections import Counter

import httpx


def version(n: int, v: int) -> dict:
    """Version `v` of story `n`: same URL, different text (so a different article id)."""
    return {
        "title": f"Council vote {n}",
        "body": f"Version {v}. The council of district {n} counted {100 + v} votes on Monday, "
        f"the clerk said. Turnout was {40 + v} per cent.",
        "source": "Coastal Ledger",
        "published_at": "2024-05-07",
        "url": f"https://example.test/council-{n}",
    }


def post_versions_at_once(targets: list[httpx.Client], n: int) -> None:
    """Versions 1, 2, ... of story `n` uploaded at the same moment, one through each target."""
    barrier = threading.Barrier(len(targets))
    failures: list[str] = []

    def post(client: httpx.Client, v: int) -> None:
        upload = [("files", (f"v{v}.json", json.dumps(version(n, v)).encode()))]
        barrier.wait()
        response = client.post("/v1/articles", files=upload)
        if response.status_code != 200:
            failures.append(response.text)

    threads = [threading.Thread(target=post, args=(c, v)) for v, c in enumerate(targets, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def articles_per_url(client: httpx.Client, stories: range) -> dict[str, int]:
    """How many articles each of these stories' URLs has."""
    items = client.get("/v1/articles", params={"limit": 500}).json()["items"]
    counts = Counter(item["url"] for item in items)
    return {version(n, 1)["url"]: counts[version(n, 1)["url"]] for n in stories}
