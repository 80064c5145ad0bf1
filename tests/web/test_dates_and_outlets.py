"""The web page sets the day a question is asked on, and edits an article's outlet and date."""

from __future__ import annotations

from pathlib import Path

FERRY = (
    "Ferry service to Gull Island resumes after storm\n\n"
    "The Gull Island ferry resumed sailing on Thursday after a two-day storm suspension. "
    "Seventeen crossings were cancelled while the storm passed.\n"
)


def test_the_as_of_field_sets_the_day_last_week_counts_from(open_page):
    p = open_page()
    p.page.get_by_text("Filters for the next questions").click()
    p.page.fill("#nd-as-of textarea, #nd-as-of input", "2023-12-08")
    answer = p.ask("What happened last week?")
    assert "As of 2023-12-08 (the date asked for)" in answer
    assert "drone attacks" in answer  # the lead of the sample article of 2023-12-04


def test_an_articles_outlet_and_date_are_edited_in_the_library(
    open_page, tmp_path: Path, only_samples_after
):
    ferry = tmp_path / "gull-ferry.txt"
    ferry.write_text(FERRY)
    p = open_page()
    assert "added 1 article" in p.upload(ferry)
    p.open_in_library("Gull Island")
    p.page.get_by_text("Edit title, outlet or date").click()
    p.page.fill("#nd-edit-outlet textarea, #nd-edit-outlet input", "Island Post")
    p.page.fill("#nd-edit-date textarea, #nd-edit-date input", "2023-05-04")
    p.page.click("#nd-edit-save")
    p.page.wait_for_function(
        "() => document.querySelector('#nd-article').innerText.includes('Island Post')"
    )
    assert "2023-05-04" in p.page.locator("#nd-article").inner_text()
    p.page.get_by_role("tab", name="Ask").click()
    p.ask("How many ferry crossings to Gull Island were cancelled?")
    sources = p.page.locator("#nd-sources-panel .nd-turn").last.inner_text()
    assert "Island Post" in sources and "2023-05-04" in sources
