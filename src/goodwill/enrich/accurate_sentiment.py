"""The ``accurate`` mode's sentiment stage: MiniLM sentence embeddings stacked with the fast model.

Why stacking: the fast model (goodwill.enrich.sentiment) knows tweet words and
VADER's lexicon but not meaning beyond two-word windows; MiniLM embeddings
carry meaning ("my flight got cancelled again" is bad news without a negative
word) but blur the lexical cues. A logistic regression over both, the
384-dimensional embedding and the fast model's three log-probabilities, beats
either alone. Training (train/accurate_sentiment.py) gives the head the fast
model's *held-out* scores (from a refit that never saw those tweets), so the
head learns how far to trust them on posts the fast model never saw.

Why fine-tuned layers: a linear head on the stock MiniLM vectors stopped near
71.5 validation macro-recall whatever was stacked or pooled. MiniLM's last three
layers are therefore fine-tuned for sentiment together with the head and
shipped as a small int8 ONNX file (``TAIL_FILE``, ~5.5 MB); at run time the
wheel's model, quantised, runs only up to the output of its 3rd layer
(``CUT``) and the tuned layers finish the vector. The cost per post is the same
as the stock model's.

The output is the fast stage's contract unchanged: ``label``, ``score`` =
P(positive) - P(negative) in [-1, 1], and ``probabilities``. The stage is
named ``sentiment`` too, with its own ``version``, so switching a store to
accurate mode makes ``goodwill enrich --stored`` re-judge what fast mode judged.

The head is 387 x 3 numbers in a small npz beside the fast model; it records
the sha256 of the fast model it was stacked on (and of the tail), and refuses
to run over a different fast model (its scores would be miscalibrated) with
the command that retrains it.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

# the head is stacked on the fast model's probabilities: same classes, same artifact folder
from goodwill.enrich.sentiment import ARTIFACT_DIR, ARTIFACT_PACKAGE, CLASSES, judge_sentiment
from goodwill.enrich.sentiment import WEIGHTS_FILE as FAST_WEIGHTS_FILE
from goodwill.enrich.stage import Judgement, StageContext
from goodwill.errors import ModelError
from goodwill.models import Post

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from goodwill.embeddings import MiniLMEncoder
    from goodwill.enrich.sentiment import SentimentModel

__all__ = [
    "BATCH_TEXTS",
    "CLASSES",
    "CUT",
    "HEAD_FILE",
    "HEAD_METADATA_FILE",
    "TAIL_FILE",
    "AccurateHead",
    "AccurateSentimentModel",
    "AccurateSentimentStage",
    "assemble",
    "embedding_texts",
    "encoder",
    "fast_model_sha256",
    "load_head",
    "read_head",
    "stack_features",
]

HEAD_FILE = "accurate_sentiment_head.npz"
HEAD_METADATA_FILE = "accurate_sentiment_metadata.json"
#: MiniLM's last three layers and its pooling, fine-tuned for sentiment (train/accurate_sentiment.py).
TAIL_FILE = "accurate_sentiment_tail.onnx"
#: Where the base model stops and the tuned tail takes over: the output of its 3rd of 6 layers.
CUT = "layer_norm_6"
#: Posts are cut at 128 word pieces. No TweetEval sentiment tweet is longer (the longest of the
#: 47,573 training and 2,000 validation tweets has 96), so the head is unchanged by the cut; a long
#: post costs half what the model's 256-token window would.
MAX_TOKENS = 128
#: Texts per encoder batch. The quantised model scales each batch's activations as a whole, so a
#: text's vector can move in the third decimal with its batch mates; batches of 16 took 1.35x less
#: CPU than 64 (bench/bench_accurate.py), and the head is trained with the same size.
BATCH_TEXTS = 16
#: Texts whose vectors a stage keeps: retweets and copy-paste complaints repeat, once their handles
#: and links are normalised away (10,000 vectors are 15 MB).
CACHE_TEXTS = 10_000
#: Log-probabilities below this are clipped, so a fast model that is sure cannot dominate the sum.
LOG_FLOOR = 1e-4
RETRAIN = (
    "retrain the head and its tuned layers with `pip install torch==2.13.0` and `python "
    "train/accurate_sentiment.py --data ../shared/datasets/tweeteval --out src/goodwill/enrich/artifacts/`"
)

_UNICODE_ESCAPES = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_MENTION = re.compile(r"@\w+")
_SPACES = re.compile(r"\s+")


def _decode_escapes(match: re.Match[str]) -> str:
    """Literal ``\\u2019`` runs (common in tweet dumps) back into characters; pairs become one emoji."""
    raw = match.group(0)
    try:
        units = raw.encode("ascii").decode("unicode_escape")
        return units.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    except UnicodeError:
        return raw


def embedding_texts(texts: Sequence[str]) -> list[str]:
    """Posts as the encoder sees them, in training and at run time alike.

    TweetEval (the training data) wrote every handle as ``@user`` and dropped
    URLs; live posts are brought to the same shape, so "@acmebank" does not read
    as a new word. HTML entities and literal ``\\uXXXX`` escapes are decoded.
    """
    out = []
    for text in texts:
        if "\\u" in text:
            text = _UNICODE_ESCAPES.sub(_decode_escapes, text)
        if "&" in text:
            text = html.unescape(text)
        text = _MENTION.sub("@user", _URL.sub("", text))
        out.append(_SPACES.sub(" ", text).strip())
    return out


def stack_features(
    embeddings: NDArray[np.float32], fast_probabilities: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The head's input: embedding columns, then the fast model's clipped log-probabilities."""
    logs = np.log(np.clip(fast_probabilities, LOG_FLOOR, 1.0))
    return np.hstack([embeddings.astype(np.float64), logs])


