"""Upload names are the client's choice: none of them can write outside the upload folder,
break the request, or be stored unsanitised. (Size limits: test_articles.py, 413.)"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.uploads import MAX_NAME_BYTES, safe_upload_name

BODY = (
    "Tram drivers vote to strike\n\n"
    "Tram drivers in Lindholm voted on Friday to strike for {n} days over new shift rosters.\n"
)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("../../escape.txt", "escape.txt"),
        ("/etc/cron.d/absolute.txt", "absolute.txt"),
        ("C:\\Users\\x\\windows.txt", "windows.txt"),
        ("..", "upload"),
        ("", "upload"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("new\nline\r.md", "newline.md"),
        ("Zürich 東京 ☃.md", "Zürich 東京 ☃.md"),
    ],
)
def test_an_upload_name_keeps_only_its_last_part_without_control_characters(raw, stored):
    assert safe_upload_name(raw) == stored


def test_a_very_long_upload_name_is_cut_keeping_its_extension():
    name = safe_upload_name("é" * 5000 + ".html")
    assert name.endswith(".html") and len(name.encode()) <= MAX_NAME_BYTES
    assert safe_upload_name("x." + "y" * 300) == ("x." + "y" * 300)[:MAX_NAME_BYTES]


def test_hostile_upload_names_are_stored_sanitised_and_nothing_lands_outside(
    fresh_client: TestClient,
):
    names = [
        "../../escape-upload.txt",
        "/tmp/absolute-upload.txt",
        "..",
        "odd\x00name.txt",
        "ünïcødé ☃ " + "long" * 100 + ".txt",
    ]
    files = [
        ("files", (name, BODY.format(n=i + 2).encode(), "text/plain"))
        for i, name in enumerate(names)
    ]
    response = fresh_client.post("/v1/articles", files=files)
    assert response.status_code == 200, response.text
    report = response.json()
    origins = sorted(
        fresh_client.get(f"/v1/articles/{aid}").json()["origin"] for aid in report["added"]
    )
    problems = {p["item"]: p["reason"] for p in report["problems"]}
    # ".." has no extension left: it is reported under the fallback name, not crashed on.
    assert "unsupported file type" in problems["upload:upload"]
    assert len(report["added"]) == 4
    for origin in origins:
        assert origin.startswith("upload:") and "/" not in origin and "\x00" not in origin
    assert "upload:escape-upload.txt" in origins and "upload:absolute-upload.txt" in origins
    for escaped in ("escape-upload.txt", "absolute-upload.txt"):
        assert not Path(tempfile.gettempdir(), escaped).exists()
        assert not Path(escaped).exists()
