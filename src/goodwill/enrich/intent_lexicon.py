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

__all__ = [
    "CARE_REPLY_LABEL",
    "INTENT_CUES",
    "INTENT_LABELS",
    "QUESTION_OPENERS",
    "RECOMMEND_IF_ASKED_LABEL",
    "RESOLVED_LABEL",
    "SARCASM_LABEL",
    "WH_WORDS",
]

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
#: A pseudo-label: the post is a care agent answering a customer (an apology, "DM us").
CARE_REPLY_LABEL = "care_reply"
#: A pseudo-label: evidence of a recommendation request only when the post asks something.
RECOMMEND_IF_ASKED_LABEL = "recommendation_if_asked"

#: Words that open a direct question; with a "?" they make a question a question.
_WH = (
    "who what when where why how which whats what's is are does do did can could should will would "
    "has have anyone anybody any am was were qué que cómo como dónde donde por quién cuándo "
    "pourquoi comment où quand est warum wie wo wann kann gibt onde quando porque"
)
WH_WORDS: frozenset[str] = frozenset(_WH.split())
#: Openings that make a sentence a question even when the author typed no "?" ("do u ship to ireland").
_OPENERS = "do does did can could is are will would any how hw where when which whats what's wat"
QUESTION_OPENERS: frozenset[str] = frozenset(_OPENERS.split())

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
    # Asking what to do next, in any words.
    (1.0, ("what (can|should|do) (i|we) do [now]", "what are my options", "what do i need to do",
           "(any|is there a|is there any) (fix|solution|workaround)", "wat do i do", "what should i do")),
    (0.8, ("how (can|do) (i|we) (get|fix|stop|find|make|know|use|send|add|change|cancel|return|claim|"
           "request|transfer|move|update|remove|report|unlock|activate|set)",
           "can (i|we) (change|swap|cancel|return|transfer|move|update|claim|request|get it changed|unlock)",
           "how (long|early|late) (does|do|can|will|until|before)", "is it safe to")),
    (0.5, ("help",)),
    (1.0, ("¿ cómo (puedo|activo|hago|cambio)", "cómo (puedo|activo|hago|cambio)", "pueden ayudar",
           "me pueden ayudar", "wie kann ich", "comment (je peux|puis - je|faire)", "que faire",
           "vous pouvez m'aider", "como (posso|faço)", "podem ajudar", "come posso", "mi aiutate",
           "wat moet ik doen", "kunnen jullie helpen", "hoe kan ik")),
]

