"""The reply check: catch a reply that would intrude before an agent sends it.

goodwill exists to keep brands from dropping sales talk into conversations that
did not ask for it, so the last step before sending reads the draft the way the
person who wrote the post will. It flags three kinds of trouble, each with a
code, a message an agent can act on and the offending span of the draft:

* ``sales.*``: offers and discounts, promo codes, "DM us to buy", "check out
  our ...", links to shop or product pages on the brand's own domains, and
  calls to action, in a thread that did not invite them. A reply that fixes a
  problem may talk about refunds, credits or a status page: those are care.
* ``canned.*``: template phrases ("we apologize for any inconvenience") and a
  reply that nothing ties to the person or their post.
* ``welcome.*``: a reply to a post whose receptivity judgement says a reply from
  the brand is not welcome (or that is spam).

A *blocking* flag means sending needs an override with a stated reason
(:meth:`ReplyCheck.override`), which the caller logs. Everything here is pure:
the draft, the post's public ``enrichment`` object (docs/commands/enrich.md)
and a :class:`ReplyPolicy` go in, a :class:`ReplyCheck` comes out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from goodwill.errors import CareError

__all__ = [
    "DEFAULT_SALES_PATHS",
    "DEFAULT_TEMPLATE_PHRASES",
    "INVITING_INTENTS",
    "Flag",
    "Override",
    "ReplyCheck",
    "ReplyPolicy",
    "check_reply",
]

#: Intents whose author asked to hear about products: a product mention answers them.
INVITING_INTENTS: frozenset[str] = frozenset({"recommendation_request", "purchase_intent"})

#: Path segments (and host prefixes) of a brand's pages that sell rather than help.
DEFAULT_SALES_PATHS: tuple[str, ...] = (
    "shop", "store", "buy", "products", "product", "pricing", "plans", "offers", "offer", "deals",
    "deal", "sale", "sales", "promo", "promotions", "checkout", "cart", "basket", "upgrade", "subscribe",
)  # fmt: skip

#: Phrases that make a reply read like a form letter (matched case-insensitively, spaces flexible).
DEFAULT_TEMPLATE_PHRASES: tuple[str, ...] = (
    "we apologize for any inconvenience",
    "we apologise for any inconvenience",
    "sorry for any inconvenience",
    "sorry for the inconvenience caused",
    "we apologize for the inconvenience",
    "we apologise for the inconvenience",
    "we value your feedback",
    "your feedback is important to us",
    "your call is important to us",
    "your satisfaction is our top priority",
    "customer satisfaction is our top priority",
    "thank you for reaching out",
    "thanks for reaching out",
    "thank you for contacting us",
    "we understand your frustration",
    "please be advised",
    "rest assured",
    "we are looking into it",
    "we strive to provide",
    "dear valued customer",
    "dear customer",
    "valued customer",
    "have a nice day",
    "is there anything else we can help you with",
)


class ReplyPolicy(BaseModel):
    """What counts as intrusive for this workspace; ``[care.reply]`` in goodwill.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: the brand's own domains; a link to their shop pages is sales talk (subdomains count)
    brand_domains: list[str] = Field(default_factory=list)
    #: path segments or host prefixes that mark a brand page as a shop or product page
    sales_paths: list[str] = Field(default_factory=lambda: list(DEFAULT_SALES_PATHS))
    #: form-letter phrases; replaces the default list when given
    template_phrases: list[str] = Field(default_factory=lambda: list(DEFAULT_TEMPLATE_PHRASES))
    #: whether canned-sounding text needs an override (by default it is a warning)
    canned_blocks: bool = False

    @field_validator("brand_domains")
    @classmethod
    def _bare(cls, values: list[str]) -> list[str]:
        out = []
        for value in values:
            host = re.sub(r"^[a-z]+://", "", value.strip().lower()).split("/")[0]
            host = host.removeprefix("www.")
            if host:
                out.append(host)
        return out

    @field_validator("sales_paths", "template_phrases")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return [v.strip().lower() for v in values if v.strip()]


@dataclass(frozen=True)
class Flag:
    """One problem in a draft reply."""

    code: str
    message: str
    #: ``(start, end)`` character offsets into the draft; ``None`` when the thread is the problem
    span: tuple[int, int] | None
    #: the offending text (``reply[start:end]``), empty when there is no span
    excerpt: str
    #: whether sending needs an override with a stated reason
    blocking: bool


