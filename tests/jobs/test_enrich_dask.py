"""Enrichment on a real Dask cluster of worker processes: same results, a killed worker's batch rerun."""

from __future__ import annotations

import json
import logging
import os
import pickle
import signal
import socket
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
from distributed import Client, LocalCluster

from goodwill.cli.main import invoke
from goodwill.config import load_config
from goodwill.enrich.pipeline import Pipeline
from goodwill.enrich.registry import default_pipeline
from goodwill.enrich.stage import StageContext
from goodwill.errors import ClusterError
from goodwill.jobs import enrich_dask
from goodwill.jobs.enrich_dask import (
    DASK_BATCH_SIZE,
    MIN_BATCH_SIZE,
    dask_client,
    default_batch_size,
    enrich_stored_dask,
    judge_stored,
)
from goodwill.models import Post, Provenance
from goodwill.sources.mapping import record_to_post
from goodwill.store import PostQuery, RawRecord, Store, open_store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "sample"
PROVENANCE = Provenance(source="test", endpoint=None, retrieved_at="2026-11-30T00:00:00Z")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes, one thread each; the stages of this module travel by value."""
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    local = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    try:
        yield local
    finally:
        local.close()
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def _sample_posts(n: int) -> list[tuple[Post, RawRecord]]:
    out = []
    for line in (SAMPLE / "posts.jsonl").read_text(encoding="utf-8").splitlines()[:n]:
        record = json.loads(line)
        out.append((record_to_post(record, None), RawRecord(payload=record, provenance=PROVENANCE)))
    return out


def _sample_pipeline() -> Pipeline:
    return default_pipeline(StageContext(config=load_config(SAMPLE / "goodwill.toml")))


#: Both ways a batch reaches a worker: its posts shipped by the driver, or its ids, read by the worker.
FEEDS = pytest.mark.parametrize("workers_open_store", [False, True], ids=["posts-shipped", "workers-read"])


@FEEDS
def test_cluster_results_equal_the_in_process_ones(
    store: Store, cluster: LocalCluster, workers_open_store: bool
) -> None:
    store.upsert(_sample_posts(300))
    pipeline = _sample_pipeline()
    advanced: list[int] = []
    with dask_client(address=cluster.scheduler_address) as client:
        summary = enrich_stored_dask(
            store,
            pipeline,
            client,
            batch_size=40,
            progress=advanced.append,
            workers_open_store=workers_open_store,
        )
        stored = store.query(PostQuery(limit=None, versions=pipeline.versions))
        stored.sort(key=lambda s: s.id)
        assert summary.posts == len(stored) and summary.batches == -(-len(stored) // 40)
        assert sorted(advanced, reverse=True)[0] == 40 and sum(advanced) == len(stored)
        # the same batches as the store pages them (by id), judged in this process
        expected = [
            e for i in range(0, len(stored), 40) for e in pipeline.run([s.post for s in stored[i : i + 40]])
        ]
        got = [s.enrichment for s in stored]
        # Spam's near-duplicate memory is per process, and its MinHash uses the per-process
        # string-hash salt: where the spam verdicts agree, everything else must be identical.
        same_spam = [(m, t) for m, t in zip(got, expected, strict=True) if m["spam"] == t["spam"]]
        assert len(same_spam) >= 0.8 * len(got)
        assert [m for m, _ in same_spam] == [t for _, t in same_spam]
        assert all(set(m) == set(t) for m, t in zip(got, expected, strict=True))
        assert enrich_stored_dask(store, pipeline, client, batch_size=40).posts == 0


class PidStage:
    """A stage that says which process judged each post."""

    name = "pid"
    version = "1"
    requires: tuple[str, ...] = ()
    provides = ("pid",)

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [{"pid": os.getpid()} for _ in posts]


class KillOnce:
    """A stage whose first batch, anywhere on the cluster, kills the worker process running it."""

    name = "killer"
    version = "1"
    requires: tuple[str, ...] = ()
    provides = ("pid",)

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return [{"pid": os.getpid()} for _ in posts]
        os.write(fd, f"{posts[0].native_id} {os.getpid()}".encode())
        os.close(fd)
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")


@FEEDS
def test_a_killed_workers_batch_is_rerun(
    store: Store, cluster: LocalCluster, tmp_path: Path, workers_open_store: bool
) -> None:
    store.upsert(
        [(Post(native_id=str(i), text=f"post {i}"), RawRecord({"id": i}, PROVENANCE)) for i in range(120)]
    )
    marker = tmp_path / "killed"
    pipeline = Pipeline([KillOnce(marker)])
    with Client(cluster.scheduler_address) as client:
        summary = enrich_stored_dask(
            store, pipeline, client, batch_size=10, workers_open_store=workers_open_store
        )
        after = set(client.run(os.getpid).values())
    assert summary.posts == 120 and summary.batches == 12
    first_of_killed_batch, killed_pid = marker.read_text().split()
    assert int(killed_pid) not in after  # the worker really died (its nanny started another)
    posts = store.query(PostQuery(limit=None, newest_first=False))
    assert [p.post.native_id for p in posts] == [str(i) for i in range(120)]
    assert all(set(p.enrichment) == {"pid"} for p in posts)
    # the batch that died with its worker was judged again, by another process
    rerun = next(p for p in posts if p.post.native_id == first_of_killed_batch)
    assert rerun.enrichment["pid"] != int(killed_pid)
    assert list(store.iter_stale(pipeline.versions)) == []
    assert store.stats({"killer": "1"})["total"]["enriched"] == 120


def test_a_worker_reading_its_page_skips_posts_deleted_since_it_was_listed(store: Store) -> None:
    store.upsert(
        [(Post(native_id=str(i), text=f"post {i}"), RawRecord({"id": i}, PROVENANCE)) for i in range(3)]
    )
    pipeline = Pipeline([PidStage()])
    (ids,) = store.iter_stale_ids(pipeline.versions)
    store.upsert([(Post(native_id="1", text=None, deleted=True), RawRecord({"id": 1}, PROVENANCE))])
    url = store.shared_url()
    assert url is not None
    try:
        judged, rows = pickle.loads(judge_stored("run", pipeline, url, pickle.dumps(ids)))
    finally:
        enrich_dask._WORKER_STORES.pop(url).close()
    assert judged == 2
    me = {"pid": os.getpid()}
    assert [(p, st, v, json.loads(r)) for p, st, v, r in rows] == [
        (ids[0], "pid", "1", me),
        (ids[2], "pid", "1", me),
    ]
    store.save_encoded_enrichment(rows)
    assert list(store.iter_stale(pipeline.versions)) == []


def test_batches_by_default_are_four_per_worker_thread_within_bounds() -> None:
    assert default_batch_size(100_000, 2) == DASK_BATCH_SIZE  # 12,500 capped
    assert default_batch_size(10_000, 4) == 625  # not three batches of 4,000 for four workers
    assert default_batch_size(600, 2) == MIN_BATCH_SIZE
    assert default_batch_size(0, 0) == MIN_BATCH_SIZE


def test_a_small_store_is_split_for_every_worker_by_default(store: Store, cluster: LocalCluster) -> None:
    store.upsert(
        [(Post(native_id=str(i), text=f"post {i}"), RawRecord({"id": i}, PROVENANCE)) for i in range(600)]
    )
    with Client(cluster.scheduler_address) as client:
        summary = enrich_stored_dask(store, Pipeline([PidStage()]), client, workers_open_store=True)
    assert (summary.posts, summary.batches) == (600, 3)  # 250, 250 and 100


def test_cli_enriches_on_a_local_cluster_of_two_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "goodwill.toml").write_text((SAMPLE / "goodwill.toml").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOODWILL_DATABASE_URL", raising=False)
    with open_store(f"sqlite:///{tmp_path / 'goodwill.db'}") as store:
        store.upsert(_sample_posts(250))
        live = store.count(PostQuery(limit=None))
    assert invoke(["enrich", "--stored", "--workers", "2", "--batch-size", "50", "-q"]) == 0
    assert capsys.readouterr().out.strip() == f"enriched {live} new or stale posts"
    with open_store(f"sqlite:///{tmp_path / 'goodwill.db'}") as store:
        assert store.stats(_sample_pipeline().versions)["total"]["enriched"] == live
    assert invoke(["enrich", "--stored", "-q"]) == 0
    assert capsys.readouterr().out.strip() == "nothing to enrich: every stored post is up to date"


def test_cli_refuses_cluster_options_without_stored(capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(["enrich", "--workers", "2", "--brand", "Acme"]) == 2
    assert "--stored only" in capsys.readouterr().err
    assert invoke(["enrich", "--stored", "--workers", "2", "--cluster", "tcp://127.0.0.1:1"]) == 2
    assert "not both" in capsys.readouterr().err


def test_without_dask_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ClusterError, match=r"pip install 'goodwill\[dask\]'"), dask_client(workers=1):
        pass


def test_an_unreachable_scheduler_is_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        pytest.raises(ClusterError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"),
        dask_client(address=f"tcp://127.0.0.1:{port}", timeout=1),
    ):
        pass


def _encoder_threads() -> int:
    from goodwill.embeddings import default_threads

    return default_threads()


def test_local_workers_share_the_cores_among_their_encoders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOODWILL_ENCODER_THREADS", raising=False)
    with dask_client(workers=2) as client:
        threads = client.run(_encoder_threads)
    # Two workers: each encoder gets half the cores, never a thread per core each.
    assert sorted(threads.values()) == [max(1, (os.cpu_count() or 1) // 2)] * 2