#: Help requests that report something failing: evidence of a complaint as well as of a request.
_HELP_BROKEN: list[tuple[float, tuple[str, ...]]] = [
    (1.0, ("(stuck|frozen|hangs|hanging) (on|at)", "stuck in (a|the) (loop|queue|app|post|transit|"
           "customs)", "corrupted", "not provisioned", "not valid",
           "(says|saying|shows|showing) (error|invalid|unable|something went wrong|account not found|not)")),
    (1.0, ("(won't|wont|doesn't|doesnt|can't|cant|will not|does not) (activate|sync|connect|install|update|"
           "start|boot|charge|verify|link|scan|print|play|stream|send|receive|arrive|pair|add)",
           "(isn't|isnt|aren't|arent|not) (syncing|loading|connecting|updating|charging|sending|arriving|"
           "responding|opening|going through)",
           "(keeps|keep|kept) (rejecting|logging|restarting|buffering|freezing|disconnecting|skipping|"
           "failing|asking me)")),
    (1.0, ("(keeps|keep) (crashin|sayin|droppin|freezin|loadin)", "(dont|don't|doesnt|doesn't|wont|won't|"
           "cnt|cant) (work|load|open|connect)", "not workin", "nt working", "cnt (log in|login|check in|pay|"
           "get in|sign in)")),
    (1.0, ("no puedo", "no consigo", "no me deja", "kann nicht", "kann ich nicht", "komme nicht",
           "impossible de", "não consigo", "nao consigo", "non riesco", "ik kan niet", "lukt niet")),
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
    # Time passing with nothing done: the commonest shape of a breach of expectation.
    (1.0, ("(that was|it's been|its been|it has been|been|now) _num_ (days|weeks|months|hours|day|week|month|"
           "hour|business days|working days) [ago|now|later]",
           "_num_ (days|weeks|months|hours|working days|business days) (ago|later|and counting|and still|"
           "of waiting|now|without)", "and counting", "day _num_ (today|now|without|and still|of waiting)")),
    (0.4, ("(for|after|over) _num_ (days|weeks|months|hours|day|week|month|hour|working days|"
           "business days)",)),
    (0.5, ("since (monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|last week|last month|"
           "this morning|last night|the update|the last update|updating|the patch|june|july|august|march)",)),
    # A promise, then what really happened.
    (1.0, ("(was|were|been|got|i'm|i am|we were) (told|promised|assured|guaranteed)",
           "(promised|told) (me|us) (it|that|i|we|my|they|you|someone)", "(supposed|meant) to (come|"
           "arrive|"
           "get|have|call|turn up|ring|end|take|last)", "said (it|they|you|someone) would",
           "(you|they) said (it|i|we|they|you)")),
    (1.1, ("nobody (can|could|will|seems to) (tell|explain|help|answer|find)",
           "no one (can|could|will|seems to) (tell|explain|help|answer|find)",
           "nobody (knows|called|came|showed|turned up|replied|answered|responds|cares|even|at|in|mentioned|"
           "told|warned)",
           "no one (knows|called|came|showed|turned up|replied|answered|even|at|in)",
           "not (one|a single) person", "(can't|cannot|couldn't|won't) (tell|explain to) me",
           "(different|same) (answer|answers|story|stories|script|template|canned reply)")),
    (1.0, ("(never|didn't|did not|hasn't|has not|haven't|have not|still hasn't) (turned up|showed up|show up|"
           "turn up|showed|came|come|called back|call back|got back|rang|replied|responded|heard back|"
           "received|got it|got my|got any|happened|worked|landed|unlocked|updated|paid|been paid)",)),
    # The same failure again and again.
    (0.45, ("(second|third|fourth|fifth|sixth|2nd|3rd|4th|5th|6th|nth) time",
           "for the (second|third|fourth|fifth|2nd|3rd|4th|5th|nth) time")),
    (0.9, ("(second|third|fourth|2nd|3rd|4th) (day|week|month|flight|call|order|parcel|time) (in a row|this|"
           "running)",)),
    (0.5, ("every (single) time", "every time i", "in a row", "every (day|week|month|friday|saturday|"
           "night)")),
    # What the tracker, the app or the email claims, against what happened.
    (0.8, ("(says|said|shows|showed|showing|marked|marked as|status|tracking says|app says) (delivered|"
           "dispatched|completed|resolved|on time|out for delivery|handed to|in transit)",)),
    (1.0, ("(isn't|is not|wasn't|was not|it's not|its not|not) (here|there|fixed|resolved|sorted|what i "
           "ordered|what i paid for|included|unlocked)",
           "(not|isn't|wasn't|that's not) what (i|we) (ordered|paid|asked|booked|signed up)",
           "in name only", "not what * means")),
    (1.1, ("(wrong|incorrect) (item|size|order|address|colour|color|tariff|bill|amount|name|product|parcel|"
           "person|plan|flat|house|door|one|seat|room)", "someone else's",
           "(was|were|is|are|came|arrived) missing",
           "missing (items|item|half|the|from|parcel|order|money|payment|drinks|naan)")),
    (1.0, ("(arrived|came|turned up|delivered|showed up|was|were) (cold|late|broken|damaged|open|opened|"
           "smashed|"
           "crushed|soaked|used|dirty|stained|empty|torn|ripped|melted|stone cold|hours late)",
           "(fell|came) (apart|off)", "has a hole", "(stopped|stops) (working|charging|loading|syncing|"
           "sending)",
           "(dead|faulty|defective) (on arrival|keys|pixels|unit|battery|product|item)")),
    (1.0, ("(deleted|wiped|erased|vanished|disappeared|gone missing) (my|all|every|the|our|of)",
           "(has|have|had|is|are) (vanished|disappeared|gone missing)", "(ate|lost) (my|all my) (notes|"
           "work|data|files|photos|parcel|bag|luggage|order|money|suitcase|points|stamps|progress|save)",
           "(were|was|got|been) (deleted|wiped|lost|reset)")),
    # Money taken that should not have been.
    (1.2, ("(charged|billed|debited|deducted|charging|charges|took|taken) (me|us|my card|my account) "
           "(for|a|an|twice|again|extra|full|the|interest|£|$|€|_num_)",
           "(charged|billed) (for|a|an|interest|the large|full price)",
           "(took|taken|charged|billed|debited|deducted) [me|us] (£|$|€) _num_",
           "never (agreed|authorised|authorized|ordered|signed up|asked|placed|used|touched|chose)",
           "(didn't|did not|never) (agree|authorise|authorize|order|sign up|ask for|request|choose|select)",
           "without (asking|telling|notice|warning|permission|consent|my consent|any notice|explanation|an "
           "explanation|a word)")),
    (0.8, ("(service|cancellation|late|admin|hidden|extra|surprise|exit|termination|cleaning|overdraft|"
           "unarranged|resort|redelivery) (fee|fees|charge|charges)",
           "(no|zero) (notice|warning|explanation|apology|refund|compensation|updates|info|information|"
           "communication|hotel|food|water|staff)",
           "paying for", "i pay for", "what am i paying", "for a paperweight")),
    # Service that does not reach, people who do not help.
    (0.9, ("(no|zero|not a|not one) (signal|service|internet|wifi|connection|coverage|reception|data|power|"
           "hot water|heating|picture|bars|network)",
           "(call|calls|connection|internet|wifi|broadband|line) (drops|dropped|keeps dropping|cuts out|"
           "cut out|dropping|goes down)", "drops (out|after|every)", "(got|get|getting) cut off",
           "(hours|minutes|days|weeks) late", "(late|delayed) (again|delivery|refund|payment)")),
    (1.0, ("(rude|unhelpful|incompetent|dismissive|condescending|patronising|patronizing) (staff|driver|"
           "agent|"
           "man|woman|lady|guy|person|manager|employee|courier|technician|engineer|crew|to)",
           "(was|were|so|very|really|incredibly|extremely) rude", "hung up (on me|on us)",
           "(closed|ended) (the|my) (chat|ticket|case)", "(zero|no) replies",
           "(ignored|ignores|ignoring) (all|every|the|our|them)")),
    (1.0, ("(cancelled|canceled|closed|suspended|banned|blocked|froze|frozen|terminated|"
           "deactivated) (my|our) "
           "(account|card|order|flight|policy|booking|ticket|subscription)", "(was|got|been) (banned|"
           "suspended)",
           "put a hold on")),
    (0.45, ("useless", "rubbish", "awful", "terrible", "horrible", "appalling", "shocking", "dreadful",
           "abysmal", "trash", "garbage", "nightmare", "disaster", "clowns", "daylight robbery",
           "embarrassing", "infuriating", "annoying", "livid", "not happy", "not impressed", "not ok",
           "not acceptable", "unplayable", "unusable")),
    (0.5, ("(i|we) (want|need|demand|expect) (a|my|our|an) (refund|explanation|apology|answer|human|"
           "callback)",
           "(give|send) me my money", "(want|need) my money", "ombudsman", "formal complaint",
           "debt collection", "small claims", "never again", "i'm done", "im done")),
    (0.5, ("_num_ times", "twice now", "once again", "yet again", "(tried|did) (that|it|"
           "everything) (twice|already)")),
    # Still the same, after all that.
    (1.0, ("still (says|shows|showing|pending|stuck|charging|charged|dropping|broken|being|getting|there|"
           "the same|happening|in progress|on hold|down|dropping|says pending)",
           "nothing (works|worked|happened|has changed|changed)", "(it|that|this|which) didn't help",
           "(same|exact same) (fault|problem|issue|error)", "broke my", "broken since", "down since",
           "(got|was|been|still|then) charged", "took my money",
           "(money|payment) (left|taken from|gone from) my",
           "where's my", "where is my", "where tf is", "no longer (available|works|working|gets|supported)",
           "denied (boarding|entry|my claim|my refund)", "kicked me (out|off)")),
    (0.45, ("smashed", "soaked", "crushed", "ruined", "shattered", "reeks", "overbooked", "overbooking",
           "stranded", "declined", "disappeared")),
    # A status or an error quoted back at the company: "says \"delivered\"", "stuck \"in progress\"".
    (0.7, ('(says|said|saying|shows|showing|stuck|been|has said|marked|marked as|app says|just says|it says|'
           'still says|keeps saying|keep saying|getting) "', '(closed|marked) as "')),
    # "..., but I paid": the contrast that tells what should have happened.
    (0.6, ("but (i|i've|ive|it's|its|it is|we|we've) (paid|already|only|definitely|did|have the|was home|"
           "never|sent|submitted|checked)",)),
    (0.9, ("(sent|asked|called|emailed|tried|told|rang|messaged|chased|reported) "
           "[it|them|you|him|her|this|that] _num_ times", "_num_ times now", "(are|is|r) all gone",
           "on hold _num_",
           "(keeps|keep) (sending|delivering|putting|moving|changing|cancelling|canceling|closing|marking)",
           "never (started|began|sent|processed|applied|fixed|answered)", "(went|gone|been) silent",
           "(just|only) want (a human|to speak|to talk|my money|a refund|an answer)",
           "(price|prices|bill|bills|premium|tariff) (went up|going up|up again|increased|doubled|tripled)")),
    # Other languages: the commonest shapes of the same breaches.
    # The commonest complaint words of each language: strong ones settle it, weak ones need company.
    (1.0, ("dos veces", "cobro doble", "no (llega|llegó|me llegó)", "estafa", "mal servicio",
           "sin respuesta",
           "llevo esperando", "zweimal", "doppelt (abgebucht|berechnet)", "keine antwort",
           "schlechter service",
           "warte seit", "nicht erreichbar", "deux fois", "débité deux fois", "aucune réponse",
           "mauvais service", "j'attends (depuis|toujours)", "duas vezes", "sem resposta", "esperando há",
           "due volte", "senza risposta", "aspetto da", "twee keer", "geen reactie", "wacht al")),
    (0.45, ("retraso", "tarde", "perdido", "perdida", "roto", "rota", "fatal", "horrible", "otra vez",
            "harto",
            "harta", "queja", "reclamación", "kaputt", "verloren", "verspätung", "wieder", "beschwerde",
            "betrug", "falsche", "perdu", "cassé", "retard", "encore", "nul", "honte", "plainte", "facturé",
            "atraso", "atrasado", "quebrado", "quebrada", "reclamação", "golpe", "ritardo", "perso", "persa",
            "rotto", "di nuovo", "pessimo", "reclamo", "truffa", "vertraging", "kwijt", "kapot", "weer",
            "slecht", "klacht", "oplichting")),
    (0.8, ("no tengo (internet|cobertura|señal|luz|agua)", "se cierra", "sin (cobertura|señal|internet)",
           "gesperrt", "redémarre", "ignorat", "ignorate", "valt (steeds|weg)", "tout seul",
           "desde (el|la|ayer|hace)", "depuis (la|le|hier|lundi|une|_num_)")),
    (1.0, ("cobrado", "cobraron", "me han cobrado", "nadie [me] (responde|contesta|dice|sabe)",
           "no ha llegado", "no llegó", "sin (aviso|respuesta|explicación)", "todavía no", "aún no",
           "llevo _num_ (semanas|semana|días|meses|horas)", "llegó (frío|tarde)", "faltaba", "vergüenza",
           "un desastre", "qué abuso", "ridículo", "cancelado", "canceló")),
    (1.0, ("immer noch", "noch (nicht|keine|kein)", "schon wieder", "kein (empfang|internet|netz)",
           "keine (antwort|info|erstattung|rückmeldung)", "ausgefallen", "verspätet", "storniert",
           "abgebucht", "nicht (da|angekommen|gekommen)", "ärgerlich", "unmöglich", "seit _num_ (tagen|"
           "wochen)",
           "seit einer woche")),
    (1.0, ("toujours pas", "personne ne", "aucune (explication|réponse|assistance|info)", "annulé",
           "en retard", "rien reçu", "jamais (reçu|venu|arrivé)", "honteux", "je paie pour rien",
           "ça fait _num_ (jours|semaines|mois)", "il manque", "livré mais")),
    (1.0, ("(fui|foi) cobrado", "ninguém [me] (responde|atende|sabe)", "não chegou", "não recebi",
           "caiu de novo", "de novo", "ainda (não|espero|aguardo)", "sem motivo", "valor absurdo")),
    (1.0, ("addebitato", "addebitati", "nessuna (assistenza|risposta)", "nessuno risponde",
           "ancora (aspetto|non|niente)", "cancellato", "rotta", "in ritardo", "vergognoso", "lentissimo",
           "pessimo servizio")),
    (1.0, ("niemand (die|neemt|reageert)", "vertraagd", "niks ontvangen", "niets ontvangen", "nog steeds",
           "nog (niet|geen)", "geen (bereik|antwoord|reactie)", "slechte service", "afgeschreven",
           "zonder uitleg", "verdubbeld")),
]

