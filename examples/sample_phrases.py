"""The phrasing the demo sample is composed from: fictional brands, places, people and templates.

Kept apart from ``make_sample.py`` so the generator reads as logic and this file as data.
All names here are invented; every domain ends in ``.example``. Templates use ``{slot}``
fields filled by the generator: ``{at}`` an addressed handle, ``{brand}`` a way of naming
the brand, ``{comp}`` the competitor, ``{issue}``/``{issue_noun}`` a fault, ``{dur}`` how
long, ``{place}`` a fictional town, ``{plan}`` a plan name, ``{n}``/``{mins}``/``{days}``
numbers, ``{code}`` an error code, ``{url}`` a spam link, ``{link}`` a news link,
``{thing}`` the broken thing.
"""

from __future__ import annotations

FIRST_NAMES = tuple(
    [
        "Maya",
        "Theo",
        "Priya",
        "Jonah",
        "Ines",
        "Callum",
        "Aisha",
        "Bram",
        "Lena",
        "Osric",
        "Nadia",
        "Ruben",
        "Tess",
        "Idris",
        "Freya",
        "Mateo",
        "Keira",
        "Soren",
        "Yara",
        "Emeka",
        "Hollis",
        "Wren",
        "Dario",
        "Leila",
        "Marek",
        "Odile",
        "Tobin",
        "Zara",
        "Anouk",
        "Ciaran",
        "Elif",
        "Fenna",
        "Gideon",
        "Hana",
        "Ivo",
        "Juno",
        "Kasimir",
        "Lior",
        "Mirela",
        "Niamh",
        "Otto",
        "Pilar",
        "Quinn",
        "Rosalind",
        "Sefa",
        "Talia",
        "Umar",
        "Vesna",
        "Wyatt",
        "Xenia",
    ]
)

LAST_NAMES = tuple(
    [
        "Okafor",
        "Lindqvist",
        "Ramsay",
        "Achterberg",
        "Moreau",
        "Castellane",
        "Brightwell",
        "Duarte",
        "Halloran",
        "Ivanes",
        "Kowalczyk",
        "Marchetti",
        "Nakashima",
        "Oyelaran",
        "Pemberton",
        "Quist",
        "Rasmussen",
        "Sorley",
        "Tavener",
        "Underhill",
        "Vasquez",
        "Whitcombe",
        "Yardley",
        "Zelenko",
        "Abernethy",
        "Bellamy",
        "Crane",
        "Delacroix",
        "Fairweather",
        "Grisham",
        "Holt",
        "Ingram",
        "Jessop",
        "Kettering",
    ]
)

HANDLE_WORDS = tuple(
    [
        "quiet",
        "kettle",
        "paper",
        "moth",
        "lunar",
        "toast",
        "velvet",
        "otter",
        "salt",
        "marsh",
        "tiny",
        "robot",
        "amber",
        "fox",
        "rainy",
        "attic",
        "static",
        "bloom",
        "copper",
        "fern",
        "night",
        "owl",
        "late",
        "train",
    ]
)

PLACES = (
    "Eastfield",
    "Marlow Bay",
    "Kessing",
    "Old Harbour",
    "Brightwater",
    "Fennick",
    "Lowmoor",
    "Ashgrove",
    "Tollbridge",
    "Cinder Hill",
    "North Quay",
    "Wexley",
)

COUNTRIES = ("Spain", "France", "Portugal", "Germany", "the US", "Italy", "Greece")

MOBILE_PLANS = ("Unlimited", "Flex 20", "Flex 50", "Basic", "Family Share", "Travel Plus", "SIM Only 10")
HOME_PLANS = ("Home 500", "Fibre 1G", "Home Starter", "Fibre 2G", "Home 150")

