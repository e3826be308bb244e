"""The phrase cues behind the ``intent`` judgement, as data.

Each entry is ``(weight, templates)`` in the template language of
:mod:`goodwill.enrich.cues`. Weights share one scale: ~1.2 is a cue that
settles the label on its own ("charged twice"), ~0.5 one that needs company
("ugh"). A few Spanish, French, German and Portuguese cues cover the commonest
care phrases; other languages fall back to the universal question mark and to
``social``. Kept apart from the stage so the vocabulary can be reviewed (and
grown) without reading code.
"""

from __future__ import annotations

from goodwill.enrich.cues import Cue

__all__ = ["INTENT_CUES", "INTENT_LABELS", "RESOLVED_LABEL", "SARCASM_LABEL", "WH_WORDS"]

INTENT_LABELS: tuple[str, ...] = (
    "question",
    "help_request",
    "complaint",
    "praise",
    "recommendation_request",
    "purchase_intent",
    "feedback",
    "social",
    "news_share",
    "spam",
)

#: A pseudo-label: irony markers ("great, another outage") are complaint evidence
#: that also takes the weight out of any praise in the same post.
SARCASM_LABEL = "sarcasm"
#: A pseudo-label: the problem is over ("thanks for fixing the outage"); it counts as
#: praise and takes most of the weight out of the complaint cues.
RESOLVED_LABEL = "resolved"

#: Words that open a direct question; with a "?" they make a question a question.
_WH = (
    "who what when where why how which whats what's is are does do did can could should will would "
    "has have anyone anybody any am was were qué que cómo como dónde donde por quién cuándo "
    "pourquoi comment où quand est warum wie wo wann kann gibt onde quando porque"
)
WH_WORDS: frozenset[str] = frozenset(_WH.split())

_CANT = "(can't|cant|cannot|can not|unable to|couldn't|could not|not able to)"
_ACCOUNT_VERBS = (
    "(log in|login|log into|sign in|access|get into|connect|transfer|pay|withdraw|use|open|reset|find|"
    "download|update|activate|verify|cancel|make a payment|get through|reach)"
)

_QUESTION: list[tuple[float, tuple[str, ...]]] = [
    (0.9, ("(does|do|did|has|have|can|could|would) (anyone|anybody|someone|somebody)",)),
    (0.9, ("(anyone|anybody) (know|else|tried|here|have|had|using|use)",)),
    (0.8, ("is it (just|only) me", "am i the only one")),
    (0.6, ("i wonder (if|whether|why|how)", "wondering (if|whether|why|how)")),
    (0.6, ("(alguien sabe|quelqu'un sait|weiß jemand|weiss jemand|alguém sabe)",)),
]

_HELP: list[tuple[float, tuple[str, ...]]] = [
    (1.2, (f"{_CANT} {_ACCOUNT_VERBS}", f"{_CANT} * {_ACCOUNT_VERBS}")),
    (1.1, ("how (do|can|would|should) (i|we)",
           "how do you (change|reset|cancel|get|add|remove|update|turn)")),
    (0.6, ("how to",)),
    (1.3, ("(please|pls|plz|plss|pleaseee) help", "help (please|pls|plz)", "sos")),
    (1.0, ("(need|needs|needing) [some|urgent|your|a little] help", "help me", "help !")),
    (1.0, ("(not|isn't|isnt|aren't|wasn't|stopped|stop) working",)),
    (0.9, ("(doesn't|doesnt|does not|won't|wont|will not|didn't) (work|load|open|let me|accept|connect)",)),
    (0.8, ("error", "error code", "error message")),
    (1.1, ("locked out", "locked me out", "blocked my (account|card)", "frozen (account|card)")),
    (0.9, ("(reset|forgot|forgotten|change) [my] (password|pin|passcode)",)),
    (0.9, ("(can|could|would) (you|someone|somebody|anyone) [please] (help|check|look|explain|tell|assist|"
           "sort|fix)",)),
    (0.8, ("what (do|should) i do", "what now", "who (do|should|can) i (contact|call|talk|speak|email)")),
    (0.7, ("[was|got|keeps getting|keeps being|being] declined",)),
    (0.6, ("(keeps|keep) (saying|telling me|asking)",)),
    (0.7, ("(sent|send) [you] [a] dm", "dm'd you", "dmed you", "check (your|ur) (dm|dms)")),
    (0.9, ("ayuda", "no funciona", "ne fonctionne pas", "ne marche pas", "hilfe", "funktioniert nicht",
           "ajuda", "não funciona", "nao funciona", "aidez-moi")),
]