_PRAISE: list[tuple[float, tuple[str, ...]]] = [
    (1.0, ("thank you", "thanks", "thank u", "thx", "ty", "tysm")),
    (0.6, ("love", "loving", "loved", "adore", "loves")),
    (1.2, ("shout out", "shoutout", "kudos", "props to", "hats off")),
    (1.1, ("(great|amazing|awesome|excellent|fantastic|brilliant|outstanding|superb|stellar|best) "
           "(job|service|support|work|team|experience|app|help|staff|customer service)",)),
    (0.7, ("amazing", "awesome", "excellent", "fantastic", "brilliant", "outstanding", "superb", "impressed",
           "wonderful")),
    (0.9, ("well done", "good job", "nailed it", "5 stars", "five stars", "highly recommend")),
    (0.8, ("(so|super|very|really) (helpful|quick|fast|friendly|easy|smooth)",)),
    (0.6, ("❤", "♥", "🙏", "💯", "👏", "😍", "🥰")),
    (0.9, ("gracias", "me encanta", "merci", "j'adore", "danke", "obrigado", "obrigada")),
    (1.0, ("cheers", "ta", "legend", "(a|an|absolute|total|such a) (gem|legend|star|hero|lifesaver)",
           "you're (stars|a star|the best|amazing|brilliant|legends|a gem)", "(ur|you're|you are) the best",
           "best * in town", "fair play", "credit (to|where)", "10 / 10", "night and day",
           "made (my|their|our|his|her) (day|trip|night|week|evening)", "above and beyond")),
    (0.8, ("(so|really|very|super|incredibly|always so) (nice|kind|helpful|patient|lovely|sweet|"
           "friendly|quick|"
           "fast|good)", "(is|are|was|were|been) (great|amazing|lovely|brilliant|kind|patient|decent|"
           "excellent|"
           "fantastic|a gem|iconic|gorgeous|superb)", "no (complaints|issues|problems)", "(saved|helped) me",
           "still (look|looks|going|looking) (new|great|good|brand new)", "(love|loved) (it|the|my|your|"
           "how)")),
    (1.0, ("muchas gracias", "vielen dank", "grazie", "grazie mille", "bedankt", "dank je", "dank jullie",
           "dankjewel", "merci beaucoup", "obrigado pela", "thank u", "thank uuu", "tysm", "ty so much")),
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
    (1.0, ("what('s| is| are) (the|a) (best|good|decent)", "what's [the] best",
           "who do you (use|bank with|recommend)")),
    (0.9, ("(suggestions|recommendations) (for|on)",)),
    (1.1, ("alguien recomienda", "recomiendan", "quelqu'un connaît", "vous conseillez", "empfehlung",
           "empfehlungen", "alguém recomenda", "recomendações", "recomendaciones")),
    (1.2, ("(what|which|who|where) (is|are) [the] (best|better|cheapest|most reliable)", "what's good",
           "(what's|who's|where's|whats|wheres) [the] (best|better|cheapest|most reliable|good)",
           "(what|which|who) * [*] (is|are) [the] (best|better|good|cheapest|decent)",
           "(which|what) * (has|have|gives|offers|does) [the] (best|decent|good|better|cheapest)",
           "(which|what) * * (has|have|gives|offers) [the] (best|decent|good|better|cheapest)",
           "(which|what) * (should|would|do) (i|we|you)", "(what|which) * * (should|would|do) (i|we|you)")),
    (1.1, ("(where|who) (do|would) (you|people|y'all|you guys|everyone) (buy|go|get|use|bank|"
           "recommend|fly|shop)", "what do (you|people|y'all|you guys|you all|others|folks) use",
           "what does everyone use", "or something else", "who (actually|else) (flies|delivers|answers|has|"
           "does)", "(where's|where is) good (for|to)", "for who", "who should i (move|switch|go|use|pick|"
           "bank|fly)", "(suggestions|recs|recommendations|ideas|tips) (please|pls|welcome|appreciated|?)",
           "recs", "is there (a|an|any) * that (actually|doesn't|does|is|has|works|won't)")),
    (1.1, ("recomendáis", "me recomendáis", "recomiendas", "me recomiendan", "recomendam", "recomenda",
           "vocês recomendam", "empfehlen", "könnt ihr empfehlen", "kennt jemand (eine|einen|ein)",
           "conseillez", "recommandez", "quel (opérateur|fournisseur)", "quelle (banque|appli|application)",
           "consigliate", "mi consigliate", "raden jullie aan", "aanraden", "qual (app|banco|operadora)",
           "qué (banco|compañía|app|aplicación)")),
]

