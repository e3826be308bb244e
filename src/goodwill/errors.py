"""Every error goodwill raises on purpose, so the CLI can turn it into one clear line.

    GoodwillError                  base: message says what went wrong and what to do
    ├── ConfigError                goodwill.toml is missing, unreadable or invalid
    ├── InputError                 a record or file given to us cannot be read
    │   └── RecordRejected         one record is unusable (the batch goes on)
    ├── StoreError                 the database cannot be opened, migrated or written
    ├── PipelineError              stages do not fit together (a requirement is unmet)
    ├── ClusterError               Dask is missing, or its cluster cannot be started or reached
    ├── SourceError                a network source failed (message names network and fix)
    │   ├── CredentialError        401: which credential, which environment variable
    │   ├── AccessDenied           403 or a disabled feed: what the server said
    │   ├── GoneError              404/410: the query, thread or feed no longer exists
    │   ├── RateLimited            429 or quota: waiting would exceed the allowed wait
    │   ├── BudgetExceeded         a configured spend limit would be passed
    │   └── PostOutcomeUnknown     a post went out but its answer was lost: it may exist on the network
    ├── ModelError                 a shipped model artifact is missing or corrupt
    ├── CareError                  a care action is refused (a flagged reply sent without a reason)
    └── DeskError                  a care-desk operation cannot be done as asked
        ├── NotFound               the case, reply or user does not exist (or is not yours to see)
        ├── Forbidden              the role may not do this
        ├── InvalidCursor          an inbox page link was edited, cut short or made for other filters
        ├── ReplyBlocked           the reply check flagged the reply and no override reason was given
        ├── ReplyNotSent           the network did not take a reply sent through it (the case is unchanged)
        └── ReplyConflict          another send of this reply was made or is running (HTTP 409)
            └── ReplyInDoubt       an unfinished send may have posted it: check the thread, then settle it

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


class CareError(GoodwillError):
    """A care action cannot go ahead as asked, e.g. a flagged reply sent without a stated reason."""


class SourceError(GoodwillError):
    """A network source failed; the message names the network and what to do."""


class CredentialError(SourceError):
    """The network rejected (or we lack) a credential."""

    exit_code = EXIT_USAGE


class AccessDenied(SourceError):
    """The network refused the request (403, or a feed its admins disabled)."""


class GoneError(SourceError):
    """The query, thread or feed asked for no longer exists (404/410)."""


class RateLimited(SourceError):
    """The network asks us to wait longer than we are allowed to."""


class BudgetExceeded(SourceError):
    """Going on would pass a spend or quota limit configured for this source."""


class PostOutcomeUnknown(SourceError):
    """A request that creates something went out, but no usable answer came back: it may have been made."""


class DeskError(GoodwillError):
    """A care-desk operation cannot be done as asked (the message says why)."""


class NotFound(DeskError):
    """The case, reply or user does not exist, or the person asking may not see it."""


class Forbidden(DeskError):
    """The person's role does not allow this."""


class InvalidCursor(DeskError):
    """An inbox page link (its ``cursor``) was edited, cut short, or made for other filters (HTTP 400)."""


class ReplyBlocked(DeskError):
    """The reply check flagged the reply; sending it needs a stated reason."""

    def __init__(self, message: str, flags: list[dict[str, object]]) -> None:
        super().__init__(message)
        self.flags = flags


class ReplyNotSent(DeskError):
    """The network refused or could not be reached; nothing was recorded and the draft is kept."""


class ReplyConflict(DeskError):
    """Someone else sent (or is sending) this reply: it was not posted again."""


class ReplyInDoubt(ReplyConflict):
    """A send of this reply did not finish, so it may be on the network; an agent checks, then settles it."""

    def __init__(self, message: str, reply_id: int) -> None:
        super().__init__(message)
        self.reply_id = reply_id