_COMPLAINT: list[tuple[float, tuple[str, ...]]] = [
    (1.4, ("(charged|billed) [me] (twice|double|two times|three times)", "double (charged|billed)",
           "double - (charged|billed)", "overcharged", "charged (me|us) again")),
    (1.1, ("still (waiting|no|not|haven't|hasn't|nothing|broken|down|unresolved)",)),
    (0.9, ("refund", "refunds", "refunded", "my money back", "chargeback")),
    (0.9, ("cancelled", "canceled")),
    (1.0, ("worst",)),
    (1.1, ("no (response|reply|answer|help)", "no one (answers|replies|responds|cares|helps)",
           "nobody (answers|replies|responds|helps)", "ignoring (me|us|my)", "ignored (me|my)")),
    (1.1, ("outage", "outages")),
    (1.1, ("(down|offline|broken) again", "(is|are|went|goes|been) down")),
    (1.2, ("[been] on hold (for|since)", "been on hold")),
    (1.0, ("ridiculous", "unacceptable", "disgraceful", "shambles", "pathetic", "useless", "joke of a")),
    (1.0, ("(terrible|awful|horrible|shocking|poor|appalling|rubbish|lousy|bad) (service|customer|support|"
           "experience|app|company|bank|airline|connection|signal|coverage)",)),
    (1.0, ("rip off", "ripoff", "rip - off", "scammed", "fraudulent", "hidden (fee|fees)")),
    (1.1, ("(never|still hasn't|hasn't|didn't|did not|has not|still not) (arrived|arrive|came|come|"
           "received|showed up|shown up|been delivered|delivered|refunded)",)),
    (1.0, ("(lost|damaged|broke|broken) [my] (bag|bags|luggage|package|parcel|order|suitcase)",)),
    (0.8, ("delayed", "delay", "delays")),
    (0.9, ("waste of (money|time)",)),
    (0.8, ("disappointed", "fed up", "sick of", "furious", "frustrated", "frustrating")),
    (0.9, ("sort (it|this) out", "fix (this|it|your)", "get your act together", "do better")),
    (0.9, ("(hours|days|weeks|months) (later|and still|now|on hold|waiting)",
           "(it's|its|it has) been (a|an|two|three|four|five|six|several|many|*) (hours|days|weeks|months)",
           "for (hours|days|weeks|months) now")),
    (1.0, ("where (is|are|'s) my (order|package|parcel|refund|money|card|delivery|bag|luggage|payment)",)),
    (1.0, ("(keeps|keep) (crashing|failing|freezing|dropping|logging me out|declining|charging)",
           "(keeps|keep) getting (declined|rejected|blocked|charged|cut off)")),
    (0.7, ("crashed", "crashes", "crashing", "glitch", "glitchy", "buggy")),
    (0.8, ("stopped working", "not working")),
    (0.8, ("complaint", "complaints", "complain", "complaining", "complained")),
    (0.4, ("ugh", "ughh", "ughhh", "smh", "# fail", "fail", "failed", "fails")),
    (0.5, ("again",)),
    (0.6, ("why (is|are|does|do|did|can't|won't) (your|my|the)",)),
    (0.9, ("reembolso", "cobraron", "pésimo", "pesimo", "remboursement", "arnaque", "inadmissible",
           "erstattung", "frechheit", "unverschämt", "péssimo", "pessimo", "absurdo")),
]

