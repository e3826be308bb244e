"""Who: author segments, each with the evidence (the post and the words) that put the author there.

Built-in segments, judged per post and gathered per author (or per linked profile):

* ``customer``: owns or uses a brand of ours ("my Acme plan", "I've been with Acme"), or
  complains to it / asks it for help;
* ``competitor_customer``: the same cues about a competitor;
* ``prospect``: considering a brand or asking the category for a recommendation
  ("thinking of switching to Acme", "any recommendations?"), or leaving a competitor;
* ``churn_risk``: leaving one of our brands ("cancelling my Acme contract", "switching from Acme");
* ``media``: shares news, or the profile name reads as a publication or a reviewer;
* ``peer_helper``: answers someone else's question in a thread with practical advice;
* situation segments from ``[[insights.segments]]`` in goodwill.toml: their phrases, or
  most of the content words of one of their examples.

Cues are English phrases: posts in other languages only reach a segment through their
intent (complaint, recommendation request, news share). Evidence is kept so a person can
check each assignment, which matters more than the count.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from goodwill.config_insights import SegmentSpec
from goodwill.insights.facts import PostFact
from goodwill.insights.stopwords import STOP_WORDS

__all__ = [
    "BUILT_IN",
    "Evidence",
    "SegmentMember",
    "SegmentSummary",
    "find_evidence",
    "segment_authors",
    "summarise",
]

BUILT_IN = ("customer", "competitor_customer", "prospect", "churn_risk", "media", "peer_helper")

_OWN_THINGS = (
    r"plan|bill|contract|router|sim|esim|account|line|broadband|connection|service|package|subscription|"
    r"phone|card|app|provider|data"
)
_USES = re.compile(
    rf"\bmy (?:\w+ )?(?:{_OWN_THINGS})\b|\bi(?:'ve| have) been (?:with|on|using)\b|\bi (?:use|pay for)\b|"
    r"\bas a (?:long[- ]?time |loyal )?customer\b|\b(?:years?|months?) with\b",
    re.IGNORECASE,
)
_CONSIDERING = re.compile(
    r"\b(?:thinking (?:of|about)|considering|tempted by|looking at) "
    r"(?:switching to |getting |joining |moving to )?|"
    r"\bany recommendations?\b|\bshould i (?:get|switch|go with|join)\b|\bworth it\b|"
    r"\banyone (?:tried|recommend)\b|"
    r"\bwhich (?:is better|one should i)\b|\bwhat(?:'s| is) the best\b",
    re.IGNORECASE,
)
_LEAVING = re.compile(
    r"\b(?:leaving|ditching|dumping|quitting|cancell?(?:ing|ed)?|cancel)\b|"
    r"\bswitch(?:ing|ed)? (?:away )?from\b|"
    r"\b(?:done|finished|fed up) with\b|\bport(?:ing)? my number\b|\blast month with\b",
    re.IGNORECASE,
)
_HELPING = re.compile(
    r"\b(?:try (?:turning|restarting|resetting|going|calling|toggling)|you can|you need to|go to settings|"
    r"what worked for me|same (?:thing )?happened to me|restart(?:ing)? (?:it|the|your)|fixed it for me|"
    r"turn it off and on|dial \*|in the app under)\b",
    re.IGNORECASE,
)
_MEDIA_NAME = re.compile(
    r"\b(?:news|herald|times|gazette|daily|weekly|journal|magazine|review(?:s|er)?|podcast|blog|tech with|"
    r"radio|tv|press|reporter|editor|post)\b",
    re.IGNORECASE,
)
#: words right before a brand's name that mean "away from it" / "towards it"
_FROM = (
    r"(?:moved|moving|switch(?:ing|ed)?|came|coming|port(?:ed|ing)?)\s+(?:away\s+)?from|leaving|ditching|quit"
)
_TO = r"to|for|join(?:ing)?|try(?:ing)?"
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


@dataclass(frozen=True)
class Evidence:
    """One post that put an author in a segment, and why."""

    segment: str
    #: the brand it is about, or None (a category-wide request, a situation)
    brand: str | None
    author: str
    post_id: int
    native_id: str
    network: str
    #: the words or the judgement that matched
    cue: str
    text: str


@dataclass(frozen=True)
class SegmentMember:
    """An author in a segment: how many posts say so, and the first few of them."""

    segment: str
    brand: str | None
    author: str
    posts: int
    evidence: tuple[str, ...]
    followers: int | None


@dataclass(frozen=True)
class SegmentSummary:
    segment: str
    brand: str | None
    authors: int
    posts: int
    #: a short quote from the first evidence, so the table reads on its own
    example: str


def _cue(match: re.Match[str] | None) -> str | None:
    return match.group(0).strip() if match else None


def _near(text: str, names: Sequence[str], pattern: str) -> bool:
    """Does ``pattern`` come right before one of the brand's names (e.g. "switching from" + "Acme")?"""
    alternatives = "|".join(re.escape(n.lstrip("@#$")) for n in names if n.strip("@#$ "))
    return re.search(rf"(?:{pattern})\s+[@#$]?(?:{alternatives})\b", text, re.IGNORECASE) is not None


def _example_words(example: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _WORD.findall(example) if w.casefold() not in STOP_WORDS)