@dataclass(frozen=True)
class Override:
    """A stated decision to send despite blocking flags; the caller logs it with who sent it."""

    reason: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class ReplyCheck:
    """The verdict on one draft."""

    flags: tuple[Flag, ...]
    #: whether the thread asked to hear about products (recommendations, purchase intent)
    invited: bool

    @property
    def ok(self) -> bool:
        """No flag at all."""
        return not self.flags

    @property
    def needs_override(self) -> bool:
        """Some flag blocks sending until an agent states why it is fine."""
        return any(flag.blocking for flag in self.flags)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(flag.code for flag in self.flags)

    def override(self, reason: str | None) -> Override | None:
        """Permission to send: ``None`` when nothing blocks, an :class:`Override` to log otherwise.

        Raises :class:`CareError` when a blocking flag stands and no reason (or
        only a token one) is given, so the desk cannot send it by accident.
        """
        if not self.needs_override:
            return None
        stated = (reason or "").strip()
        if len(stated) < 8 or len(re.findall(r"\w+", stated)) < 2:
            blocking = ", ".join(f.code for f in self.flags if f.blocking)
            raise CareError(
                f"this reply is flagged ({blocking}); edit it, or state in a few words why it should be sent."
            )
        return Override(reason=stated, codes=tuple(f.code for f in self.flags if f.blocking))


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- sales talk -------------------------------------------------------------------------------------------

_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>()\"']+", re.IGNORECASE)
_BARE_DOMAIN_RE = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/[^\s<>()\"']*)?", re.IGNORECASE)

_OFFER_RE = re.compile(
    r"\b\d{1,3}\s?% off\b|\b\d{1,3}\s?% discount\b|\bsave (?:up to )?(?:\d{1,3}\s?%|[£$€]\s?\d+)"
    r"|\b(?:special|exclusive|limited|introductory|amazing|great|best|latest) (?:offer|deal|price)s?\b"
    r"|\bdiscounts?\b|\bfree trial\b|\bon sale\b|\bsale ends\b"
    r"|\bour (?:summer|winter|spring|black friday) sale\b"
    r"|\bupgrade to (?:our|the) (?:premium|pro|plus|gold|platinum|unlimited)\b"
    r"|\bswitch to (?:our|us)\b|\bbundle and save\b|\bdeals?\b(?= (?:on|for|this|today|of))"
    r"|\b(?:earn|get|with) (?:up to )?\d{1,2}(?:\.\d)?\s?% cashback\b|\bcashback on\b",
    re.IGNORECASE,
)
#: A promo code is written in capitals and has a letter in it (SORRY20); a one-time passcode is digits.
_PROMO_TOKEN = r"(?-i:(?=[A-Z0-9]*[A-Z])[A-Z0-9]{3,})\b"
_CODE_RE = re.compile(
    r"\b(?:promo|discount|coupon|voucher|referral|offer) codes?\b(?:\s*[:\-]?\s*" + _PROMO_TOKEN + ")?"
    r"|\b(?:use|enter|apply) (?:the )?code:?\s*" + _PROMO_TOKEN,
    re.IGNORECASE,
)
_DM_TO_BUY_RE = re.compile(
    r"\b(?:dm|pm|message|inbox|direct message) (?:us|me)\b[^.!?\n]{0,20}?\b(?:to|and we'?ll|for)\b"
    r"[^.!?\n]{0,12}?\b(?:buy|order|purchase|get (?:yours|one|started)|sign up|subscribe|book|pricing|"
    r"a quote|a deal|the offer|an offer|upgrade)\b",
    re.IGNORECASE,
)
_CHECK_OUT_RE = re.compile(
    r"\b(?:(?:check out|have you tried|take a look at|why not try|you should try|try out|discover) "
    r"(?:our|the new|our new)|introducing(?: our| the)?|our (?:brand[- ])?(?:new|latest))\b"
    r"((?:\s+[\w'-]+){0,4})",
    re.IGNORECASE,
)
#: Words after "check out our" that point at help, not at something to buy.
_HELP_NOUNS = _wordset(
    "status help guide guides article articles faq faqs support troubleshooting steps community forum "
    "outage update updates page notice instructions docs documentation tutorial video walkthrough "
    "accessibility safety security advice tips release notes changelog post thread announcement "
    "statement policy terms form fix patch version app-update"
)
_CTA_RE = re.compile(
    r"\b(?:buy|order|shop|subscribe|sign up|join|upgrade|switch) (?:now|today)\b"
    r"|\bdon'?t miss out\b|\blimited[- ]time\b|\bact (?:now|fast)\b|(?<!no )\bhurry(?:,| now| before| while)"
    r"|\bwhile (?:stocks|supplies) last\b|\bgrab (?:yours|one|it)\b|\bget yours\b"
    r"|\bclick (?:here|the link) to (?:buy|order|shop|subscribe|sign up)\b|\bvisit our (?:store|shop)\b"
    r"|\b(?:get|grab|order|apply for) (?:the|our|your) new\b",
    re.IGNORECASE,
)
#: A sentence about putting something right for this person: offer words in it are a remedy, not a pitch.
_REMEDY_RE = re.compile(
    r"\b(?:refund(?:ed)?|credit(?:ed)?|reimburs\w*|compensat\w*|goodwill|apolog\w*|sorry|"
    r"(?:to|on|from) your (?:account|bill|order|statement))\b",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]*")


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE_RE.finditer(text)]