#: Faults, as "{issue} {dur}" reads: "no signal since this morning".
MOBILE_ISSUES = (
    "no signal",
    "no service at all",
    "calls dropping every 5 minutes",
    "mobile data not working",
    "5G dropping to 3G constantly",
    "texts not sending",
    "voicemail broken",
    "zero bars",
    "the esim still not activated",
    "roaming not working",
    "data crawling at 0.2mbps",
)
HOME_ISSUES = (
    "internet down",
    "wifi dropping every half hour",
    "3mbps on a 500 plan",
    "the router blinking red",
    "no broadband",
    "the line completely dead",
    "ping spikes of 900ms",
    "the fibre connection down",
    "constant disconnects",
)
MOBILE_THINGS = ("phone", "sim", "esim", "mobile data", "number port", "bill", "contract")
HOME_THINGS = ("router", "broadband", "fibre line", "wifi", "bill", "installation")
MOBILE_NOUNS = ("signal", "mobile data", "5G", "coverage", "calls")
HOME_NOUNS = ("the internet", "wifi", "broadband", "the fibre line")

DURATIONS = (
    "since this morning",
    "for 3 days",
    "since Tuesday",
    "all week",
    "for 2 hours now",
    "since the update",
    "AGAIN",
    "since last night",
    "for the 4th time this month",
    "all weekend",
)

#: Ways people write each brand's name (weighted by repetition).
MOBILE_NAMES = ("Nimbus Mobile",) * 6 + ("nimbus mobile",) * 3 + ("NimbusMobile", "#NimbusMobile", "Nimbus")
HOME_NAMES = (
    ("Nimbus Home",) * 5
    + ("nimbus home",) * 2
    + (
        "Nimbus broadband",
        "Nimbus fibre",
        "#NimbusHome",
        "nimbus home broadband",
    )
)
COMPETITOR_NAMES = ("Corvid",) * 4 + ("Corvid Telecom",) * 3 + ("corvid", "CorvidTel", "Corvid Mobile")

SPAM_URLS = (
    "http://nimbus-rewards.example/claim",
    "https://bit-prize.example/x7Qa",
    "https://free-5g-gift.example/win",
    "http://coin-moon.example/join",
    "https://lnk.example/r/88121",
)

COMPLAINT = (
    "{issue} {dur}. {brand} what is going on",
    "been on hold with {brand} for {mins} minutes and still nobody",
    "{brand} {issue} {dur} and nobody can tell me why",
    "third time this month: {issue}. paying full price for this?",
    "my {thing} has had {issue} {dur}, {brand} please fix it",
    "still waiting on a refund from {brand}, {days} days now",
    "{brand} charged me twice this month and the chat bot just loops",
    "absolutely fed up with {brand}. {issue} {dur}",
    "{brand} is the worst, {issue} {dur} and no response to my emails",
    "Day {n} of {issue} in {place}. {brand} status page says everything is fine",
    "cancelled my contract 2 months ago and {brand} is still billing me",
    "how is it 2026 and {brand} still can't keep {issue_noun} working in {place}",
    "engineer was meant to come between 8 and 1. it is now 4pm. {brand}",
    "tried to move my {thing} to {brand} {days} days ago, still stuck",
    "{brand} app logged me out and now says my account doesn't exist??",
    "paid for fast and I'm getting {issue}. {brand} support just says restart it. I HAVE.",
    "{brand} promised a callback {days} days ago. still nothing",
    "another bill increase from {brand} with zero notice. not ok",
    "{issue} {dur} in {place}. working from home is impossible. {brand}",
    "my {thing} is useless, {issue} {dur}. {brand} sort it out",
    "Why does {brand} keep cutting my {issue_noun} at night? {dur}",
    "4 chats, 2 calls, 1 email and my {thing} still isn't fixed. {brand}",
    "got charged a late fee by {brand} when I paid on time. want it refunded",
    "{brand} has had {issue} {dur} and the only answer is 'known issue'",
)

SARCASM = (
    "great, another outage, thanks {at}",
    "love paying for 5G and getting zero bars. well done {at}",
    "wow {at} really outdid themselves, {issue} {dur}. truly world class",
    "nothing says premium like {issue} {dur}. cheers {at}",
    "oh good, {at} is down again. right before my deadline. perfect",
    "10/10 would wait on hold for {mins} minutes again {at}",
    "so glad I pay {at} every month for the privilege of {issue}",
    "amazing how {at} manages {issue} {dur} without fail. consistency is key I guess",
    "thanks {at} for teaching me patience. {issue} {dur}",
    "best network ever {at}, {issue} in the middle of {place} lol",
)

