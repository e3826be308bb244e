"""What: topic discovery for short posts, with labels from class-based TF-IDF.

1. Embed the posts (:mod:`goodwill.insights.embedders`).
2. Posts close to a **pinned** topic's centre (cosine >= ``assign_threshold``) go to it first.
3. The rest are clustered with HDBSCAN (it finds how many topics there are); when it finds
   fewer than two, KMeans with a seeded start takes over.
4. HDBSCAN leaves "noise": each such post joins the nearest topic when its cosine
   similarity to that centre is at least ``assign_threshold``; the others stay
   **unassigned** and their share is reported (the target is under 15%).
5. Each topic is labelled by class-based TF-IDF: the words frequent in its posts and rare
   in the other topics' (``tf(t, topic) * log(1 + mean words per topic / f(t))``).

Same posts, same embedder, same seed: same topics, in the same order (largest first).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from goodwill.insights.embedders import Embedder

__all__ = ["Discovery", "FoundTopic", "PinnedTopic", "clean_text", "ctfidf_terms", "discover_topics"]

UNASSIGNED = -1
METHOD = "eom"
#: The similarity a post needs to its nearest neighbour in a topic (or a pinned centre) to join it,
#: per embedder: LSA vectors are less similar to each other than sentence embeddings.
THRESHOLDS = {"minilm-int8": 0.4, "tfidf-svd": 0.2}
_TOKEN = re.compile(r"[^\W\d_][\w'-]+", re.UNICODE)
#: links and @handles say who and where, not what: they would make every thread its own topic
_NOISE = re.compile(r"https?://\S+|www\.\S+|@\S+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "they",
        "them",
        "their",
        "his",
        "her",
        "what",
        "which",
        "who",
        "whom",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "can",
        "will",
        "just",
        "don't",
        "dont",
        "should",
        "now",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "am",
        "i'm",
        "im",
        "i've",
        "ive",
        "you're",
        "about",
        "into",
        "over",
        "after",
        "before",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "out",
        "up",
        "down",
        "off",
        "under",
        "until",
        "while",
        "get",
        "got",
        "also",
        "still",
        "really",
        "would",
        "could",
        "one",
        "like",
        "much",
        "even",
        "ever",
        "way",
        "thing",
        "things",
        "lol",
        "rt",
        "amp",
        "via",
        # words every support thread uses: they would label every topic
        "since",
        "ago",
        "first",
        "thanks",
        "thank",
        "need",
        "anyone",
        "know",
        "want",
        "going",
        "back",
        "today",
        "time",
        "new",
        "please",
        "yes",
        "yeah",
        "okay",
        "see",
        "say",
        "said",
        "think",
        "well",
        "we'll",
        "there's",
        "let",
    ]
)


@dataclass(frozen=True)
class PinnedTopic:
    """A stored topic the team pinned: later runs keep it and fill it first."""

    id: int
    label: str
    centroid: tuple[float, ...]


@dataclass(frozen=True)
class FoundTopic:
    #: index into ``Discovery.topics``; pinned topics keep their stored id in ``pinned_id``
    index: int
    label: str
    terms: tuple[str, ...]
    size: int
    centroid: tuple[float, ...]
    pinned_id: int | None = None


@dataclass(frozen=True)
class Discovery:
    topics: tuple[FoundTopic, ...]
    #: per input text: the topic index, or -1 (unassigned)
    assignments: tuple[int, ...]
    embedder: str

    @property
    def unassigned_share(self) -> float:
        """Percent of posts left in no topic, one decimal."""
        if not self.assignments:
            return 0.0
        return round(sum(a == UNASSIGNED for a in self.assignments) / len(self.assignments) * 100, 1)


def clean_text(text: str) -> str:
    """The text without links and @handles (what is embedded and labelled)."""
    return _NOISE.sub(" ", text)


def _tokens(text: str, skip: frozenset[str]) -> list[str]:
    words = [w.casefold().strip("'-") for w in _TOKEN.findall(clean_text(text))]
    words = [w for w in words if len(w) > 2 and w not in _STOP and w not in skip]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def ctfidf_terms(
    groups: Sequence[Sequence[str]], *, k: int = 5, skip: frozenset[str] = frozenset()
) -> list[tuple[str, ...]]:
    """The ``k`` most distinctive terms (words and word pairs) of each group of texts."""
    counts = [Counter(t for text in texts for t in _tokens(text, skip)) for texts in groups]
    total = Counter[str]()
    for c in counts:
        total.update(c)
    mean_words = sum(sum(c.values()) for c in counts) / max(len(counts), 1)
    out: list[tuple[str, ...]] = []
    for c in counts:
        size = sum(c.values()) or 1
        scored = {t: (n / size) * np.log(1 + mean_words / total[t]) for t, n in c.items() if n >= 2}
        # On a tie a word pair beats its own words: "charged twice" says more than "charged".
        ranked = sorted(scored, key=lambda t: (-round(scored[t], 9), -t.count(" "), t))
        chosen: list[str] = []
        used: set[str] = set()
        for term in ranked:
            # Terms that repeat a word already chosen say little new ("account number", "number postcode").
            parts = term.split(" ")
            if any(p in used for p in parts):
                continue
            used.update(parts)
            chosen.append(term)
            if len(chosen) == k:
                break
        out.append(tuple(chosen))
    return out


def _centroids(vectors: np.ndarray[Any, Any], labels: np.ndarray[Any, Any], n: int) -> np.ndarray[Any, Any]:
    out = np.zeros((n, vectors.shape[1]), dtype=np.float32)
    for i in range(n):
        members = vectors[labels == i]
        if len(members):
            centre = members.mean(axis=0)
            out[i] = centre / max(float(np.linalg.norm(centre)), 1e-12)
    return out


def _absorb_noise(vecs: np.ndarray[Any, Any], assigned: np.ndarray[Any, Any], *, threshold: float) -> None:
    """Give each unassigned post the topic of its nearest assigned neighbours (5, weighted by similarity)
    when the nearest is at least ``threshold`` similar; in place. Neighbours, not centres: a broad
    topic's centre sits close to everything and would swallow all the noise."""
    noise = np.flatnonzero(assigned == UNASSIGNED)
    placed = np.flatnonzero(assigned != UNASSIGNED)
    if not len(noise) or not len(placed):
        return
    labels = assigned[placed]
    for start in range(0, len(noise), 512):
        chunk = noise[start : start + 512]
        sims = vecs[chunk] @ vecs[placed].T
        k = min(5, len(placed))
        near = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        for row, pos in enumerate(chunk):
            idx = near[row]
            if sims[row, idx].max() < threshold:
                continue
            votes: dict[int, float] = {}
            for j in idx:
                votes[int(labels[j])] = votes.get(int(labels[j]), 0.0) + float(sims[row, j])
            assigned[pos] = min(votes, key=lambda t: (-votes[t], t))


