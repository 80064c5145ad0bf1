"""`newsdesk ingest --workers N`: what worker processes store is what one process stores, a
lost worker or a killed ingest leaves nothing a re-run does not repair, and no worker
outlives the ingest that started it. Every run is a real `newsdesk ingest` process."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path

import chromadb
import numpy as np
import pytest

from assistant.app import Newsdesk
from assistant.ingest_workers import WORKER_FAULT_ENV, cores, worker_count, workers_for
from assistant.settings import load_settings
from bench.crash_soak import cli_env, ingest_command, open_store, prepare, snapshot
from tests.ingest.helpers import write
from vectorstore.integrity import check_store

pytestmark = pytest.mark.slow
ARTICLES = 24


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    """The corpus (with a bad file and a copy of one article under another name) and an
    older version of its first articles, stored before it so that ingest replaces them."""
    folder = tmp_path_factory.mktemp("workers")
    corpus, older = prepare(folder, ARTICLES)
    (corpus / "broken.txt").write_bytes(b"\x00\x01 not text")
    first = sorted(corpus.glob("*.md"))[0]
    (corpus / "zz-copy.md").write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    return corpus, older


def _ingest(
    corpus: Path, data_dir: Path, workers: int, *, capture: bool = True, **env: str
) -> subprocess.CompletedProcess:
    # Not captured: a worker left behind would hold the pipes open, and the wait with them.
    quiet = {} if capture else {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    # The corpus is small: without this its ingest would not start workers at all.
    env = {"NEWSDESK_INGEST_WORKERS_MIN_KB": "0", **env}
    return subprocess.run(
        [*ingest_command(corpus), "--workers", str(workers)],
        env={**cli_env(data_dir), **env},
        capture_output=capture,
        text=True,
        timeout=300,
        **quiet,
    )


def _vectors(data_dir: Path) -> dict[str, np.ndarray]:
    client = chromadb.PersistentClient(path=str(data_dir / "chroma"))
    try:
        res = client.get_collection("newsdesk_chunks").get(include=["embeddings"])
        return dict(zip(res["ids"], map(np.asarray, res["embeddings"]), strict=True))
    finally:
        client.close()


@pytest.fixture(scope="module")
def one_process(corpus, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The corpus stored by today's one-process ingest, over its older versions."""
    data_dir = tmp_path_factory.mktemp("one") / "data"
    assert _ingest(corpus[1], data_dir, 1).returncode == 0
    return data_dir, _ingest(corpus[0], data_dir, 1)


def test_two_workers_store_the_same_articles_chunks_and_vectors_as_one_process(
    corpus, one_process, tmp_path, embedder
):
    single_dir, single = one_process
    data_dir = tmp_path / "two"
    assert _ingest(corpus[1], data_dir, 2).returncode == 0
    double = _ingest(corpus[0], data_dir, 2)
    # The bad file is named the same way, and the run ends the same way (3: files skipped).
    assert double.returncode == single.returncode == 3
    assert "broken.txt" in double.stderr and double.stderr == single.stderr
    expected = snapshot(open_store(single_dir, embedder))
    assert len(expected["articles"]) == ARTICLES  # the copy kept once, older versions gone
    assert snapshot(open_store(data_dir, embedder)) == expected
    ours, theirs = _vectors(data_dir), _vectors(single_dir)
    assert ours.keys() == theirs.keys()
    # Each write's chunks are embedded together in a worker as in one process: same numbers.
    assert max(float(np.abs(ours[k] - theirs[k]).max()) for k in ours) < 1e-5


def test_a_worker_killed_mid_run_stops_the_ingest_and_a_rerun_repairs_it(
    corpus, one_process, tmp_path, embedder
):
    data_dir = tmp_path / "lost"
    assert _ingest(corpus[1], data_dir, 2).returncode == 0
    lost = _ingest(corpus[0], data_dir, 2, **{WORKER_FAULT_ENV: "3"})
    assert lost.returncode == 1, lost.stderr
    assert "ingest worker ended" in lost.stderr and "Traceback" not in lost.stderr
    store = open_store(data_dir, embedder)
    written = store.count_articles()
    report = check_store(store)
    store.close()
    # Cut short (not every article is in), and what a reader sees is whole articles only.
    assert written < ARTICLES
    assert report.incomplete_articles == [] and report.misplaced_chunks == []
    rerun = _ingest(corpus[0], data_dir, 2)
    assert rerun.returncode == 3, rerun.stderr
    store = open_store(data_dir, embedder)
    assert snapshot(store) == snapshot(open_store(one_process[0], embedder))
    assert check_store(store).ok


