"""Pasted plain text and Markdown: headline, metadata lines and clean prose."""

from __future__ import annotations

from tests.ingest.helpers import only_article, write

PASTED = """

Night trains return to the northern coast line
Source: Harbour Gazette
By Ines Moreau

The rail operator will run two sleeper services a week from June, ending a four-year gap.

Passengers board a sleeper carriage at the central station on Tuesday. AFP
Powered by automated translation

Live updates: Follow the latest news on rail strikes

Tickets go on sale on Monday, the operator said, with fares starting at 49 euros.

By the end of the summer, a third weekly service may be added if demand holds.

AFP
Updated: December 04, 2023, 10:39 AM
"""


def test_pasted_text_gives_headline_date_and_body_without_page_furniture(tmp_path):
    article = only_article(write(tmp_path, "trains.txt", PASTED))
    assert article.title == "Night trains return to the northern coast line"
    assert article.published_at == "2023-12-04T10:39:00"
    assert (article.source, article.author) == ("Harbour Gazette", "Ines Moreau")
    assert article.text == (
        "The rail operator will run two sleeper services a week from June, ending a four-year gap."
        "\n\nTickets go on sale on Monday, the operator said, with fares starting at 49 euros."
        "\n\nBy the end of the summer, a third weekly service may be added if demand holds."
    )
    assert article.origin == str(tmp_path / "trains.txt")


def test_body_sentences_that_mention_agencies_or_dates_are_kept(tmp_path):
    text = (
        "Port strike ends\n\n"
        "Dock workers told Reuters they would return on Thursday.\n\n"
        "Published figures for December 2023 show cargo volumes fell by a tenth.\n"
    )
    article = only_article(write(tmp_path, "port.txt", text))
    assert article.published_at is None
    assert "told Reuters" in article.text and "Published figures" in article.text


def test_url_header_line_sets_the_url_and_leaves_the_body(tmp_path):
    text = "Bridge repainted\nURL: https://news.example/bridge\n\nThe old bridge is green again.\n"
    article = only_article(write(tmp_path, "bridge.text", text))
    assert article.url == "https://news.example/bridge"
    assert article.text == "The old bridge is green again."


def test_text_pasted_without_a_headline_keeps_its_first_paragraph(tmp_path):
    long_first = "The regional council voted on Wednesday evening " * 6
    article = only_article(write(tmp_path, "untitled.txt", f"{long_first}\n\nA second paragraph."))
    assert article.title.endswith("…") and len(article.title) < 120
    assert article.text.startswith("The regional council voted")


MARKDOWN = """---
title: "Orchard growers brace for a smaller harvest"
outlet: Valley Times
date: 2023-04-20
url: https://valley.example/frost
author: Jo Park
id: ignored-123
---

# Orchard growers brace for a smaller harvest

A **late frost** damaged the blossoms, said the [growers' union](https://union.example).

![a photo of an orchard](orchard.jpg)

## What comes next

- Yields may fall by *40 percent*.
- Prices are expected to rise.

```
yield_2022 = 100
```
"""


def test_markdown_front_matter_sets_metadata_and_markup_is_removed(tmp_path):
    article = only_article(write(tmp_path, "frost.md", MARKDOWN))
    assert article.title == "Orchard growers brace for a smaller harvest"
    assert (article.source, article.published_at) == ("Valley Times", "2023-04-20")
    assert (article.url, article.author) == ("https://valley.example/frost", "Jo Park")
    assert article.text == (
        "A late frost damaged the blossoms, said the growers' union.\n\n"
        "What comes next\n\n"
        "Yields may fall by 40 percent.\nPrices are expected to rise.\n\n"
        "yield_2022 = 100"
    )


def test_markdown_without_front_matter_takes_the_first_heading_and_a_date_line(tmp_path):
    md = "# Ferry fares rise\n\nPublished: June 1, 2024\n\nFares rise by 5 percent from July.\n"
    article = only_article(write(tmp_path, "fares.MARKDOWN", md))
    assert (article.title, article.published_at) == ("Ferry fares rise", "2024-06-01")
    assert article.text == "Fares rise by 5 percent from July."