def _split_oversized(
    vecs: np.ndarray[Any, Any], assigned: np.ndarray[Any, Any], *, first: int, total: int, seed: int
) -> int:
    """Split a discovered topic holding more than a quarter of the posts (KMeans, seeded), in place.

    A broad theme ("it doesn't work") often ends as one dense cluster; its parts (wifi, signal,
    app) are what a team acts on. Returns the new number of topics.
    """
    from sklearn.cluster import KMeans

    n = len(assigned)
    for topic in range(first, total):
        members = np.flatnonzero(assigned == topic)
        if len(members) <= max(n // 4, 20):
            continue
        k = min(6, int(np.ceil(len(members) / max(n // 10, 1))))
        if k < 2:
            continue
        parts = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(vecs[members])
        # The largest part keeps the topic's number; the others are appended.
        ranked = sorted(range(k), key=lambda p: (-int((parts == p).sum()), p))
        for rank, part in enumerate(ranked[1:], start=0):
            assigned[members[parts == part]] = total + rank
        total += k - 1
    return total


def _cluster(vectors: np.ndarray[Any, Any], *, seed: int, min_cluster_size: int) -> np.ndarray[Any, Any]:
    from sklearn.cluster import HDBSCAN, KMeans

    if len(vectors) < 2 * min_cluster_size:
        return np.zeros(len(vectors), dtype=int) if len(vectors) else np.zeros(0, dtype=int)
    labels = HDBSCAN(
        min_cluster_size=min_cluster_size, min_samples=3, cluster_selection_method=METHOD, copy=True
    ).fit_predict(vectors)
    if len(set(labels) - {UNASSIGNED}) >= 2:
        return np.asarray(labels)
    k = max(2, min(12, len(vectors) // (3 * min_cluster_size)))
    return np.asarray(KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(vectors))


def discover_topics(
    texts: Sequence[str],
    *,
    embedder: Embedder,
    seed: int = 0,
    min_cluster_size: int | None = None,
    assign_threshold: float | None = None,
    pinned: Sequence[PinnedTopic] = (),
    skip_terms: frozenset[str] = frozenset(),
    vectors: np.ndarray[Any, Any] | None = None,
) -> Discovery:
    """Topics of ``texts``; ``skip_terms`` (e.g. the brand names) never label a topic."""
    n = len(texts)
    if assign_threshold is None:
        assign_threshold = THRESHOLDS.get(embedder.name, 0.3)
    if n == 0:
        return Discovery(topics=(), assignments=(), embedder=embedder.name)
    vecs = vectors if vectors is not None else embedder.embed([clean_text(t) for t in texts])
    size = min_cluster_size or max(10, n // 100)
    assigned = np.full(n, UNASSIGNED, dtype=int)
    pinned_c = np.array([p.centroid for p in pinned], dtype=np.float32) if pinned else None
    if pinned_c is not None and pinned_c.shape[1] == vecs.shape[1]:
        sims = vecs @ pinned_c.T
        best = sims.argmax(axis=1)
        ok = sims[np.arange(n), best] >= assign_threshold
        assigned[ok] = best[ok]
    else:
        pinned = ()
    rest = np.flatnonzero(assigned == UNASSIGNED)
    labels = _cluster(vecs[rest], seed=seed, min_cluster_size=size) if len(rest) else np.zeros(0, dtype=int)
    offset = len(pinned)
    found = sorted(set(labels.tolist()) - {UNASSIGNED})
    # Largest cluster first, ties by the smallest member index: a stable order for the same input.
    order = sorted(found, key=lambda c: (-int((labels == c).sum()), int(np.flatnonzero(labels == c)[0])))
    remap = {c: offset + i for i, c in enumerate(order)}
    for pos, label in zip(rest, labels, strict=True):
        if label != UNASSIGNED:
            assigned[pos] = remap[int(label)]
    total = offset + len(order)
    if total:
        _absorb_noise(vecs, assigned, threshold=assign_threshold)
        total = _split_oversized(vecs, assigned, first=offset, total=total, seed=seed)
        centres = _centroids(vecs, assigned, total)
    groups = [[texts[int(i)] for i in np.flatnonzero(assigned == t)] for t in range(total)]
    terms = ctfidf_terms(groups, skip=skip_terms)
    topics = []
    for t in range(total):
        pin = pinned[t] if t < offset else None
        words = terms[t]
        topics.append(
            FoundTopic(
                index=t,
                label=pin.label if pin is not None else (" · ".join(words[:3]) or f"topic {t + 1}"),
                terms=words,
                size=len(groups[t]),
                centroid=tuple(round(float(x), 6) for x in centres[t]),
                pinned_id=pin.id if pin is not None else None,
            )
        )
    return Discovery(
        topics=tuple(topics), assignments=tuple(int(a) for a in assigned), embedder=embedder.name
    )
