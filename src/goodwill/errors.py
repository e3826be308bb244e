"""Every error goodwill raises on purpose, so the CLI can turn it into one clear line.

    GoodwillError                  base: message says what went wrong and what to do
    ├── ConfigError                goodwill.toml is missing, unreadable or invalid
    ├── InputError                 a record or file given to us cannot be read
    │   └── RecordRejected         one record is unusable (the batch goes on)
    ├── StoreError                 the database cannot be opened, migrated or written
    ├── PipelineError              stages do not fit together (a requirement is unmet)
    ├── ClusterError               Dask is missing, or its cluster cannot be started or reached
    └── ModelError                 a shipped model artifact is missing or corrupt

Exit codes used by the CLI live here too, so they are named in one place.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_SOME_REJECTED = 3


class GoodwillError(Exception):
    """Base of every error that goodwill raises deliberately."""

    exit_code: int = EXIT_ERROR


class ConfigError(GoodwillError):
    """The workspace configuration is missing or invalid."""

    exit_code = EXIT_USAGE


class InputError(GoodwillError):
    """A file or stream given on the command line cannot be read."""

    exit_code = EXIT_USAGE


class RecordRejected(InputError):
    """One input record cannot be used; callers log it and go on with the rest."""


class StoreError(GoodwillError):
    """The store cannot be opened, migrated or written."""


class PipelineError(GoodwillError):
    """The enrichment stages do not fit together."""


class ClusterError(GoodwillError):
    """Dask is not installed, or the cluster cannot be started or reached, or keeps losing a batch."""


class ModelError(GoodwillError):
    """A model artifact shipped with goodwill is missing or unreadable."""