COMPETITOR_COMPLAINT = (
    "{comp} {issue} {dur}. done with this",
    "{at} {days} days without signal. pathetic",
    "{at} still waiting on that refund you promised",
    "{comp} just doubled my bill for no reason",
    "why is {comp} so bad in {place}? {issue} {dur}",
    "{at} your engineer never turned up. again.",
    "hold music from {comp} is now the soundtrack of my life. {mins} minutes",
    "{comp} support closed my ticket without fixing anything",
)

QUESTION_ADDRESSED = (
    "{at} does the {plan} plan include roaming in {country}?",
    "{at} when does the {plan} price change kick in? got an email but it's vague",
    "{at} can I keep my number if I move from prepay to a contract?",
    "{at} what's the difference between {plan} and {plan2}?",
    "{at} do you post sims to {place} or do I need to go into a store?",
    "{at} is wifi calling supported yet?",
    "{at} is there an outage in {place} right now?",
    "{at} any plans to bring 5G to {place}?",
    "{at} is fibre available in {place} yet?",
    "{at} how long does installation usually take?",
    "{at} can I pause my plan while I'm abroad for 2 months?",
    "{at} do you do student discounts?",
    "{at} is the {plan} plan available for existing customers?",
    "{at} quick one, are there any exit fees if I cancel in the first month?",
)

QUESTION_UNADDRESSED = (
    "does anyone know if {brand} works in {country}?",
    "anyone else on {brand} get a weird text about a plan change today?",
    "is it just me or is {brand} down in {place} today?",
    "anyone else on {brand} with {issue} today?",
    "Does {brand} let you use your own router?",
    "how is {brand} coverage around {place} these days?",
    "do {brand} sims work in dual sim phones?",
    "Ask: anyone self-hosting on {brand}? Do they do CGNAT or a real IPv4?",
    "what speeds do people actually get on {brand} {plan}?",
    "has anyone managed to get a {brand} contract without a credit check?",
)
#: Question templates whose words also report a fault ("is it just me or is X down").
QUESTION_WITH_FAULT = (
    "is it just me or is {brand} down in {place} today?",
    "anyone else on {brand} with {issue} today?",
)

HELP_HOWTO = (
    "{at} how do I turn on wifi calling? can't find it in settings",
    "{at} need help moving my broadband to a new address next month, who do I talk to?",
    "{at} I need a PUK code, sim locked after my kid played with the phone",
    "{at} lost my phone last night, how do I block the sim?",
    "{at} please help, how do I add my daughter to the family plan?",
    "{at} how do I change the wifi password on the new router?",
    "{at} how do I get a PAC code to switch my number?",
    "{at} help! how do I set a spending cap on my son's line?",
    "{at} how do I download my old bills as pdf?",
    "{at} can you help me set up voicemail on an esim please",
)

HELP_BROKEN = (
    "{at} can't log in to the app, keeps saying error {code}",
    "{at} my esim won't activate, tried 3 times. help?",
    "{at} help, {issue} {dur} and I work from home",
    "{at} router lights all red, already restarted twice. what now?",
    "{at} texts to numbers abroad just fail. any fix?",
    "{at} my new sim says 'not registered on network'. what do I do?",
    "{at} the payment page gives error {code} every time, can't pay my bill",
    "{at} please help, {issue} {dur}. nothing I try works",
    "{at} my number port has been stuck for {days} days, can someone look?",
    "{at} my {thing} stopped working after the update. how do I fix it?",
)

