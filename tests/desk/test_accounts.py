"""Accounts: argon2 hashes, sessions and tokens stored only as hashes, clear refusals."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from desk_helpers import NOW, PASSWORD

from goodwill.desk.accounts import (
    add_user,
    authenticate,
    create_api_token,
    create_session,
    end_session,
    session_for,
    token_user,
)
from goodwill.desk.audit import list_audit
from goodwill.desk.roles import Permission, Role, can
from goodwill.errors import DeskError
from goodwill.store import Store


def _db(store: Store) -> sqlite3.Connection:
    return sqlite3.connect(store.url.removeprefix("sqlite:///"))


def test_password_is_stored_as_argon2id_and_checked(store: Store) -> None:
    user = add_user(
        store, username="Ada", password=PASSWORD, role="agent", expertise=["Roaming ", "roaming", "5G"]
    )
    assert (user.username, user.role, user.expertise) == ("ada", Role.AGENT, ("roaming", "5g"))
    with _db(store) as con:
        (stored,) = con.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(store, "ADA", PASSWORD) == user
    assert authenticate(store, "ada", PASSWORD + "x") is None
    assert authenticate(store, "nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("a", PASSWORD, "agent", "username"),
        ("ok-name", "short", "agent", "at least 10"),
        ("ok-name", PASSWORD, "boss", "unknown role"),
        ("bad name", PASSWORD, "agent", "username"),
    ],
)
def test_bad_accounts_are_refused(
    store: Store, username: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(DeskError, match=message):
        add_user(store, username=username, password=password, role=role)


def test_a_taken_username_is_refused(store: Store) -> None:
    add_user(store, username="bo", password=PASSWORD, role="agent")
    with pytest.raises(DeskError, match="taken"):
        add_user(store, username="BO", password=PASSWORD, role="analyst")


def test_sessions_expire_and_end(store: Store) -> None:
    user = add_user(store, username="bo", password=PASSWORD, role="agent")
    token, session = create_session(store, user, lifetime=timedelta(hours=1), now=NOW)
    with _db(store) as con:
        (sid,) = con.execute("SELECT id FROM desk_sessions").fetchone()
    assert sid != token and len(sid) == 64
    found = session_for(store, token, now=NOW + timedelta(minutes=59))
    assert found is not None and found.user == user and found.csrf_token == session.csrf_token
    assert session_for(store, token, now=NOW + timedelta(hours=1)) is None
    assert session_for(store, token + "x", now=NOW) is None
    end_session(store, token, actor=user.actor)
    assert session_for(store, token, now=NOW) is None
    assert [e.action for e in list_audit(store)] == ["logout", "login", "user.add"]


def test_api_tokens_map_to_their_user(store: Store) -> None:
    user = add_user(store, username="bo", password=PASSWORD, role="analyst")
    token = create_api_token(store, "bo", name="ci")
    assert token.startswith("gw_")
    assert token_user(store, token) == user
    assert token_user(store, "gw_forged") is None
    with _db(store) as con:
        assert con.execute("SELECT count(*) FROM api_tokens WHERE token_hash = ?", (token,)).fetchone() == (
            0,
        )


def test_role_grants() -> None:
    assert can("agent", Permission.REPLY_DIRECTLY)
    assert can("ambassador", Permission.REPLY) and not can("ambassador", Permission.REPLY_DIRECTLY)
    assert not can("analyst", Permission.REPLY) and can("analyst", Permission.VIEW_METRICS)
    assert not can("ambassador", Permission.VIEW_ALL_CASES)
    assert all(can("admin", p) for p in Permission)
    assert not can("nobody", Permission.VIEW_CASES)
