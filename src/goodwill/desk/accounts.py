"""Local accounts, login sessions and API tokens.

Secrets never reach the database in the clear: passwords are argon2id hashes, and
session cookies and API tokens are random values of which only the sha256 is
stored, so a copy of the database opens no session.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from goodwill.desk.audit import SYSTEM, Actor, record_audit
from goodwill.desk.passwords import (
    MIN_PASSWORD_LENGTH,
    burn_time,
    hash_password,
    needs_rehash,
    verify_password,
)
from goodwill.desk.roles import Role
from goodwill.errors import DeskError, NotFound, StoreError
from goodwill.store import Store
from goodwill.store.schema_desk import api_tokens, desk_sessions, users

__all__ = [
    "Session",
    "User",
    "add_user",
    "authenticate",
    "create_api_token",
    "create_session",
    "end_session",
    "find_user",
    "get_user",
    "list_users",
    "normalise_tags",
    "session_for",
    "token_user",
]

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_TAG = re.compile(r"[^\w-]+")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    expertise: tuple[str, ...]
    capacity: int | None
    active: bool

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.id, username=self.username)


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Lowercase, trimmed, de-duplicated tags (spaces become hyphens), in the order given."""
    out: list[str] = []
    for tag in tags:
        clean = _TAG.sub("-", tag.strip().lower()).strip("-")[:64]
        if clean and clean not in out:
            out.append(clean)
    return tuple(out)


def _user(row: Row[Any]) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        expertise=tuple(row.expertise or ()),
        capacity=row.capacity,
        active=bool(row.active),
    )


def add_user(
    store: Store,
    *,
    username: str,
    password: str,
    role: Role | str,
    display_name: str | None = None,
    expertise: Iterable[str] = (),
    capacity: int | None = None,
    actor: Actor = SYSTEM,
    now: datetime | None = None,
) -> User:
    """Create an account; refuse a taken name, an unknown role or a short password."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise DeskError(
            f"username {username!r}: use 2-64 lowercase letters, digits, dots, dashes or underscores."
        )
    try:
        parsed_role = Role(role)
    except ValueError:
        raise DeskError(f"unknown role {role!r}: use one of {', '.join(r.value for r in Role)}.") from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DeskError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if capacity is not None and capacity < 0:
        raise DeskError("capacity must be 0 or more open cases.")
    tags = normalise_tags(expertise)
    stamp = now or datetime.now(UTC)
    hashed = hash_password(password)

    def run(conn: Connection) -> int:
        result = conn.execute(
            insert(users)
            .values(
                username=name,
                display_name=(display_name or name).strip() or name,
                password_hash=hashed,
                role=parsed_role.value,
                expertise=list(tags),
                capacity=capacity,
                active=True,
                created_at=stamp,
            )
            .returning(users.c.id)
        )
        user_id = int(result.scalar_one())
        record_audit(
            conn, actor, "user.add", target=f"user:{name}", detail={"role": parsed_role.value}, now=stamp
        )
        return user_id

    try:
        user_id = store.transaction(run)
    except StoreError as exc:
        if isinstance(exc.__cause__, IntegrityError):
            raise DeskError(f"the username {name!r} is taken; choose another.") from None
        raise
    user = get_user(store, user_id)
    assert user is not None
    return user


def get_user(store: Store, user_id: int) -> User | None:
    with store.reading() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _user(row) if row is not None else None


def find_user(store: Store, username: str) -> User | None:
    with store.reading() as conn:
        row = conn.execute(select(users).where(users.c.username == username.strip().lower())).first()
    return _user(row) if row is not None else None


def list_users(store: Store, *, role: Role | None = None) -> list[User]:
    stmt = select(users).order_by(users.c.username)
    if role is not None:
        stmt = stmt.where(users.c.role == role.value)
    with store.reading() as conn:
        return [_user(r) for r in conn.execute(stmt)]


def authenticate(store: Store, username: str, password: str, *, now: datetime | None = None) -> User | None:
    """The active user with this name and password, or None (taking as long either way)."""
    with store.reading() as conn:
        row = conn.execute(select(users).where(users.c.username == username.strip().lower())).first()
    if row is None or not row.active:
        burn_time(password)
        return None
    if not verify_password(row.password_hash, password):
        return None
    values: dict[str, Any] = {"last_login_at": now or datetime.now(UTC)}
    if needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password)
    store.transaction(lambda conn: conn.execute(update(users).where(users.c.id == row.id).values(**values)))
    return _user(row)


def create_session(
    store: Store, user: User, *, lifetime: timedelta, ip: str | None = None, now: datetime | None = None
) -> tuple[str, Session]:
    """A new login session: the cookie value (returned once) and its CSRF token."""
    stamp = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = stamp + lifetime

    def run(conn: Connection) -> None:
        conn.execute(delete(desk_sessions).where(desk_sessions.c.expires_at < stamp))
        conn.execute(
            insert(desk_sessions).values(
                id=_digest(token), user_id=user.id, csrf_token=csrf, created_at=stamp, expires_at=expires
            )
        )
        record_audit(
            conn, Actor(user.id, user.username, ip), "login", target=f"user:{user.username}", now=stamp
        )

    store.transaction(run)
    return token, Session(user=user, csrf_token=csrf, expires_at=expires)


def session_for(store: Store, token: str, *, now: datetime | None = None) -> Session | None:
    """The live session behind a cookie value, or None (unknown, expired or a disabled account)."""
    if not token:
        return None
    stamp = now or datetime.now(UTC)
    stmt = (
        select(users, desk_sessions.c.csrf_token, desk_sessions.c.expires_at)
        .join(desk_sessions, desk_sessions.c.user_id == users.c.id)
        .where(desk_sessions.c.id == _digest(token))
    )
    with store.reading() as conn:
        row = conn.execute(stmt).first()
    if row is None or row.expires_at <= stamp or not row.active:
        return None
    return Session(user=_user(row), csrf_token=row.csrf_token, expires_at=row.expires_at)


def end_session(store: Store, token: str, *, actor: Actor) -> None:
    def run(conn: Connection) -> None:
        conn.execute(delete(desk_sessions).where(desk_sessions.c.id == _digest(token)))
        record_audit(conn, actor, "logout", target=f"user:{actor.username}")

    store.transaction(run)


def create_api_token(store: Store, username: str, *, name: str, actor: Actor = SYSTEM) -> str:
    """A new API token for ``username`` (shown once; only its hash is kept)."""
    user = find_user(store, username)
    if user is None:
        raise NotFound(f"no user {username!r}; create it with `goodwill users add`.")
    token = "gw_" + secrets.token_urlsafe(32)

    def run(conn: Connection) -> None:
        conn.execute(
            insert(api_tokens).values(
                user_id=user.id, name=name, token_hash=_digest(token), created_at=datetime.now(UTC)
            )
        )
        record_audit(conn, actor, "token.create", target=f"user:{user.username}", detail={"name": name})

    store.transaction(run)
    return token


def token_user(store: Store, token: str) -> User | None:
    """The active user an API token belongs to, or None (unknown or revoked)."""
    if not token:
        return None
    stmt = (
        select(users)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == _digest(token), api_tokens.c.revoked_at.is_(None))
    )
    with store.reading() as conn:
        row = conn.execute(stmt).first()
    if row is None or not row.active:
        return None
    return _user(row)
