"""The BM25 index is kept on disk between processes and thrown away when any process writes."""

from __future__ import annotations

import os
import pickle
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from assistant.api import create_app
from ingest.types import Article
from tests.api.conftest import local_client
from tests.chroma_server import ChromaServer
from vectorstore import lexical_build, lexical_cache, lexical_file
from vectorstore.lexical_build import ARRAYS, VERSION, build_file
from vectorstore.lexical_cache import CacheDamaged, load_index

GLACIER = Article(
    title="Glacier retreat measured by survey team",
    text="Surveyors found the Vardbreen glacier retreated 62 metres in one summer.",
    source="Mountain Post",
    published_at="2024-09-14",
)
BEEHIVES = Article(
    title="Town council funds rooftop beehives",
    text="The council will pay for 40 rooftop beehives on the Quillmore library and school.",
    source="Town Crier",
    published_at="2024-05-03",
)


def test_a_new_process_loads_the_saved_index_instead_of_rebuilding_it(make_app, monkeypatch):
    first = make_app()
    first.store.add_articles([GLACIER])
    assert first.store.search("Vardbreen glacier")[0].article_id == GLACIER.id
    cache = first._lexical_cache_file()
    assert cache.is_file()

    def rebuilt(*_args, **_kwargs):
        raise AssertionError("the BM25 index was rebuilt although a current one was saved")

    monkeypatch.setattr(lexical_cache, "build_file", rebuilt)
    second = make_app()  # same data folder, a new store object: what a new process sees
    index = second.store.lexical_index()
    hits = index.top("Vardbreen", 5)
    chunk_ids = {cid for cid, _, meta in second.store.chunk_records()}
    assert [index.chunk_id(row) for row, _score in hits] == sorted(chunk_ids)


def test_a_store_moved_behind_chroma_run_keeps_its_saved_index(make_app, monkeypatch):
    """docs/deploy.md moves a large store behind `chroma run`: the index built in process
    (~13 minutes at 1M chunks) is the one the server-backed store opens, whatever port."""
    embedded = make_app("moved")
    embedded.store.add_articles([GLACIER])
    embedded.store.lexical_index()
    cache = embedded._lexical_cache_file()
    embedded.close()

    def rebuilt(*_args, **_kwargs):
        raise AssertionError("the BM25 index was rebuilt although a current one was saved")

    monkeypatch.setattr(lexical_cache, "build_file", rebuilt)
    server = ChromaServer(cache.parent.parent / "chroma")
    server.start()
    try:
        served = make_app("moved", **{"store.host": "127.0.0.1", "store.port": server.port})
        assert served._lexical_cache_file() == cache
        assert served.store.search("Vardbreen glacier")[0].article_id == GLACIER.id
        served.close()
    finally:
        server.stop()


def test_a_write_by_another_process_makes_the_saved_index_stale(make_app):
    reader = make_app()
    reader.store.add_articles([GLACIER])
    reader.store.lexical_index()
    saved_at = reader.store.generation()
    assert load_index(reader._lexical_cache_file(), saved_at) is not None

    writer = make_app()  # another process writing to the same store
    writer.store.add_articles([BEEHIVES])
    assert load_index(reader._lexical_cache_file(), writer.store.generation()) is None
    # The reader notices the change and finds the new article by a word only BM25 knows well.
    passages = reader.store.search("Quillmore beehives")
    assert passages[0].article_id == BEEHIVES.id and passages[0].lexical_rank == 1
    assert load_index(reader._lexical_cache_file(), writer.store.generation()) is not None


