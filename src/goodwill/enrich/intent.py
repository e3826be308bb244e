"""The ``intent`` stage: what is the author trying to do with this post?

Ten labels (question, help_request, complaint, praise, recommendation_request,
purchase_intent, feedback, social, news_share, spam). Each label's score is the
squashed sum of the phrase cues that fired for it (see
:mod:`goodwill.enrich.intent_lexicon`), plus a few structural cues a phrase list
cannot express: a question mark after an interrogative opening, a link in a
post with no first person in it (headline style), a wall of hashtags. ``social``
is what is left when nothing else is evident, so chatter never needs a cue.

Output per post::

    {"label": "help_request",
     "scores": {label: float in [0, 1] for every label},
     "evidence": ["can't log in", "?"]}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from goodwill.enrich.cues import CueBook, Hit, squash, tokens, totals
from goodwill.enrich.intent_lexicon import (
    CARE_REPLY_LABEL,
    INTENT_CUES,
    INTENT_LABELS,
    QUESTION_OPENERS,
    RECOMMEND_IF_ASKED_LABEL,
    RESOLVED_LABEL,
    SARCASM_LABEL,
    WH_WORDS,
)
from goodwill.enrich.stage import Judgement, StageContext
from goodwill.models import Post

__all__ = ["FIRST_PERSON", "INTENT_LABELS", "IntentStage", "cue_hits", "read_intent"]

FIRST_PERSON = frozenset({"i", "i'm", "im", "i've", "i'd", "my", "me", "we", "our", "us", "mine"})
_SENTENCE_ENDS = frozenset({".", "!", "?", "\n"})
_EVIDENCE_LIMIT = 8
_MIN_EVIDENCE_WEIGHT = 0.3
#: below this no label is evident and the post is ``social``
SOCIAL_THRESHOLD = 0.4
#: which label wins when several are about as evident (docs/labelling.md, "Precedence")
PRECEDENCE: tuple[str, ...] = (
    "spam", "news_share", "help_request", "recommendation_request", "complaint", "purchase_intent",
    "feedback", "question", "praise",
)  # fmt: skip
#: how far below the strongest score a label of higher precedence may be and still win
PRECEDENCE_MARGIN = 0.2
#: non-English text matches fewer cues, and matched ones are less certain
_FOREIGN_FACTOR = 0.75


def _empty() -> Judgement:
    scores = dict.fromkeys(INTENT_LABELS, 0.0)
    scores["social"] = 1.0
    return {"intent": {"label": "social", "scores": scores, "evidence": []}}


def _question_evidence(words: Sequence[str]) -> tuple[float, list[str]]:
    """Evidence from punctuation: a '?' and whether its sentence opens like a question."""
    evidence = 0.0
    fired: list[str] = []
    if "?" not in words and "¿" not in words:
        return _unmarked_question(words)
    sentence_start = True
    opened = False
    opener = ""
    for word in words:
        if sentence_start:
            opener = word
            sentence_start = False
        if word == "?":
            if not fired:
                evidence += 0.7
                fired.append("?")
            if opener in WH_WORDS and not opened:
                opened = True
                evidence += 0.5
                fired.append(f"{opener} …?")
            sentence_start = True
        elif word in _SENTENCE_ENDS:
            sentence_start = True
        elif word == "¿":
            evidence += 0.6
            fired.append("¿")
    return evidence, fired


def _unmarked_question(words: Sequence[str]) -> tuple[float, list[str]]:
    """A first sentence that opens like a question, though no "?" was typed; handles skipped."""
    start = 0
    while start + 1 < len(words) and words[start] == "@":
        start += 2
    opener = words[start] if start < len(words) else ""
    if opener not in QUESTION_OPENERS:
        return 0.0, []
    first_four = words[start : start + 4]
    if len(first_four) < 4 or not _SENTENCE_ENDS.isdisjoint(first_four):
        return 0.0, []
    return 0.7, [f"{opener} … (no '?')"]


def read_intent(text: str, *, language: str | None = None, flagged_spam: bool = False) -> dict[str, Any]:
    """Judge one text; the pure function behind :class:`IntentStage`."""
    words = tokens(text)
    if not words:
        empty: dict[str, Any] = _empty()["intent"]
        return empty
    hits = cue_hits(text)
    evidence = totals(hits)
    q_weight, q_fired = _question_evidence(words)
    evidence["question"] = evidence.get("question", 0.0) + q_weight
    extra: list[str] = list(q_fired)

    asks_for_a_pick = evidence.pop(RECOMMEND_IF_ASKED_LABEL, 0.0)
    if asks_for_a_pick and q_weight > 0.0:
        evidence["recommendation_request"] = evidence.get("recommendation_request", 0.0) + asks_for_a_pick
    sarcasm = evidence.pop(SARCASM_LABEL, 0.0)
    resolved = evidence.pop(RESOLVED_LABEL, 0.0)
    if evidence.pop(CARE_REPLY_LABEL, 0.0) >= 0.5:
        # A care agent apologising for a delay is answering a complaint, not making one.
        for name in ("complaint", "help_request", "spam"):
            if name in evidence:
                evidence[name] *= 0.2
        extra.append("reads as a care agent's reply")
    if resolved >= 0.5:
        evidence["praise"] = evidence.get("praise", 0.0) + resolved
        evidence["complaint"] = evidence.get("complaint", 0.0) * 0.4
    if sarcasm >= 0.5:
        # Irony about a day or the weather is no complaint; about something addressed or failing, it is.
        aimed = "@" in text or evidence.get("complaint", 0.0) > 0.0
        evidence["complaint"] = evidence.get("complaint", 0.0) + (sarcasm if aimed else 0.4 * sarcasm)
        evidence["praise"] = evidence.get("praise", 0.0) * 0.2
    elif resolved < 0.5 and evidence.get("complaint", 0.0) >= 1.0 and evidence.get("praise", 0.0) > 0.0:
        evidence["praise"] = evidence["praise"] * 0.6

    lowered = text.lower()
    has_link = "http" in lowered or "www." in lowered
    if has_link:
        evidence["news_share"] = evidence.get("news_share", 0.0) + 0.2
        if FIRST_PERSON.isdisjoint(words):
            evidence["news_share"] += 0.7
            extra.append("link with no first person")
    hashtags = text.count("#")
    if hashtags >= 5:
        evidence["spam"] = evidence.get("spam", 0.0) + 0.2 * hashtags
        extra.append(f"{hashtags} hashtags")
    if flagged_spam:
        evidence["spam"] = evidence.get("spam", 0.0) + 1.5
        extra.append("flagged as spam")

    foreign = language is not None and language not in ("en", "und")
    scores = dict.fromkeys(INTENT_LABELS, 0.0)
    label = "social"
    strongest = 0.0
    for name, weight in evidence.items():
        if weight <= 0.0 or name not in scores:
            continue
        if foreign and name != "question":
            weight *= _FOREIGN_FACTOR
        score = round(squash(weight), 4)
        scores[name] = score
        if score > strongest:
            strongest, label = score, name
    scores["social"] = round(max(0.05, 0.7 * (1.0 - strongest)), 4)
    if strongest < SOCIAL_THRESHOLD:
        label = "social"
    else:
        label = _by_precedence(scores, strongest, label)

    phrases: list[str] = []
    for hit in sorted(hits, key=_heaviest_first) if hits else ():
        if hit.weight >= _MIN_EVIDENCE_WEIGHT:
            phrase = f"{hit.cue.note}: {hit.phrase}" if hit.cue.note else hit.phrase
            if phrase not in phrases:
                phrases.append(phrase)
    phrases.extend(e for e in extra if e not in phrases)
    return {"label": label, "scores": scores, "evidence": phrases[:_EVIDENCE_LIMIT]}


def _heaviest_first(hit: Hit) -> float:
    return -hit.weight


def _by_precedence(scores: Mapping[str, float], strongest: float, label: str) -> str:
    """The label the guidelines rank first among those nearly as evident as the strongest.

    A "?" is evidence of *some* ask, and often the strongest single cue; the more
    specific aim it carries (help, recommendations, a purchase) is what the author
    wants, so a close runner-up with higher precedence wins (docs/labelling.md).
    """
    floor = max(SOCIAL_THRESHOLD, strongest - PRECEDENCE_MARGIN)
    for name in PRECEDENCE:
        if scores[name] >= floor:
            return name
    return label


BOOK = CueBook(INTENT_CUES)


@lru_cache(maxsize=8192)
def cue_hits(text: str) -> tuple[Hit, ...]:
    """The intent cues that fire in ``text``; cached, as the complaint stage reads them too."""
    return tuple(BOOK.scan(tokens(text)))


class IntentStage:
    """Label each post with the author's intent, with the phrases that show it."""

    name = "intent"
    version = "3"
    requires: tuple[str, ...] = ("language", "spam")
    provides: tuple[str, ...] = ("intent",)

    def __init__(self, context: StageContext | None = None) -> None:
        self.context = context or StageContext()
        from goodwill.enrich.brand_heads import BrandHeads

        self.heads = BrandHeads(self.context.heads_dir)

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[Judgement]:
        """One ``{"intent": ...}`` per post; uses ``language`` and ``spam`` when earlier stages gave them."""
        out: list[Judgement] = []
        for index, post in enumerate(posts):
            if not post.text:
                out.append(_empty())
                continue
            known: Mapping[str, Any] = enrichment[index] if index < len(enrichment) else {}
            language = known.get("language")
            spam = known.get("spam")
            flagged = bool(spam.get("is_spam")) if isinstance(spam, Mapping) else False
            out.append(
                {
                    "intent": read_intent(
                        post.text,
                        language=language if isinstance(language, str) else None,
                        flagged_spam=flagged,
                    )
                }
            )
        if self.heads.any("intent"):
            from goodwill.enrich.brand_heads import adjust_intents

            adjust_intents(self.heads, posts, enrichment, out)
        return out