PRAISE_ADDRESSED = (
    "shout out to {at}, fixed my {thing} in 10 minutes. proper service",
    "thank you {at}! Lena on chat sorted my bill in 5 minutes",
    "great job {at}, the engineer came early and was lovely",
    "{at} just want to say the new app is so much better, well done",
    "big thanks {at} for sorting the roaming thing while I was stuck in {country}",
    "credit where it's due {at}: called, got a human in 2 minutes, problem solved",
    "{at} you lot are brilliant, thanks for the quick fix",
)

PRAISE_UNADDRESSED = (
    "honestly {brand} has been rock solid since I switched. zero drops",
    "{brand} 5G in {place} is actually fast now, 400 down",
    "never thought I'd say this about a phone company but {brand} support was great today",
    "love that {brand} finally lets you manage everything in the app",
    "switched to {brand} from {comp} and my bill halved. no regrets",
    "{brand} fibre in {place} is seriously good. gaming at 8ms ping",
    "2 years with {brand}, not a single outage. recommend",
)

FEEDBACK = (
    "{at} would be nice if the app showed daily data usage, not just monthly",
    "{at} please add dark mode to the app, my eyes",
    "{at} feature request: let us pick the engineer time slot online",
    "{at} suggestion: text me before the bill goes out, not after",
    "{at} the new app update buried the roaming toggle. put it back on the home screen please",
    "{at} it would be great if the router had a guest network option in the app",
    "{at} small thing but the bill pdf should show each line separately",
    "{at} please let us turn off the marketing texts, I've asked twice",
)

REC_REQUEST = (
    "any recommendations for a cheap sim only plan? mostly need data",
    "which broadband provider should I go with in {place}? need something reliable for work calls",
    "looking for a good phone carrier with decent coverage in {place}, suggestions?",
    "moving to {place} next month, who do people use for home internet?",
    "need a new mobile plan for my mum, she only calls and texts. what's good?",
    "what's the best internet provider for gaming around {place}? latency matters more than speed",
    "Best 5G carrier in {place}? my contract is up",
    "broadband recommendations for a small flat? just streaming and zoom",
    "which mobile network has the best signal on the {place} train line?",
    "can anyone recommend a decent isp that doesn't do price rises mid contract?",
)

REC_COMPETITOR = (
    "thinking of leaving {comp}, any alternatives?",
    "{comp} contract ends next month. who should I switch to?",
    "done with {comp} after the third outage this month. recommendations for a new carrier?",
    "is {brand} better than {comp} for coverage in {place}?",
    "should I switch from {comp} to {brand}? mostly need good signal at home",
    "{comp} broadband keeps dropping. who else is good in {place}?",
    "anyone moved from {comp} to {brand}? worth it?",
    "{comp} just raised prices again. what are the alternatives these days?",
)

PURCHASE = (
    "about to sign up for {brand}, anyone got it in {place}?",
    "thinking of getting the {plan} plan from {brand}. worth it?",
    "ordering {brand} tonight, wish me luck",
    "want to get a second sim for my work phone, {brand} has a deal on",
    "{at} I want to upgrade to the {plan} plan, can I do it online?",
    "gonna switch the whole family to {brand} when our contract ends",
    "ready to buy the {plan} plan from {brand} if they still have the discount",
)

SOCIAL_MENTION = (
    "watching the match at Nimbus Arena with my kids",
    "the {brand} advert with the dancing grandad lives in my head rent free",
    "walked past the new {brand} shop in {place}, it's all neon now",
    "queue at the {brand} store was full of teens getting their first phones, cute",
    "watching the {brand} sponsored fireworks in {place} tonight",
    "lol my brother works at {brand} and still can't fix our wifi",
    "the {brand} billboard on the ring road has a typo and I can't unsee it",
    "saw the {brand} van parked outside my house and got excited for no reason",
    "Nimbus Arena concert was unreal last night!!",
    "my {brand} hoodie from the fun run is the comfiest thing I own",
)

