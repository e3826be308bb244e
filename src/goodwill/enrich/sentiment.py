"""The ``sentiment`` stage: negative / neutral / positive, with a score in [-1, 1].

Why a small linear model and not VADER alone: VADER is a fine lexicon but it
misses tweet-specific cues (sarcastic emoji, "sick" meaning good, topical
negativity) and scores about 0.57 macro-recall on TweetEval. A multinomial
logistic regression over hashed word 1-2 grams, with VADER's lexicon folded in
as a few dense features, learns those cues from labelled tweets and keeps the
lexicon's coverage of words it never saw.

Why hashing: a stateless ``FeatureHasher`` needs no vocabulary file, so the
shipped artifact is only a weight matrix (plain numpy, no pickles) and a JSON
metadata file. Featurisation is batch-first: the cheap normalisation regexes run
once over the whole batch joined into one string, so a batch of 1,000 posts
costs a few milliseconds.

The same :class:`SentimentFeaturizer` is used by ``train/sentiment.py`` so that
training and inference can never drift apart.
"""

from __future__ import annotations

import html
import json
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from goodwill.enrich.stage import Judgement, StageContext
from goodwill.errors import ModelError
from goodwill.models import Post

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from scipy.sparse import csr_matrix

__all__ = [
    "CLASSES",
    "SentimentFeaturizer",
    "SentimentModel",
    "SentimentStage",
    "explain",
    "flagged_irony",
    "judge_sentiment",
    "load_model",
    "normalise_batch",
    "shared_model",
    "temper",
    "tokenise",
]

#: Output classes, in the column order of the model's probabilities.
CLASSES: tuple[str, ...] = ("negative", "neutral", "positive")
ARTIFACT_PACKAGE = "goodwill.enrich"
ARTIFACT_DIR = "artifacts"
WEIGHTS_FILE = "sentiment_weights.npz"
METADATA_FILE = "sentiment_metadata.json"
#: Optional: the temperature fitted on validation by ``train/heads.py --calibrate-sentiment``.
CALIBRATION_FILE = "sentiment_calibration.json"

#: Dense lexicon columns appended after the hashed block.
LEXICON_COLUMNS: tuple[str, ...] = ("lex_pos", "lex_neg", "negated_lex_pos", "negated_lex_neg")

_SEP = "\x1e"  # record separator: joins a batch into one string, and is a token marking post ends
_NEG_SALT = 0x5BD1E995
_BIGRAM_MULT = 0x9E3779B1
_MASK32 = 0xFFFFFFFF
_ELONG_TOKEN = "xxelong"
#: How many tokens after a negator are read as negated ("not bad at all" -> bad, at, all).
NEGATION_SCOPE = 3

# --- batch-wide normalisation -------------------------------------------------------------------
_UNICODE_ESCAPES = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_MENTION = re.compile(r"@\w+")
_QUOTES = re.compile(r"[’‘`´]")
_VARIATION = re.compile(r"[\ufe0f\u200d\U0001F3FB-\U0001F3FF]")
_RUN3 = re.compile(r"(\w)\1{2,}")
_WORD_CHAR = re.compile(r"\w")
_PUNCT_RUN = re.compile(r"([!?.])\1{2,}")
#: Fixed phrases whose words mislead a word-level model ("kill", "bad", "problem"), rewritten to
#: a plain equivalent before tokenising; common in customer-care threads.
_IDIOMS: dict[str, str] = {
    "kill for": "really want",
    "to die for": "wonderful",
    "dying to": "eager to",
    "killed it": "excelled",
    "killing it": "excelling",
    "not bad": "decent",
    "not too bad": "decent",
    "not so bad": "decent",
    "not that bad": "decent",
    "not half bad": "good",
    "no problem": "fine",
    "no problems": "fine",
    "not a problem": "fine",
    "no worries": "fine",
}
# No leading \b: a pattern that starts with literals lets the regex engine skip ahead fast;
# the left word boundary is checked in _rewrite_idiom instead.
_IDIOM = re.compile("(?:" + "|".join(sorted(map(re.escape, _IDIOMS), key=len, reverse=True)) + r")\b")

# --- tokens -------------------------------------------------------------------------------------
_EMOTICON = r"(?:[:;=8x][-o^']?[)(\]\[dp/\\|*3o]|[)(\]\[][-o^']?[:;=]|<3|</3)(?!\w)"
_EMOJI = r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF]"
_TOKEN = re.compile(rf"{_EMOTICON}|@user|{_EMOJI}|\w+(?:'\w+)*|[!?]+|[.,;:]|{_SEP}")

