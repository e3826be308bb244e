"""``goodwill enrich --stored --workers N / --cluster ADDRESS``: the same stages, judged on Dask workers.

The driver (this process) is the only one that talks to the store: it reads
stale posts page by page, ships each page with the pipeline to a worker, and
writes each result as it comes back, one transaction per batch. Workers only
run the stages, which are pure and picklable, so they need goodwill installed
and nothing else: no database URL, no credentials.

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
from goodwill.store import Store, StoredPost
from goodwill.store.records import EncodedJSON

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = ["DASK_HINT", "dask_client", "enrich_stored_dask", "judge_batch"]

DASK_HINT = "Dask is not installed: pip install 'goodwill[dask]' (or run without --workers/--cluster)."
#: How often the driver itself resubmits a batch whose workers kept dying (after the scheduler's retries).
RESUBMITS = 2


#: On a worker: the pipeline of each recent run, kept so that stages with a memory across batches
#: (the spam stage's near-duplicate fingerprints) remember every batch this worker judged.
_WORKER_PIPELINES: dict[str, Pipeline] = {}
_KEEP_RUNS = 4


def judge_batch(run: str, pipeline: Pipeline, posts: bytes) -> bytes:
    """What runs on a worker: each stage's own output per post (as :meth:`Pipeline.run_by_stage`),
    already serialised to the JSON text the store writes.

    Posts come and results go as one pickle each: Dask serialises a list of a thousand dicts
    element by element, which costs more than judging them. Serialising the results here
    takes the driver's biggest cost off the one process that writes (measured: half its
    time went to ``json.dumps``), and a list of strings pickles faster than nested dicts.
    They travel as plain ``str`` (a ``str`` subclass pickles eight times larger and fifty
    times slower) and are marked :class:`EncodedJSON` by the driver.
    The ``pipeline`` shipped with the task is used only for the first batch of run ``run``
    that this worker sees; later batches reuse that first copy and its memory.
    """
    kept = _WORKER_PIPELINES.get(run)
    if kept is None:
        while len(_WORKER_PIPELINES) >= _KEEP_RUNS:
            _WORKER_PIPELINES.pop(next(iter(_WORKER_PIPELINES)))
        kept = _WORKER_PIPELINES[run] = pipeline
    judged = [
        {stage: json.dumps(result) for stage, result in per_post.items()}
        for per_post in kept.run_by_stage(pickle.loads(posts))
    ]
    return pickle.dumps(judged, protocol=pickle.HIGHEST_PROTOCOL)


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


def _threads(client: Client) -> int:
    info = client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def enrich_stored_dask(
    store: Store,
    pipeline: Pipeline,
    client: Client,
    *,
    batch_size: int = 1000,
    in_flight: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> EnrichSummary:
    """Enrich every stale post on the cluster behind ``client``; results are written by this process."""
    distributed = _distributed()
    versions = pipeline.versions
    run = uuid.uuid4().hex
    limit = in_flight if in_flight is not None else 2 * _threads(client)
    pending: dict[Future[Any], tuple[list[StoredPost], int]] = {}
    done = distributed.as_completed()
    posts = batches = 0

    def submit(page: list[StoredPost], attempt: int) -> None:
        blob = pickle.dumps([s.post for s in page], protocol=pickle.HIGHEST_PROTOCOL)
        future = client.submit(judge_batch, run, pipeline, blob, pure=False, retries=1)
        pending[future] = (page, attempt)
        done.add(future)

    def collect_one() -> None:
        nonlocal posts, batches
        future = next(done)
        page, attempt = pending.pop(future)
        try:
            per_stage: list[dict[str, str]] = pickle.loads(future.result())
        except distributed.KilledWorker:
            if attempt >= RESUBMITS:
                raise ClusterError(
                    f"a batch of {len(page):,} posts killed {attempt + 1} rounds of workers "
                    "(out of memory?); "
                    "try a smaller --batch-size, or check the workers' logs."
                ) from None
            submit(page, attempt + 1)
            return
        finally:
            future.release()
        rows = [
            (stored.id, name, versions[name], EncodedJSON(result))
            for stored, results in zip(page, per_stage, strict=True)
            for name, result in results.items()
        ]
        store.save_enrichment(rows)
        posts += len(page)
        batches += 1
        if progress is not None:
            progress(len(page))

    try:
        for page in store.iter_stale(versions, batch_size=batch_size):
            submit(page, 0)
            while len(pending) >= limit:
                collect_one()
        while pending:
            collect_one()
    finally:
        for future in pending:
            future.cancel()  # type: ignore[no-untyped-call]
    return EnrichSummary(posts=posts, batches=batches)
