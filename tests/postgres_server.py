"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, a unix socket, no TCP.

One server per test session (per xdist worker), a migrated template database,
and a fresh database per test made with ``CREATE DATABASE ... TEMPLATE``
(tens of milliseconds, against about a second to migrate).

initdb and the server refuse to run as root, and CI runs as root: then the
server runs as the ``postgres`` user (Debian's package creates it) or
``nobody``, in a folder that user owns. The server runs without fsync: its
data is thrown away at the end of the session.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["ENABLE_HINT", "PostgresServer", "find_bin_dir"]

ENABLE_HINT = (
    "PostgreSQL tests skipped: no initdb found (looked in PATH and /usr/lib/postgresql/*/bin). "
    "Install the server binaries to run them (`bash scripts/ensure-postgres.sh`, which `make test` runs, "
    "or `apt-get install postgresql`), or point GOODWILL_TEST_PG_BIN at their folder."
)
SUPERUSER = "goodwill"


def find_bin_dir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres (the newest version), or None."""
    given = os.environ.get("GOODWILL_TEST_PG_BIN")
    if given:
        return Path(given) if (Path(given) / "initdb").is_file() else None
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3].split(".")[0])
    )
    if found:
        return found[-1].parent
    which = shutil.which("initdb")
    if which:
        resolved = Path(which).resolve().parent
        if (resolved / "pg_ctl").is_file():
            return resolved
    return None


def _run_as() -> str | None:
    """The user to run the server as, when we are root (None: as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, but there is no 'postgres' or 'nobody' user to run PostgreSQL as")


class PostgresServer:
    """initdb + pg_ctl start in a temporary folder; :meth:`stop` removes everything."""

    def __init__(self, bin_dir: Path, *, durable: bool = False) -> None:
        #: durable: PostgreSQL's default settings (fsync on), for benchmarks; else fast and unsafe
        self.durable = durable
        self.bin_dir = bin_dir
        self.user = _run_as()
        # Short path under /tmp: a unix socket path must stay under ~100 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="gw-pg-", dir="/tmp"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._counter = 0
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def _cmd(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user is not None else []
        return [*prefix, *args]

    def start(self) -> None:
        subprocess.run(
            self._cmd(
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
        )
        options = f"-k {self.root} -c listen_addresses=''"
        if not self.durable:
            options += " -F -c full_page_writes=off -c synchronous_commit=off -c max_connections=60"
            options += " -c shared_buffers=32MB"
        done = subprocess.run(
            self._cmd(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                options,
                "-w",
                "start",
            ),
            check=False,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {done.stderr}\n{log}")

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one database on this server, through its unix socket."""
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.root}"

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(host=str(self.root), user=SUPERUSER, dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self, template: str | None = None) -> str:
        """Create an empty (or ``template``-copied) database; return its name."""
        self._counter += 1
        name = f"t{os.getpid()}_{self._counter}"
        # FILE_COPY: a third faster than the default WAL_LOG for a small template (no fsync here).
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        self.admin(f"CREATE DATABASE {name}{copy}")
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        try:
            subprocess.run(
                self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"),
                check=False,
                capture_output=True,
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
