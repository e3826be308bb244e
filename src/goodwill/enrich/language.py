"""The ``language`` stage: which language a post is written in, as an ISO 639-1 code.

Later stages (sentiment lexicons, intent models) are trained on some languages
only, so they need to know when a post is outside them. We trust the network's
own tag when it gives one, and otherwise run py3langid's naive Bayes model on the
prose left after URLs, handles, hashtags and emoji are removed.

py3langid classifies one text at a time with a Python loop over bytes, too slow
for our budget; :class:`_BatchScorer` runs the same byte automaton over a whole
batch at once with numpy and scores every post with one sparse product. It gives
the same probabilities as ``LanguageIdentifier.rank`` (a test checks this).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from scipy import sparse

from goodwill.enrich.stage import Judgement, StageContext
from goodwill.enrich.textnorm import strip_entities
from goodwill.errors import ModelError
from goodwill.models import Post

__all__ = ["UNDETERMINED", "LanguageStage", "normalise_tag"]

UNDETERMINED: Final = "und"

#: Bytes of prose scored per post: the first 600 are plenty to tell a language.
_MAX_BYTES: Final = 600
#: Fewer letters than this and any guess is noise ("ok", "lol", "😀😀").
_MIN_LETTERS: Final = 3
#: Below this probability (after the prior) we answer "und" rather than guess.
_MIN_CONFIDENCE: Final = 0.5
#: Languages common on social networks get this prior weight against rare ones, so that
#: "thanks!" is not called Xhosa; the languages a workspace configured get the larger one.
_COMMON_PRIOR: Final = 4.0
_CONFIGURED_PRIOR: Final = 8.0
_COMMON: Final = frozenset({
    "en", "es", "pt", "fr", "de", "it", "nl", "ja", "ko", "zh", "ar", "ru", "tr", "id", "ms", "hi", "th",
    "pl", "uk", "sv", "vi", "fa", "tl", "ur", "he", "el", "cs", "ro", "hu", "da", "fi", "no", "ca",
})  # fmt: skip

#: py3langid labels that are not ISO 639-1, mapped to the nearest code a reader expects.
_LABEL_TO_ISO: Final[Mapping[str, str]] = {
    "ary": "ar", "arz": "ar", "yue": "zh", "wuu": "zh", "uzs": "uz", "gug": "gn", "hbo": "he",
    "grc": "el", "sdh": "ku", "ltg": "lv", "zxx": UNDETERMINED,
}  # fmt: skip

#: Network tags that mean "no language here" (X/Twitter: media only, hashtags only, ...).
_NO_LANGUAGE_TAGS: Final = frozenset({"zxx", "qme", "qht", "qam", "qct", "qst", "qmt"})
#: Network tags that mean "we do not know": detect it ourselves.
_UNKNOWN_TAGS: Final = frozenset({"", "und", "unk", "un", "xx", "mul", "none", "null"})
#: Legacy and three-letter codes networks still send.
_TAG_ALIASES: Final[Mapping[str, str]] = {
    "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "nb": "no",
    "eng": "en", "spa": "es", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "ita": "it",
    "por": "pt", "nld": "nl", "dut": "nl", "jpn": "ja", "kor": "ko", "zho": "zh", "chi": "zh",
    "ara": "ar", "rus": "ru", "tur": "tr", "ind": "id", "hin": "hi", "pol": "pl", "ukr": "uk",
    "swe": "sv", "cat": "ca", "cmn": "zh",
}  # fmt: skip


def normalise_tag(tag: str | None) -> str | None:
    """A network's language tag as an ISO 639-1 code, ``"und"``, or ``None`` for "detect it".

    ``"en-US"`` -> ``"en"``; ``"iw"`` -> ``"he"``; X's ``"qme"`` (media only) -> ``"und"``.
    """
    if tag is None:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    if primary in _UNKNOWN_TAGS:
        return None
    if primary in _NO_LANGUAGE_TAGS:
        return UNDETERMINED
    primary = _TAG_ALIASES.get(primary, primary)
    if not primary.isascii() or not primary.isalpha() or not 2 <= len(primary) <= 3:
        return None
    return primary


# Three letters (in any script), anywhere: enough prose to be worth a guess.
_ENOUGH_LETTERS_RE: Final = re.compile(rf"[^\W\d_](?:.*?[^\W\d_]){{{_MIN_LETTERS - 1}}}", re.DOTALL)


def _encode(text: str) -> bytes:
    """The bytes py3langid scores: NFC, lower-cased if all capitals, UTF-8, capped."""
    if text.isupper():
        text = text.lower()
    data = unicodedata.normalize("NFC", text).encode("utf-8", errors="surrogatepass")
    if len(data) > _MAX_BYTES:
        data = data[:_MAX_BYTES].decode("utf-8", errors="ignore").encode("utf-8")
    return data


class _BatchScorer:
    """py3langid's model, scored a batch at a time (see the module docstring)."""

    def __init__(self) -> None:
        try:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ModelError(
                "py3langid is not installed; reinstall goodwill (`pip install goodwill`)."
            ) from exc
        try:
            ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(
                f"py3langid's language model cannot be loaded ({exc}); reinstall py3langid."
            ) from exc
        self.nextmove: npt.NDArray[np.int64] = np.frombuffer(
            ident.tk_nextmove, dtype=np.dtype(f"u{ident.tk_nextmove.itemsize}")
        ).astype(np.int64)
        self.rowbase: npt.NDArray[np.int64] = np.asarray(ident.tk_row, dtype=np.int64) << 8
        self.output: npt.NDArray[np.int64] = np.asarray(ident.tk_output, dtype=np.int64)
        self.ptc: npt.NDArray[np.float16] = np.asarray(ident.nb_ptc)
        self.pc: npt.NDArray[np.float32] = np.asarray(ident.nb_pc, dtype=np.float32)
        self.ptc64: npt.NDArray[np.float64] | None = None
        raw_labels = [str(c) for c in ident.nb_classes]
        # Duplicate labels (a language in two scripts) share the probability mass of one column.
        first: dict[str, int] = {}
        self.alias_pairs: list[tuple[int, int]] = []
        for i, label in enumerate(raw_labels):
            if label in first:
                self.alias_pairs.append((first[label], i))
            else:
                first[label] = i
        self.labels: list[str] = raw_labels

    def _ptc64(self) -> npt.NDArray[np.float64]:
        """The feature table in float64, made once (it is what every product multiplies)."""
        if self.ptc64 is None:
            self.ptc64 = self.ptc.astype(np.float64)
        return self.ptc64

    def probabilities(self, texts: Sequence[bytes]) -> npt.NDArray[np.float64]:
        """``(len(texts), n_labels)`` calibrated probabilities, as py3langid's ``norm_probs``."""
        n = len(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        order = np.argsort(-lengths, kind="stable")
        sorted_lengths = lengths[order]
        width = int(sorted_lengths[0]) if n else 0
        # Bytes laid out (position, post), longest post first, so each step reads a contiguous prefix.
        flat = np.frombuffer(b"".join([texts[i] for i in order.tolist()]), dtype=np.uint8)
        starts = np.cumsum(sorted_lengths) - sorted_lengths
        post_of_byte = np.repeat(np.arange(n), sorted_lengths)
        grid = np.zeros((max(width, 1), n), dtype=np.int64)
        grid[np.arange(flat.size) - starts[post_of_byte], post_of_byte] = flat
        active_counts = np.searchsorted(-sorted_lengths, -np.arange(width), side="left")
        # The automaton's state after each byte; only the feature lookup is done once, afterwards.
        states = np.zeros((max(width, 1), n), dtype=np.int64)
        previous = np.zeros(n, dtype=np.int64)
        for step, active in enumerate(active_counts.tolist()):
            states[step, :active] = self.nextmove[self.rowbase[previous[:active]] + grid[step, :active]]
            previous = states[step]
        features = self.output[states]
        features[np.arange(n)[None, :] >= active_counts[:, None]] = -1
        _, rows_hit = np.nonzero(features >= 0)
        n_features = self.ptc.shape[0]
        scores = np.tile(self.pc.astype(np.float64), (n, 1))
        if rows_hit.size:
            # One sort of (post, feature) keys gives each post's feature counts in feature order.
            keys, counts = np.unique(rows_hit * n_features + features[features >= 0], return_counts=True)
            post, feature = np.divmod(keys, n_features)
            indptr = np.concatenate(([0], np.cumsum(np.bincount(post, minlength=n))))
            matrix = sparse.csr_matrix(
                (np.log1p(counts.astype(np.float64)), feature, indptr), shape=(n, n_features)
            )
            scores += np.asarray(matrix @ self._ptc64())
            featureless = np.diff(indptr) == 0
        else:
            featureless = np.ones(n, dtype=bool)
        scores[featureless] = 0.0
        scores *= (1.0 / np.sqrt(np.maximum(sorted_lengths, 1)))[:, None]
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
        for keep, fold in self.alias_pairs:
            scores[:, keep] += scores[:, fold]
            scores[:, fold] = 0.0
        out: npt.NDArray[np.float64] = np.empty((n, scores.shape[1]), dtype=np.float64)
        out[order] = scores
        return out


@functools.cache
def _shared_scorer() -> _BatchScorer:
    """One model per process, shared by every LanguageStage in it (it is read-only)."""
    return _BatchScorer()


class LanguageStage:
    """Tags each post with its language: ISO 639-1, or ``"und"`` when there is too little to tell."""

    name = "language"
    version = "1"
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ("language",)

    def __init__(self, context: StageContext | None = None) -> None:
        context = context or StageContext()
        self._configured = frozenset(code.lower() for code in context.config.languages)
        self._scorer: _BatchScorer | None = None
        self._prior: npt.NDArray[np.float64] | None = None

    def __getstate__(self) -> dict[str, Any]:
        # The model is large and cheap to reload; ship only the settings to a worker.
        state = dict(self.__dict__)
        state["_scorer"] = None
        state["_prior"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def _model(self) -> tuple[_BatchScorer, npt.NDArray[np.float64]]:
        if self._scorer is None or self._prior is None:
            scorer = _shared_scorer()
            prior = np.ones(len(scorer.labels), dtype=np.float64)
            for i, label in enumerate(scorer.labels):
                code = _LABEL_TO_ISO.get(label, label)
                if code in self._configured:
                    prior[i] = _CONFIGURED_PRIOR
                elif code in _COMMON:
                    prior[i] = _COMMON_PRIOR
            self._scorer, self._prior = scorer, prior
        return self._scorer, self._prior

    def detect(self, texts: Sequence[str]) -> list[str]:
        """The language of each text by the model alone (no network tag)."""
        codes = [UNDETERMINED] * len(texts)
        todo: list[int] = []
        encoded: list[bytes] = []
        for i, text in enumerate(texts):
            prose = strip_entities(text)
            if _ENOUGH_LETTERS_RE.search(prose) is None:
                continue
            todo.append(i)
            encoded.append(_encode(" ".join(prose.split())))
        if not todo:
            return codes
        scorer, prior = self._model()
        probs = scorer.probabilities(encoded) * prior
        probs /= probs.sum(axis=1, keepdims=True)
        best = probs.argmax(axis=1)
        confidence = probs[np.arange(len(todo)), best]
        for i, label_index, conf in zip(todo, best.tolist(), confidence.tolist(), strict=True):
            if conf >= _MIN_CONFIDENCE and math.isfinite(conf):
                label = scorer.labels[label_index]
                codes[i] = _LABEL_TO_ISO.get(label, label)
        return codes

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[Judgement]:
        codes: list[str | None] = [None] * len(posts)
        pending: list[int] = []
        for i, post in enumerate(posts):
            if post.text is None or not post.text.strip():
                codes[i] = UNDETERMINED
                continue
            tagged = normalise_tag(post.lang)
            if tagged is not None:
                codes[i] = tagged
            else:
                pending.append(i)
        if pending:
            detected = self.detect([posts[i].text or "" for i in pending])
            for i, code in zip(pending, detected, strict=True):
                codes[i] = code
        return [{"language": code or UNDETERMINED} for code in codes]
