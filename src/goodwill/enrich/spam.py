"""The ``spam`` stage: promotional spam and near-duplicate posts.

A care team must not spend time on giveaways, crypto pumps and follow-for-follow
chains, and an analyst must not count one bot's hundred copies as a hundred
voices. Each post gets named *cues* (every one a reason a person can read), a
combined score, and, when it repeats an earlier post of this run, the id of the
first post with that text.

Duplicates are found with MinHash over word pairs of the prose (URLs, handles,
numbers and emoji removed, so a bot's varying links do not hide the copy) and
banded LSH; a candidate is confirmed when enough of the 32 hashes agree. Posts
under five words never count as duplicates: "thanks!" twice is two people.
A duplicate alone is not spam; it becomes spam when the same text was posted
three or more times before and carries a link or a promotional cue.

The duplicate memory spans batches within one process (the same stage object
sees consecutive batches), is bounded, and is made of plain dicts and ints so
the stage still pickles.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from itertools import chain, filterfalse, islice
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from goodwill.enrich.stage import Judgement, StageContext
from goodwill.enrich.textnorm import (
    EMOJI_RE,
    HASHTAG_RE,
    fold,
    prose_words,
)
from goodwill.models import Post

__all__ = ["SpamStage"]

#: Score at or above which a post is spam.
SPAM_THRESHOLD: Final = 0.5
#: A duplicate becomes spam when its text was seen this many times before (with a link or cue).
REPEATS_FOR_SPAM: Final = 3
#: Fewer words than this and a post is never a near-duplicate.
MIN_WORDS: Final = 5
#: Words of a post that go into its fingerprint. Copy-paste spam repeats from the start, and past this a
#: post's word pairs only cost memory: a 1 MB text (340,000 words) took ~90 MB of hashes and 2.6 s.
MAX_FINGERPRINT_WORDS: Final = 2_000
#: Fingerprints remembered per generation; two generations are kept, so 2x this at most.
MEMORY: Final = 50_000

#: Members remembered per duplicate cluster (enough to rank the first copies exactly).
_MAX_MEMBERS: Final = 64
#: Cues that honest people and care teams also produce; they do not make a repeated post spam.
_WEAK_CUES: Final = frozenset({"mostly capitals", "asks to move to private messages", "phone number"})
_HASHES: Final = 32
_BANDS: Final = 8
_ROWS: Final = _HASHES // _BANDS
#: Share of the 32 MinHash values that must agree (an estimate of word-pair Jaccard similarity).
_MIN_AGREEMENT: Final = 0.6

#: ``(cue name, weight, trigger words, regex over folded text)``. A weight is how likely the cue alone
#: means spam; the regex only runs on posts holding one of its trigger words, which keeps the scan cheap.
_TEXT_CUES: Final[tuple[tuple[str, float, str, str], ...]] = (
    ("giveaway", 0.35,
     "giveaway giveaways win free claim won winner winners retweet rt like share",
     r"\bgive ?aways?\b|\bwin (?:a|an|free|this|\$)|\bfree (?:iphone|gift|money|cash|robux|followers)"
     r"|\bclaim (?:your|it now|now)|\byou(?:'ve| have)? won\b|\bwinners? (?:announced|will be)"
     r"|\bretweet to win\b|\b(?:rt|like|share) (?:&|and|\+) (?:follow|rt|like)"),
    ("crypto or forex pump", 0.4,
     "airdrop airdrops presale pre sale gains gain returns potential 100x 1000x moon forex binary signal"
     " signals guaranteed passive double earn next pump",
     r"\bairdrops?\b|\bpre-?sale\b|\b\d{2,4}x (?:gains?|returns?|potential)\b|\b(?:100|1000)x\b"
     r"|to the moon\b|\bforex\b|\bbinary options?\b|\b(?:crypto|trading) signals?\b"
     r"|\bguaranteed (?:profits?|returns?|income)"
     r"|\bpassive income\b|\bdouble your (?:money|btc|bitcoin|crypto|investment)"
     r"|\bearn \$?\d[\d,k]* (?:per|a|every) (?:day|week|hour)\b|\bnext (?:100x|gem)\b|\bpump\b"),
    ("asks to move to private messages", 0.3,
     "dm inbox pm message text check",
     r"\b(?:dm|inbox|pm|message|text) me\b(?! (?:your|the) (?:account|order|details))"
     r"|\bdm for\b|\bcheck (?:my|our) (?:bio|profile|page)\b"),
    ("link in bio or click bait", 0.35,
     "bio click tap sign register",
     r"\blink in (?:my |the )?bio\b|\bclick (?:the|my|this) link\b|\bclick here\b|\btap the link\b"
     r"|\bsign up (?:now|today|here)\b|\bregister now\b"),
    ("follow-for-follow", 0.45,
     "f4f l4l follow followback follow4follow followforfollow followers teamfollowback",
     r"\bf4f\b|\bl4l\b|\bfollow ?(?:4|for) ?follow\b|\bfollow ?back\b|\bfollow me\b"
     r"|\bgain (?:more )?followers\b|\bfree followers\b|\bbuy followers\b|\bteam ?follow ?back\b"
     r"|\bfollow train\b"),
    ("messaging-app contact", 0.35,
     "whatsapp whats wa telegram t signal kik wechat",
     r"\bwhats ?app\b|\bwa\.me/|\btelegram\b|\bt\.me/|\bsignal me\b|\bkik\b|\bwechat\b"),
    ("hard-sell wording", 0.25,
     "limited act 100 risk order buy discount promo coupon code off shop don dont miss",
     r"\blimited (?:time|offer|stock)\b|\bact now\b|\b100% free\b|\brisk[- ]free\b|\border now\b|\bbuy now\b"
     r"|\b(?:discount|promo|coupon) code\b|\buse (?:my )?code\b|\b\d{2}% off\b|\bshop now\b|\bdon'?t miss\b"),
    ("adult content promotion", 0.45,
     "onlyfans singles nudes sexy",
     r"\bonlyfans\b|\bhot singles\b|\bnudes\b|\bsexy (?:pics|videos)\b"),
)  # fmt: skip
_CUES: Final = tuple(
    (name, weight, frozenset(triggers.split()), re.compile(pattern))
    for name, weight, triggers, pattern in _TEXT_CUES
)
#: Every trigger word of every cue: one set lookup per word tells whether any cue regex needs to run.
_ALL_TRIGGERS: Final = frozenset().union(*(triggers for _, _, triggers, _ in _CUES))
# Patterns start with a character class where possible so the engine can skip ahead.
_PHONE_RE: Final = re.compile(r"[+\d][\d\s().-]{8,16}\d(?!\w)")
_DIGIT_RE: Final = re.compile(r"\d")
_CAPS_WORD_RE: Final = re.compile(r"[A-Z](?<![A-Za-z][A-Z])[A-Z]{2,}(?![A-Za-z])")
_WORDISH_RE: Final = re.compile(r"\b[^\W\d_]{3,}\b")
_PROMO_WORDS: Final = frozenset(
    [
        "free",
        "win",
        "winner",
        "sale",
        "offer",
        "discount",
        "deal",
        "buy",
        "cash",
        "prize",
        "bonus",
        "promo",
        "cheap",
        "money",
        "earn",
    ]
)
_REPEATED_EMOJI_RE: Final = re.compile(r"([\U0001f000-\U0001faff\u2600-\u27bf])(?:\ufe0f?\1){3,}")
#: A link: with a scheme or ``www.``, or a bare ``name.tld/`` (counted by its ``.tld/``).
_LINK_RE: Final = re.compile(
    r"(?:[hH][tT][tT][pP][sS]?://|[wW][wW][wW]\.)[^\s<>\"']+"
    r"|\.(?:com|net|org|io|co|ly|me|gl|be|app|link|xyz|info|biz|shop|site|online)/"
)

_rng = np.random.default_rng(20_251_123)
# Odd multipliers and offsets of 2-universal multiply-shift hashing; fixed so fingerprints are stable.
_MULT: Final[npt.NDArray[np.uint64]] = (
    _rng.integers(1, 2**63, size=_HASHES, dtype=np.uint64) << np.uint64(1)
) | np.uint64(1)
_ADD: Final[npt.NDArray[np.uint64]] = _rng.integers(0, 2**63, size=_HASHES, dtype=np.uint64)
del _rng


def _combine(score: float, weight: float) -> float:
    """Independent evidence: the chance that at least one cue is right."""
    return 1.0 - (1.0 - score) * (1.0 - weight)


def _phone_number(text: str) -> bool:
    if _PHONE_RE.search(text) is None:  # the common case, without a Python loop
        return False
    for match in _PHONE_RE.finditer(text):
        start = match.start()
        before = text[start - 1] if start else " "
        if not (before.isalnum() or before in "_+") and len(_DIGIT_RE.findall(match.group())) >= 9:
            return True
    return False


def _cues(text: str, folded: str, words: Sequence[str]) -> tuple[list[str], float, bool]:
    """``(reasons, score, has_link)`` for one post's text; ``words`` are its folded prose words."""
    reasons: list[str] = []
    score = 0.0
    present = _ALL_TRIGGERS.intersection(words)
    if present:
        for name, weight, triggers, pattern in _CUES:
            if not present.isdisjoint(triggers) and pattern.search(folded) is not None:
                reasons.append(name)
                score = _combine(score, weight)
    # Every link form holds a "/" or "www." (which folding keeps), so most posts skip the scan.
    links = len(_LINK_RE.findall(text)) if "/" in text or "www." in folded else 0
    if links and ("wa.me/" in folded or "t.me/" in folded) and "messaging-app contact" not in reasons:
        reasons.append("messaging-app contact")
        score = _combine(score, 0.35)
    if links >= 3:
        reasons.append(f"{links} links")
        score = _combine(score, 0.35)
    if text.count("#") >= 5:
        hashtags = len(HASHTAG_RE.findall(text))
        if hashtags >= 5:
            reasons.append(f"{hashtags} hashtags")
            score = _combine(score, 0.45 if hashtags >= 8 else 0.25)
    if _phone_number(text):
        reasons.append("phone number")
        score = _combine(score, 0.3)
    caps = len(_CAPS_WORD_RE.findall(text))
    if caps >= 4 and caps * 2 >= len(_WORDISH_RE.findall(text)):
        promo = not _PROMO_WORDS.isdisjoint(words)
        reasons.append("capitals promotion" if promo else "mostly capitals")
        score = _combine(score, 0.35 if promo else 0.1)
    if not text.isascii() and (
        _REPEATED_EMOJI_RE.search(text) is not None or len(EMOJI_RE.findall(text)) >= 12
    ):
        reasons.append("repeated emoji")
        score = _combine(score, 0.2)
    # A link makes any other cue likelier to be a sales pitch.
    if links and reasons:
        score = _combine(score, 0.1)
    return reasons, score, links > 0


