"""Write the bundled demo sample: ~1,500 fictional posts about two fictional brands and a competitor.

Why generate instead of hand-writing: the demo needs volume and variety (many networks,
intents, languages, threads, duplicates, edits and deletes) that no one should type, and a
seeded script can be read, reviewed and re-run. Everything is invented: the company
Nimbus Communications (brands Nimbus Mobile and Nimbus Home), its competitor Corvid
Telecom, every person, handle and town; every domain ends in ``.example``.

Run ``python examples/make_sample.py`` to rewrite ``examples/sample/posts.jsonl`` and
``examples/sample/labels.jsonl`` byte for byte (the random generator is seeded). The labels
are the generator's *intended* judgement per post (kind, brand, intent, is_complaint,
welcome), kept out of posts.jsonl so stages can never peek at them; they are a sanity
check for the demo, not a benchmark.
"""

from __future__ import annotations

import json
import random
import re
import string
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sample_phrases as phrases  # sibling data modules; the script runs from any directory
from sample_scenarios import ADDRESS, BRAND_NAME, KINDS, NETWORKS, Kind

SEED = 20261120
END = datetime(2026, 11, 20, 23, 59, 59, tzinfo=UTC)
SPAN = timedelta(days=14)
OUT_DIR = Path(__file__).resolve().parent / "sample"

INSTANCES = ("toot.example", "social.example", "chaos.example")
SITES = (
    ("signalwire.example", "Signal & Wire"),
    ("tollbridgetoday.example", "Tollbridge Today"),
    ("harbourherald.example", "Harbour Herald"),
    ("netwatch.example", "NetWatch Weekly"),
)
SUBREDDITS = ("mobileplans", "broadband", "Tollbridge", "techsupport", "HomeNetworking")
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
WORD = re.compile(r"^[a-z]{5,}$")
MOBILE_CUES = re.compile(
    r"\b(5g|phone|sim|esim|roaming|puk|pac|number|texts|voicemail|signal|carrier|coverage|mobile|"
    r"data|móvil|celular|operadora|réseau|forfait|mobilfunk\w*|tarif|sinal)\b",
    re.IGNORECASE,
)
HOME_CUES = re.compile(
    r"\b(router|fibre|fiber|broadband|wifi(?! calling)|engineer|installation|internet|isp|ping|gaming|"
    r"cgnat|zoom|streaming|flat|address|techniker|fibra)\b",
    re.IGNORECASE,
)
BRAND_CUES = (
    ("Nimbus Home", re.compile(r"nimbus ?(home|broadband|fibre)", re.IGNORECASE)),
    ("Nimbus Mobile", re.compile(r"\bnimbus(?! ?clouds?)", re.IGNORECASE)),
    ("Corvid Telecom", re.compile(r"\bcorvid(?!s|-19| family)", re.IGNORECASE)),
)


@dataclass
class Author:
    handle: str
    name: str | None
    followers: int | None
    network: str


@dataclass
class Record:
    """One line of posts.jsonl plus its intended label; ``order`` sorts the file."""

    post: dict[str, Any]
    label: dict[str, Any]
    order: datetime
    when: datetime