def fast_model_sha256(package: str = ARTIFACT_PACKAGE) -> str:
    """The sha256 of the shipped fast model's weights, which the head was stacked on."""
    data = resources.files(package).joinpath(ARTIFACT_DIR).joinpath(FAST_WEIGHTS_FILE).read_bytes()
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class AccurateHead:
    """A multinomial logistic regression as plain arrays (feature scaling folded into the weights)."""

    weights: NDArray[np.float64]  # (384 + 3, 3)
    bias: NDArray[np.float64]  # (3,)
    metadata: dict[str, Any]

    def probabilities(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        """Class probabilities, columns in :data:`CLASSES` order."""
        logits = features @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits


def read_head(folder: Traversable | Path) -> AccurateHead:
    """Read the head from ``folder``; a missing or malformed file says how to rebuild it."""
    try:
        metadata = json.loads(folder.joinpath(HEAD_METADATA_FILE).read_text(encoding="utf-8"))
        with folder.joinpath(HEAD_FILE).open("rb") as fh, np.load(fh) as npz:
            weights = npz["weights"].astype(np.float64)
            bias = npz["bias"].astype(np.float64)
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(
            f"the accurate sentiment head in {folder} is missing or unreadable ({exc}); {RETRAIN}."
        ) from exc
    if list(metadata.get("classes", [])) != list(CLASSES) or weights.shape[1:] != (len(CLASSES),):
        raise ModelError(
            f"the accurate sentiment head in {folder} is not a {list(CLASSES)} model; {RETRAIN}."
        )
    return AccurateHead(weights=weights, bias=bias, metadata=metadata)


def load_head(package: str = ARTIFACT_PACKAGE) -> AccurateHead:
    return read_head(resources.files(package).joinpath(ARTIFACT_DIR))


class AccurateSentimentModel:
    """Texts to probabilities: fast model, MiniLM encoder and the stacked head together."""

    def __init__(self, fast: SentimentModel, encoder: MiniLMEncoder, head: AccurateHead) -> None:
        from goodwill.embeddings import DIMENSIONS

        if head.weights.shape[0] != DIMENSIONS + len(CLASSES):
            raise ModelError(
                f"the accurate sentiment head expects {head.weights.shape[0]} features, not "
                f"{DIMENSIONS + len(CLASSES)}; {RETRAIN}."
            )
        self.fast, self.encoder, self.head = fast, encoder, head

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        if not texts:
            return np.zeros((0, len(CLASSES)))
        embeddings = self.encoder.encode(embedding_texts(texts))
        # Uncalibrated: the head was trained on the fast model's raw held-out probabilities.
        fast = self.fast.probabilities(texts, calibrated=False)
        return self.head.probabilities(stack_features(embeddings, fast))


def encoder(*, cache_size: int = CACHE_TEXTS) -> MiniLMEncoder:
    """The MiniLM encoder as accurate mode runs it: the quantised base up to :data:`CUT`, then the tuned tail.

    The base is the dynamically quantised copy of the wheel's model
    (goodwill.embedding_quantization, 2.2x less CPU per post than the exact
    one), cut after its 3rd layer; the shipped ONNX tail (layers 4-6 and the
    pooling, fine-tuned on those very vectors) gives the sentence vector.
    """
    from goodwill.embeddings import EncoderTail, MiniLMEncoder

    tail = resources.files(ARTIFACT_PACKAGE).joinpath(ARTIFACT_DIR).joinpath(TAIL_FILE)
    if not tail.is_file():
        raise ModelError(f"accurate sentiment's tuned encoder layers, {TAIL_FILE}, are missing; {RETRAIN}.")
    return MiniLMEncoder(
        batch_size=BATCH_TEXTS,
        cache_size=cache_size,
        max_tokens=MAX_TOKENS,
        quantized=True,
        tail=EncoderTail(Path(str(tail)), CUT),
    )


def assemble(head: AccurateHead) -> AccurateSentimentModel:
    """The head with the installed fast model and the MiniLM encoder; refused if stacked on another model."""
    from goodwill.enrich.sentiment import load_model

    stacked_on = head.metadata.get("fast_model", {}).get("sha256")
    if stacked_on != fast_model_sha256():
        raise ModelError(
            "the accurate sentiment head was trained on a different fast sentiment model than the one "
            f"installed; {RETRAIN}."
        )
    return AccurateSentimentModel(load_model(), encoder(), head)


@lru_cache(maxsize=1)
def _shared_model() -> AccurateSentimentModel:
    return assemble(load_head())


class AccurateSentimentStage:
    """``sentiment`` in accurate mode: same output as the fast stage, from embeddings plus the fast model.

    Building it checks only that the ``embeddings`` extra is installed (so a
    missing extra fails before any post is read); the model loads on first use
    and stays out of the pickle sent to workers.
    """

    name = "sentiment"
    version = "accurate.6"
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ("sentiment",)

    def __init__(self, context: StageContext | None = None) -> None:
        from goodwill.embeddings import INSTALL_HINT, embeddings_available

        if not embeddings_available():
            raise ModelError(f"accurate mode needs the offline MiniLM embedding model; {INSTALL_HINT}")
        self.context = context if context is not None else StageContext(mode="accurate")
        self._model: AccurateSentimentModel | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_model"] = None
        return state

    @property
    def model(self) -> AccurateSentimentModel:
        if self._model is None:
            self._model = _shared_model()
        return self._model

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[Judgement]:
        return judge_sentiment(self.model.probabilities, posts, enrichment)