class _Planted:
    """What a hostile user writes where the cache lives: unpickling it would run mkdir."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # noqa: ANN204 - the pickle protocol
        return (os.mkdir, (str(self.marker),))


def test_a_pickle_planted_as_the_bm25_cache_does_not_run_and_search_still_answers(
    make_app, tmp_path
):
    app = make_app()
    app.store.add_articles([GLACIER])
    cache = app._lexical_cache_file()
    marker = tmp_path / "the-payload-ran"
    payload = pickle.dumps(_Planted(marker)) + pickle.dumps(_Planted(marker))
    cache.parent.mkdir(parents=True, exist_ok=True)
    for path in (cache, cache.with_suffix(".pickle")):  # today's name and the old one
        path.write_bytes(payload)

    fresh = make_app()  # a new process: it finds the planted file first
    assert fresh.store.search("Vardbreen glacier")[0].article_id == GLACIER.id
    assert not marker.exists()
    assert "BM25 cache" in fresh.store.lexical_cache_problem
    assert load_index(cache, fresh.store.generation()) is not None  # replaced by a good one


def _garbage(path: Path, _generation: str) -> None:
    path.write_bytes(b"not a pickle")


def _truncated(path: Path, _generation: str) -> None:
    path.write_bytes(path.read_bytes()[:200])


def _flipped(path: Path, _generation: str) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


def _crafted(path: Path, _generation: str) -> None:
    # A well-formed file with a valid checksum whose postings point past the chunks: what a
    # crafted file looks like (a broken index used to make every search a 500).
    header = lexical_file.read_header(path)
    arrays = {
        name: np.array(a) for name, a in lexical_file.read_arrays(path, header, ARRAYS, {}).items()
    }
    arrays["posting_rows"] += 1000
    shapes = {name: (dtype, len(arrays[name])) for name, dtype in ARRAYS.items()}
    header["sha256"] = "0" * 64
    path.unlink()
    for name, array in lexical_file.create(path, header, shapes).items():
        array[:] = arrays[name]
    lexical_file.seal(path, header)


def _other_version(path: Path, _generation: str) -> None:
    raw = path.read_bytes()
    assert f'"version":{VERSION}'.encode() in raw
    path.write_bytes(raw.replace(f'"version":{VERSION}'.encode(), b'"version":9', 1))


@pytest.mark.parametrize(
    "damage",
    [_garbage, _truncated, _flipped, _crafted, _other_version],
    ids=["garbage", "truncated", "flipped-byte", "crafted", "other-version"],
)
def test_a_damaged_cache_is_rebuilt_and_reported_and_search_answers(make_app, damage):
    app = make_app()
    app.store.add_articles([GLACIER])
    app.store.search("Vardbreen")
    cache = app._lexical_cache_file()
    damage(cache, app.store.generation())
    with pytest.raises(CacheDamaged, match=str(cache)):
        load_index(cache, app.store.generation())

    fresh = make_app()
    assert fresh.store.search("Vardbreen")[0].article_id == GLACIER.id
    assert str(cache) in fresh.store.lexical_cache_problem
    assert not fresh.store.lexical_rebuilding
    assert load_index(cache, fresh.store.generation()) is not None


def test_readyz_is_not_ready_while_a_damaged_cache_is_rebuilt_and_names_it_after(
    make_app, monkeypatch
):
    server = make_app()
    server.store.add_articles([GLACIER])
    with local_client(create_app(server, warm_up=False)) as client:
        assert client.get("/readyz").json() == {"status": "ready"}
        make_app().store.add_articles([BEEHIVES])  # another process writes...
        server._lexical_cache_file().write_bytes(b"\x80\x04garbage")  # ...and the cache is hit

        # Hold the rebuild the next search starts, to ask /readyz meanwhile.
        building, release = threading.Event(), threading.Event()
        build = lexical_cache.build_file

        def held_build(*args: object) -> None:
            building.set()
            release.wait(60)
            build(*args)

        monkeypatch.setattr(lexical_cache, "build_file", held_build)
        search = threading.Thread(target=lambda: client.get("/v1/search", params={"q": "hives"}))
        search.start()
        assert building.wait(60)
        during = client.get("/readyz")
        release.set()
        search.join(60)
        assert during.status_code == 503
        assert "rebuilding the BM25 index" in during.json()["error"]["message"]
        after = client.get("/readyz").json()
        assert after["status"] == "ready"
        assert str(server._lexical_cache_file()) in after["notes"][0]
        assert client.get("/v1/search", params={"q": "Quillmore"}).status_code == 200


def _rows(count: int, seed: int = 3) -> list[tuple[str, str, dict, np.ndarray]]:
    """Chunks of ~60 distinct words (as stored chunks average) with 384-d embeddings."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(5_000)]
    vectors = rng.normal(size=(count, 384)).astype(np.float32)
    return [
        (
            f"article-{i // 4}:{i % 4}",
            " ".join(rng.choice(words, size=60, replace=False)),
            {"article_id": f"article-{i // 4}", "published_day": 20240101 + i % 28,
             "source_key": f"outlet {i % 7}"},
            vectors[i],
        )
        for i in range(count)
    ]  # fmt: skip


def test_the_index_keeps_each_rows_vector_in_int8_within_1_5_kb_a_chunk(tmp_path):
    rows = _rows(3000)
    path = tmp_path / "index"
    build_file(rows, "g1", path)
    index = load_index(path, "g1")
    assert index.has_vectors and index.dimensions == 384 and 0 < index.residual < 0.05
    codes, scales = index.vectors()
    assert codes.shape == (3000, 384) and codes.dtype == np.int8
    for row in (0, 1234, 2999):
        unit = rows[row][3] / np.linalg.norm(rows[row][3])
        assert np.linalg.norm(codes[row] * scales[row] - unit) <= index.residual
    without = tmp_path / "without"
    build_file([row[:3] for row in rows], "g1", without)
    added = (path.stat().st_size - without.stat().st_size) / len(rows)
    assert added <= 384 + 4 + 1  # the codes, the scale, alignment
    assert path.stat().st_size / len(rows) <= 1536  # issue 21: <= 1.5 KB a chunk on disk


def test_a_damaged_vector_block_is_refused_by_the_checksum(tmp_path):
    path = tmp_path / "index"
    build_file(_rows(50), "g1", path)
    at = lexical_file.read_header(path)["arrays"]["vectors"]["offset"] + 1000
    raw = bytearray(path.read_bytes())
    raw[at] ^= 0x55
    path.write_bytes(bytes(raw))
    with pytest.raises(CacheDamaged, match=re.escape(str(path)) + ".*checksum"):
        load_index(path, "g1")


def test_rows_with_and_without_vectors_are_refused_naming_the_chunk(tmp_path):
    rows = _rows(3)
    mixed = [rows[0], rows[1][:3], rows[2]]
    with pytest.raises(ValueError, match="article-0:1.*0 dimensions, expected 384"):
        build_file(mixed, "g1", tmp_path / "index")


def test_an_index_of_the_version_before_vectors_is_rebuilt_with_them(make_app, monkeypatch):
    app = make_app()
    app.store.add_articles([GLACIER, BEEHIVES])
    app.store.search("Vardbreen")
    cache = app._lexical_cache_file()
    with monkeypatch.context() as old:  # what version 3 wrote: no vectors
        old.setattr(lexical_build, "VERSION", 3)
        build_file(app.store.chunk_records(), app.store.generation(), cache)
    assert lexical_file.read_header(cache)["version"] == 3

    fresh = make_app()  # a new process after the upgrade
    assert fresh.store.search("Vardbreen glacier")[0].article_id == GLACIER.id
    assert f"version 3, not {VERSION}" in fresh.store.lexical_cache_problem
    index = load_index(cache, fresh.store.generation())
    assert index.has_vectors and index.dimensions == 384 and len(index) == 2