def _sentence_of(bounds: Sequence[tuple[int, int]], pos: int) -> tuple[int, int]:
    for start, end in bounds:
        if start <= pos < end:
            return start, end
    return 0, 0


def _sales_flags(reply: str, policy: ReplyPolicy, *, invited: bool) -> Iterator[Flag]:
    bounds = _sentences(reply)
    # A thread that asked for products may hear about them; a pitch (codes, deals, pressure) stays flagged,
    # but as a warning the agent can weigh.
    pitch_blocks = not invited

    def flag(code: str, message: str, match: re.Match[str], *, blocking: bool) -> Flag:
        return Flag(code, message, (match.start(), match.end()), match.group(0), blocking)

    for match in _CODE_RE.finditer(reply):
        yield flag(
            "sales.code",
            "a promo or discount code reads as a sales pitch; leave it out unless they asked for a deal",
            match,
            blocking=pitch_blocks,
        )
    for match in _OFFER_RE.finditer(reply):
        start, end = _sentence_of(bounds, match.start())
        if _REMEDY_RE.search(reply, start, end) and not _CTA_RE.search(reply, start, end):
            continue  # "we've credited a 10% discount to your bill" puts things right
        yield flag(
            "sales.offer",
            "an offer or discount in a thread that did not ask for one; help with the problem instead",
            match,
            blocking=pitch_blocks,
        )
    for match in _DM_TO_BUY_RE.finditer(reply):
        yield flag(
            "sales.dm_to_buy",
            "asking them to message you to buy turns care into selling",
            match,
            blocking=pitch_blocks,
        )
    for match in _CTA_RE.finditer(reply):
        yield flag(
            "sales.call_to_action",
            "a call to action (buy now, sign up today, limited time) pressures the person",
            match,
            blocking=pitch_blocks,
        )
    if invited:
        return
    for match in _CHECK_OUT_RE.finditer(reply):
        following = {w.lower().strip("'-") for w in match.group(1).split()}
        if following & _HELP_NOUNS:
            continue  # "check out our status page" points at help
        yield flag(
            "sales.check_out",
            "pointing them at your products when they did not ask for recommendations",
            match,
            blocking=True,
        )
    for start, end, url in _links(reply):
        if _is_sales_page(url, policy):
            yield Flag(
                "sales.product_link",
                "a link to a shop or product page of the brand; link to help or status pages instead",
                (start, end),
                url,
                True,
            )


def _links(reply: str) -> Iterator[tuple[int, int, str]]:
    taken: list[tuple[int, int]] = []
    for match in _URL_RE.finditer(reply):
        end = match.end()
        while end > match.start() and reply[end - 1] in ".,;:!?":
            end -= 1
        taken.append((match.start(), end))
        yield match.start(), end, reply[match.start() : end]
    for match in _BARE_DOMAIN_RE.finditer(reply):
        if any(s <= match.start() < e for s, e in taken):
            continue
        end = match.end()
        while end > match.start() and reply[end - 1] in ".,;:!?":
            end -= 1
        yield match.start(), end, reply[match.start() : end]


