"""The ``complaint`` stage: is this post a complaint about a product, a service or a company?

A complaint is not negativity. "I hate Mondays" is negative and no complaint;
"@bank my card was charged twice" is one. So the score needs two things:

* a **problem**: a failure or a breach of expectation ("charged twice", "still
  waiting", "not working", "cancelled again", or sarcasm about one), read from
  the intent cues that report failures;
* a **target**: a brand the mentions stage found, an addressed ``@handle``, a
  "you/your", or something people buy or use ("my order", "the app", "my flight").

``score = problem x (0.45 + 0.55 x target)``, nudged up a little when the
sentiment stage found the post negative, and halved when the post reads as
praise or a news headline (a complaint word in a thank-you or in a headline is
rarely the author's own complaint), discounted when nobody in the post is
affected ("outage hits millions" behind a link) and when the problem is
reported as resolved. ``is_complaint`` is ``score >= 0.5``.

Output per post::

    {"is_complaint": true, "score": 0.86,
     "evidence": ["charged twice", "target: @acmebank", "negative sentiment"]}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from goodwill.enrich.cues import squash, tokens
from goodwill.enrich.intent import FIRST_PERSON, cue_hits
from goodwill.enrich.stage import Judgement, StageContext
from goodwill.models import Post

__all__ = ["COMPLAINT_THRESHOLD", "ComplaintStage", "read_complaint"]

COMPLAINT_THRESHOLD = 0.5

#: Things people buy or use: a problem with one of these has a target even with no brand named.
_PRODUCT_WORDS: frozenset[str] = frozenset(
    {
        "card", "account", "app", "order", "package", "parcel", "delivery", "flight", "flights", "bag",
        "luggage", "service", "support", "bill", "billing", "subscription", "internet", "wifi",
        "broadband", "connection", "signal", "refund", "payment", "bank", "airline", "train", "bus",
        "website", "site", "phone", "laptop", "store", "shop", "driver", "booking", "reservation",
        "hotel", "product", "item", "charge", "fee", "fees", "customer", "agent", "helpline", "update",
        "plan", "contract", "transfer", "loan", "mortgage", "insurance", "claim", "ticket", "seat",
        "game", "server", "servers", "login", "password", "pin", "balance", "statement", "courier",
        "shipping", "shipment", "warranty", "repair", "router", "network", "company", "restaurant",
        "pedido", "cuenta", "tarjeta", "vuelo", "commande", "compte", "carte", "vol", "bestellung",
        "konto", "karte", "flug", "conta", "cartão", "voo", "aplicación", "application",
    }
)  # fmt: skip
_SECOND_PERSON: frozenset[str] = frozenset({"you", "your", "you're", "y'all", "u", "ur", "yours"})
_WEAK_TARGET = 0.2
#: the highest score a post with no failure cue can get (from its negativity), below the threshold
_UNEXPLAINED_CAP = 0.35


def _empty() -> Judgement:
    return {"complaint": {"is_complaint": False, "score": 0.0, "evidence": []}}


def _target(
    post: Post, words: Sequence[str], brands: Sequence[Mapping[str, Any]]
) -> tuple[float, str | None]:
    """How clearly the post has something to complain about, and what to cite."""
    for brand in brands:
        name = brand.get("name")
        if isinstance(name, str):
            return 1.0, f"target: {name}"
    text = post.text or ""
    if "@" in text:
        for word_index, word in enumerate(words[:-1]):
            if word == "@":
                return 0.9, f"target: @{words[word_index + 1]}"
    if not _SECOND_PERSON.isdisjoint(words):
        return 0.6, "addressed to 'you'"
    for word in words:
        if word in _PRODUCT_WORDS:
            return 0.7, f"target: {word}"
    if post.reply_to is not None:
        return 0.5, "reply in a conversation"
    return _WEAK_TARGET, None


def _unexplained(known: Mapping[str, Any], target: float, cited: str | None) -> dict[str, Any]:
    """No failure named: never a complaint, but a negative post to a target ranks above chatter.

    The score stays below the threshold (at most ``_UNEXPLAINED_CAP``), so it orders a
    queue and a reviewer's list without ever deciding on negativity alone.
    """
    sentiment = known.get("sentiment")
    probabilities = sentiment.get("probabilities") if isinstance(sentiment, Mapping) else None
    negative = probabilities.get("negative") if isinstance(probabilities, Mapping) else None
    if not isinstance(negative, int | float) or negative <= 0.0:
        return {"is_complaint": False, "score": 0.0, "evidence": []}
    score = round(_UNEXPLAINED_CAP * min(1.0, float(negative)) * target, 4)
    evidence = ["negative sentiment, no failure named"] + ([cited] if cited else [])
    return {"is_complaint": False, "score": score, "evidence": evidence if score else []}


def read_complaint(
    post: Post, known: Mapping[str, Any], threshold: float = COMPLAINT_THRESHOLD
) -> dict[str, Any]:
    """Judge one post given the earlier stages' enrichment; the pure function behind the stage."""
    text = post.text
    if not text:
        empty: dict[str, Any] = _empty()["complaint"]
        return empty
    intent = known.get("intent")
    label = intent.get("label") if isinstance(intent, Mapping) else None
    if label == "spam":
        return {"is_complaint": False, "score": 0.0, "evidence": ["reads as spam"]}

    failures: dict[int, float] = {}
    phrases: list[str] = []
    resolved = care_reply = False
    for hit in cue_hits(text):
        if hit.cue.note == "resolved" and hit.weight >= 0.5:
            resolved = True
            phrases.append(f"resolved: {hit.phrase}")
        elif hit.cue.note == "care reply" and hit.weight >= 0.5:
            care_reply = True
        if not hit.cue.failure:
            continue
        weight = hit.weight if hit.label != "help_request" else 0.8 * hit.weight
        key = id(hit.cue)
        if weight > failures.get(key, 0.0):
            failures[key] = weight
        if hit.weight >= 0.3:
            phrase = f"{hit.cue.note}: {hit.phrase}" if hit.cue.note else hit.phrase
            if phrase not in phrases:
                phrases.append(phrase)
    problem = squash(sum(failures.values()))
    brands = known.get("brands")
    words = tokens(text)
    target, cited = _target(post, words, brands if isinstance(brands, list) else [])
    if problem == 0.0:
        return _unexplained(known, target, cited)
    if resolved:
        problem *= 0.4
    score = problem * (0.45 + 0.55 * target)
    if cited:
        phrases.append(cited)
    sentiment = known.get("sentiment")
    if isinstance(sentiment, Mapping) and sentiment.get("label") == "negative":
        raw = sentiment.get("score")
        strength = min(1.0, abs(float(raw))) if isinstance(raw, int | float) else 0.5
        score += 0.12 * strength
        phrases.append("negative sentiment")
    has_link = "http" in text or "www." in text
    if has_link and FIRST_PERSON.isdisjoint(words) and _SECOND_PERSON.isdisjoint(words) and "@" not in text:
        # Nobody's own problem: a shared report about others ("outage hits millions <link>").
        score *= 0.6
        phrases.append("a shared report, not the author's own experience")
    if label in ("praise", "news_share"):
        score *= 0.5
        phrases.append(f"reads as {label.replace('_', ' ')}")
    if care_reply:
        score *= 0.3
        phrases.append("reads as a care agent's reply")
    score = round(min(1.0, max(0.0, score)), 4)
    return {"is_complaint": score >= threshold, "score": score, "evidence": phrases[:8]}


class ComplaintStage:
    """Decide whether each post is a complaint (a problem with a target), citing both."""

    name = "complaint"
    version = "2"
    requires: tuple[str, ...] = ("brands", "intent", "sentiment")
    provides: tuple[str, ...] = ("complaint",)

    def __init__(self, context: StageContext | None = None) -> None:
        self.context = context or StageContext()
        configured = self.context.config.thresholds.complaint
        self.threshold: float = COMPLAINT_THRESHOLD if configured is None else configured

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[Judgement]:
        """One ``{"complaint": ...}`` per post; uses ``brands`` too when the mentions stage ran."""
        out: list[Judgement] = []
        for index, post in enumerate(posts):
            known: Mapping[str, Any] = enrichment[index] if index < len(enrichment) else {}
            out.append({"complaint": read_complaint(post, known, self.threshold)})
        return out