PERSONAL = (
    "Grandma's 90th birthday today! she video called the whole family from her new {brand} phone",
    "we got married!!! and the {brand} signal in the church held up for the live stream lol",
    "Dad passed away on Sunday. I keep calling his {brand} number just to hear his voicemail",
    "first day at the new job! even got a work phone on {brand}",
    "baby's first video call with her nan, the {brand} 5G at the hospital held up",
    "RIP to my old phone, 6 years on {brand} and it finally gave up",
    "happy birthday to my best friend, who still texts me like it's 2009 on her {brand} flip phone",
    "our dog's 12th birthday party, streamed live to my sister over {brand} fibre",
    "graduation day!! mum cried on the video call, thank god for {brand} wifi",
    "missing my grandad today. he worked 30 years laying {brand} cables in {place}",
)

SPAM = (
    "{brand} GIVEAWAY! Free 12 months unlimited 5G, just follow + RT + DM me your number {url}",
    "I made $4,800 this week with crypto signals, DM me for the method #NimbusMobile #Corvid",
    "{at} click here to claim your loyalty reward before midnight: {url}",
    "follow for follow #5G #broadband #NimbusHome",
    "Want cheap followers? DM me {at}",
    "Congratulations! You have been selected for a free {brand} router. Verify at {url}",
    "earn $$$ from home, no experience needed, link in bio #NimbusMobile",
    "{at} {at} {at} free bitcoin airdrop today only {url}",
)

NEWS = (
    "Nimbus Communications announces 5G rollout to {n} more towns including {place} {link}",
    "Corvid Telecom fined over billing errors, regulator says {link}",
    "Breaking: widespread {brand} outage reported across {place} {link}",
    "Review: {brand} Fibre 1G is fast but the router is a let-down {link}",
    "{brand} to raise prices for existing customers from January {link}",
    "Report: {comp} and {brand} top complaints table for the second quarter {link}",
    "{brand} opens flagship store in {place}, first 100 customers get free earbuds {link}",
    "Nimbus Communications reports record subscriber growth in Q3 {link}",
)

INFLUENCER = (
    "I tested the 3 biggest networks in {place} for a week. {brand} won on speed, {comp} on price. "
    "full video {link}",
    "new video: is {brand} fibre worth it in 2026? honest review {link}",
    "my top 5 sim only deals this month (not sponsored) {link}",
)

OFFTOPIC = (
    "big nimbus clouds rolling in over {place}, rain by 4 I reckon",
    "cumulonimbus over the bay this evening, what a sky",
    "corvids are so clever. a crow just opened my bin lid again",
    "the corvid family at the park recognises me now and follows me for peanuts",
    "lol my nan still calls it corvid-19",
    "nimbostratus all day, {place} is so grey",
    "a 5G mast is going up on our street and the kids think it's a spaceship",
    "reading about corvids and tool use, magpies are wild",
)

COPYPASTA = (
    "Dear {at}, I have been a loyal customer for {n} years and my {issue_noun} has been broken for weeks. "
    "Fix it or lose us. #NimbusFail"
)

BRAND_REPLY = (
    "Hi {first}, sorry to hear this. Can you DM us your account number and postcode so we can take a look?",
    "Hey {first}, that's not the experience we want for you. We've sent you a DM to get this sorted",
    "Hi {first}, thanks for flagging. There's a known issue in {place}, engineers are on it. "
    "We'll update you here",
    "Sorry {first}! Could you try restarting the device and let us know if it persists? We're here",
    "Hi {first}, really sorry about the wait. Please DM us and we'll chase this for you today",
    "Thanks {first}, glad we could help!",
)

FOLLOWUP_OK = (
    "{at} sent you a DM",
    "{at} done, DM sent",
    "{at} all sorted now, thanks for the help",
    "{at} restarted it, working again. thanks",
)
FOLLOWUP_BAD = (
    "{at} 2 days and still no reply to my DM",
    "{at} I've restarted it 5 times. it's not my phone",
    "{at} you said that yesterday. still down",
)

FRIEND_REPLY = (
    "congrats!!",
    "so sorry for your loss, thinking of you",
    "this is the cutest thing",
    "happy birthday to her!!",
    "aww love this",
    "ha! same here",
)

