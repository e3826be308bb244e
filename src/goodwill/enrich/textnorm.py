"""Text folding and entity extraction shared by the stages.

Stages compare what people write with what a workspace configured ("Acmé" vs
"Acme", "#AcmeBank" vs "acmebank"), so they need one agreed way to fold case and
diacritics, and one agreed way to find URLs, handles, hashtags and cashtags.
Keeping that here means two stages never disagree about what a handle is.

Folding is fast on the common path (ASCII text is only lower-cased) and keeps an
index map for the rare texts whose folded form has a different length, so a
match found in folded text can always be cut from the original.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = [
    "BARE_LINK_RE",
    "CASHTAG_RE",
    "EMOJI_RE",
    "HANDLE_RE",
    "HASHTAG_RE",
    "RETWEET_RE",
    "URL_RE",
    "WORD_RE",
    "fold",
    "fold_aligned",
    "leading_handles",
    "prose_words",
    "strip_entities",
]

# Every pattern starts with a literal or a character class (lookbehinds come after it), so the
# regex engine can skip ahead to candidate characters: this keeps a scan of a post to microseconds.

#: A web address with a scheme or starting with ``www.``.
URL_RE: Final = re.compile(r"(?:[hH][tT][tT][pP][sS]?://|[wW][wW][wW]\.)[^\s<>\"'\u3000]+")
#: A bare ``name.tld/path`` link, as spammers write them to dodge link detection.
BARE_LINK_RE: Final = re.compile(
    r"[a-zA-Z0-9](?<![\w.@/-][a-zA-Z0-9])[\w-]*(?:\.[\w-]+)*"
    r"\.(?:com|net|org|io|co|ly|me|gl|be|app|link|xyz|info|biz|shop|site|online)/[^\s<>\"']*"
)
#: ``@name``, ``@name@instance.social`` (Mastodon) or ``@name.bsky.social`` (Bluesky).
HANDLE_RE: Final = re.compile(r"@(?<![\w@/.]@)(\w[\w-]*(?:\.\w[\w-]*)*(?:@\w[\w-]*(?:\.\w[\w-]*)+)?)")
#: ``#tag`` in any script; not inside a word or an HTML entity like ``&#39;``.
HASHTAG_RE: Final = re.compile(r"#(?<![\w&#/]#)(\w+)")
#: ``$ACME`` (letters first, so ``$20`` is money, not a cashtag).
CASHTAG_RE: Final = re.compile(r"\$(?<![\w$]\$)([A-Za-z][A-Za-z0-9]{0,9}(?:\.[A-Za-z]{1,2})?)(?!\w)")
#: The ``RT @name:`` prefix of an old-style retweet.
RETWEET_RE: Final = re.compile(r"^\s*RT\s+@[\w.@-]+:?\s*", re.IGNORECASE)
#: Pictographs, dingbats, flags and their joiners: the characters that are emoji in practice.
EMOJI_RE: Final = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f\u200d\U000e0020-\U000e007f]"
)
#: A word: letters, digits or underscore in any script.
WORD_RE: Final = re.compile(r"\w+")

_ENTITIES_RE: Final = re.compile(
    "|".join(p.pattern for p in (URL_RE, HANDLE_RE, HASHTAG_RE, CASHTAG_RE, EMOJI_RE))
)
# Entities first (matched and dropped), else a word (captured): one pass gives a post's prose words.
_PROSE_TOKEN_RE: Final = re.compile(
    r"(?:[hH][tT][tT][pP][sS]?://|[wW][wW][wW]\.)[^\s<>\"'\u3000]+"
    r"|@(?<![\w@/.]@)\w[\w.@-]*"
    r"|#(?<![\w&#/]#)\w+"
    r"|\$(?<![\w$]\$)[A-Za-z][A-Za-z0-9.]*"
    r"|(\w+)"
)
#: Where an entity could start; text without any is split into words by WORD_RE alone, which is faster.
_ENTITY_START_RE: Final = re.compile(r"[@#$]|://|[wW][wW][wW]\.")
_LEADING_HANDLES_RE: Final = re.compile(r"^(?:\s*@[\w.@-]+[\s,:]*)+")

# Per-character fold results, filled on first sight: most texts reuse a few hundred characters.
_CHAR_FOLD: dict[str, str] = {}
# Characters whose fold is not exactly one character (``ß`` -> ``ss``, a lone combining mark -> nothing).
_NON_UNIT: set[str] = set()


def _fold_char(char: str) -> str:
    cached = _CHAR_FOLD.get(char)
    if cached is None:
        decomposed = unicodedata.normalize("NFKD", char)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        # A lone combining mark folds to nothing; keep a letter that NFKD turns into marks only.
        cached = stripped.casefold() if stripped or unicodedata.combining(char) else char.casefold()
        if len(cached) != 1:
            _NON_UNIT.add(char)
        if len(_CHAR_FOLD) < 100_000:
            _CHAR_FOLD[char] = cached
    return cached


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that folds each code point on first use and remembers it."""

    def __missing__(self, key: int) -> str:
        folded = _fold_char(chr(key))
        if len(self) < 100_000:
            self[key] = folded
        return folded


