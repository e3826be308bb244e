"""The X account archive: the one free, complete source of an account's own posts, no API needed.

An archive (``twitter-YYYY-MM-DD-*.zip``, or the folder it unzips to) holds
``data/manifest.js`` and one JavaScript assignment per data type and part::

    window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]

Newer archives name the posts ``tweets.js`` (parts ``tweets-part1.js``...), older
ones ``tweet.js``; the oldest list bare tweet objects without the ``{"tweet": ...}``
wrapper. Long posts are cut in ``tweets.js`` and kept whole in ``note-tweet.js``;
posts the owner deleted are in ``deleted-tweets.js``. Every number is a string
and dates use the v1.1 format ``Fri Feb 24 06:58:32 +0000 2023``.

Reading is split from normalising, as for every source: :func:`read_archive`
finds and parses the files (guided by the manifest when there is one) into
documents ``{"x_archive": {type, account, file}, "items": [...], "notes": [...]}``,
and :func:`normalise_archive` turns one such document into posts, purely.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from goodwill.errors import InputError
from goodwill.json_input import load_json
from goodwill.models import Author, Post
from goodwill.sources.source import Item, tombstone
from goodwill.sources.x.v2 import NETWORK, post_url, snowflake

__all__ = ["ARCHIVE_KEY", "is_archive_text", "normalise_archive", "parse_assignment", "read_archive"]

ARCHIVE_KEY = "x_archive"
_ASSIGNMENT = re.compile(r"^\s*window\.(?:YTD\.(?P<type>[\w]+)\.part\d+|__THAR_CONFIG)\s*=\s*", re.ASCII)
_V1_DATE = "%a %b %d %H:%M:%S %z %Y"
#: manifest data type -> our document type, in the order they are read
_TYPES = {"noteTweet": "note_tweet", "tweets": "tweets", "tweet": "tweets", "deletedTweets": "deleted_tweets"}
_FILE_TYPES = {
    "tweets": "tweets",
    "tweet": "tweets",
    "deleted_tweets": "deleted_tweets",
    "note_tweet": "note_tweet",
}
_NOTE_MATCH_WINDOW = timedelta(seconds=2)
_ELLIPSIS_TAIL = re.compile(r"(?:\s*https://t\.co/\w+)*\s*…?\s*$")


def is_archive_text(text: str) -> bool:
    """Does this file hold an archive assignment (``window.YTD...`` or the manifest)?"""
    return _ASSIGNMENT.match(text.lstrip("\ufeff")) is not None


def parse_assignment(text: str, *, name: str) -> tuple[str | None, Any]:
    """``(data type or None for the manifest, JSON value)`` of one archive file."""
    text = text.lstrip("\ufeff")
    match = _ASSIGNMENT.match(text)
    if match is None:
        raise InputError(f"{name}: not an X archive file (expected 'window.YTD.<type>.part0 = [...]').")
    body = text[match.end() :].strip().rstrip(";")
    try:
        value = load_json(body)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: the archive data is not valid JSON ({exc.msg} at {exc.pos}).") from None
    return match.group("type"), value


def _account(manifest: Mapping[str, Any]) -> dict[str, str]:
    info = manifest.get("userInfo")
    if not isinstance(info, Mapping):
        return {}
    return {k: str(info[k]) for k in ("accountId", "userName", "displayName") if isinstance(info.get(k), str)}


def _parts(manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(our type, archive-relative file name)`` of every part the manifest lists, notes first."""
    types = manifest.get("dataTypes")
    out: list[tuple[str, str]] = []
    if not isinstance(types, Mapping):
        return out
    for data_type, ours in _TYPES.items():
        entry = types.get(data_type)
        files = entry.get("files") if isinstance(entry, Mapping) else None
        for part in files if isinstance(files, list) else []:
            if isinstance(part, Mapping) and isinstance(part.get("fileName"), str):
                out.append((ours, part["fileName"]))
    return out


def _document(kind: str, entries: Any, account: Mapping[str, str], name: str) -> dict[str, Any]:
    if not isinstance(entries, list):
        raise InputError(f"{name}: expected a list of entries after the assignment.")
    return {ARCHIVE_KEY: {"type": kind, "account": dict(account), "file": name}, "items": entries}