def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8", "surrogatepass"))


def _word_hashes(words: list[str]) -> list[int] | None:
    """Stable 32-bit hashes of a post's prose words without numbers; ``None`` if too short to compare.

    CRC-32 rather than Python's salted string hash: the same posts must be judged the
    same way in every process (a rerun, a Dask worker, a test), whatever PYTHONHASHSEED is.
    Only the first :data:`MAX_FINGERPRINT_WORDS` count.
    """
    kept = list(map(_word_hash, islice(filterfalse(str.isdigit, words), MAX_FINGERPRINT_WORDS)))
    return kept if len(kept) >= MIN_WORDS else None


def _signatures(word_lists: Sequence[list[int]]) -> npt.NDArray[np.uint32]:
    """``(len(word_lists), 32)`` MinHash signatures over word pairs, for the whole batch at once."""
    lengths = np.fromiter(map(len, word_lists), dtype=np.int64, count=len(word_lists))
    raw = np.fromiter(chain.from_iterable(word_lists), dtype=np.int64, count=int(lengths.sum()))
    flat = raw.view(np.uint64) & np.uint64(0xFFFFFFFF)
    ends = np.cumsum(lengths)
    # A pair (word i, word i+1) belongs to a post unless word i is that post's last word.
    keep = np.ones(flat.size - 1, dtype=bool)
    keep[ends[:-1] - 1] = False
    pairs = (flat[:-1] * np.uint64(0x9E3779B1) + flat[1:])[keep]
    # (hash, pair) layout so each post's pairs are contiguous for the reduction; in place to spare copies.
    hashed = np.multiply.outer(_MULT, pairs)
    hashed += _ADD[:, None]
    hashed >>= np.uint64(32)
    pair_starts = np.concatenate(([0], np.cumsum(lengths - 1)[:-1]))
    return np.ascontiguousarray(np.minimum.reduceat(hashed, pair_starts, axis=1).T).astype(np.uint32)