def test_two_workers_against_a_chroma_server_store_what_one_process_stores(
    corpus, one_process, chroma_port, tmp_path, embedder
):
    server = {
        "NEWSDESK_CHROMA_HOST": "127.0.0.1",
        "NEWSDESK_CHROMA_PORT": str(chroma_port),
        "NEWSDESK_COLLECTION": f"w{uuid.uuid4().hex[:12]}",
    }
    data_dir = tmp_path / "server"
    assert _ingest(corpus[1], data_dir, 2, **server).returncode == 0
    assert _ingest(corpus[0], data_dir, 2, **server).returncode == 3
    settings = load_settings(environ={**cli_env(data_dir), **server})
    with Newsdesk(settings, embedder=embedder) as app:
        assert snapshot(app.store) == snapshot(open_store(one_process[0], embedder))


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment holds `marker` (every worker inherits the ingest's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # gone meanwhile, or not ours
    return found


def test_a_killed_ingest_leaves_no_worker_behind_and_a_rerun_repairs_it(
    corpus, one_process, tmp_path, embedder
):
    data_dir = tmp_path / "killed"
    assert _ingest(corpus[1], data_dir, 2).returncode == 0
    # The writing process SIGKILLs itself after its 3rd write to Chroma.
    killed = _ingest(corpus[0], data_dir, 2, capture=False, NEWSDESK_FAULT_AFTER_WRITES="3")
    assert killed.returncode == -9
    deadline = time.monotonic() + 15
    while _processes_with(f"NEWSDESK_DATA_DIR={data_dir}\0") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(f"NEWSDESK_DATA_DIR={data_dir}\0") == []
    assert _ingest(corpus[0], data_dir, 2).returncode == 3
    store = open_store(data_dir, embedder)
    assert snapshot(store) == snapshot(open_store(one_process[0], embedder))
    assert check_store(store).ok


def test_workers_zero_means_one_per_core():
    assert worker_count(0) == cores() >= 1
    assert worker_count(3) == 3


def test_an_input_too_small_to_repay_the_workers_start_is_ingested_in_one_process(
    corpus, one_process, tmp_path, embedder
):
    data_dir = tmp_path / "small"
    # Every worker would kill itself on its first batch: the ingest succeeds only if none
    # is asked to embed, as the default threshold (512 KiB) means for this ~30 KiB corpus.
    env = {"NEWSDESK_INGEST_WORKERS_MIN_KB": "512", WORKER_FAULT_ENV: "1"}
    assert _ingest(corpus[1], data_dir, 2, **env).returncode == 0
    assert _ingest(corpus[0], data_dir, 2, **env).returncode == 3
    assert snapshot(open_store(data_dir, embedder)) == snapshot(
        open_store(one_process[0], embedder)
    )
    # Below the threshold the ingest keeps to this process; at it, the workers asked for.
    files = sorted(corpus[0].iterdir())
    size = sum(f.stat().st_size for f in files)
    assert workers_for(2, files, size + 1) == 1
    assert workers_for(2, files, size) == 2
    assert workers_for(2, [tmp_path / "missing.md", *files], size + 1) == 1
    assert workers_for(1, files, 0) == 1


def test_the_progress_bars_still_show_with_workers(corpus, make_app, capsys):
    app = make_app(**{"ingest.workers": 2, "ingest.workers_min_kb": 0, "ingest.batch_chunks": 4})
    outcome = app.ingest([corpus[0]], progress=True)
    assert len(outcome.report.added) == ARTICLES
    assert [p.path for p in outcome.problems] == [str(corpus[0] / "broken.txt")]
    shown = capsys.readouterr().err
    # Each bar counts towards its whole: every file read, every article embedded.
    files = ARTICLES + 2  # the broken file and the copy
    assert "reading" in shown and f"/{files} [" in shown
    assert "embedding" in shown and f"/{ARTICLES} [" in shown


@pytest.mark.parametrize(
    "workers", [{}, {"ingest.workers": 2, "ingest.workers_min_kb": 0}], ids=["one", "two"]
)
def test_an_ingest_lists_each_input_folder_once(workers, make_app, tmp_path, monkeypatch):
    # The files found to decide on workers are the files loaded: the folders are not walked
    # a second time (os.walk lists each folder through os.scandir).
    folder = tmp_path / "in"
    write(folder, "a.txt", "Harbour tunnel opens\n\nThe tunnel opened on Saturday.")
    write(folder, "sub/b.md", "# Ferry strike ends\n\nThe ferry crews went back on Monday.")
    listed: Counter[Path] = Counter()
    real_scandir = os.scandir

    def counting_scandir(path=".", *args, **kwargs):
        if isinstance(path, (str, os.PathLike)) and Path(path).is_relative_to(folder):
            listed[Path(path)] += 1
        return real_scandir(path, *args, **kwargs)

    app = make_app(**workers)
    monkeypatch.setattr(os, "scandir", counting_scandir)
    outcome = app.ingest([folder])
    assert len(outcome.report.added) == 2 and outcome.problems == []
    assert listed == {folder: 1, folder / "sub": 1}