_NEGATORS: frozenset[str] = frozenset(
    [
        "not",
        "no",
        "never",
        "cannot",
        "nothing",
        "nobody",
        "none",
        "neither",
        "nor",
        "without",
        "hardly",
        "aint",
        "ain't",
        "dont",
        "cant",
        "wont",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "doesnt",
        "didnt",
        "couldnt",
        "shouldnt",
        "wouldnt",
        "havent",
        "hasnt",
        "hadnt",
        "mustnt",
        "neednt",
        "don't",
        "can't",
        "won't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "doesn't",
        "didn't",
        "couldn't",
        "shouldn't",
        "wouldn't",
        "haven't",
        "hasn't",
        "hadn't",
        "mustn't",
        "needn't",
    ]
)
#: Tokens that end a negation's scope.
_SCOPE_STOPS: frozenset[str] = frozenset({".", ",", ";", ":", "!", "?", "!!", "??", "but", _SEP})


def _decode_escapes(match: re.Match[str]) -> str:
    """Turn literal ``\\u2019`` runs (common in tweet dumps) back into characters."""
    raw = match.group(0)
    try:
        units = raw.encode("ascii").decode("unicode_escape")
        return units.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    except UnicodeError:
        return raw


def _hash(token: str) -> int:
    """A stable 32-bit hash (CRC-32 of UTF-8): the same in every process and on every platform."""
    return zlib.crc32(token.encode("utf-8", "surrogatepass"))


def _hash_set(tokens: frozenset[str]) -> NDArray[np.uint32]:
    return np.array(sorted({_hash(t) for t in tokens}), dtype=np.uint32)


