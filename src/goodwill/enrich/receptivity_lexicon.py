"""The phrase cues behind the ``receptivity`` judgement's counter-evidence, as data.

A brand replying into someone's family news, grief or joke is intrusive however
well meant, so these cues argue *against* a reply. Kept apart from the stage so
the vocabulary can be reviewed without the code.
"""

from __future__ import annotations

from goodwill.enrich.cues import Cue

__all__ = ["CONTEXT_CUES", "JOKE", "PERSONAL"]

PERSONAL = "personal"
JOKE = "joke"

_PERSONAL: tuple[str, ...] = (
    "birthday", "bday", "b - day", "wedding", "married", "engaged", "engagement", "honeymoon", "anniversary",
    "funeral", "passed away", "rest in peace", "rip", "condolences", "grief", "grieving", "miss you",
    "grandma", "grandpa", "granny", "grandmother", "grandfather", "nana", "mom", "mum", "mommy", "dad",
    "daddy",
    "my (wife|husband|son|daughter|kids|baby|sister|brother|family|bestie|bf|gf|boyfriend|girlfriend|partner|"
    "parents|cousin|aunt|uncle|niece|nephew)", "graduation", "graduated", "newborn", "baby shower",
    "christening", "baptism", "family", "reunion", "date night", "girls night", "boys night", "vacation",
    "holiday with", "christmas with", "thanksgiving", "bachelorette", "bachelor party", "hospital", "chemo",
    "cancer", "sobriety", "prayers", "praying", "cumpleaños", "boda", "anniversaire", "mariage", "geburtstag",
    "hochzeit", "aniversário", "casamento",
)  # fmt: skip

_JOKE: tuple[str, ...] = (
    "lol", "lmao", "lmfao", "rofl", "haha", "hahaha", "hahahaha", "jk", "just kidding", "😂", "🤣", "😆",
    "joke", "jokes", "meme", "kidding", "jaja", "jajaja", "mdr", "kkkk",
)  # fmt: skip

CONTEXT_CUES: tuple[Cue, ...] = (
    Cue(PERSONAL, 1.0, _PERSONAL, negatable=False),
    Cue(JOKE, 1.0, _JOKE, negatable=False),
)
