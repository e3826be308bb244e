"""``goodwill enrich --stored --workers N / --cluster ADDRESS``: the same stages, judged on Dask workers.

The driver (this process) is the only one that writes to the store: it lists
stale posts page by page, ships each page with the pipeline to a worker, and
writes each batch of results as it comes back, one transaction per batch. On a
cluster (``--cluster``) the driver reads the pages and ships the posts: workers
only run the stages, which are pure and picklable, so they need goodwill
installed and nothing else: no database URL, no credentials. A local cluster's
workers (``--workers``) share this machine and its store, so they are sent ids
and read their pages themselves: on a small machine the driver shares the cores
with them, and reading and shipping pages was a third of its time.

Memory stays bounded: at most ``in_flight`` batches are out at once (two per
worker thread by default). A batch lost with its worker (killed, out of
memory) is rerun by the scheduler on another worker, and once more by the
driver if the scheduler gives up on it; saving a batch twice replaces the
same rows, so the result is the same. Stopping the driver loses at most the
batches in flight: a rerun judges exactly the posts that are still stale.

One difference from the in-process path: a stage's memory across batches lives
in each worker. The spam stage's near-duplicate detection sees every batch in
one process, but on a cluster only the batches judged by the same worker, so a
copy whose first sighting went to another worker is not flagged as a duplicate.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from goodwill.enrich.pipeline import Pipeline
from goodwill.errors import ClusterError
from goodwill.jobs.enrich_stored import EnrichSummary
from goodwill.models import Post
from goodwill.store import PostQuery, Store, StoredPost, open_store
from goodwill.store.enrichment_rows import EncodedRow

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = [
    "DASK_BATCH_SIZE",
    "DASK_HINT",
    "dask_client",
    "default_batch_size",
    "enrich_stored_dask",
    "judge_batch",
    "judge_stored",
]

DASK_HINT = "Dask is not installed: pip install 'goodwill[dask]' (or run without --workers/--cluster)."
#: Posts per batch by default, at most. Each batch is a round trip through the scheduler and one write
#: transaction in the driver: at 4,000 the driver spends a fifth less per post than at 1,000 (docs/deploy.md).
DASK_BATCH_SIZE = 4000
#: ... but at least this many batches per worker thread, so that a small store still keeps every
#: worker busy and no worker is left with the last big batch alone for long.
BATCHES_PER_THREAD = 4
#: ... and never fewer posts than this in a batch.
MIN_BATCH_SIZE = 250
#: How often the driver itself resubmits a batch whose workers kept dying (after the scheduler's retries).
RESUBMITS = 2


#: On a worker: the pipeline of each recent run, kept so that stages with a memory across batches
#: (the spam stage's near-duplicate fingerprints) remember every batch this worker judged.
_WORKER_PIPELINES: dict[str, Pipeline] = {}
_KEEP_RUNS = 4
#: On a worker that reads its own pages: the store of each URL, opened once.
_WORKER_STORES: dict[str, Store] = {}


def judge_batch(run: str, pipeline: Pipeline, batch: bytes) -> bytes:
    """What runs on a worker given the posts: a pickle of ``(post ids, posts)`` in, :func:`_judge`'s out.

    Posts come as one pickle: Dask serialises a list of a thousand objects element by
    element, which costs more than judging them.
    """
    ids, posts = pickle.loads(batch)
    return _judge(run, pipeline, ids, posts)


def judge_stored(run: str, pipeline: Pipeline, url: str, page: bytes) -> bytes:
    """What runs on a worker that reads its own page: those posts of the pickled ids still live in the store.

    The ids travel pickled too: Dask walks a list argument item by item, looking for futures in it.
    """
    ids: list[int] = pickle.loads(page)
    store = _WORKER_STORES.get(url)
    if store is None:
        store = _WORKER_STORES[url] = open_store(url, migrate=False)
    found = store.live_posts(ids)
    return _judge(run, pipeline, [post_id for post_id, _ in found], [post for _, post in found])


def _judge(run: str, pipeline: Pipeline, ids: list[int], posts: list[Post]) -> bytes:
    """A pickle of ``(posts judged, rows)``, rows as :meth:`Store.save_encoded_enrichment` takes them.

    Each row is ``(post_id, stage, stage_version, result as JSON text)``: serialising the
    results and building the rows here leaves the driver, the one process that writes,
    nothing to do but unpickle and insert (see docs/deploy.md for what that bought).
    The ``pipeline`` shipped with the task is used only for the first batch of run ``run``
    that this worker sees; later batches reuse that first copy and its memory.
    """
    kept = _WORKER_PIPELINES.get(run)
    if kept is None:
        while len(_WORKER_PIPELINES) >= _KEEP_RUNS:
            _WORKER_PIPELINES.pop(next(iter(_WORKER_PIPELINES)))
        kept = _WORKER_PIPELINES[run] = pipeline
    versions = kept.versions
    rows: list[EncodedRow] = [
        (post_id, stage, versions[stage], json.dumps(result))
        for post_id, per_post in zip(ids, kept.run_by_stage(posts), strict=True)
        for stage, result in per_post.items()
    ]
    return pickle.dumps((len(posts), rows), protocol=pickle.HIGHEST_PROTOCOL)


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError(DASK_HINT) from None
    return distributed


@contextmanager
def dask_client(
    *, workers: int | None = None, address: str | None = None, timeout: float = 10
) -> Iterator[Client]:
    """A client of a new local cluster of ``workers`` processes, or of the scheduler at ``address``."""
    if (workers is None) == (address is None):
        raise ClusterError("give either a number of workers or a cluster address, not both.")
    distributed = _distributed()
    if address is not None:
        try:
            client = distributed.Client(address, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {address} ({exc}); check the address and that "
                "`dask scheduler` runs there."
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    assert workers is not None
    if workers < 1:
        raise ClusterError("--workers must be at least 1.")
    # Each worker's embedding encoder gets its share of the cores, not a thread per core: N workers
    # with N threads each would oversubscribe the machine N times over.
    from goodwill.embeddings import THREADS_ENV

    share = os.environ.get(THREADS_ENV) or str(max(1, (os.cpu_count() or 1) // workers))
    cluster = distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        env={THREADS_ENV: share},
        processes=True,
        host="127.0.0.1",
        # The scheduler serves HTTP whatever we say; port 0 never collides with a running cluster.
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    try:
        client = distributed.Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def default_batch_size(posts: int, threads: int) -> int:
    """Posts per batch for ``posts`` stored posts on ``threads`` worker threads.

    :data:`BATCHES_PER_THREAD` batches per thread, between :data:`MIN_BATCH_SIZE` and
    :data:`DASK_BATCH_SIZE` posts: 10,000 posts on 4 threads go in batches of 625, not in
    three batches of 4,000 that would leave a worker idle.
    """
    return max(MIN_BATCH_SIZE, min(DASK_BATCH_SIZE, posts // (BATCHES_PER_THREAD * max(1, threads))))


def _threads(client: Client) -> int:
    info = client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def enrich_stored_dask(
    store: Store,
    pipeline: Pipeline,
    client: Client,
    *,
    batch_size: int | None = None,
    in_flight: int | None = None,
    progress: Callable[[int], None] | None = None,
    workers_open_store: bool = False,
) -> EnrichSummary:
    """Enrich every stale post on the cluster behind ``client``; results are written by this process.

    ``workers_open_store``: the workers run on this machine (a local cluster), so they open the
    store themselves and read the page of ids the driver lists; the driver then only lists and
    writes, which on a small machine leaves the workers the cores. Otherwise, or for an in-memory
    SQLite store, the driver reads each page and ships its posts. ``batch_size`` None:
    :func:`default_batch_size` for this store and cluster.
    """
    distributed = _distributed()
    versions = pipeline.versions
    run = uuid.uuid4().hex
    threads = _threads(client)
    limit = in_flight if in_flight is not None else 2 * threads
    if batch_size is None:
        batch_size = default_batch_size(store.count(PostQuery(limit=None)), threads)
    url = store.shared_url() if workers_open_store else None
    task: Callable[..., bytes]
    work: Iterator[tuple[tuple[Any, ...], int]]
    if url is None:
        task = judge_batch
        work = (((_shipped(page),), len(page)) for page in store.iter_stale(versions, batch_size=batch_size))
    else:
        task = judge_stored
        work = (
            ((url, pickle.dumps(ids, protocol=pickle.HIGHEST_PROTOCOL)), len(ids))
            for ids in store.iter_stale_ids(versions, batch_size=batch_size)
        )
    pending: dict[Future[Any], tuple[tuple[Any, ...], int, int]] = {}
    done = distributed.as_completed()
    posts = batches = 0

    def submit(args: tuple[Any, ...], size: int, attempt: int) -> None:
        future = client.submit(task, run, pipeline, *args, pure=False, retries=1)
        pending[future] = (args, size, attempt)
        done.add(future)

    def collect_one() -> None:
        nonlocal posts, batches
        future = next(done)
        args, size, attempt = pending.pop(future)
        try:
            judged, rows = pickle.loads(future.result())
        except distributed.KilledWorker:
            if attempt >= RESUBMITS:
                raise ClusterError(
                    f"a batch of {size:,} posts killed {attempt + 1} rounds of workers "
                    "(out of memory?); "
                    "try a smaller --batch-size, or check the workers' logs."
                ) from None
            submit(args, size, attempt + 1)
            return
        finally:
            future.release()
        store.save_encoded_enrichment(rows)
        posts += judged
        batches += 1
        if progress is not None:
            progress(judged)

    try:
        for args, size in work:
            submit(args, size, 0)
            while len(pending) >= limit:
                collect_one()
        while pending:
            collect_one()
    finally:
        for future in pending:
            future.cancel()  # type: ignore[no-untyped-call]
    return EnrichSummary(posts=posts, batches=batches)


def _shipped(page: list[StoredPost]) -> bytes:
    """What :func:`judge_batch` takes: the page's ids and posts, one pickle."""
    return pickle.dumps(([s.id for s in page], [s.post for s in page]), protocol=pickle.HIGHEST_PROTOCOL)