#: Shapes that ask for a pick only in a question ("best coffee shop to work from in Bristol?"); said
#: flatly ("best way to end a Sunday") they are an opinion.
_RECOMMEND_IF_ASKED: tuple[str, ...] = (
    "best * [*] [*] (for|to|in|near|with|under|that)",
    "(any|good|decent|best) [*] (suppliers|apps|banks|networks|providers|airlines|couriers|shops|games|"
    "editors|options) (with|for|that)",
    "(or|vs|versus) * better", "better for", "worth it", "is it worth",
)

_PURCHASE: list[tuple[float, tuple[str, ...]]] = [
    (1.2, ("(thinking of|thinking about|considering|planning to|planning on) (buying|getting|ordering|"
           "opening|signing up|subscribing|buy|get|order|open|sign up|subscribe|upgrading)",)),
    (1.1, ("(want|wanna|going|gonna|about|ready|plan) [to] (buy|order|sign up|subscribe|upgrade|purchase|"
           "preorder)", "(want|wanna|about) to (get|open)",)),
    (1.0, ("(ordering|buying|purchasing) (a|an|the|one|two|it)",)),
    (1.1, ("where (can|do) i (buy|get|order)", "how much (is|are|does|for)")),
    (1.0, ("take my money", "preorder", "preordered", "pre - order", "pre - ordered")),
    (0.6, ("just (ordered|bought|signed up|subscribed)",)),
    (1.1, ("(want|wanna|going|gonna|ready|planning|plan|looking) to (switch|book|order|buy|get|sign up|open|"
           "subscribe|upgrade|purchase|preorder|join|apply|move)", "(going|gonna) (for|to get) the",
           "(signing up|buying|booking|ordering|upgrading|subscribing|switching) (now|tonight|today|tomorrow|"
           "this week|this weekend|next week)",
           "(buying|booking|ordering|getting|grab) (it|them|this|that|one) (tonight|today|tomorrow|"
           "this week|now)",
           "i'd buy", "must . buy", "must buy", "(i'll|i will|will) (buy|order|grab|get) (it|one|them)",
           "wishlisted", "saving up for", "upgrade day", "sign me up", "take my money",
           "(adding|added) * to [my] (basket|cart)", "(considering|thinking about|thinking of) (the|a|an)",
           "(application|applying for)", "(i'm|im) trying", "sold me", "finally (buying|getting|ordering)")),
    (1.0, ("quiero (contratar|comprar|abrir|pedir)", "voy a (comprar|pedir|contratar)",
           "ich will (kaufen|bestellen|wechseln|buchen|zu)", "ich möchte (kaufen|bestellen|buchen)",
           "je vais (commander|acheter|prendre|réserver)", "je veux (acheter|commander)",
           "vou (comprar|assinar|pedir)", "quero (comprar|assinar)", "voglio (comprare|abbonarmi|ordinare|"
           "prenotare)", "ik wil (boeken|kopen|bestellen|vluchten)", "ik ga (kopen|bestellen)")),
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
    (1.1, ("(please|pls|plz|plss|plssss) (add|bring|give|let|make|offer|put|show|stop|include|allow|consider|"
           "support|change)", "(let|give) (us|me) (a way|an option|the option|choose|pick|set|rename|pause|"
           "hide|sort|export|lock|decide|see)", "(should|could) (show|say|let|include|be able to|tell|warn|"
           "offer|display)", "(would|it'd) (help|make it|be (great|amazing|ace|nice|useful|helpful|"
           "lovely|good|"
           "better|a game changer|super|cool|perfect))",
           "(needs|need) [a|an] (better|more|proper|dark|search|filter|way|option|button|setting|mode|"
           "tutorial)",
           "(option|feature|setting|toggle|mode|filter|view) (would|for|to)", "i miss (the|seeing|being|"
           "having)",
           "hard to (find|read|see|tell|use|navigate)", "is a step back", "my two cents",
           "just saying", "imo", "ngl", "small idea", "feature idea", "suggestion")),
    (0.8, ("(way|far|much|bit|little) too (big|small|long|short|slow|confusing|pushy|hard|busy|bright|dark|"
           "many|strong|tiny)", "(kinda|a bit|too|quite) (pushy|confusing|cluttered|small|big|slow|hard|"
           "tiny)",
           "more (sizes|options|choice|petite|plug|sockets)", "why does it need")),
    (1.0, ("wäre (toll|super|schön|gut|praktisch)", "bitte (eine|einen|mehr)", "ce serait (bien|génial|top)",
           "serait (bien|génial)", "estaría (genial|bien)", "sería (genial|útil)", "sarebbe (utile|"
           "bello|comodo)",
           "seria (ótimo|bom|legal)", "graag meer", "zou (fijn|handig|mooi) zijn")),
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
    (1.2, ("dm (me|for)", "dm us for", "inbox me", "(whatsapp|whats app) me", "text me on")),
    (1.2, ("click (the|this|my) link", "click link", "link in [my] bio")),
    (1.4, ("follow (for|4) follow", "f4f", "follow back", "followback", "l4l")),
    (1.2, ("100x", "1000x", "guaranteed (profit|profits|returns|income)", "passive income", "earn $ *",
           "make $ * a (day|week)")),
    (0.9, ("crypto", "bitcoin", "btc", "forex", "nft", "presale", "pump and dump")),
    (0.6, ("promo code", "use code", "discount code", "limited offer", "act now", "only * left")),
    (1.0, ("onlyfans", "cashapp", "cash app", "telegram")),
    (0.4, ("🚀", "💰")),
    (1.1, ("_num_ % off", "free (tickets|miles|flights|voucher|vouchers|codes|keys|gems|flight|electricity|"
           "coffee for life|upgrade|iphone|gift card|gift cards)", "claim (now|yours|your|before|here|it)",
           "verify (your details|your account|now|here)", "confirm your details", "no survey",
           "_num_ % working", "hurry",
           "limited stock", "stock limité", "one [weird] trick", "(hate|hates) (this|him|her|it)",
           "doesn't want you to know", "check out my channel", "share and comment", "official (outlet|"
           "clearance)",
           "gratis", "sorteo", "regalamos", "clearance", "hack", "generator", "cracked", "tag _num_ friends",
           "like , follow", "follow + rt", "rt +", "sub to my")),
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

#: How a care agent replies on a brand's behalf; a complaint word in one is not the author's complaint.
_CARE_REPLY: tuple[str, ...] = (
    "(we're|we are|we) [so|really|very] sorry", "sorry to hear", "(please|can you|could you) (dm|send) us",
    "dm us", "(send|drop) us a (dm|message)", "we'll (take a look|look into|chase|check|get)",
    "thanks for (getting back to us|reaching out|the report|letting us know)",
)

_RESOLVED: tuple[str, ...] = (
    "(fixed|fixing|sorted|sorting|resolved|resolving|solved) (it|this|that|my|the|everything|me|us) [out]",
    "(problem|issue) (solved|resolved|fixed)",
    "(all|it's|its) (sorted|fixed|resolved|working) now",
    "(back|working) (up|again) now",
    "(sorted|fixed|resolved|all sorted|all good now|works now|working now|all working now) [!|,|.|thanks|"
    "thank you|cheers|, thanks|, cheers]",
    "(that|it|this) (worked|fixed it|did it)", "(refund|credit|money|bag|parcel) (has landed|landed|arrived|"
    "came through|showed up|is showing|showing now|received)", "(got|found) (it|my|the)",
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
    *(Cue("help_request", weight, templates, failure=True) for weight, templates in _HELP_BROKEN),
    *_cues("complaint", _COMPLAINT),
    *_cues("praise", _PRAISE),
    *_cues("recommendation_request", _RECOMMEND),
    *_cues("purchase_intent", _PURCHASE),
    *_cues("feedback", _FEEDBACK),
    *_cues("news_share", _NEWS),
    *_cues("spam", _SPAM),
    Cue(SARCASM_LABEL, 1.0, _SARCASM, negatable=False, note="sarcasm", failure=True),
    Cue(RESOLVED_LABEL, 1.0, _RESOLVED, note="resolved"),
    Cue(CARE_REPLY_LABEL, 1.0, _CARE_REPLY, negatable=False, note="care reply"),
    Cue(RECOMMEND_IF_ASKED_LABEL, 1.1, _RECOMMEND_IF_ASKED),
)