_PRAISE: list[tuple[float, tuple[str, ...]]] = [
    (1.0, ("thank you", "thanks", "thank u", "thx", "ty", "tysm")),
    (0.9, ("love", "loving", "loved", "adore", "loves")),
    (1.2, ("shout out", "shoutout", "kudos", "props to", "hats off")),
    (1.1, ("(great|amazing|awesome|excellent|fantastic|brilliant|outstanding|superb|stellar|best) "
           "(job|service|support|work|team|experience|app|help|staff|customer service)",)),
    (0.7, ("amazing", "awesome", "excellent", "fantastic", "brilliant", "outstanding", "superb", "impressed",
           "wonderful")),
    (0.9, ("well done", "good job", "nailed it", "5 stars", "five stars", "highly recommend")),
    (0.8, ("(so|super|very|really) (helpful|quick|fast|friendly|easy|smooth)",)),
    (0.6, ("❤", "♥", "🙏", "💯", "👏", "😍", "🥰")),
    (0.9, ("gracias", "me encanta", "merci", "j'adore", "danke", "obrigado", "obrigada")),
]

_RECOMMEND: list[tuple[float, tuple[str, ...]]] = [
    (1.4, ("any [good] (recommendations|recommendation|recs|suggestions|tips)",)),
    (1.3, ("(can|could) (anyone|anybody|someone|you|y'all|you guys) (recommend|suggest)",)),
    (1.2, ("(recommend|suggest) [me] (a|an|some|any|good)",)),
    (1.2, ("which [*] [*] (should|would|do) (i|we|you)",)),
    (1.2, ("looking for (a|an|some) (good|new|decent|reliable|cheap|better)",
           "looking for (good|new|decent|reliable|cheap|better|recommendations)",)),
    (1.3, ("(alternative|alternatives) (to|for)",)),
    (1.2, ("(what are|what're|any) [the] [good] alternatives", "(anyone|anybody) (moved|switched) (from|to)",
           "is * better than", "is * * better than", "(which|who) is better")),
    (1.2, ("should i (switch|move|change|go with|get|choose|pick)",)),
    (1.1, ("(thinking of|thinking about|considering|worth) switching", "switch from", "switching from",
           "moving away from")),
    (1.0, ("what('s| is| are) (the|a) (best|good|decent)", "what's [the] best", "best * for",
           "who do you (use|bank with|recommend)")),
    (0.9, ("(suggestions|recommendations) (for|on)",)),
    (1.1, ("alguien recomienda", "recomiendan", "quelqu'un connaît", "vous conseillez", "empfehlung",
           "empfehlungen", "alguém recomenda", "recomendações", "recomendaciones")),
]

_PURCHASE: list[tuple[float, tuple[str, ...]]] = [
    (1.2, ("(thinking of|thinking about|considering|planning to|planning on) (buying|getting|ordering|"
           "opening|signing up|subscribing|buy|get|order|open|sign up|subscribe|upgrading)",)),
    (1.1, ("(want|wanna|going|gonna|about|ready|plan) [to] (buy|order|sign up|subscribe|upgrade|purchase|"
           "preorder)", "(want|wanna|about) to (get|open)",)),
    (1.0, ("(ordering|buying|purchasing) (a|an|the|one|two|it)",)),
    (1.1, ("where (can|do) i (buy|get|order)", "how much (is|are|does|for)")),
    (1.0, ("take my money", "preorder", "preordered", "pre - order", "pre - ordered")),
    (0.6, ("just (ordered|bought|signed up|subscribed)",)),
]

_FEEDBACK: list[tuple[float, tuple[str, ...]]] = [
    (1.3, ("it would be (nice|great|good|awesome|cool|helpful) (if|to)",
           "would be (nice|great|good|awesome|cool|helpful) if")),
    (1.3, ("please (add|bring back|make|allow|let us|consider|support)",)),
    (1.4, ("feature request", "suggestion :", "idea :", "feedback :")),
    (1.0, ("i wish (you|the app|there was|there were|it|they)",)),
    (1.1, ("you (should|guys should|need to|could) (add|make|let|allow|bring|offer|support|have)",)),
    (1.0, ("would love (to see|if|a|an)",)),
    (1.0, ("(could|can) you (add|make|bring back|allow|offer)", "bring back")),
    (0.8, ("why (can't|doesn't|isn't|don't) (the app|you|i|we)",)),
    (0.7, ("missing [a|an] (feature|option|button)", "dark mode")),
]