def _mix(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """Scramble 32-bit values so derived keys (negated tokens, bigrams) spread over the buckets."""
    values = (values * np.uint64(_BIGRAM_MULT)) & np.uint64(_MASK32)
    return values ^ (values >> np.uint64(15))


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, float]:
    """VADER's word and emoticon valences (-4..4), plus emoji valued by their descriptions.

    Read from the installed vaderSentiment package (a runtime dependency), so
    nothing is downloaded and nothing from the training data is needed.
    """
    pkg = resources.files("vaderSentiment")
    valence: dict[str, float] = {}
    for line in pkg.joinpath("vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and " " not in parts[0]:
            try:
                valence[parts[0].lower()] = float(parts[1])
            except ValueError:
                continue
    for line in pkg.joinpath("emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines():
        emoji, _, description = line.partition("\t")
        emoji = _VARIATION.sub("", emoji)
        if len(emoji) != 1 or emoji in valence:
            continue
        words = re.findall(r"[a-z]+", description.lower())
        score = sum(valence.get(w, 0.0) for w in words)
        if score:
            valence[emoji] = max(-4.0, min(4.0, score))
    return valence


@lru_cache(maxsize=1)
def _lexicon_table() -> tuple[NDArray[np.uint32], NDArray[np.int64], NDArray[np.float64]]:
    """The lexicon keyed by token hash: sorted hashes, dense column (0 pos, 1 neg), |valence| / 4."""
    by_hash: dict[int, float] = {}
    for word, val in _lexicon().items():
        by_hash.setdefault(_hash(word), val)
    keys = np.array(sorted(by_hash), dtype=np.uint32)
    vals = np.array([by_hash[int(k)] for k in keys], dtype=np.float64)
    return keys, (vals < 0).astype(np.int64), np.abs(vals) / 4.0


def _shorten(word: str) -> str:
    """ "goooood" -> "good" (a lexicon word) or "sooo" -> "soo", plus an intensity marker."""
    lexicon = _lexicon()
    two = _RUN3.sub(r"\1\1", word)
    if two not in lexicon:
        one = _RUN3.sub(r"\1", word)
        if one in lexicon:
            two = one
    return f"{two} {_ELONG_TOKEN}"


def _fix_elongations(text: str) -> str:
    """Shorten every word with a character repeated 3+ times; words are found around each run."""
    pieces: list[str] = []
    last = 0
    for match in _RUN3.finditer(text):
        if match.start() < last:
            continue
        start, end = match.start(), match.end()
        while start > last and _WORD_CHAR.match(text, start - 1):
            start -= 1
        while end < len(text) and _WORD_CHAR.match(text, end):
            end += 1
        pieces.append(text[last:start])
        pieces.append(_shorten(text[start:end]))
        last = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def normalise_batch(texts: Sequence[str]) -> str:
    """Lower-case and normalise a batch in a few whole-batch regex passes; posts joined by ``\\x1e``.

    URLs become ``http``, handles become ``@user`` (as in TweetEval), elongations
    are shortened, HTML entities and literal ``\\uXXXX`` escapes are decoded, and
    misleading idioms ("could kill for", "no worries") are rewritten. A post
    that holds (or decodes to) the separator itself is normalised alone, with
    the separator blanked, so one odd post never shifts its neighbours.
    """
    joined = _normalise_joined(texts)
    if joined.count(_SEP) == len(texts) - 1:
        return joined
    if len(texts) == 1:
        return joined.replace(_SEP, " ")
    return _SEP.join(normalise_batch([t]) for t in texts)


def _normalise_joined(texts: Sequence[str]) -> str:
    joined = _SEP.join(texts)
    if "\\u" in joined:
        joined = _UNICODE_ESCAPES.sub(_decode_escapes, joined)
    if "&" in joined:
        joined = html.unescape(joined)
    joined = _URL.sub("http", joined)
    joined = _MENTION.sub("@user", joined)
    joined = _VARIATION.sub("", _QUOTES.sub("'", joined.lower()))
    joined = _PUNCT_RUN.sub(r"\1\1", joined)
    joined = _fix_elongations(joined)
    return _IDIOM.sub(_rewrite_idiom, joined)


def _rewrite_idiom(match: re.Match[str]) -> str:
    start = match.start()
    if start > 0 and _WORD_CHAR.match(match.string, start - 1):
        return match.group(0)  # inside a longer word, e.g. "piano problem"
    return _IDIOMS[match.group(0)]


def tokenise(text: str) -> list[str]:
    """Words, emoticons, emoji, ``@user``, ``!``/``?`` runs and clause punctuation of one text."""
    return [t for t in _TOKEN.findall(normalise_batch([text])) if t != _SEP]


#: The features of the last batch featurised, keyed by (n_features, texts); see ``features``.
_LAST_FEATURES: dict[tuple[int, tuple[str, ...]], tuple[Any, Any]] = {}


@dataclass(frozen=True)
class _Batch:
    """One featurised batch: hashed-feature coordinates and the dense lexicon block."""

    rows: NDArray[np.int64]
    columns: NDArray[np.int64]
    lexicon: NDArray[np.float64]  # (n_texts, len(LEXICON_COLUMNS))
    names: list[str] | None  # feature names aligned with rows/columns, only when asked (explain)


@dataclass(frozen=True)
class SentimentFeaturizer:
    """Texts -> features: L2-normalised hashed 1-2 grams (negation-marked), then dense lexicon sums.

    Hashing is CRC-32 per token, with negated tokens and bigrams derived from
    token hashes in numpy, so the only per-token Python work is one C call.
    """

    n_features: int = 2**20

    @property
    def width(self) -> int:
        return self.n_features + len(LEXICON_COLUMNS)

    def _batch(self, texts: Sequence[str], *, with_names: bool = False) -> _Batch:
        n = len(texts)
        flat = _TOKEN.findall(normalise_batch(texts))
        # Hash each distinct token once; posts in a batch share most of their words.
        crc32 = zlib.crc32
        hashes = {t: crc32(t.encode("utf-8", "surrogatepass")) for t in dict.fromkeys(flat)}
        h = np.fromiter(map(hashes.__getitem__, flat), dtype=np.uint32, count=len(flat))
        is_sep = h == np.uint32(_hash(_SEP))
        doc = np.cumsum(is_sep)
        # Negation: up to NEGATION_SCOPE tokens after a negator, stopping at punctuation or "but".
        negator = np.flatnonzero(np.isin(h, _hash_set(_NEGATORS)))
        stop = np.isin(h, _hash_set(_SCOPE_STOPS))
        negated = np.zeros(len(h), dtype=bool)
        alive = np.ones(len(negator), dtype=bool)
        for k in range(1, NEGATION_SCOPE + 1):
            target = negator + k
            alive &= target < len(h)
            target = np.where(alive, target, 0)
            alive &= ~stop[target]
            negated[target[alive]] = True
        keys = h.astype(np.uint64)
        keys = np.where(negated, _mix(keys ^ np.uint64(_NEG_SALT)), keys)
        keep = ~is_sep
        uni_idx = np.flatnonzero(keep)
        pair = np.flatnonzero(keep[:-1] & keep[1:])
        bigram = _mix(_mix(keys[pair]) ^ keys[pair + 1])
        mask = np.uint64(self.n_features - 1)
        rows = np.concatenate([doc[uni_idx], doc[pair]]).astype(np.int64)
        columns = np.concatenate([keys[uni_idx] & mask, bigram & mask]).astype(np.int64)
        # Lexicon sums: VADER valence of each token, in "negated" columns inside a negation scope.
        lex_keys, lex_col, lex_val = _lexicon_table()
        at = np.minimum(np.searchsorted(lex_keys, h), len(lex_keys) - 1)
        hit = np.flatnonzero((lex_keys[at] == h) & keep)
        lexicon = np.zeros((n, len(LEXICON_COLUMNS)))
        np.add.at(lexicon, (doc[hit], lex_col[at[hit]] + 2 * negated[hit]), lex_val[at[hit]])
        names = None
        if with_names:
            shown = [("neg_" if negated[i] else "") + flat[i] for i in range(len(flat))]
            names = [shown[i] for i in uni_idx] + [f"{shown[i]} {shown[i + 1]}" for i in pair]
        return _Batch(rows=rows, columns=columns, lexicon=lexicon, names=names)

    def hashed(self, batch: _Batch, n_texts: int) -> csr_matrix:
        """The L2-normalised hashed block of a batch as a CSR matrix (duplicates summed)."""
        from scipy.sparse import csr_matrix

        data = np.ones(len(batch.rows))
        matrix = csr_matrix((data, (batch.rows, batch.columns)), shape=(n_texts, self.n_features))
        matrix.sum_duplicates()
        row_of = np.repeat(np.arange(n_texts), np.diff(matrix.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=matrix.data**2, minlength=n_texts))
        matrix.data /= norms[row_of]
        return matrix

    def features(self, texts: Sequence[str]) -> tuple[csr_matrix, NDArray[np.float64]]:
        """The hashed block and the lexicon block of a batch, memoised on the last batch seen.

        Several judgements (sentiment, irony, emotion, offensive) read the same
        features; the stage that runs first pays for them and the others reuse
        them, so each extra model costs one small matrix product per batch.
        """
        key = (self.n_features, tuple(texts))
        cached = _LAST_FEATURES.get(key)
        if cached is None:
            batch = self._batch(texts)
            cached = (self.hashed(batch, len(texts)), batch.lexicon)
            _LAST_FEATURES.clear()
            _LAST_FEATURES[key] = cached
        return cached

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """The full feature matrix (hashed block then lexicon block), as used for training."""
        from scipy.sparse import csr_matrix, hstack

        batch = self._batch(texts)
        return csr_matrix(hstack([self.hashed(batch, len(texts)), csr_matrix(batch.lexicon)], format="csr"))


def hashed_dot(hashed: csr_matrix, weights: NDArray[np.float32]) -> NDArray[np.float64]:
    """``hashed @ weights``, bit for bit, reading only the rows of ``weights`` the batch uses.

    Why: scipy first converts the whole float32 weight block (a million rows) to
    float64 on every product, which costs milliseconds whatever the batch size and
    dominates small batches (a listener judges a page of a few posts at a time).
    The compact product does the same multiplications and additions in the same
    order, on the gathered rows only.
    """
    from scipy.sparse import csr_matrix

    compact = csr_matrix(
        (hashed.data, np.arange(hashed.nnz, dtype=hashed.indices.dtype), hashed.indptr),
        shape=(hashed.shape[0], hashed.nnz),
    )
    return np.asarray(compact @ weights[hashed.indices], dtype=np.float64)


@dataclass
class SentimentModel:
    """A multinomial linear model held as plain numpy arrays (no pickles shipped)."""

    featurizer: SentimentFeaturizer
    weights: NDArray[np.float32]  # (featurizer.width, n_classes): hashed rows, then lexicon rows
    bias: NDArray[np.float32]  # (n_classes,)
    metadata: dict[str, Any]

    #: Temperature fitted on validation (``sentiment_calibration.json``); 1.0 means uncalibrated.
    temperature: float = 1.0

    def probabilities(self, texts: Sequence[str], *, calibrated: bool = True) -> NDArray[np.float64]:
        """Class probabilities, shape (len(texts), 3), columns in :data:`CLASSES` order.

        Calibrated by temperature unless asked otherwise; the heads that stack
        sentiment read the raw ones, as they were trained on them. A
        temperature never changes which class is most probable.
        """
        if not texts:
            return np.zeros((0, len(CLASSES)))
        nf = self.featurizer.n_features
        hashed, lexicon = self.featurizer.features(texts)
        last = self.__dict__.get("_last_logits")
        logits: NDArray[np.float64]
        if last is not None and last[0] is hashed:  # the same batch again (a stacked head, then the stage)
            logits = np.array(last[1], dtype=np.float64)
        else:
            logits = hashed_dot(hashed, self.weights[:nf])
            logits += lexicon @ self.weights[nf:] + self.bias
            self.__dict__["_last_logits"] = (hashed, logits.copy())
        if calibrated and self.temperature != 1.0:
            logits /= self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def explain(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """The word features of ``text`` that push hardest towards positive (+) or negative (-)."""
        batch = self.featurizer._batch([text], with_names=True)
        polarity = self.weights[:, 2] - self.weights[:, 0]
        contrib: dict[str, float] = {}
        for name, col in zip(batch.names or [], batch.columns.tolist(), strict=True):
            contrib[name] = float(polarity[col])
        ranked = sorted(contrib.items(), key=lambda kv: abs(kv[1]), reverse=True)
        return [(g, round(w, 3)) for g, w in ranked[:top] if w != 0.0]


def load_model(package: str = ARTIFACT_PACKAGE) -> SentimentModel:
    """Read the weights and metadata shipped inside the package."""
    return read_artifacts(resources.files(package).joinpath(ARTIFACT_DIR))


def read_artifacts(folder: Traversable | Path) -> SentimentModel:
    """Read weights and metadata from ``folder``; raise :class:`ModelError` with a fix if absent."""
    try:
        metadata = json.loads(folder.joinpath(METADATA_FILE).read_text(encoding="utf-8"))
        with folder.joinpath(WEIGHTS_FILE).open("rb") as fh, np.load(fh) as npz:
            columns = npz["columns"].astype(np.int64)
            values = npz["values"].astype(np.float32)
            bias = npz["bias"].astype(np.float32)
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(
            f"the sentiment model in {folder} is missing or unreadable ({exc}); reinstall goodwill, or "
            "retrain it with `python train/sentiment.py --data ../shared/datasets/tweeteval "
            "--out src/goodwill/enrich/artifacts/`."
        ) from exc
    featurizer = SentimentFeaturizer(n_features=int(metadata["hashing"]["n_features"]))
    if list(metadata.get("classes", [])) != list(CLASSES):
        raise ModelError(f"the sentiment model's classes {metadata.get('classes')} are not {list(CLASSES)}.")
    weights = np.zeros((featurizer.width, len(CLASSES)), dtype=np.float32)
    weights[columns] = values
    temperature = 1.0
    calibration_file = folder.joinpath(CALIBRATION_FILE)
    if calibration_file.is_file():
        calibration = json.loads(calibration_file.read_text(encoding="utf-8"))
        metadata = dict(metadata, calibration=calibration)
        temperature = float(calibration["temperature"])
    return SentimentModel(
        featurizer=featurizer, weights=weights, bias=bias, metadata=metadata, temperature=temperature
    )


@lru_cache(maxsize=1)
def _shared_model() -> SentimentModel:
    return load_model()


def shared_model() -> SentimentModel:
    """The shipped sentiment model, loaded once per process and shared by every stage and head."""
    return _shared_model()


def explain(text: str, top: int = 5) -> list[tuple[str, float]]:
    """Top weighted word features for one text: ``[(feature, weight towards positive), ...]``."""
    return _shared_model().explain(text, top=top)


def temper(probs: NDArray[np.float64], irony: NDArray[np.float64]) -> NDArray[np.float64]:
    """Move the ironic share of the positive mass to negative: "great, another outage" is not praise.

    ``irony`` is, per row, the probability that the post is ironic where the
    irony stage flagged it, else 0. Irony inverts the surface polarity of
    praise words, so the positive probability is scaled by ``1 - irony`` and
    what it loses is added to negative; neutral is left alone.
    """
    out = probs.copy()
    moved = out[:, 2] * irony
    out[:, 2] -= moved
    out[:, 0] += moved
    return out


def _judgements(probs: NDArray[np.float64], tempered: NDArray[np.bool_]) -> list[dict[str, Any]]:
    """One output object per row of probabilities (vectorised; this runs for every post)."""
    labels = [CLASSES[i] for i in probs.argmax(axis=1).tolist()]
    scores = np.round(probs[:, 2] - probs[:, 0], 4).tolist()
    rounded = np.round(probs, 4).tolist()
    neg, neu, pos = CLASSES
    return [
        {
            "label": label,
            "score": score,
            "probabilities": {neg: p[0], neu: p[1], pos: p[2]},
            "tempered_by_irony": t,
        }
        for label, score, p, t in zip(labels, scores, rounded, tempered.tolist(), strict=True)
    ]


_TOMBSTONE: dict[str, Any] = {
    "label": "neutral",
    "score": 0.0,
    "probabilities": {"negative": 0.0, "neutral": 1.0, "positive": 0.0},
    "tempered_by_irony": False,
}


def flagged_irony(known: Mapping[str, Any]) -> float:
    """The irony probability of a post the irony stage flagged, else 0 (also when it did not run)."""
    irony = known.get("irony")
    if type(irony) is dict and irony.get("is_ironic"):
        score = irony.get("score")
        return float(score) if isinstance(score, int | float) else 0.0
    return 0.0


def judge_sentiment(
    probabilities: Callable[[list[str]], NDArray[np.float64]],
    posts: Sequence[Post],
    enrichment: Sequence[Mapping[str, Any]],
) -> list[Judgement]:
    """The ``sentiment`` output for a batch from any model's class probabilities (fast or accurate mode).

    Posts without words get a neutral tombstone; irony flagged by the ``irony`` stage tempers the rest.
    """
    idx = [i for i, p in enumerate(posts) if p.text is not None and p.text.strip()]
    probs = probabilities([posts[i].text or "" for i in idx])
    irony = np.array([flagged_irony(enrichment[i]) if i < len(enrichment) else 0.0 for i in idx])
    tempered = irony > 0.0
    if tempered.any():
        probs = temper(probs, irony)
    out: list[Judgement] = [
        {"sentiment": dict(_TOMBSTONE, probabilities=dict(_TOMBSTONE["probabilities"]))} for _ in posts
    ]
    for i, judged in zip(idx, _judgements(probs, tempered), strict=True):
        out[i] = {"sentiment": judged}
    return out


class SentimentStage:
    """Judges each post negative, neutral or positive; ``score = P(positive) - P(negative)``.

    When the ``irony`` stage ran earlier and flagged a post, its positive mass
    is tempered (see :func:`temper`) and ``tempered_by_irony`` says so.

    The model is loaded on first use (not at construction) and left out of the
    pickle, so building a pipeline stays cheap and shipping the stage to a
    worker costs a few hundred bytes.
    """

    name = "sentiment"
    version = "2"
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ("sentiment",)

    def __init__(self, context: StageContext | None = None) -> None:
        self.context = context if context is not None else StageContext()
        self._model: SentimentModel | None = None
        from goodwill.enrich.brand_heads import BrandHeads

        self.heads = BrandHeads(self.context.heads_dir)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the weights: a worker reloads them from its own installed package."""
        state = dict(self.__dict__)
        state["_model"] = None
        return state

    @property
    def model(self) -> SentimentModel:
        if self._model is None:
            self._model = _shared_model()
        return self._model

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[Judgement]:
        if not self.heads.any("sentiment"):
            return judge_sentiment(self.model.probabilities, posts, enrichment)
        from goodwill.enrich.brand_heads import adjust_sentiment

        # A brand head adjusts its brand's posts before irony tempers them; the output names the head.
        idx = [i for i, p in enumerate(posts) if p.text is not None and p.text.strip()]
        tags: dict[int, dict[str, Any]] = {}

        def probabilities(texts: list[str]) -> NDArray[np.float64]:
            probs = self.model.probabilities(texts)
            tags.update(adjust_sentiment(self.heads, texts, probs, enrichment, idx))
            return probs

        out = judge_sentiment(probabilities, posts, enrichment)
        for row, tag in tags.items():
            out[idx[row]]["sentiment"]["head"] = tag
        return out