class Sample:
    """The seeded state of one generation run."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.records: list[Record] = []
        self.used_ids: set[tuple[str, str]] = set()
        self.authors: dict[str, list[Author]] = {n: self._author_pool(n, 160) for n in NETWORKS}
        self.reddit_counter = 0x1A2B3C4D

    # ---------------------------------------------------------------- people

    def _followers(self) -> int:
        return min(int(self.rng.paretovariate(1.05) * 40) - 40, 2_500_000)

    def _person(self) -> tuple[str, str, str]:
        first, last = self.rng.choice(phrases.FIRST_NAMES), self.rng.choice(phrases.LAST_NAMES)
        style = self.rng.randrange(5)
        if style == 0:
            base = f"{first}{last}"[:15]
        elif style == 1:
            base = f"{first.lower()}_{last[0].lower()}{self.rng.randrange(10, 99)}"
        elif style == 2:
            base = f"{self.rng.choice(phrases.HANDLE_WORDS)}{self.rng.choice(phrases.HANDLE_WORDS)}"
        elif style == 3:
            base = f"{first[0].lower()}{last.lower()}"
        else:
            base = f"{first.lower()}.{last.lower()}"[:15].rstrip(".")
        return first, last, base

    def _author_pool(self, network: str, size: int) -> list[Author]:
        pool = []
        for _ in range(size):
            first, last, base = self._person()
            name: str | None = f"{first} {last}" if self.rng.random() < 0.7 else first
            followers: int | None = self._followers()
            handle = base.replace(".", "_")
            if network == "bluesky":
                handle = f"{base.lower()}.bsky.example"
            elif network == "mastodon":
                handle = f"{handle.lower()}@{self.rng.choice(INSTANCES)}"
            elif network == "reddit":
                handle = (
                    f"{self.rng.choice(phrases.HANDLE_WORDS).title()}_{last}{self.rng.randrange(100, 9999)}"
                )
                name, followers = None, None
            elif network == "hackernews":
                handle, name, followers = handle.lower()[:12], None, None
            elif network == "youtube":
                handle = f"@{first}{last}-{self.rng.choice(string.ascii_lowercase)}{self.rng.randrange(10)}"
            elif network == "rss":
                site, title = self.rng.choice(SITES)
                handle, name, followers = site, title, None
            pool.append(Author(handle, name, followers, network))
        return pool

    def author(self, network: str) -> Author:
        """A person, drawn so a few people post often and most post once (heavy tail)."""
        pool = self.authors[network]
        return pool[min(int(self.rng.expovariate(1 / 40)), len(pool) - 1)]

    MEDIA: ClassVar[dict[str, tuple[Author, ...]]] = {
        "x": (
            Author("harbourherald", "Harbour Herald", 884_120, "x"),
            Author("TollbridgeToday", "Tollbridge Today", 61_400, "x"),
            Author("techwithtamsin", "Tamsin | tech reviews", 421_900, "x"),
            Author("dataplandan", "Dan does data plans", 95_310, "x"),
        ),
        "youtube": (Author("@TechWithTamsin", "Tech with Tamsin", 1_204_000, "youtube"),),
        "mastodon": (Author("news@social.example", "Signal & Wire", 12_880, "mastodon"),),
        "bluesky": (Author("harbourherald.bsky.example", "Harbour Herald", 45_020, "bluesky"),),
    }
    CARE: ClassVar[dict[tuple[str, str], Author]] = {
        ("mobile", "x"): Author("NimbusHelp", "Nimbus Mobile Help", 48_210, "x"),
        ("home", "x"): Author("NimbusHomeHelp", "Nimbus Home Help", 21_930, "x"),
        ("mobile", "bluesky"): Author("nimbusmobile.bsky.example", "Nimbus Mobile", 9_840, "bluesky"),
        ("home", "bluesky"): Author("nimbushome.bsky.example", "Nimbus Home", 3_120, "bluesky"),
        ("mobile", "mastodon"): Author("nimbus@toot.example", "Nimbus Mobile", 2_410, "mastodon"),
        ("home", "mastodon"): Author("nimbushome@toot.example", "Nimbus Home", 880, "mastodon"),
    }

    # ---------------------------------------------------------------- time and ids

    def moment(self) -> datetime:
        """A time in the 14 days before END, busier in the evening than at night."""
        day = self.rng.randrange(14)
        hour = self.rng.choices(
            range(24), weights=[2, 1, 1, 1, 1, 2, 4, 6, 8, 8, 8, 8, 9, 8, 8, 8, 8, 9, 10, 11, 11, 9, 6, 4]
        )[0]
        start = END - SPAN + timedelta(days=day, hours=hour)
        return start.replace(minute=self.rng.randrange(60), second=self.rng.randrange(60))

    def native_id(self, network: str, when: datetime, *, top_level: bool = True) -> str:
        ms = int(when.timestamp() * 1000) + self.rng.randrange(1000)
        while True:
            if network == "x":
                nid = str(((ms - 1_288_834_974_657) << 22) | self.rng.getrandbits(22))
            elif network == "mastodon":
                nid = str((ms << 16) | self.rng.getrandbits(16))
            elif network == "bluesky":
                value = (ms * 1000 + self.rng.randrange(1000)) << 10 | self.rng.getrandbits(10)
                nid = "".join(TID_ALPHABET[(value >> (5 * i)) & 31] for i in range(12, -1, -1))
            elif network == "reddit":
                self.reddit_counter += self.rng.randrange(1, 400)
                nid = ("t3_" if top_level else "t1_") + _base36(self.reddit_counter)
            elif network == "hackernews":
                nid = str(
                    45_800_000 + int((when - (END - SPAN)).total_seconds() // 8) + self.rng.randrange(8)
                )
            elif network == "youtube":
                nid = (
                    "Ugz" + "".join(self.rng.choices(string.ascii_letters + string.digits, k=20)) + "4AaABAg"
                )
            else:
                nid = f"https://{self.rng.choice(SITES)[0]}/2026/{when:%m}/{_base36(ms)[-7:]}"
            if (network, nid) not in self.used_ids:
                self.used_ids.add((network, nid))
                return nid
            ms += 1

    def url(self, network: str, nid: str, author: Author) -> str | None:
        if network == "x":
            return f"https://x.example/{author.handle}/status/{nid}"
        if network == "mastodon":
            user, _, host = author.handle.partition("@")
            return f"https://{host}/@{user}/{nid}"
        if network == "bluesky":
            return f"https://bsky.example/profile/{author.handle}/post/{nid}"
        if network == "reddit":
            return f"https://reddit.example/r/{self.rng.choice(SUBREDDITS)}/comments/{nid[3:]}/"
        if network == "hackernews":
            return f"https://news.example/item?id={nid}"
        if network == "youtube":
            return f"https://video.example/watch?v={nid[3:14]}&lc={nid}"
        return nid

    # ---------------------------------------------------------------- text

    def fill(self, template: str, target: str, network: str) -> str:
        """Fill a template's slots for one target brand (mobile/home) on one network."""
        rng = self.rng
        mobile = target == "mobile"
        handles = ADDRESS[target].get(network) or ADDRESS[target]["x"]
        comp_handles = ADDRESS["competitor"].get(network) or ADDRESS["competitor"]["x"]
        names = phrases.MOBILE_NAMES if mobile else phrases.HOME_NAMES
        plans = phrases.MOBILE_PLANS if mobile else phrases.HOME_PLANS
        slots = {
            "at": rng.choice(handles),
            "brand": rng.choice(names),
            "comp": rng.choice(phrases.COMPETITOR_NAMES),
            "issue": rng.choice(phrases.MOBILE_ISSUES if mobile else phrases.HOME_ISSUES),
            "issue_noun": rng.choice(phrases.MOBILE_NOUNS if mobile else phrases.HOME_NOUNS),
            "thing": rng.choice(phrases.MOBILE_THINGS if mobile else phrases.HOME_THINGS),
            "dur": rng.choice(phrases.DURATIONS),
            "place": rng.choice(phrases.PLACES),
            "country": rng.choice(phrases.COUNTRIES),
            "plan": rng.choice(plans),
            "plan2": rng.choice(plans),
            "n": str(rng.choice((2, 3, 4, 5, 6, 8, 10, 12, 15, 20))),
            "mins": str(rng.choice((45, 50, 55, 70, 90, 95, 120))),
            "days": str(rng.randrange(3, 30)),
            "code": rng.choice(("E34", "403", "AUTH-09", "500", "NX-112", "0x7")),
            "url": rng.choice(phrases.SPAM_URLS),
            "link": f"https://{rng.choice(SITES)[0]}/2026/11/{_base36(rng.getrandbits(30))}",
        }
        if target == "competitor":
            slots["at"] = rng.choice(comp_handles)
            slots["brand"] = rng.choice(phrases.MOBILE_NAMES + phrases.HOME_NAMES)
        return template.format(**slots)

    def noise(self, text: str, mood: str, target: str) -> str:
        """Make a composed line look typed: openers, case, typos, elongation, emoji, hashtags."""
        rng = self.rng
        if not text.startswith(("@", "u/")) and rng.random() < 0.35:
            opener = rng.choice(phrases.OPENERS)
            if opener and opener != "PSA: " and not text.startswith(("I ", "I'")):
                text = text[:1].lower() + text[1:]
            text = opener + text
        if rng.random() < 0.15:
            words = text.split(" ")
            spots = [
                i for i, w in enumerate(words) if WORD.match(w) and "nimbus" not in w and "corvid" not in w
            ]
            if spots:
                i = rng.choice(spots)
                words[i] = _typo(words[i], rng)
                text = " ".join(words)
        if rng.random() < 0.1:
            text = re.sub(r"\bso\b", "sooo", text, count=1).replace("!", "!!!", 1).replace("?", "???", 1)
        if mood == "neg" and rng.random() < 0.05:
            text = text.upper()
        elif rng.random() < 0.25:
            text = text.lower()
        emoji = {"neg": phrases.NEG_EMOJI, "pos": phrases.POS_EMOJI, "social": phrases.SOCIAL_EMOJI}.get(mood)
        if emoji and rng.random() < 0.45:
            text += " " + rng.choice(emoji) * rng.choice((1, 1, 1, 2, 3))
        if target in ("mobile", "home") and rng.random() < 0.12:
            tags = phrases.HASHTAGS_MOBILE if target == "mobile" else phrases.HASHTAGS_HOME
            text += " " + " ".join(rng.sample(tags, rng.choice((1, 1, 2))))
        return text

    # ---------------------------------------------------------------- records

    def add(
        self,
        network: str,
        author: Author,
        text: str,
        label: dict[str, Any],
        *,
        when: datetime | None = None,
        reply_to: str | None = None,
        lang: str | None = None,
    ) -> Record:
        when = when or self.moment()
        nid = self.native_id(network, when, top_level=reply_to is None)
        post: dict[str, Any] = {"id": nid, "network": network, "text": text}
        who: dict[str, Any] = {"handle": author.handle}
        if author.name:
            who["name"] = author.name
        if author.followers is not None:
            who["followers"] = author.followers
        post["author"] = who
        post["created_at"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        if reply_to:
            post["reply_to"] = reply_to
        url = self.url(network, nid, author)
        if url and network != "rss":
            post["url"] = url
        elif network == "rss":
            post["url"] = nid
        if lang is None and network in ("x", "bluesky", "mastodon") and self.rng.random() < 0.35:
            lang = "en"
        if lang is not None:
            post["lang"] = lang
        record = Record(post, {"network": network, "id": nid, **label}, when, when)
        self.records.append(record)
        return record


def _base36(value: int) -> str:
    digits = string.digits + string.ascii_lowercase
    out = ""
    while value:
        value, rem = divmod(value, 36)
        out = digits[rem] + out
    return out or "0"


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    choice = rng.randrange(3)
    if choice == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if choice == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _label(
    kind: str, brand: str | None, intent: str | None, is_complaint: bool, welcome: bool
) -> dict[str, Any]:
    return {"kind": kind, "brand": brand, "intent": intent, "is_complaint": is_complaint, "welcome": welcome}


def _pick_network(s: Sample, kind: Kind, target: str) -> str:
    weights = dict(kind.networks)
    if kind.addressed or "{at}" in "".join(kind.templates):
        weights = {n: w for n, w in weights.items() if n in ADDRESS[target]}
    names = sorted(weights)
    return s.rng.choices(names, weights=[weights[n] for n in names])[0]


def generate_base(s: Sample) -> None:
    """The top-level posts: every scenario in KINDS, then the non-English ones."""
    for kind_name, kind in KINDS.items():
        for _ in range(kind.count):
            template = s.rng.choice(kind.templates)
            ours = _target_for(template, s.rng)
            target = "competitor" if kind.target == "competitor" else ours
            if kind.addressed or "{at}" in template:
                network = s.rng.choice(sorted(ADDRESS[target]))
                if s.rng.random() < 0.55:
                    network = "x"
            else:
                network = _pick_network(s, kind, target)
            author = s.author(network)
            if kind_name in ("news", "influencer") and network in s.MEDIA and s.rng.random() < 0.8:
                author = s.rng.choice(s.MEDIA[network])
            text = s.fill(
                template, ours if target == "competitor" and "{at}" not in template else target, network
            )
            if kind.noisy:
                text = s.noise(text, kind.mood, target if kind.target == "ours" else "none")
            if network == "reddit" and text[:1].islower() and not text.startswith("u/"):
                text = text[0].upper() + text[1:]
            brand = _brand_of(kind_name, text, target)
            is_complaint = kind.is_complaint or template in phrases.QUESTION_WITH_FAULT
            s.add(network, author, text, _label(kind_name, brand, kind.intent, is_complaint, kind.welcome))
    for lang, kind_name, template in phrases.FOREIGN * 6:
        kind = KINDS[kind_name]
        target = "competitor" if kind.target == "competitor" else _target_for(template, s.rng)
        network = s.rng.choice(("x", "x", "x", "bluesky", "mastodon"))
        text = s.noise(s.fill(template, target, network), kind.mood, "none")
        label = _label(
            kind_name, _brand_of(kind_name, text, target), kind.intent, kind.is_complaint, kind.welcome
        )
        s.add(network, s.author(network), text, label, lang=lang if s.rng.random() < 0.6 else None)


def _target_for(template: str, rng: random.Random) -> str:
    """Which of our brands a template is about: its words decide, a coin when they do not."""
    mobile, home = bool(MOBILE_CUES.search(template)), bool(HOME_CUES.search(template))
    if mobile != home:
        return "mobile" if mobile else "home"
    return rng.choice(("mobile", "mobile", "mobile", "home", "home"))


def _brand_of(kind_name: str, text: str, target: str) -> str | None:
    """The brand a reader would say the post is about (the competitor's own scenarios name it first)."""
    if kind_name in ("competitor_complaint", "rec_competitor"):
        return BRAND_NAME["competitor"]
    if kind_name in ("rec_request", "offtopic"):
        return None
    for name, cue in BRAND_CUES:
        if cue.search(text):
            return name
    return None


def generate_threads(s: Sample) -> None:
    """Replies: brand care answers, customers following up, friends, reddit commenters."""
    base = list(s.records)
    for rec in base:
        kind, net, when = rec.label["kind"], rec.post["network"], rec.when
        target = "home" if rec.label["brand"] == "Nimbus Home" else "mobile"
        care = s.CARE.get((target, net))
        if (
            kind in ("complaint_addressed", "help_broken", "sarcasm", "help_howto")
            and care
            and s.rng.random() < 0.3
        ):
            first = (rec.post["author"].get("name") or "there").split()[0]
            text = s.rng.choice(phrases.BRAND_REPLY[:5]).format(
                first=first, place=s.rng.choice(phrases.PLACES)
            )
            later = when + timedelta(minutes=s.rng.randrange(4, 300))
            reply = s.add(
                net,
                care,
                text,
                _label("brand_reply", BRAND_NAME[target], "social", False, False),
                when=later,
                reply_to=rec.post["id"],
            )
            if s.rng.random() < 0.5:
                customer = Author(
                    rec.post["author"]["handle"],
                    rec.post["author"].get("name"),
                    rec.post["author"].get("followers"),
                    net,
                )
                at = "@" + care.handle
                bad = s.rng.random() < 0.4
                template = s.rng.choice(phrases.FOLLOWUP_BAD if bad else phrases.FOLLOWUP_OK)
                intent = "complaint" if bad else ("praise" if "thanks" in template else "social")
                s.add(
                    net,
                    customer,
                    template.format(at=at),
                    _label("followup", BRAND_NAME[target], intent, bad, True),
                    when=later + timedelta(minutes=s.rng.randrange(2, 600)),
                    reply_to=reply.post["id"],
                )
        elif kind == "personal" and s.rng.random() < 0.45:
            text = s.noise(s.rng.choice(phrases.FRIEND_REPLY), "social", "none")
            s.add(
                net,
                s.author(net),
                text,
                _label("friend_reply", None, "social", False, False),
                when=when + timedelta(minutes=s.rng.randrange(1, 240)),
                reply_to=rec.post["id"],
            )
        elif net == "reddit" and kind in ("rec_request", "rec_competitor") and s.rng.random() < 0.6:
            for _ in range(s.rng.randrange(1, 3)):
                template = s.rng.choice(phrases.REDDIT_COMMENT)
                text = s.noise(s.fill(template, s.rng.choice(("mobile", "home")), net), "none", "none")
                brand = _brand_of("reddit_comment", text, "none")
                s.add(
                    net,
                    s.author(net),
                    text,
                    _label("reddit_comment", brand, "social", False, False),
                    when=when + timedelta(minutes=s.rng.randrange(5, 900)),
                    reply_to=rec.post["id"],
                )


def generate_duplicates(s: Sample) -> None:
    """Retweets, a copy-pasted complaint campaign, and a giveaway blasted many times."""
    xs = [
        r
        for r in s.records
        if r.post["network"] == "x" and r.label["kind"] not in ("brand_reply", "followup")
    ]
    for rec in s.rng.sample(xs, 45):
        text = f"RT @{rec.post['author']['handle']}: {rec.post['text']}"
        label = _label("retweet", rec.label["brand"], rec.label["intent"], rec.label["is_complaint"], False)
        s.add("x", s.author("x"), text, label, when=rec.when + timedelta(minutes=s.rng.randrange(1, 2000)))
    for _ in range(14):
        target = s.rng.choice(("mobile", "home"))
        text = s.fill(phrases.COPYPASTA, target, "x")
        if s.rng.random() < 0.4:
            text = text.replace("Dear", "dear").replace("weeks", "WEEKS")
        s.add("x", s.author("x"), text, _label("copypasta", BRAND_NAME[target], "complaint", True, True))
    giveaway = "{brand} GIVEAWAY! Free 12 months unlimited 5G, just follow + RT + DM me your number {url}"
    for _ in range(22):
        text = s.fill(giveaway, "mobile", "x").replace("12 months", f"{s.rng.choice((6, 12, 24))} months")
        if s.rng.random() < 0.5:
            text = "🎁🎁 " + text + f" #{s.rng.randrange(1000, 9999)}"
        s.add("x", s.author("x"), text, _label("spam", "Nimbus Mobile", "spam", False, False))


EDIT_SUFFIXES = (
    " (edit: typo)",
    "\n\nEDIT: it's back now but this keeps happening",
    "\n\nedit: still nothing",
    " [edit: forgot to say I've already restarted everything]",
)


def edits_and_deletes(s: Sample) -> list[Record]:
    """Later lines that edit or delete an earlier post (same id: the later line wins)."""
    out: list[Record] = []
    pool = [
        r
        for r in s.records
        if r.label["kind"]
        in ("complaint_addressed", "complaint_unaddressed", "question_addressed", "help_broken")
    ]
    for rec in s.rng.sample(pool, 16):
        post = dict(rec.post, text=rec.post["text"] + s.rng.choice(EDIT_SUFFIXES))
        later = rec.when + timedelta(minutes=s.rng.randrange(3, 120))
        out.append(Record(post, dict(rec.label), later, rec.when))
    spam = [r for r in s.records if r.label["kind"] == "spam"]
    complaints = [r for r in s.records if r.label["kind"] == "complaint_unaddressed"]
    for rec in (s.rng.choice(spam), s.rng.choice(complaints)):
        post = {"id": rec.post["id"], "network": rec.post["network"], "deleted": True, "text": None}
        label = {
            "network": rec.post["network"],
            "id": rec.post["id"],
            **_label("deleted", None, None, False, False),
        }
        out.append(Record(post, label, rec.when + timedelta(hours=s.rng.randrange(1, 30)), rec.when))
    return out


def write(records: Sequence[Record], out_dir: Path) -> tuple[int, int]:
    """Write posts.jsonl (in arrival order) and labels.jsonl (one per key, last wins); return sizes."""
    ordered = sorted(records, key=lambda r: (r.order, r.post["network"], r.post["id"]))
    out_dir.mkdir(parents=True, exist_ok=True)
    posts = "".join(json.dumps(r.post, ensure_ascii=False, separators=(",", ":")) + "\n" for r in ordered)
    labels_by_key = {(r.label["network"], r.label["id"]): r.label for r in ordered}
    labels = "".join(
        json.dumps(v, ensure_ascii=False, separators=(",", ":")) + "\n" for v in labels_by_key.values()
    )
    (out_dir / "posts.jsonl").write_text(posts, encoding="utf-8", newline="\n")
    (out_dir / "labels.jsonl").write_text(labels, encoding="utf-8", newline="\n")
    return len(ordered), len(labels_by_key)


def main() -> None:
    s = Sample(SEED)
    generate_base(s)
    generate_threads(s)
    generate_duplicates(s)
    extra = edits_and_deletes(s)
    lines, keys = write([*s.records, *extra], OUT_DIR)
    size = (OUT_DIR / "posts.jsonl").stat().st_size
    print(f"wrote {lines:,} lines ({keys:,} distinct posts, {size / 1024:,.0f} KB) to {OUT_DIR}")


if __name__ == "__main__":
    main()