class _Files:
    """Archive files by their archive-relative name, from a folder or a zip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip = zipfile.ZipFile(path) if zipfile.is_zipfile(path) else None
        self._names = self._zip.namelist() if self._zip else []

    def read(self, relative: str) -> str | None:
        wanted = PurePosixPath(relative)
        if self._zip is not None:
            for name in self._names:
                if PurePosixPath(name).parts[-len(wanted.parts) :] == wanted.parts:
                    return self._zip.read(name).decode("utf-8-sig", errors="replace")
            return None
        folder = self.path.parent
        for candidate in (
            folder.parent / relative,
            folder / wanted.name,
            folder / (wanted.name + ".txt"),
        ):
            if candidate.is_file():
                return candidate.read_text(encoding="utf-8-sig", errors="replace")
        return None

    def manifest_text(self) -> str | None:
        if self._zip is not None:
            return self.read("data/manifest.js")
        return self.read("data/manifest.js") if self.path.name.startswith("manifest") else None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def read_archive(path: Path) -> Iterator[dict[str, Any]]:
    """The archive documents behind ``path``: a .zip, a manifest.js, or one data file."""
    files = _Files(path)
    try:
        manifest_text = files.manifest_text()
        if manifest_text is not None:
            yield from _from_manifest(files, manifest_text)
            return
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        kind, value = parse_assignment(text, name=str(path))
        ours = _FILE_TYPES.get(kind or "")
        if ours is None:
            return  # another data type (likes, ads...): nothing to import
        beside = files.read("data/manifest.js")
        account = _account(parse_assignment(beside, name="manifest.js")[1]) if beside else {}
        document = _document(ours, value, account, path.name)
        if ours == "tweets":
            notes = files.read("data/note-tweet.js")
            document["notes"] = _note_entries(notes) if notes else []
        yield document
    finally:
        files.close()


def _note_entries(text: str) -> list[Any]:
    _, value = parse_assignment(text, name="note-tweet.js")
    return value if isinstance(value, list) else []


def _from_manifest(files: _Files, manifest_text: str) -> Iterator[dict[str, Any]]:
    _, manifest = parse_assignment(manifest_text, name="manifest.js")
    if not isinstance(manifest, Mapping):
        raise InputError(f"{files.path}: manifest.js holds no object.")
    account = _account(manifest)
    notes: list[Any] = []
    found = False
    for kind, relative in _parts(manifest):
        text = files.read(relative)
        if text is None:
            continue
        found = True
        _, value = parse_assignment(text, name=relative)
        if kind == "note_tweet":
            notes.extend(value if isinstance(value, list) else [])
            continue
        document = _document(kind, value, account, relative)
        if kind == "tweets":
            document["notes"] = notes
        yield document
    if not found:
        raise InputError(
            f"{files.path}: the manifest lists no tweet files that are present; "
            "give the unzipped archive's data/manifest.js or the .zip itself."
        )


# -- normalising ----------------------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _when(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    text = text.strip()
    try:
        moment = datetime.strptime(text, _V1_DATE)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _tweet(entry: Any) -> Mapping[str, Any] | None:
    if not isinstance(entry, Mapping):
        return None
    inner = entry.get("tweet")
    return inner if isinstance(inner, Mapping) else entry


def _first_version(tweet: Mapping[str, Any], latest: str) -> str:
    info = _mapping(tweet.get("edit_info"))
    initial = snowflake(_mapping(info.get("edit")).get("initialTweetId"))
    if initial is not None:
        return initial
    ids = _mapping(info.get("initial")).get("editTweetIds")
    first = snowflake(ids[0]) if isinstance(ids, list) and ids else None
    return first or latest


def _text(tweet: Mapping[str, Any]) -> str | None:
    raw = tweet.get("full_text", tweet.get("text"))
    if not isinstance(raw, str):
        return None
    entities = _mapping(tweet.get("entities"))
    urls = entities.get("urls")
    for link in urls if isinstance(urls, list) else []:
        if (
            isinstance(link, Mapping)
            and isinstance(link.get("url"), str)
            and isinstance(link.get("expanded_url"), str)
        ):
            raw = raw.replace(link["url"], link["expanded_url"])
    return html.unescape(raw)


class _Notes:
    """Long-post texts from note-tweet.js, found by creation time and the cut text they begin with."""

    def __init__(self, entries: Sequence[Any]) -> None:
        self._notes: list[tuple[datetime, str]] = []
        for entry in entries:
            note = _mapping(_mapping(entry).get("noteTweet"))
            created = _when(note.get("createdAt"))
            text = _mapping(note.get("core")).get("text")
            if created is not None and isinstance(text, str) and text:
                self._notes.append((created, html.unescape(text)))

    def full_text(self, created: datetime | None, cut: str) -> str | None:
        if created is None or not self._notes:
            return None
        start = _ELLIPSIS_TAIL.sub("", cut)[:40]
        for moment, text in self._notes:
            if abs(moment - created) <= _NOTE_MATCH_WINDOW and text.startswith(start):
                return text
        return None


def normalise_archive(document: Mapping[str, Any]) -> list[Item]:
    """Every post in one archive document from :func:`read_archive`."""
    meta = _mapping(document.get(ARCHIVE_KEY))
    kind = meta.get("type")
    account = _mapping(meta.get("account"))
    handle = account.get("userName") if isinstance(account.get("userName"), str) else None
    author = Author(
        handle=handle,
        name=account.get("displayName") if isinstance(account.get("displayName"), str) else None,
        native_id=snowflake(account.get("accountId")),
    )
    notes = _Notes(document.get("notes") or [] if isinstance(document.get("notes"), list) else [])
    entries = document.get("items")
    out: list[Item] = []
    for entry in entries if isinstance(entries, list) else []:
        tweet = _tweet(entry)
        if tweet is None:
            continue
        latest = snowflake(tweet.get("id_str")) or snowflake(tweet.get("id"))
        if latest is None:
            continue
        native_id = _first_version(tweet, latest)
        if kind == "deleted_tweets":
            out.append(Item(post=tombstone(NETWORK, native_id), raw=entry))
            continue
        text = _text(tweet)
        if text is None:
            continue
        created = _when(tweet.get("created_at"))
        text = notes.full_text(created, text) or text
        lang = tweet.get("lang")
        post = Post(
            network=NETWORK,
            native_id=native_id,
            text=text,
            author=None if author == Author() else author,
            created_at=created,
            reply_to=snowflake(tweet.get("in_reply_to_status_id_str"))
            or snowflake(tweet.get("in_reply_to_status_id")),
            url=post_url(latest, handle),
            lang=lang if isinstance(lang, str) and len(lang) == 2 else None,
        )
        out.append(Item(post=post, raw=entry))
    return out
