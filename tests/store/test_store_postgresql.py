"""What only PostgreSQL has: concurrent writers, the GIN search index, and its connection errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, text
from store_helpers import make_post, rec

import goodwill.store.engine as engine_module
from goodwill.errors import StoreError
from goodwill.store import PostQuery, Store, UpsertCounts, open_store
from postgres_server import PostgresServer

pytestmark = pytest.mark.postgresql


@pytest.fixture
def pg_store(postgres_server: PostgresServer, postgres_template: str) -> Store:
    name = postgres_server.new_database(template=postgres_template)
    return open_store(postgres_server.url(name))


def test_writers_racing_on_the_same_new_posts_import_each_once(pg_store: Store) -> None:
    # Four writers upsert overlapping keys at once: on PostgreSQL they really run side by side,
    # collide on the unique key, and the loser replays its batch seeing the winner's rows.
    batches = [
        [rec(make_post(str(k), f"text {k}")) for k in range(start, start + 300)] for start in (0, 100, 200, 0)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(pg_store.upsert, batches))
    total = sum(counts, UpsertCounts())
    assert total.imported == 500
    assert total.unchanged == 700
    assert total.updated == 0
    assert pg_store.count(PostQuery(limit=None)) == 500
    one = pg_store.get("generic", "150")
    assert one is not None and len(pg_store.raw_payloads(one.id)) == 1
    pg_store.close()


def test_writers_racing_on_edits_keep_every_version(pg_store: Store) -> None:
    pg_store.upsert([rec(make_post("1", "v0"))])
    edits = [[rec(make_post("1", f"v{i}"))] for i in range(1, 9)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(pg_store.upsert, edits))
    assert sum(counts, UpsertCounts()) == UpsertCounts(updated=8)
    got = pg_store.get("generic", "1")
    assert got is not None
    history = pg_store.versions(got.id)
    # every text but the last one written became a version, none lost, none twice
    assert sorted([*history, got.post.text]) == [f"v{i}" for i in range(9)]
    assert history[0] == "v0"
    pg_store.close()


def test_racing_enrichment_saves_of_the_same_keys(pg_store: Store) -> None:
    pg_store.upsert([rec(make_post(str(i), "x")) for i in range(50)])
    ids = [p.id for p in pg_store.query(PostQuery(limit=None))]
    rows = [
        [(i, "sentiment", "1", {"sentiment": {"label": "neutral", "n": n}}) for i in ids] for n in range(4)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(pg_store.save_enrichment, rows))
    assert pg_store.stats()["sentiment"] == {"neutral": 50}
    assert list(pg_store.iter_stale({"sentiment": "1"})) == []
    pg_store.close()


def test_opening_a_new_database_from_many_processes_at_once_migrates_it_once(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.url(postgres_server.new_database())
    with ThreadPoolExecutor(max_workers=4) as pool:
        stores = list(pool.map(lambda _: open_store(url), range(4)))
    for s in stores:
        s.close()
    engine = create_engine(url)
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert versions == [ScriptDirectory.from_config(engine_module._alembic_config()).get_current_head()]
    engine.dispose()


def test_search_uses_the_gin_index(pg_store: Store) -> None:
    pg_store.upsert([rec(make_post(str(i), f"Le café numéro {i}")) for i in range(200)])
    assert pg_store.count(PostQuery(search="CAFE numero", limit=None)) == 200
    assert pg_store.count(PostQuery(search="cafe 17", limit=None)) == 1
    from goodwill.store.dialect import search_clause
    from goodwill.store.schema import posts

    stmt = posts.select().where(search_clause("postgresql", "cafe"))
    engine = create_engine(pg_store.url)
    with engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.execute(text(f"EXPLAIN {compiled}")).scalars())
    engine.dispose()
    assert "ix_posts_text_search" in plan
    pg_store.close()


def test_json_results_are_stored_as_jsonb(pg_store: Store) -> None:
    engine = create_engine(pg_store.url)
    with engine.connect() as conn:
        kind = conn.execute(
            text(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'enrichments' AND column_name = 'result'"
            )
        ).scalar_one()
    engine.dispose()
    assert kind == "jsonb"
    pg_store.close()


def test_unreachable_server_says_what_to_check() -> None:
    with pytest.raises(StoreError, match=r"cannot reach the PostgreSQL server.*check host, port") as info:
        open_store("postgresql+psycopg://ann:s3cret@/goodwill?host=/nonexistent-socket-dir")
    assert "s3cret" not in str(info.value)


def test_missing_database_says_to_create_it(postgres_server: PostgresServer) -> None:
    with pytest.raises(StoreError, match="create it first"):
        open_store(postgres_server.url("no_such_db"))


def test_other_postgresql_drivers_are_refused_with_the_url_to_use() -> None:
    with pytest.raises(StoreError, match=r"postgresql\+psycopg://"):
        open_store("postgresql+psycopg2://localhost/goodwill")


def test_statements_are_never_prepared_so_each_is_planned_for_its_values(pg_store: Store) -> None:
    # A generic plan made while the table was empty kept scanning every post as it grew.
    def prepared_after_repeats(conn: Connection) -> int:
        for _ in range(8):  # psycopg's default prepares on the fifth
            conn.execute(text("SELECT count(*) FROM posts WHERE network = :n"), {"n": "x"})
        return int(conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one())

    assert pg_store.read(prepared_after_repeats) == 0
    pg_store.upsert([rec(make_post(str(i), "x")) for i in range(3)])
    assert pg_store.read(prepared_after_repeats) == 0
    pg_store.close()
