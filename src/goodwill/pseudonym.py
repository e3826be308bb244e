"""Pseudonyms for exports: the same person gets the same opaque name, and nobody can reverse it.

A handle is replaced by ``p_`` and 16 hex digits of HMAC-SHA256 under a per-install salt
(a random 32-byte secret kept in the workspace, ``goodwill.salt`` beside goodwill.toml,
created on first use with owner-only permissions). The same salt gives the same pseudonym
in every export, so a researcher can count a person's posts across files; without the salt
a list of candidate handles cannot be hashed to find who is who.

What is replaced in an exported line: the author's handle and network id, ``@mentions`` in
the text (except the workspace's own brand handles) and the author's handle written as a word
in it; ``reply_to``/``conversation_id`` are
kept (post ids), the author's display name and the post URL (which names the handle on
most networks) are dropped.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from goodwill.errors import ConfigError

__all__ = ["SALT_FILENAME", "Pseudonymiser", "load_or_create_salt"]

SALT_FILENAME = "goodwill.salt"
_SALT_BYTES = 32
_MENTION = re.compile(r"(?<![\w@])@([\w.]+(?:@[\w.-]+\w)?)", re.UNICODE)


def load_or_create_salt(folder: Path) -> bytes:
    """The workspace's salt, created (0600) the first time it is needed."""
    path = folder / SALT_FILENAME
    try:
        value = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        value = secrets.token_hex(_SALT_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another export created it meanwhile
            return load_or_create_salt(folder)
        except OSError as exc:
            raise ConfigError(f"cannot create the pseudonym salt {path}: {exc.strerror}.") from None
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(value + "\n")
        return bytes.fromhex(value)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the pseudonym salt {path}: {exc}.") from None
    try:
        salt = bytes.fromhex(value)
    except ValueError:
        salt = b""
    if len(salt) < 16:
        raise ConfigError(
            f"{path} is not a goodwill salt (64 hex digits); restore it from a backup, or delete it to start "
            "new pseudonyms (they will no longer match earlier exports)."
        )
    return salt


class Pseudonymiser:
    """Replace who wrote and who is named in an exported line, keeping what was said about what."""

    def __init__(self, salt: bytes, *, keep_handles: Iterable[str] = ()) -> None:
        self._salt = salt
        self._keep = {h.lstrip("@").lower() for h in keep_handles}

    def name(self, network: str, value: str) -> str:
        """The pseudonym of a handle or id on a network (case and a leading @ ignored)."""
        key = f"{network.lower()}\x00{value.lstrip('@').lower()}".encode()
        return "p_" + hmac.new(self._salt, key, hashlib.sha256).hexdigest()[:16]

    def text(self, network: str, text: str) -> str:
        """``text`` with every @mention but the brand's own replaced by its pseudonym."""

        def swap(match: re.Match[str]) -> str:
            handle = match.group(1).rstrip(".")
            tail = match.group(1)[len(handle) :]
            if handle.lower() in self._keep:
                return match.group(0)
            return "@" + self.name(network, handle) + tail

        return _MENTION.sub(swap, text)

    def line(self, line: Mapping[str, Any]) -> dict[str, Any]:
        """An export line with the person replaced."""
        out = dict(line)
        network = str(out.get("network", ""))
        author = out.get("author")
        if isinstance(author, Mapping):
            new: dict[str, Any] = {}
            if author.get("handle"):
                new["handle"] = self.name(network, str(author["handle"]))
            if author.get("native_id"):
                new["native_id"] = self.name(network, "id:" + str(author["native_id"]))
            if author.get("followers") is not None:
                new["followers"] = author["followers"]
            out["author"] = new
        if isinstance(out.get("text"), str):
            out["text"] = self.text(network, out["text"])
            handle = str(author.get("handle") or "").lstrip("@") if isinstance(author, Mapping) else ""
            if len(handle) >= 3:  # the author's own handle written as a word ("RT alice: ...")
                word = re.compile(rf"(?<![\w@]){re.escape(handle)}(?![\w])", re.IGNORECASE)
                out["text"] = word.sub(self.name(network, handle), out["text"])
        out.pop("url", None)
        return out
