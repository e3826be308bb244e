"""A pre-warmed parent forking one job per command: a crash trial costs a fork, not an interpreter start.

Reads lines from stdin: ``import URL FILE BATCH``, ``enrich URL BATCH`` or ``listen DIR`` (the
``goodwill listen`` command itself, run in the workspace DIR). For each, it forks
a child that opens the store afresh and runs the job exactly as the CLI does (the same
library call), prints ``pid N``, waits for the child and prints ``exit STATUS``. The test
kills the child with SIGKILL; the parent lives on for the next trial. No store connection
or thread exists in the parent when it forks.
"""

from __future__ import annotations

import os
import sys

from goodwill.cli.main import _register, invoke
from goodwill.enrich.pipeline import Pipeline
from goodwill.enrich.registry import default_pipeline
from goodwill.enrich.stage import StageContext
from goodwill.jobs.enrich_stored import enrich_stored
from goodwill.jobs.importer import import_files
from goodwill.models import Post
from goodwill.store import open_store


def _run(words: list[str], pipeline: Pipeline | None) -> None:
    if words[0] == "import":
        with open_store(words[1]) as store:
            import_files(store, [words[2]], batch_size=int(words[3]))
    elif words[0] == "enrich":
        assert pipeline is not None, "this parent was started with --listen-only"
        with open_store(words[1]) as store:
            enrich_stored(store, pipeline, batch_size=int(words[2]))
    elif words[0] == "listen":
        os.chdir(words[1])
        os.environ.pop("GOODWILL_DATABASE_URL", None)  # the workspace's own SQLite file
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # its report must not mix with the pid/exit lines the test reads
        if invoke(["listen"]) != 0:
            raise RuntimeError("goodwill listen failed")


def main() -> None:
    pipeline: Pipeline | None = None
    if "--listen-only" not in sys.argv:  # listen trials need no model: start in a second, not ten
        pipeline = default_pipeline(StageContext())  # load the models once, before any fork
        pipeline.run_by_stage([Post(native_id="warm", text="warm up every stage @acme, refund please?")])
    _register()  # the CLI's commands and the HN source imported once, before any fork
    import goodwill.sources.hackernews  # noqa: F401

    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _run(words, pipeline)
            except BaseException as exc:  # report, never fall back into the parent's loop
                print(f"child error {exc!r}", file=sys.stderr, flush=True)
                code = 1
            os._exit(code)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {status}", flush=True)


if __name__ == "__main__":
    main()
