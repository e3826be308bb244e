"""The demo sample's scenarios: who is addressed where, and what each kind of post should be judged.

Kept apart from ``make_sample.py`` so the intended labels of every scenario sit in one
table a reviewer can read (and argue with) without reading the generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sample_phrases as phrases

NETWORKS = ("x", "reddit", "mastodon", "bluesky", "hackernews", "youtube", "rss")
DEFAULT_NET_WEIGHTS = {"x": 45, "reddit": 14, "mastodon": 11, "bluesky": 13, "hackernews": 7, "youtube": 9}

#: Handles people address, per target and network, as written in a post.
ADDRESS: dict[str, dict[str, tuple[str, ...]]] = {
    "mobile": {
        "x": ("@NimbusHelp", "@NimbusHelp", "@NimbusMobile"),
        "bluesky": ("@nimbusmobile.bsky.example",),
        "mastodon": ("@nimbus@toot.example",),
        "reddit": ("u/NimbusMobile_Official",),
        "youtube": ("@NimbusMobile",),
    },
    "home": {
        "x": ("@NimbusHome", "@NimbusHomeHelp"),
        "bluesky": ("@nimbushome.bsky.example",),
        "mastodon": ("@nimbushome@toot.example",),
    },
    "competitor": {
        "x": ("@CorvidCares", "@CorvidTelecom"),
        "bluesky": ("@corvid.bsky.example",),
        "reddit": ("u/CorvidTelecom",),
    },
}
BRAND_NAME = {"mobile": "Nimbus Mobile", "home": "Nimbus Home", "competitor": "Corvid Telecom"}


@dataclass(frozen=True)
class Kind:
    """A scenario: its templates, its intended labels, and where it is posted."""

    templates: tuple[str, ...]
    count: int
    intent: str
    is_complaint: bool
    welcome: bool
    mood: str = "neg"  # which emoji fit: neg, pos, social, none
    addressed: bool = False
    target: str = "ours"  # ours, competitor, none
    networks: dict[str, int] = field(default_factory=lambda: DEFAULT_NET_WEIGHTS)
    noisy: bool = True


SOCIALS = {"x": 40, "bluesky": 15, "mastodon": 15, "reddit": 8, "youtube": 12}
KINDS: dict[str, Kind] = {
    "complaint_addressed": Kind(phrases.COMPLAINT, 115, "complaint", True, True, addressed=True),
    "sarcasm": Kind(phrases.SARCASM, 45, "complaint", True, True, addressed=True),
    "complaint_unaddressed": Kind(phrases.COMPLAINT, 90, "complaint", True, False),
    "competitor_complaint": Kind(
        phrases.COMPETITOR_COMPLAINT, 55, "complaint", True, False, target="competitor"
    ),
    "question_addressed": Kind(
        phrases.QUESTION_ADDRESSED, 65, "question", False, True, "none", addressed=True
    ),
    "question_unaddressed": Kind(phrases.QUESTION_UNADDRESSED, 50, "question", False, True, "none"),
    "help_howto": Kind(phrases.HELP_HOWTO, 45, "help_request", False, True, "none", addressed=True),
    "help_broken": Kind(phrases.HELP_BROKEN, 55, "help_request", True, True, addressed=True),
    "praise_addressed": Kind(phrases.PRAISE_ADDRESSED, 45, "praise", False, True, "pos", addressed=True),
    "praise_unaddressed": Kind(phrases.PRAISE_UNADDRESSED, 45, "praise", False, False, "pos"),
    "feedback": Kind(phrases.FEEDBACK, 40, "feedback", False, True, "none", addressed=True),
    "rec_request": Kind(
        phrases.REC_REQUEST,
        55,
        "recommendation_request",
        False,
        True,
        "none",
        target="none",
        networks={"x": 30, "reddit": 40, "mastodon": 10, "bluesky": 10, "hackernews": 5},
    ),
    "rec_competitor": Kind(
        phrases.REC_COMPETITOR,
        45,
        "recommendation_request",
        False,
        True,
        "none",
        target="competitor",
        networks={"x": 40, "reddit": 35, "mastodon": 10, "bluesky": 15},
    ),
    "purchase": Kind(phrases.PURCHASE, 45, "purchase_intent", False, True, "pos"),
    "social_mention": Kind(phrases.SOCIAL_MENTION, 80, "social", False, False, "social", networks=SOCIALS),
    "personal": Kind(phrases.PERSONAL, 70, "social", False, False, "social", networks=SOCIALS),
    "spam": Kind(
        phrases.SPAM, 45, "spam", False, False, "none", networks={"x": 60, "youtube": 25, "bluesky": 15}
    ),
    "news": Kind(
        phrases.NEWS,
        55,
        "news_share",
        False,
        False,
        "none",
        networks={"x": 35, "rss": 45, "mastodon": 10, "bluesky": 10},
        noisy=False,
    ),
    "influencer": Kind(
        phrases.INFLUENCER,
        12,
        "news_share",
        False,
        False,
        "pos",
        networks={"youtube": 50, "x": 50},
        noisy=False,
    ),
    "offtopic": Kind(phrases.OFFTOPIC, 45, "social", False, False, "social", target="none", networks=SOCIALS),
}