def _is_sales_page(url: str, policy: ReplyPolicy) -> bool:
    if not policy.brand_domains:
        return False
    parts = urlsplit(url if "://" in url else "https://" + url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    domain = next((d for d in policy.brand_domains if host == d or host.endswith("." + d)), None)
    if domain is None:
        return False
    sales = set(policy.sales_paths)
    labels = host[: -len(domain)].rstrip(".").split(".") if host != domain else []
    if any(label in sales for label in labels):
        return True
    segments = [s.lower() for s in re.split(r"[/\-_.]", parts.path) if s]
    return any(segment in sales for segment in segments)


# --- canned text ------------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'-]*", re.IGNORECASE)
_STOP = _wordset(
    "a an the and or but if then so to of in on at by for with from about as is are was were be been being "
    "this that these those it its it's we us our you your yours they them their i me my he she his her "
    "have has had do does did can could will would should may might must not no yes just very really "
    "please thanks thank sorry hi hello hey there here what when where which who why how all any some "
    "more most much many get got make made know let help happy glad team again soon today look looking "
    "sure like well also been into out up down over than too only still"
)


def _phrase_re(phrase: str) -> re.Pattern[str]:
    return re.compile(r"\b" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"\b", re.IGNORECASE)


def _content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD_RE.findall(text) if len(w) >= 3 and w.lower() not in _STOP}


def _canned_flags(
    reply: str, policy: ReplyPolicy, *, post_text: str | None, author: Sequence[str]
) -> Iterator[Flag]:
    hits = 0
    for phrase in policy.template_phrases:
        for match in _phrase_re(phrase).finditer(reply):
            hits += 1
            yield Flag(
                "canned.template",
                "a form-letter phrase; say it in your own words, about their problem",
                (match.start(), match.end()),
                match.group(0),
                policy.canned_blocks,
            )
    if post_text is None:
        return
    lowered = reply.lower()
    named = any(name and name.lower().lstrip("@") in lowered for name in author)
    shared = _content_words(reply) & _content_words(post_text)
    if not named and not shared:
        yield Flag(
            "canned.impersonal",
            "nothing in this reply refers to the person or what they wrote; answer their post",
            None,
            "",
            policy.canned_blocks or hits > 0,
        )


# --- the thread -------------------------------------------------------------------------------------------


def _welcome_flags(enrichment: Mapping[str, Any]) -> Iterator[Flag]:
    spam = enrichment.get("spam")
    if isinstance(spam, Mapping) and spam.get("is_spam"):
        yield Flag("welcome.spam", "the post is spam; a reply rewards it", None, "", True)
        return
    receptivity = enrichment.get("receptivity")
    if isinstance(receptivity, Mapping) and receptivity.get("welcome") is False:
        reasons = receptivity.get("counter_reasons")
        against = [str(r) for r in reasons] if isinstance(reasons, list) else []
        why = "; ".join(against) if against else "nothing in the post asks for a reply"
        yield Flag(
            "welcome.not_welcome",
            f"a reply from the brand is not welcome on this post ({why})",
            None,
            "",
            True,
        )


def invited_from(enrichment: Mapping[str, Any]) -> bool:
    """Whether the post asked to hear about products: its intent is a recommendation request or purchase."""
    intent = enrichment.get("intent")
    if not isinstance(intent, Mapping):
        return False
    if isinstance(intent.get("label"), str) and intent.get("label") in INVITING_INTENTS:
        return True
    scores = intent.get("scores")
    if isinstance(scores, Mapping):
        return any(_number(scores.get(label)) >= 0.5 for label in INVITING_INTENTS)
    return False


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def check_reply(
    reply: str,
    *,
    enrichment: Mapping[str, Any] | None = None,
    post_text: str | None = None,
    author: Iterable[str | None] = (),
    invited: bool | None = None,
    policy: ReplyPolicy | None = None,
) -> ReplyCheck:
    """Check a draft reply to a post.

    ``enrichment`` is the post's public enrichment object; ``post_text`` and
    ``author`` (handle, display name) let the check tell a personal answer from
    a form letter. ``invited`` says whether the thread asked for product
    recommendations; when ``None`` it is read from the enrichment's intent.
    """
    policy = policy or ReplyPolicy()
    enrichment = enrichment or {}
    wanted = invited_from(enrichment) if invited is None else invited
    names = [a for a in author if a]
    flags = [
        *_welcome_flags(enrichment),
        *_sales_flags(reply, policy, invited=wanted),
        *_canned_flags(reply, policy, post_text=post_text, author=names),
    ]
    flags.sort(key=lambda f: (f.span[0] if f.span else -1, f.code))
    return ReplyCheck(flags=tuple(_dedupe(flags)), invited=wanted)


def _dedupe(flags: Iterable[Flag]) -> Iterator[Flag]:
    """One flag per code and span: overlapping patterns must not report a phrase twice."""
    seen: list[Flag] = []
    for flag in flags:
        if flag.span is not None and any(
            other.code == flag.code and other.span is not None and _overlap(other.span, flag.span)
            for other in seen
        ):
            continue
        seen.append(flag)
        yield flag


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
