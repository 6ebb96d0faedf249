"""Hand-made word tables for the simulator: content-farm synonyms and house-style swaps.

The synonym table imitates article spinners: a common word is replaced by a rarer, often
slightly wrong, synonym ("said" -> "mentioned", "big" -> "massive"). Inflected forms are
listed separately so no morphology is needed.
"""

SYNONYMS: dict[str, str] = {
    # reporting verbs
    "said": "mentioned", "says": "mentions", "say": "state", "told": "informed",
    "added": "further stated", "announced": "declared", "reported": "documented",
    "claimed": "asserted", "warned": "cautioned", "explained": "elucidated",
    "asked": "queried", "agreed": "concurred", "expected": "anticipated",
    "believe": "reckon", "believes": "reckons", "think": "suppose", "thinks": "supposes",
    # motion and action verbs
    "sent": "despatched", "send": "despatch", "buy": "purchase", "bought": "purchased",
    "sell": "vend", "sold": "vended", "get": "acquire", "got": "acquired", "make": "craft",
    "made": "crafted", "help": "assist", "helped": "assisted", "show": "display",
    "showed": "displayed", "shows": "displays", "start": "commence", "started": "commenced",
    "begin": "commence", "began": "commenced", "end": "conclude", "ended": "concluded",
    "use": "utilise", "used": "utilised", "using": "utilising", "need": "require",
    "needs": "requires", "needed": "required", "try": "endeavour", "tried": "endeavoured",
    "keep": "retain", "kept": "retained", "give": "bestow", "gave": "bestowed",
    "take": "seize", "took": "seized", "find": "uncover", "found": "uncovered",
    "rise": "ascend", "rose": "ascended", "fall": "descend", "fell": "descended",
    "cut": "slashed", "raise": "elevate", "raised": "elevated", "boost": "bolster",
    "hit": "struck", "win": "triumph", "won": "triumphed", "lost": "misplaced",
    "plan": "scheme", "plans": "schemes", "planned": "schemed", "hope": "aspire",
    "hopes": "aspires", "want": "desire", "wants": "desires", "look": "glance",
    "move": "transfer", "moved": "transferred", "stop": "halt", "stopped": "halted",
    "allow": "permit", "allowed": "permitted", "meet": "encounter", "met": "encountered",
    "pay": "remunerate", "paid": "remunerated", "build": "assemble", "built": "assembled",
    "run": "function", "fight": "combat", "change": "alter", "changed": "altered",
    # adjectives and adverbs
    "big": "massive", "large": "sizeable", "small": "petite", "new": "novel",
    "old": "aged", "good": "decent", "bad": "poor", "high": "elevated", "low": "diminished",
    "possible": "attainable", "important": "vital", "major": "main", "main": "principal",
    "strong": "sturdy", "weak": "feeble", "quick": "speedy", "fast": "speedy",
    "slow": "sluggish", "hard": "tough", "easy": "simple", "early": "premature",
    "late": "belated", "recent": "current", "final": "closing", "key": "essential",
    "clear": "evident", "difficult": "arduous", "huge": "gigantic", "top": "prime",
    "likely": "probable", "different": "distinct", "similar": "comparable",
    "also": "moreover", "very": "extremely", "about": "roughly", "almost": "practically",
    "however": "nevertheless", "now": "presently", "still": "nonetheless", "often": "regularly",
    "quickly": "swiftly", "recently": "lately", "currently": "presently", "already": "previously",
    # nouns
    "company": "agency", "firm": "agency", "companies": "agencies", "firms": "agencies",
    "people": "individuals", "government": "authorities", "country": "nation",
    "countries": "nations", "year": "yr", "month": "calendar month", "week": "7 days",
    "market": "marketplace", "markets": "marketplaces", "money": "funds", "price": "value",
    "prices": "values", "profit": "earnings", "profits": "earnings", "sales": "gross sales",
    "shares": "stocks", "deal": "settlement", "deals": "settlements", "job": "occupation",
    "jobs": "occupations", "chief": "main", "boss": "supervisor", "group": "team",
    "report": "document", "problem": "concern", "problems": "concerns", "team": "squad",
    "game": "match", "film": "motion picture", "music": "tunes", "story": "narrative",
    "part": "portion", "number": "quantity", "way": "method", "world": "globe",
    "city": "metropolis", "home": "residence", "time": "period", "times": "occasions",
    "decision": "verdict", "issue": "subject", "issues": "subjects", "rate": "charge",
    "growth": "expansion", "figures": "numbers", "cost": "expense", "costs": "expenses",
}
"""Common word -> rarer synonym, for the ``spin`` operation (lower case keys)."""

UK_TO_US: dict[str, str] = {
    "organisation": "organization", "organisations": "organizations", "colour": "color",
    "centre": "center", "centres": "centers", "labour": "labor", "defence": "defense",
    "programme": "program", "programmes": "programs", "favour": "favor",
    "favourite": "favorite", "realise": "realize", "realised": "realized",
    "recognise": "recognize", "recognised": "recognized", "analyse": "analyze",
    "travelling": "traveling", "cheque": "check", "licence": "license",
    "behaviour": "behavior", "criticised": "criticized", "privatisation": "privatization",
    "apologise": "apologize", "neighbour": "neighbor", "honour": "honor",
    "theatre": "theater", "offence": "offense", "jewellery": "jewelry", "tyre": "tire",
}
"""British -> American spellings, used in the ``edit`` operation's house-style pass."""

HOUSE_STYLE: dict[str, str] = {
    " per cent": "%", " percent": "%", " pct": "%", " mln": " million", " billion": "bn",
    " dlrs": " dollars", "Mr ": "Mr. ", "Mrs ": "Mrs. ", "U.S.": "US", "U.K.": "UK",
    "Co ": "Company ", " Inc ": " Incorporated ", "Dr ": "Dr. ",
}
"""Phrase swaps of an outlet's house style (applied as plain substring replacements)."""