REDDIT_COMMENT = (
    "I'm on {brand} in {place}, solid so far",
    "avoid {comp}, trust me",
    "we switched to {brand} last year, no regrets",
    "depends on your street honestly, check the coverage map",
    "{comp} was fine for me until they raised prices",
)

#: Non-English templates: (language, kind, template).
FOREIGN = (
    (
        "es",
        "complaint_addressed",
        "{at} llevo {n} días sin internet en casa y nadie me responde. Qué vergüenza",
    ),
    ("es", "complaint_unaddressed", "{brand} otra vez sin cobertura en {place}, increíble"),
    ("es", "question_addressed", "{at} ¿el plan {plan} incluye roaming en Francia?"),
    ("es", "praise_addressed", "Gracias {at}, me solucionaron el problema en 10 minutos"),
    (
        "es",
        "rec_competitor",
        "¿Alguien me recomienda una compañía de fibra buena en {place}? Me quiero ir de {comp}",
    ),
    ("es", "personal", "Cumpleaños de mi abuela, toda la familia en videollamada desde su móvil de {brand}"),
    ("es", "help_broken", "{at} no puedo entrar en la app, me sale error {code}. ¿Me ayudan?"),
    ("fr", "complaint_addressed", "{at} toujours pas de réseau depuis {n} jours, c'est inadmissible"),
    ("fr", "rec_competitor", "Quelqu'un a déjà testé {brand} ? Je pense quitter {comp}"),
    ("fr", "question_addressed", "{at} est-ce que le forfait {plan} marche à l'étranger ?"),
    ("fr", "praise_addressed", "Merci {at} pour la réactivité, problème réglé"),
    ("fr", "sarcasm", "{at} en panne encore une fois... génial, vraiment bravo"),
    ("fr", "personal", "Mariage de ma sœur ce week-end et le réseau {brand} a tenu pour le live !"),
    ("fr", "help_broken", "{at} impossible de me connecter à l'appli, erreur {code}. Une idée ?"),
    ("de", "complaint_addressed", "{at} seit {n} Tagen kein Internet. Niemand meldet sich. Unfassbar."),
    (
        "de",
        "rec_competitor",
        "Kann jemand einen guten Mobilfunkanbieter in {place} empfehlen? Will weg von {comp}",
    ),
    ("de", "question_addressed", "{at} Gilt der {plan} Tarif auch im Ausland?"),
    ("de", "praise_addressed", "Danke {at}, der Techniker war pünktlich und super freundlich"),
    ("de", "complaint_unaddressed", "Wieder mal Störung bei {brand}. Toll."),
    ("de", "help_broken", "{at} ich komme nicht in die App, Fehler {code}. Hilfe?"),
    ("pt", "complaint_addressed", "{at} estou sem sinal há {n} dias, ninguém resolve"),
    ("pt", "rec_competitor", "Alguém recomenda uma operadora boa em {place}? Quero sair da {comp}"),
    ("pt", "question_addressed", "{at} o plano {plan} tem roaming na Espanha?"),
    ("pt", "praise_addressed", "Obrigado {at}, resolveram tudo rapidinho"),
    ("pt", "personal", "Aniversário da minha avó hoje, ela ligou pra todo mundo do celular {brand} kkkk"),
    ("pt", "help_broken", "{at} não consigo entrar no app, dá erro {code}. Ajuda?"),
)

OPENERS = ("", "", "", "", "ok so ", "ugh ", "honestly ", "right, ", "hey ", "so ", "PSA: ", "hmm ")
NEG_EMOJI = ("😡", "🙄", "😤", "🤬", "😩", "🙃", "💀", "😒")
POS_EMOJI = ("🙏", "❤️", "🔥", "👏", "😍", "🥳", "✨", "😊")
SOCIAL_EMOJI = ("😂", "❤️", "🎉", "🥲", "⚽", "🎂", "💍", "😭")
HASHTAGS_MOBILE = ("#NimbusMobile", "#5G", "#fail", "#customerservice", "#mobile")
HASHTAGS_HOME = ("#NimbusHome", "#broadband", "#wfh", "#outage", "#fibre")