def _situations(
    specs: Sequence[SegmentSpec],
) -> list[tuple[str, re.Pattern[str] | None, list[frozenset[str]]]]:
    out = []
    for spec in specs:
        phrases = [p.strip() for p in spec.phrases if p.strip()]
        pattern = (
            re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.IGNORECASE)
            if phrases
            else None
        )
        examples = [w for w in (_example_words(e) for e in spec.examples) if len(w) >= 3]
        out.append((spec.name, pattern, examples))
    return out


def _post_evidence(
    fact: PostFact, who: str, situations: list[tuple[str, re.Pattern[str] | None, list[frozenset[str]]]]
) -> Iterable[tuple[str, str | None, str]]:
    """(segment, brand, cue) for one post."""
    text = fact.text
    uses = _cue(_USES.search(text))
    leaving = _cue(_LEAVING.search(text))
    considering = _cue(_CONSIDERING.search(text))
    for mention in fact.brands:
        ours = mention.role == "brand"
        name = mention.name
        names = [name, *mention.matched]
        from_here = _near(text, names, _FROM)
        to_here = _near(text, names, _TO)
        if from_here or (leaving and not to_here):
            cue = f"leaving: '{leaving}'" if leaving else f"moving away from {name}"
            yield ("churn_risk" if ours else "prospect", name, cue)
            if not ours:
                yield ("competitor_customer", name, cue)
            continue
        if considering or (to_here and leaving):
            yield ("prospect", name, f"considering: '{considering or 'moving to ' + name}'")
            continue
        if uses:
            yield ("customer" if ours else "competitor_customer", name, f"uses: '{uses}'")
        elif fact.intent in {"complaint", "help_request"} or fact.is_complaint:
            segment = "customer" if ours else "competitor_customer"
            yield (segment, name, f"{fact.intent or 'complaint'} about {name}")
    if fact.intent in {"recommendation_request", "purchase_intent"} and not fact.brands:
        yield ("prospect", None, f"intent: {fact.intent}")
    if fact.intent == "news_share":
        yield ("media", None, "shares news")
    elif fact.author_name and _MEDIA_NAME.search(fact.author_name):
        yield ("media", None, f"profile name '{fact.author_name}'")
    helping = _cue(_HELPING.search(text))
    if fact.reply_to and helping and fact.intent not in {"complaint", "question", "help_request"}:
        yield ("peer_helper", None, f"advice in a reply: '{helping}'")
    words: frozenset[str] | None = None
    for name, pattern, examples in situations:
        hit = _cue(pattern.search(text)) if pattern else None
        if hit:
            yield (name, None, f"phrase: '{hit}'")
            continue
        if examples:
            words = words if words is not None else _example_words(text)
            for example in examples:
                shared = example & words
                if len(shared) >= 0.6 * len(example):
                    yield (name, None, "like an example: " + ", ".join(sorted(shared)))
                    break


def find_evidence(
    facts: Sequence[PostFact],
    *,
    situations: Sequence[SegmentSpec] = (),
    identities: Mapping[str, str] | None = None,
) -> list[Evidence]:
    """Every (segment, brand, author) cue found in the posts, in post order."""
    ids = identities or {}
    compiled = _situations(situations)
    out: list[Evidence] = []
    for fact in facts:
        if fact.author is None:
            continue
        who = ids.get(fact.author, fact.author)
        seen: set[tuple[str, str | None]] = set()
        for segment, brand, cue in _post_evidence(fact, who, compiled):
            if (segment, brand) in seen:
                continue
            seen.add((segment, brand))
            out.append(
                Evidence(
                    segment=segment,
                    brand=brand,
                    author=who,
                    post_id=fact.post_id,
                    native_id=fact.native_id,
                    network=fact.network,
                    cue=cue,
                    text=fact.text,
                )
            )
    return out


def segment_authors(
    evidence: Sequence[Evidence],
    *,
    facts: Sequence[PostFact] = (),
    identities: Mapping[str, str] | None = None,
) -> list[SegmentMember]:
    """Evidence gathered per (segment, brand, author), most evidence first; three quotes each."""
    ids = identities or {}
    followers: dict[str, int] = {}
    for fact in facts:
        if fact.author is not None and fact.followers is not None:
            who = ids.get(fact.author, fact.author)
            followers[who] = max(followers.get(who, 0), fact.followers)
    groups: dict[tuple[str, str | None, str], list[Evidence]] = defaultdict(list)
    for item in evidence:
        groups[(item.segment, item.brand, item.author)].append(item)
    members = [
        SegmentMember(
            segment=segment,
            brand=brand,
            author=author,
            posts=len(items),
            evidence=tuple(f"{e.network}:{e.native_id} {e.cue}" for e in items[:3]),
            followers=followers.get(author),
        )
        for (segment, brand, author), items in groups.items()
    ]
    return sorted(members, key=lambda m: (m.segment, m.brand or "", -m.posts, m.author))


def summarise(evidence: Sequence[Evidence]) -> list[SegmentSummary]:
    """Authors and posts per (segment, brand), biggest first."""
    authors: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    posts: dict[tuple[str, str | None], list[Evidence]] = defaultdict(list)
    for item in evidence:
        authors[(item.segment, item.brand)].add(item.author)
        posts[(item.segment, item.brand)].append(item)
    rows = [
        SegmentSummary(
            segment=segment,
            brand=brand,
            authors=len(authors[(segment, brand)]),
            posts=len(items),
            example=" ".join(items[0].text.split())[:120],
        )
        for (segment, brand), items in posts.items()
    ]
    return sorted(rows, key=lambda r: (-r.authors, r.segment, r.brand or ""))