_TABLE: Final = _FoldTable()


def fold(text: str) -> str:
    """Case-fold and strip diacritics (and compatibility forms like full-width letters).

    ``"Acmé"`` and ``"ＡＣＭＥ"`` both become ``"acme"``; ``"Straße"`` becomes ``"strasse"``.
    """
    if text.isascii():
        return text.lower()
    return text.translate(_TABLE)


def fold_aligned(text: str) -> tuple[str, list[int] | None]:
    """Fold ``text`` and say where each folded character came from.

    Returns ``(folded, origin)``; ``origin[i]`` is the index in ``text`` of the
    character that produced ``folded[i]`` (with one extra entry, ``len(text)``, so
    an end offset maps too). ``origin`` is ``None`` when positions are unchanged,
    which is the case for nearly every post.
    """
    if text.isascii():
        return text.lower(), None
    folded = text.translate(_TABLE)
    # translate() has just folded (and so classified) every character of ``text``.
    if len(folded) == len(text) and _NON_UNIT.isdisjoint(text):
        return folded, None
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = _fold_char(char)
        parts.append(piece)
        origin.extend([index] * len(piece))
    origin.append(len(text))
    return "".join(parts), origin


def strip_entities(text: str) -> str:
    """``text`` without the retweet prefix, URLs, handles, hashtags, cashtags and emoji.

    What is left is the prose a person wrote, which is what a language or
    duplicate judgement should look at.
    """
    if text.isascii() and _ENTITY_START_RE.search(text) is None:
        return text  # no URL, handle, tag or emoji can be in it (emoji are never ASCII)
    if text[:4].lstrip()[:2] in ("RT", "rt", "Rt"):
        text = RETWEET_RE.sub(" ", text)
    return _ENTITIES_RE.sub(" ", text)


def prose_words(text: str) -> list[str]:
    """The words of ``text`` outside URLs, handles, hashtags and cashtags, in order.

    A leading ``RT`` (old-style retweet marker) is dropped, so a retweet has the
    same words as the post it copies. Pass folded text to compare words.
    """
    if _ENTITY_START_RE.search(text) is None:
        words = WORD_RE.findall(text)
    else:
        words = list(filter(None, _PROSE_TOKEN_RE.findall(text)))
    if words and words[0] in ("RT", "rt", "Rt"):
        del words[0]
    return words


def leading_handles(text: str) -> list[str]:
    """The handles a post opens with (a reply chain like ``@a @b thanks``), without ``@``.

    An old-style retweet (``RT @a: ...``) opens with no reply chain: it quotes ``@a``
    rather than talking to them.
    """
    if RETWEET_RE.match(text):
        return []
    match = _LEADING_HANDLES_RE.match(text)
    if match is None:
        return []
    return [m.group(1) for m in HANDLE_RE.finditer(match.group(0))]
