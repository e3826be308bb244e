"""The ``receptivity`` stage: would a reply FROM THE BRAND be welcome here?

This is the judgement a care agent acts on, so it leans to precision: the
default is *not* to reply, and ``welcome`` needs evidence that the author wants
the brand in the conversation. Evidence for a reply (each adds to the score and
is cited as a reason): the post is addressed to one of our handles, asks a
direct question, asks for help, complains about our brand, asks for
recommendations in our category, shows purchase intent, or gives feedback.

Evidence against (each subtracts, cited as a counter-reason): personal or family
context (birthdays, weddings, grief), a joke, a news share, irony (when the
``irony`` stage ran before this one; not when the post is a complaint addressed
to the brand), a reply inside someone else's conversation, a friend being
talked to. Hard rules: spam is never
welcome; a brand's own post is never welcome; a competitor's post is welcome
only when its author asks for alternatives or recommendations, and a complaint
about a competitor never is (no piling on). A post naming no brand is welcome
only when it asks for recommendations in the brand's category.

Output per post::

    {"welcome": true, "score": 0.9, "brand": "Acme Bank",
     "reasons": ["addressed to @acmebank", "help request: \\"can't log in\\""],
     "counter_reasons": []}
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from goodwill.enrich.cues import HANDLE_RE, CueBook, Hit, quote, tokens
from goodwill.enrich.intent import cue_hits
from goodwill.enrich.linear_head import LinearHead, shared_head
from goodwill.enrich.receptivity_lexicon import CONTEXT_CUES, JOKE, PERSONAL
from goodwill.enrich.stage import Judgement, StageContext
from goodwill.models import Post

__all__ = ["WELCOME_THRESHOLD", "ReceptivityStage"]

WELCOME_THRESHOLD = 0.5
_STRONG = 0.5  # an intent score at least this high counts as that intent
_QUESTION_RE = re.compile(r"[^.!?\n]*\?")
_CONTEXT_BOOK = CueBook(CONTEXT_CUES)
_IRONIC = "reads as ironic"


@dataclass
class _Case:
    """The running tally for one post: reasons for and against a reply, with weights."""

    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    counter: list[str] = field(default_factory=list)

    def pro(self, weight: float, reason: str) -> None:
        self.score += weight
        self.reasons.append(reason)

    def con(self, weight: float, reason: str) -> None:
        self.score -= weight
        self.counter.append(reason)


def _first(hits: Sequence[Hit], label: str) -> str | None:
    best = [h for h in hits if h.label == label and h.weight >= 0.3]
    return max(best, key=lambda h: h.weight).phrase if best else None


def _not_welcome(counter: str, brand: str | None = None, score: float = 0.0) -> dict[str, Any]:
    return {"welcome": False, "score": score, "reasons": [], "counter_reasons": [counter], "brand": brand}


class ReceptivityStage:
    """Decide, with reasons a care agent can read, whether a reply from the brand is welcome."""

    name = "receptivity"
    version = "4"
    requires: tuple[str, ...] = ("brands", "intent", "complaint", "sentiment", "spam")
    provides: tuple[str, ...] = ("receptivity",)

    def __init__(self, context: StageContext | None = None) -> None:
        self.context = context or StageContext()
        from goodwill.enrich.brand_heads import BrandHeads

        self.heads = BrandHeads(self.context.heads_dir)
        config = self.context.config
        configured = config.thresholds.welcome
        self.threshold: float = WELCOME_THRESHOLD if configured is None else configured
        self.own_handles: dict[str, str] = {
            handle.lower(): brand.name for brand in config.brands for handle in brand.all_handles()
        }
        self.competitor_handles: frozenset[str] = frozenset(
            handle.lower() for brand in config.competitors for handle in brand.all_handles()
        )
        self.default_brand: str | None = config.brands[0].name if config.brands else None
        self.category_brand: dict[str, str] = {}
        for brand in config.brands:
            for category in brand.category:
                self.category_brand.setdefault(category.strip().lower(), brand.name)
        self.category_brand.pop("", None)
        longest_first = sorted(self.category_brand, key=len, reverse=True)
        self._category_re: re.Pattern[str] | None = (
            re.compile(r"\b(" + "|".join(re.escape(c) for c in longest_first) + r")(?:s|es)?\b")
            if longest_first
            else None
        )

    def process(self, posts: Sequence[Post], enrichment: Sequence[Mapping[str, Any]]) -> list[Judgement]:
        """One ``{"receptivity": ...}`` per post; a brand's welcome head has the last word on its posts."""
        out = [
            {"receptivity": self.judge(post, enrichment[i] if i < len(enrichment) else {})}
            for i, post in enumerate(posts)
        ]
        if self.heads.any("welcome"):
            from goodwill.enrich.brand_heads import adjust_welcome

            adjust_welcome(self.heads, posts, out, self.threshold)
        return out

    def judge(self, post: Post, known: Mapping[str, Any]) -> dict[str, Any]:
        """Judge one post given the earlier stages' enrichment."""
        text = post.text
        if not text or not text.strip():
            return _not_welcome("no text (deleted or empty post)")
        spam = known.get("spam")
        intent = _mapping(known.get("intent"))
        if isinstance(spam, Mapping) and spam.get("is_spam"):
            why = ", ".join(str(r) for r in spam.get("reasons") or []) or "spam"
            return _not_welcome(f"flagged as spam ({why}); never reply")
        if intent.get("label") == "spam":
            return _not_welcome("reads as spam; never reply")
        author = (post.author_handle or "").lstrip("@").lower()
        if author and author in self.own_handles:
            return _not_welcome("posted by the brand itself", self.own_handles[author])

        brands = [b for b in known.get("brands") or [] if isinstance(b, Mapping)]
        ours = [b for b in brands if b.get("role") == "brand"]
        theirs = [b for b in brands if b.get("role") == "competitor"]
        handles = [h.lower() for h in HANDLE_RE.findall(text)] if "@" in text else []
        addressed_handle = next((h for h in handles if h in self.own_handles), None)
        if addressed_handle and not ours:
            ours = [{"name": self.own_handles[addressed_handle], "role": "brand", "addressed": True}]

        scores = _mapping(intent.get("scores"))
        hits = cue_hits(text)
        case = _Case()
        name: str | None = None
        self._context(post, text, hits, handles, addressed_handle, bool(ours) or bool(theirs), case, known)

        if ours:
            brand = ours[0]
            for candidate in ours:
                if candidate.get("addressed"):
                    brand = candidate
                    break
            name = str(brand.get("name"))
            self._for_our_brand(text, brand, addressed_handle, scores, hits, known, case)
        elif theirs:
            return self._for_competitor(str(theirs[0].get("name")), scores, hits, known, case)
        else:
            name = self._for_no_brand(text, scores, case)

        score = round(min(1.0, max(0.0, case.score)), 4)
        welcome = bool(case.reasons) and score >= self.threshold
        if case.reasons and _IRONIC in case.counter:
            # Name the ironic words only where a reply was in question: explaining costs a per-post pass.
            case.counter[case.counter.index(_IRONIC)] = self._irony_reason(text, known)
        if not case.reasons:
            case.counter.append(
                "brand mentioned in passing; nothing asks for a reply" if ours else "nothing asks for a reply"
            )
        return {
            "welcome": welcome,
            "score": score,
            "reasons": case.reasons,
            "counter_reasons": case.counter,
            "brand": name,
        }

    def _context(
        self,
        post: Post,
        text: str,
        hits: Sequence[Hit],
        handles: Sequence[str],
        addressed_handle: str | None,
        has_brand: bool,
        case: _Case,
        known: Mapping[str, Any],
    ) -> None:
        """Counter-evidence that holds whatever the brand: personal life, jokes, news, other people's talk."""
        context = _CONTEXT_BOOK.scan(tokens(text))
        complaint = known.get("complaint")
        is_complaint = isinstance(complaint, Mapping) and bool(complaint.get("is_complaint"))
        needs_help = _score(_mapping(_mapping(known.get("intent")).get("scores")), "help_request") >= _STRONG
        personal = _first(context, PERSONAL)
        if personal:
            # A problem told with family in it is still a problem; chatter about family is not ours.
            case.con(0.15 if is_complaint or needs_help else 0.35, f"personal context: '{personal}'")
        joke = _first(context, JOKE)
        if joke:
            case.con(0.1 if is_complaint else 0.25, f"reads as a joke ('{joke}')")
        intent = known.get("intent")
        if isinstance(intent, Mapping) and intent.get("label") == "news_share":
            case.con(0.4, "shares news rather than talking to the brand")
        sarcasm = _first(hits, "sarcasm")
        if sarcasm and not is_complaint:
            case.con(0.2, f"sarcasm without a clear problem ('{sarcasm}')")
        elif not sarcasm and _ironic(known) and not (is_complaint and addressed_handle is not None):
            # An ironic post is rarely an invitation, unless it is a complaint told to us.
            case.con(0.2, _IRONIC)
        others = [h for h in handles if h not in self.own_handles and h not in self.competitor_handles]
        if post.reply_to is not None and addressed_handle is None:
            case.con(0.25, "a reply inside someone else's conversation")
        elif others and addressed_handle is None and has_brand:
            case.con(0.15, f"talking to @{others[0]}, not to the brand")

    def _irony_reason(self, text: str, known: Mapping[str, Any]) -> str:
        """'reads as ironic (0.81: 'great', 'another')': the score and the words that weighed most."""
        irony = _mapping(known.get("irony"))
        score = irony.get("score")
        words = _irony_head().top_words(text, "irony", top=3)
        cited = ", ".join(f"'{w}'" for w in words)
        shown = f"{float(score):.2f}" if isinstance(score, int | float) else "flagged"
        return f"reads as ironic ({shown}: {cited})" if cited else f"reads as ironic ({shown})"

    def _for_our_brand(
        self,
        text: str,
        brand: Mapping[str, Any],
        addressed_handle: str | None,
        scores: Mapping[str, Any],
        hits: Sequence[Hit],
        known: Mapping[str, Any],
        case: _Case,
    ) -> None:
        name = str(brand.get("name"))
        addressed = bool(brand.get("addressed")) or addressed_handle is not None
        if addressed:
            case.pro(0.3, f"addressed to @{addressed_handle}" if addressed_handle else f"addressed to {name}")
        complaint = known.get("complaint")
        if isinstance(complaint, Mapping) and complaint.get("is_complaint"):
            failures = [h for h in hits if h.cue.failure and h.weight >= 0.3]
            problem = max(failures, key=lambda h: h.weight).phrase if failures else None
            cite = f": '{problem}'" if problem else ""
            if addressed:
                case.pro(0.4, f"complaint addressed to {name}{cite}")
            else:
                case.pro(0.2, f"complaint about {name}{cite}")
        if _score(scores, "help_request") >= _STRONG:
            phrase = _first(hits, "help_request")
            case.pro(0.45, f'help request: "{phrase}"' if phrase else "asks for help")
        if _score(scores, "question") >= _STRONG:
            match = _QUESTION_RE.search(text)
            asked = quote(match.group(0).strip(), 90) if match else None
            # A question about our own product is one the brand can answer, even unaddressed.
            about_us = match is not None and any(
                str(form).lower() in match.group(0).lower() for form in brand.get("matched") or []
            )
            weight = 0.5 if about_us else 0.3
            if asked:
                what = "a question about " + name if about_us else "a direct question"
                case.pro(weight, f"asks {what}: '{asked}'")
            else:
                case.pro(weight, "asks a direct question")
        if _score(scores, "recommendation_request") >= _STRONG:
            case.pro(0.35, f"asks for recommendations ('{_first(hits, 'recommendation_request')}')")
        if _score(scores, "purchase_intent") >= _STRONG:
            case.pro(0.35, f"purchase intent: '{_first(hits, 'purchase_intent')}'")
        if _score(scores, "feedback") >= _STRONG:
            case.pro(0.3, f"product feedback: '{_first(hits, 'feedback')}'")
        if _score(scores, "praise") >= _STRONG and addressed and not _ironic(known):
            case.pro(0.2, f"thanks {name} directly")

    def _for_competitor(
        self,
        name: str,
        scores: Mapping[str, Any],
        hits: Sequence[Hit],
        known: Mapping[str, Any],
        case: _Case,
    ) -> dict[str, Any]:
        """A competitor's post: only an open request for alternatives invites us in."""
        asks = _first(hits, "recommendation_request")
        if _score(scores, "recommendation_request") >= _STRONG and asks:
            case.pro(0.7, f"a {name} customer asks for alternatives ('{asks}')")
        else:
            complaint = known.get("complaint")
            if isinstance(complaint, Mapping) and complaint.get("is_complaint"):
                case.counter.append(f"complaint about competitor {name}: never pile on")
            else:
                case.counter.append(f"about competitor {name}; no request for alternatives")
            case.score = min(case.score, 0.0)
        score = round(min(1.0, max(0.0, case.score)), 4)
        return {
            "welcome": bool(case.reasons) and score >= self.threshold,
            "score": score,
            "reasons": case.reasons,
            "counter_reasons": case.counter,
            # the brand that would reply, not the competitor the post is about
            "brand": self.default_brand,
        }

    def _for_no_brand(self, text: str, scores: Mapping[str, Any], case: _Case) -> str | None:
        """No brand named: only a recommendation request in our category invites us in; returns the brand."""
        if self._category_re is None or _score(scores, "recommendation_request") < _STRONG:
            return None
        found = self._category_re.search(text.lower())
        if not found:
            return None
        category = found.group(1)
        case.pro(0.65, f"asks for recommendations in the brand's category ({category})")
        return self.category_brand.get(category)


def _ironic(known: Mapping[str, Any]) -> bool:
    """Did the irony stage (when it ran) flag this post?"""
    return bool(_mapping(known.get("irony")).get("is_ironic"))


def _irony_head() -> LinearHead:
    return shared_head("irony")


def _mapping(value: Any) -> Mapping[str, Any]:
    # Earlier stages hand over plain dicts; the exact type check spares the slow ABC check.
    if type(value) is dict:
        return value
    return value if isinstance(value, Mapping) else {}


def _score(scores: Mapping[str, Any], label: str) -> float:
    value = scores.get(label, 0.0)
    return float(value) if isinstance(value, int | float) else 0.0