_NEWS: list[tuple[float, tuple[str, ...]]] = [
    (1.3, ("breaking", "breaking news")),
    (1.0, ("announced", "announces", "announcing", "unveils", "unveiled", "launches", "acquires", "acquired",
           "to acquire", "merger", "layoffs", "lays off", "files for", "reportedly", "reports that")),
    (0.9, ("according to", "press release", "sources say", "report :", "exclusive :")),
    (0.9, ("(shares|stock|stocks) (fell|fall|rose|rise|jump|jumped|drop|dropped|surge|surged|plunge|"
           "plunged)",)),
    (0.8, ("(q1|q2|q3|q4) (results|earnings)", "earnings", "ceo")),
    (0.5, ("via @", "read more", "h / t")),
]

_SPAM: list[tuple[float, tuple[str, ...]]] = [
    (1.3, ("airdrop", "giveaway", "give away", "free (crypto|btc|eth|bitcoin|nft|money|iphone|gift card)")),
    (1.2, ("dm (me|for|us)", "inbox me", "(whatsapp|whats app) me", "text me on")),
    (1.2, ("click (the|this|my) link", "click link", "link in [my] bio")),
    (1.4, ("follow (for|4) follow", "f4f", "follow back", "followback", "l4l")),
    (1.2, ("100x", "1000x", "guaranteed (profit|profits|returns|income)", "passive income", "earn $ *",
           "make $ * a (day|week)")),
    (0.9, ("crypto", "bitcoin", "btc", "forex", "nft", "presale", "pump")),
    (0.9, ("promo code", "use code", "discount code", "limited offer", "act now", "only * left")),
    (1.0, ("onlyfans", "cashapp", "cash app", "telegram")),
    (0.6, ("🚀", "💰")),
]

_SARCASM: tuple[str, ...] = (
    "[oh] (great|wonderful|fantastic|brilliant|perfect|lovely|nice|awesome) [,|.|!] (another|again|more|"
    "just what)",
    "(love|loving|gotta love|just love) (how|when|that|it when)",
    "thanks for nothing",
    "thanks a lot [,] (again|not|never|no|still|another)",
    "(yeah|yay|wow) [,] (great|thanks|right)",
    "just (great|perfect|wonderful|brilliant)",
    "/ s",
    "said no one ever",
)

_RESOLVED: tuple[str, ...] = (
    "(fixed|fixing|sorted|sorting|resolved|resolving|solved) (it|this|that|my|the|everything|me|us) [out]",
    "(problem|issue) (solved|resolved|fixed)",
    "(all|it's|its) (sorted|fixed|resolved|working) now",
    "(back|working) (up|again) now",
)

#: Help-request cues that report a failure: evidence of a complaint as well as of a request.
_FAILURES: frozenset[int] = frozenset({0, 5, 6, 7, 8, 12, 15})


def _cues(label: str, table: list[tuple[float, tuple[str, ...]]]) -> list[Cue]:
    failing = label == "complaint" or label == SARCASM_LABEL
    return [
        Cue(label, weight, templates, failure=failing or (label == "help_request" and i in _FAILURES))
        for i, (weight, templates) in enumerate(table)
    ]


INTENT_CUES: tuple[Cue, ...] = (
    *_cues("question", _QUESTION),
    *_cues("help_request", _HELP),
    *_cues("complaint", _COMPLAINT),
    *_cues("praise", _PRAISE),
    *_cues("recommendation_request", _RECOMMEND),
    *_cues("purchase_intent", _PURCHASE),
    *_cues("feedback", _FEEDBACK),
    *_cues("news_share", _NEWS),
    *_cues("spam", _SPAM),
    Cue(SARCASM_LABEL, 1.0, _SARCASM, negatable=False, note="sarcasm", failure=True),
    Cue(RESOLVED_LABEL, 1.0, _RESOLVED, note="resolved"),
)