def _band_keys(signatures: npt.NDArray[np.uint32]) -> list[list[int]]:
    """One int per LSH band (4 MinHash values mixed, band number in the low bits), per post."""
    bands = signatures.reshape(len(signatures), _BANDS, _ROWS).astype(np.uint64)
    mixed = np.zeros(bands.shape[:2], dtype=np.uint64)
    for row in range(_ROWS):
        mixed = (mixed ^ bands[:, :, row]) * np.uint64(0x100000001B3)
    keyed = (mixed << np.uint64(3)) | np.arange(_BANDS, dtype=np.uint64)[None, :]
    result: list[list[int]] = keyed.tolist()
    return result


class SpamStage:
    """Flags promotional spam and (near-)duplicates, with reasons."""

    name = "spam"
    version = "2"
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ("spam",)

    def __init__(self, context: StageContext | None = None, *, memory: int = MEMORY) -> None:
        self._memory = memory
        # Two generations of {band key: entry id}; the older one is dropped when the newer fills up.
        self._bands: list[dict[int, int]] = [{}, {}]
        # entry id -> [first post's id, signature bytes, {member id: (copies before it, copies by
        # its author before it)}, {author: copies}]. Kept per member: judging a post again agrees.
        self._entries: list[dict[int, list[Any]]] = [{}, {}]
        self._next_id = 0

    def _lookup(self, signature: npt.NDArray[np.uint32], keys: list[int]) -> list[Any] | None:
        for generation in (0, 1):
            bands, entries = self._bands[generation], self._entries[generation]
            if bands.keys().isdisjoint(keys):  # most posts: no band seen before, decided in C
                continue
            for key in keys:
                entry_id = bands.get(key)
                if entry_id is None:
                    continue
                entry = entries.get(entry_id)
                if entry is None:
                    continue
                other = np.frombuffer(entry[1], dtype=np.uint32)
                if int(np.count_nonzero(other == signature)) >= _MIN_AGREEMENT * _HASHES:
                    return entry
        return None

    def _remember(
        self, native_id: str, author: str, signature: npt.NDArray[np.uint32], keys: list[int]
    ) -> None:
        if len(self._entries[0]) >= self._memory:
            self._bands = [{}, self._bands[0]]
            self._entries = [{}, self._entries[0]]
        entry_id = self._next_id
        self._next_id += 1
        self._entries[0][entry_id] = [native_id, signature.tobytes(), {}, {author: 1}]
        bands = self._bands[0]
        if bands.keys().isdisjoint(keys):
            bands.update(dict.fromkeys(keys, entry_id))
        else:
            for key in keys:
                bands.setdefault(key, entry_id)

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[Judgement]:
        out: list[Judgement] = []
        shingled: list[tuple[int, list[int]]] = []
        cue_results: list[tuple[list[str], float, bool]] = []
        for i, post in enumerate(posts):
            text = post.text
            if not text:
                cue_results.append(([], 0.0, False))
                continue
            folded = fold(text)
            words = prose_words(folded)
            cue_results.append(_cues(text, folded, words))
            hashes = _word_hashes(words)
            if hashes:
                shingled.append((i, hashes))
        # post index -> (first post's id, (copies seen before it, copies by its own author before it))
        duplicate_of: dict[int, tuple[str, tuple[int, int]]] = {}
        if shingled:
            signatures = _signatures([s for _, s in shingled])
            for (i, _), signature, keys in zip(shingled, signatures, _band_keys(signatures), strict=True):
                native_id = posts[i].native_id
                entry = self._lookup(signature, keys)
                author = (posts[i].author_handle or "").lower()
                if entry is None:
                    self._remember(native_id, author, signature, keys)
                elif entry[0] != native_id:
                    members: dict[str, tuple[int, int]] = entry[2]
                    authors: dict[str, int] = entry[3]
                    known = members.get(native_id)
                    if known is None:
                        rank = len(members) + 1
                        # Without an author we cannot tell one account from many: assume one.
                        known = (rank, authors.get(author, 0) if author else rank)
                        if len(members) < _MAX_MEMBERS:
                            members[native_id] = known
                            if author:
                                authors[author] = authors.get(author, 0) + 1
                    duplicate_of[i] = (entry[0], known)
        for i, (reasons, score, has_link) in enumerate(cue_results):
            first, (seen_before, own_before) = duplicate_of.get(i, (None, (0, 0)))
            reasons = list(reasons)
            # Many people sharing one headline is news, and care teams repeat "please DM us":
            # a repeat is spam when it sells something, or when one account keeps posting a link.
            promotes = any(r not in _WEAK_CUES for r in reasons) or (has_link and own_before >= 1)
            if first is not None and seen_before >= REPEATS_FOR_SPAM and promotes:
                reasons.append(f"same text posted {seen_before + 1} times")
                score = max(score, _combine(score, 0.5), SPAM_THRESHOLD)
            out.append(
                {
                    "spam": {
                        "is_spam": score >= SPAM_THRESHOLD,
                        "duplicate_of": first,
                        "reasons": reasons,
                        "score": round(score, 3),
                    }
                }
            )
        return out
