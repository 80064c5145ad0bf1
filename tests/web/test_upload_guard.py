"""The page's file doors, tried with real HTTP against the app on a real uvicorn: an event may
only name files uploaded to this page, uploads need the right to add articles, are size-limited
before they are stored, and leave nothing behind."""

from __future__ import annotations

import contextlib
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.serving.login import COOKIE, EDITOR, READER, SessionSigner, session_secret
from assistant.settings import Names
from tests.api.conftest import LiveServer, with_api

pytestmark = pytest.mark.slow
WRITE, READ = "editor-key-for-upload-tests", "reader-key-for-upload-tests"
SECRET = "Launch codes for the server.\n\nThe vault opens with the phrase copper kettle nine.\n"
ARTICLE = (
    "Ferry timetable changes\nPublished: May 3, 2024\n\n"
    "The island ferry will leave at seven from Monday, the harbour office said.\n"
)
FILE_DATA = {"_type": "gradio.FileData"}


@pytest.fixture
def gradio_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Gradio's upload folder for this test's server alone, so what is left there is ours."""
    folder = tmp_path / "gradio-temp"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))
    return folder


@contextlib.contextmanager
def serving(app: Newsdesk) -> Iterator[httpx.Client]:
    with (
        LiveServer(create_app(app, warm_up=False)) as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        yield client


def stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def upload(client: httpx.Client, name: str, data: bytes, **kwargs: object) -> httpx.Response:
    return client.post("/gradio_api/upload", files=[("files", (name, data))], **kwargs)


def call(client: httpx.Client, endpoint: str, data: list) -> str:
    """Run one event of the page the way gradio_client does; the stream of its results."""
    started = client.post(f"/gradio_api/call{endpoint}", json={"data": data})
    assert started.status_code == 200, started.text
    return client.get(f"/gradio_api/call{endpoint}/{started.json()['event_id']}").text


def _as_input(component: str, file: dict) -> object:
    if component == "File":
        return [file]
    if component == "Chatbot":
        return [{"role": "user", "content": [{"type": "file", "file": file}]}]
    return file


def test_no_event_of_the_page_reads_a_file_it_did_not_upload(
    make_app: Callable[..., Newsdesk], gradio_temp: Path, tmp_path: Path
):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    # Named as it is, and through the upload folder with "..".
    sneaky = f"{gradio_temp}/../{secret.name}"
    with serving(make_app()) as client:
        endpoints = client.get("/gradio_api/info").json()["named_endpoints"]
        assert "/upload" in endpoints and len(endpoints) > 10
        for path in (str(secret), sneaky):
            file = {"path": path, "meta": FILE_DATA}
            for endpoint, info in endpoints.items():
                data = [_as_input(p["component"], file) for p in info["parameters"]]
                assert "copper kettle" not in call(client, endpoint, data), endpoint
            refused = call(client, "/upload", [[file]])
            assert "secret.txt: only files uploaded to this page are accepted" in refused
        assert client.get("/v1/articles").json()["total"] == 0
    # Not even copied into Gradio's cache, where /gradio_api/file= would serve it.
    assert not [p for p in stored_files(gradio_temp) if "copper kettle" in p.read_text()]


def test_an_uploaded_file_is_added_once_and_then_removed(
    make_app: Callable[..., Newsdesk], gradio_temp: Path
):
    with serving(make_app()) as client:
        response = upload(client, "ferry.txt", ARTICLE.encode())
        assert response.status_code == 200, response.text
        [path] = response.json()
        file = {"path": path, "meta": FILE_DATA}
        assert "ferry.txt</strong>: added 1 article" in call(client, "/upload", [[file]])
        assert not Path(path).exists() and stored_files(gradio_temp) == []
        # Used up: naming it again is refused, not a silent re-read.
        assert "only files uploaded to this page" in call(client, "/upload", [[file]])
        assert client.get("/v1/articles").json()["total"] == 1


def test_a_read_only_key_or_session_cannot_upload(
    make_app: Callable[..., Newsdesk], gradio_temp: Path
):
    app = with_api(make_app(), keys=Names((WRITE,)), read_keys=Names((READ,)))
    signer = SessionSigner(app.settings.api, session_secret(app.settings.data_dir))
    with serving(app) as client:
        for credentials in (
            {"headers": {"Cookie": f"{COOKIE}={signer.issue(READER)}"}},
            {"headers": {"Authorization": f"Bearer {READ}"}},
        ):
            refused = upload(client, "ferry.txt", ARTICLE.encode() * 1000, **credentials)
            assert refused.status_code == 403 and "read-only" in refused.json()["error"]["message"]
        assert stored_files(gradio_temp) == []
        assert upload(client, "x.txt", b"x").status_code == 401  # no key, no session
        for credentials in (
            {"headers": {"Cookie": f"{COOKIE}={signer.issue(EDITOR)}"}},
            {"headers": {"Authorization": f"Bearer {WRITE}"}},
        ):
            assert upload(client, "ferry.txt", ARTICLE.encode(), **credentials).status_code == 200


def _multipart(files: int, size: int) -> tuple[bytes, str]:
    """A multipart body of `files` files of `size` bytes each, and its boundary."""
    boundary = "newsdesk-test-boundary"
    parts = [
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{i}.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + b"a" * size
        + b"\r\n"
        for i in range(files)
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


def test_an_over_limit_upload_is_refused_before_anything_is_stored(
    make_app: Callable[..., Newsdesk],
    gradio_temp: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    system_temp = tmp_path / "system-temp"  # where Gradio's other multipart route writes
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    # 1 MB a request, 0.5 MB a file; bodies large enough to arrive in many pieces.
    app = with_api(make_app(**{"ingest.max_file_mb": 0.5}), max_request_mb=1)
    with serving(app) as client:
        # Files each within the file limit, together over the request limit.
        body, boundary = _multipart(8, 400_000)
        kind = {"content-type": f"multipart/form-data; boundary={boundary}"}
        declared = client.post("/gradio_api/upload", content=body, headers=kind)
        assert declared.status_code == 413, declared.text
        for route in ("/gradio_api/upload", "/gradio_api/component_server"):
            # Without a Content-Length, in chunks: counted as it arrives.
            chunks = iter([body[i : i + 65536] for i in range(0, len(body), 65536)])
            chunked = client.post(route, content=chunks, headers=kind)
            assert chunked.status_code == 413 and "NEWSDESK_API_MAX_REQUEST_MB" in chunked.text
            assert stored_files(gradio_temp) == stored_files(system_temp) == [], route
        # Within the request limit but over the ingest limit for one file.
        too_big_a_file = upload(client, "file.txt", b"b" * 700_000)
        assert too_big_a_file.status_code == 413, too_big_a_file.text
        assert stored_files(gradio_temp) == []
        assert upload(client, "small.txt", b"c" * 400_000).status_code == 200


def test_an_upload_cut_short_leaves_nothing(make_app: Callable[..., Newsdesk], gradio_temp: Path):
    body, boundary = _multipart(2, 300_000)
    with serving(make_app()) as client:
        url = httpx.URL(str(client.base_url))
        with socket.create_connection((url.host, url.port)) as raw:
            raw.sendall(
                f"POST /gradio_api/upload HTTP/1.1\r\nHost: {url.host}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[: len(body) // 2]
            )
            time.sleep(1)  # the server has read what came; then the client hangs up
        time.sleep(1)
        assert stored_files(gradio_temp) == []
        assert upload(client, "ferry.txt", ARTICLE.encode()).status_code == 200


def test_an_upload_never_added_is_removed_after_a_while(
    make_app: Callable[..., Newsdesk], gradio_temp: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("assistant.web.files.UPLOAD_MAX_AGE_S", 1)
    monkeypatch.setattr("assistant.web.files.SWEEP_EVERY_S", 1)
    with serving(make_app()) as client:
        [path] = upload(client, "ferry.txt", ARTICLE.encode()).json()
        deadline = time.monotonic() + 20
        while Path(path).exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not Path(path).exists()


def test_the_unused_screen_recording_route_takes_nothing(make_app: Callable[..., Newsdesk]):
    with serving(make_app()) as client:
        response = client.post(
            "/gradio_api/process_recording", files=[("video", ("v.mp4", b"\0" * 10_000))]
        )
        assert response.status_code == 404
