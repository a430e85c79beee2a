"""What the generated research says: study topics, observation texts, insight statements,
campaign names, and the builders that assemble them from their parts.

Each builder draws from the generator it is given, in a fixed order, so a seed still makes
the same texts.
"""

import random
from collections.abc import Sequence

from studies.demo import content
from studies.fieldwork.models import ObservationKind

STUDY_TOPICS = [
    (content.STUDY_TITLE, "how families store, track and use up food at home"),
    ("Leftovers after the evening meal", "what happens to food left over after dinner"),
    ("What lives in the freezer", "how households fill, search and empty their freezers"),
    ("Packed lunches and school mornings", "how lunches are packed, stored and eaten"),
    ("The weekly shop, from trolley to shelf", "where a week's shopping goes when it gets home"),
    ("Shared kitchens in flatshares", "how people who share a fridge share its food"),
    ("Cooking for one", "how people who live alone buy, cook and store food"),
    ("Batch cooking and meal prep", "how households cook once to eat several times"),
    ("Growing, preserving and gluts", "what households do with more food than they can eat"),
    ("Older households and the kitchen", "how retired households keep food as routines change"),
]

# (text, tags); the tags are the names of content.GROUP_TAGS and content.STUDY_TAGS.
Fragment = tuple[str, tuple[str, ...]]

# Who a note is about, from the role in a speaker ("mother, 40s" → "The mother").
NOTE_SUBJECTS = {
    "mother": "The mother", "father": "The father", "son": "The son",
    "daughter": "The daughter", "wife": "The wife", "husband": "The husband",
    "grandmother": "The grandmother", "flatmate": "One flatmate", "resident": "The resident",
    "partner": "One partner",
}  # fmt: skip
NOTE_HABITS: list[Fragment] = [
    ("keeps leftover curry in reused takeaway tubs on the middle shelf",
     ("Takeaway tubs", "Workaround")),
    ("freezes bread in slices so single pieces go straight into the toaster", ("Workaround",)),
    ("stacks batch-cooked chilli in foil trays at the bottom of the chest freezer",
     ("Batch cooking", "Freezer blind spot")),
    ("writes the date on every freezer bag with a marker kept in the cutlery drawer",
     ("Labels and dates",)),
    ("leaves opened jars of pesto and curry paste on the door shelf with no date on them",
     ("Food waste", "Labels and dates")),
    ("moves anything close to its date into a basket at eye level",
     ("Use-it-first", "Delight")),
    ("rolls over the top of open crisp packets and clips them with clothes pegs",
     ("Eating from the packet", "Workaround")),
    ("keeps a shelf of the fridge marked with masking tape for each flatmate",
     ("Shared fridge rules", "Labels and dates")),
    ("portions a family pack of mince into four bags the evening it is bought",
     ("Batch cooking",)),
    ("puts cooked rice into whatever bowl is clean and covers it with a plate",
     ("Workaround", "Pain point")),
    ("keeps salad bags in the bottom drawer, where they are usually forgotten",
     ("Food waste", "Pain point")),
    ("saves ice-cream tubs for soup, which then looks like ice cream in the freezer",
     ("Freezer blind spot", "Takeaway tubs")),
    ("keeps a list of the freezer's contents on the fridge door and crosses items off",
     ("Freezer blind spot", "Workaround")),
    ("eats cereal straight from the box, standing at the counter",
     ("Eating from the packet",)),
    ("cooks double on Sundays and writes the weekday on each lunch box",
     ("Batch cooking", "Labels and dates", "Delight")),
    ("buys yoghurt multipacks that end up at the back, behind the milk",
     ("Food waste", "Use-it-first")),
    ("keeps half-used tins in the fridge with foil pressed over the top",
     ("Workaround", "Pain point")),
    ("hides the good cheese in the salad drawer so nobody else finds it",
     ("Shared fridge rules", "Workaround")),
    ("decants rice and pasta into tall jars with flip lids",
     ("Delight", "Workaround")),
    ("freezes purée in ice-cube trays and pops the cubes into a dated bag",
     ("Batch cooking", "Labels and dates")),
    ("keeps a second fridge in the garage for drinks and overflow",
     ("Workaround", "Freezer blind spot")),
    ("photographs the fridge before leaving for the supermarket",
     ("Workaround", "Feature idea")),
]  # fmt: skip
NOTE_OUTCOMES: list[Fragment] = [
    ("nobody else in the house knows how the system works", ("Unmet need",)),
    ("the lids rarely match the bases", ("Takeaway tubs", "Pain point")),
    ("it works only as long as one person keeps it up", ("Pain point",)),
    ("about half of it is thrown away by the end of the week", ("Food waste",)),
    ("the children now look there first", ("Delight", "Use-it-first")),
    ("they asked whether a container could show how old its contents are",
     ("Feature idea",)),
    ("it has been that way for years", ()),
    ("the bottom layer has not been seen for months", ("Freezer blind spot",)),
    ("they said they would pay for something that did it for them",
     ("Feature idea", "Unmet need")),
    ("they laughed about it, but it costs them every week", ("Pain point",)),
    ("it is the one part of the kitchen everyone agrees on", ("Delight",)),
    ("nothing on that shelf carries a date", ("Labels and dates", "Unmet need")),
    ("two of the tubs held the same soup, frozen a month apart", ("Freezer blind spot",)),
    ("the rest of the household ignores it", ("Shared fridge rules", "Pain point")),
]  # fmt: skip
_GROUP_NAMES = {tag.name for tag in content.GROUP_TAGS}
# An outcome follows a habit when it is about the same topic, or about none in particular.
_OUTCOMES_FOR = {
    habit: [
        outcome
        for outcome in NOTE_OUTCOMES
        if not (topics := set(outcome[1]) - _GROUP_NAMES) or topics & set(habit_tags)
    ]
    for habit, habit_tags in NOTE_HABITS
}
QUOTE_CORES: list[Fragment] = [
    ("I never know what's in the freezer until I've defrosted it.",
     ("Freezer blind spot", "Quote-worthy")),
    ("If I can't see it, it doesn't get eaten.", ("Use-it-first", "Quote-worthy")),
    ("We've got thirty tubs and four lids.", ("Takeaway tubs", "Pain point", "Quote-worthy")),
    ("The back of the fridge is where food goes to die.", ("Food waste", "Quote-worthy")),
    ("Sunday cooking saves my whole week.", ("Batch cooking", "Delight", "Quote-worthy")),
    ("I'd love a fridge that told me what's about to go off.",
     ("Feature idea", "Unmet need", "Quote-worthy")),
    ("Everyone says they'll eat the leftovers, and then nobody does.",
     ("Food waste", "Pain point")),
    ("I write the date on everything now. The kids think I've gone mad.",
     ("Labels and dates", "Delight", "Quote-worthy")),
    ("Whoever finishes the milk never buys the milk.",
     ("Shared fridge rules", "Quote-worthy")),
    ("It's quicker to eat it from the bag than to find a clean bowl.",
     ("Eating from the packet", "Quote-worthy")),
    ("Buying big only saves money if you remember you bought it.",
     ("Food waste", "Quote-worthy")),
    ("I need one hand for the lid; the other one is holding the baby.",
     ("Feature idea", "Quote-worthy")),
    ("Friday is fridge forage night: whatever's left, we eat.",
     ("Use-it-first", "Delight", "Quote-worthy")),
    ("My mum knows where everything is. When she's away, we're lost.",
     ("Unmet need", "Quote-worthy")),
    ("The freezer is a time capsule.", ("Freezer blind spot", "Quote-worthy")),
    ("I'd buy more fresh food if it came in portions for one.",
     ("Unmet need", "Quote-worthy")),
    ("Clear tubs get eaten. Foil ones get forgotten.",
     ("Takeaway tubs", "Use-it-first", "Quote-worthy")),
    ("The apps want me to type in every tin of tomatoes. I'm not doing that.",
     ("Pain point", "Feature idea")),
    ("There's a cold war over the oat milk.", ("Shared fridge rules", "Quote-worthy")),
    ("Half a bag of spinach goes in the bin every single week.", ("Food waste", "Pain point")),
    ("The jars with dates on get used. The others just sit there.",
     ("Labels and dates", "Use-it-first")),
    ("Cooking once and eating three times is the only way I manage.",
     ("Batch cooking", "Delight")),
    ("If the lid clicked shut with one hand I'd buy a whole set.",
     ("Feature idea", "Takeaway tubs", "Quote-worthy")),
    ("Nobody closes the cereal, so it all goes soft.", ("Eating from the packet", "Pain point")),
]  # fmt: skip
QUOTE_OPENERS = ["", "", "", "Honestly? ", "To be fair, ", "Look, ", "Every week it's the same. "]
QUOTE_CLOSERS = [
    "",
    "",
    "",
    " It drives me mad.",
    " We laugh about it now.",
    " Don't write that down.",
]
ANSWERS: list[Fragment] = [
    ("Nobody knows for sure; they open the drawer and guess from the shape of the bags.",
     ("Freezer blind spot",)),
    ("Last night's pasta went into two tubs, one labelled with masking tape, one not at all.",
     ("Labels and dates", "Takeaway tubs")),
    ("Whoever cooks decides; leftovers go to whoever gets home first.",
     ("Shared fridge rules",)),
    ("A bag of spinach and half a cucumber went in the bin on Monday, as most weeks.",
     ("Food waste", "Pain point")),
    ("The glass boxes with clip lids: they go from fridge to microwave to dishwasher.",
     ("Delight",)),
    ("A drawer that shows which bag is oldest, without reading labels at night.",
     ("Feature idea", "Unmet need")),
    ("A note on the phone lists what is in the freezer, but it is months out of date.",
     ("Freezer blind spot", "Workaround")),
    ("The whiteboard on the fridge plans four dinners; Friday uses up the rest.",
     ("Use-it-first", "Delight")),
    ("They now cook once on Sunday and freeze portions flat in zip bags.",
     ("Batch cooking", "Workaround")),
    ("Open packets live in a basket on top of the fridge, each held with a peg.",
     ("Eating from the packet", "Workaround")),
    ("Yoghurts past their date at the back; the children ate the ones at the front.",
     ("Food waste", "Use-it-first")),
    ("Takeaway tubs, because losing one does not matter.", ("Takeaway tubs", "Workaround")),
    ("A second freezer would help, or a way to see into the one they have.",
     ("Unmet need", "Feature idea")),
    ("Each person has a shelf; the door is shared and always full of sauces.",
     ("Shared fridge rules", "Pain point")),
]  # fmt: skip
KINDS = [ObservationKind.NOTE] * 40 + [ObservationKind.QUOTE] * 34 + [ObservationKind.ANSWER] * 26

INSIGHT_WHO = [
    "Families with young children", "Retired couples", "Flatsharers", "People who live alone",
    "Multigenerational households", "Households that batch cook", "Parents of teenagers",
    "Most households we visited", "Rural households", "Households in small urban flats",
]  # fmt: skip
# What an insight says, by the study tag it is about.
INSIGHT_FINDINGS = {
    "Freezer blind spot": [
        "lose track of what is in the freezer within weeks of filling it",
        "recognise frozen food by the shape of the bag, not by a label",
        "defrost the wrong thing at least once a week",
    ],
    "Takeaway tubs": [
        "reuse takeaway tubs for leftovers because they stack and cost nothing",
        "own far more tub bases than matching lids",
    ],
    "Labels and dates": [
        "date food only when one person in the house insists on it",
        "invent their own labels with masking tape and marker pens",
    ],
    "Food waste": [
        "throw away fresh food bought for a single recipe",
        "find food past its date hidden at the back of the fridge",
    ],
    "Eating from the packet": [
        "leave packets open rather than decant them",
        "eat snacks from the bag when no clean bowl is to hand",
    ],
    "Batch cooking": [
        "cook in bulk once a week and rely on the freezer to spread it out",
        "portion family packs on the day they are bought",
    ],
    "Use-it-first": [
        "make the oldest food the most visible so it gets eaten",
        "keep an 'eat me first' shelf or box that everyone checks",
    ],
    "Shared fridge rules": [
        "argue over shelves and shared staples like milk",
        "want to know who finished something without asking",
    ],
}
INSIGHT_QUALIFIERS = [
    "", "", ", round after round", ", even after buying matching containers",
    ", especially after a big shop", " and say so unprompted",
    " when one person does all the planning",
]  # fmt: skip
INSIGHT_NEXT = [
    "Worth testing a lid that closes with one hand.",
    "Marketing could use their own words for the storage range.",
    "Check in the next round whether the new labels changed anything.",
    "A freezer inventory that needs no typing keeps coming up.",
    "Compare with the households that stopped doing this.",
    "",
]
CAMPAIGNS = [
    "Spring storage range launch", "Freezer drawer e-mail", "Lunchbox social series",
    "In-store leaflet: less waste", "Website: real kitchens", "Autumn catalogue",
]  # fmt: skip


def observation_text(
    rng: random.Random,
    *,
    speakers: Sequence[str],
    guide_length: int,
    revisit: bool,
    demo_items: list[content.DemoObservation],
) -> tuple[str, str, str, tuple[str, ...], int | None, str | None]:
    """(kind, text, speaker, tag names, guide position, drawing) of one observation by one of
    `speakers`, at a visit whose guide has `guide_length` questions; a `revisit` (any round
    but the first) may say what changed since the last one."""
    speaker = rng.choice(speakers)
    if rng.random() < 0.1:
        # The demo's hand-written observations, said by someone of this household.
        item = rng.choice(demo_items)
        return (
            item.kind,
            item.text,
            speaker if item.speaker else "",
            item.tags,
            item.guide_position,
            item.photo,
        )
    kind = rng.choice(KINDS)
    if kind == ObservationKind.QUOTE:
        core, tags = rng.choice(QUOTE_CORES)
        opener = rng.choice(QUOTE_OPENERS)
        if opener.endswith(", ") and not core.startswith(("I ", "I'")):
            core = core[0].lower() + core[1:]
        return kind, f"{opener}{core}{rng.choice(QUOTE_CLOSERS)}", speaker, tags, None, None
    if kind == ObservationKind.ANSWER:
        text, tags = rng.choice(ANSWERS)
        position = rng.randrange(guide_length)
        return kind, text, speaker if rng.random() < 0.6 else "", tags, position, None
    habit, habit_tags = rng.choice(NOTE_HABITS)
    outcome, outcome_tags = rng.choice(_OUTCOMES_FOR[habit])
    subject = NOTE_SUBJECTS[speaker.split(",")[0]]
    text = f"{subject} {habit}; {outcome}."
    if revisit and rng.random() < 0.15:
        text = f"Since our last visit, {subject[0].lower()}{subject[1:]} {habit}; {outcome}."
    return kind, text, "", tuple(dict.fromkeys(habit_tags + outcome_tags)), None, None


def insight_statement(rng: random.Random, theme: str) -> str:
    """Who, what they do about `theme` (a study tag), and sometimes when."""
    return (
        f"{rng.choice(INSIGHT_WHO)} {rng.choice(INSIGHT_FINDINGS[theme])}"
        f"{rng.choice(INSIGHT_QUALIFIERS)}."
    )


def insight_description(rng: random.Random, *, households: int, rounds: int) -> str:
    """How widely the insight was seen, and sometimes what to do next."""
    # Written as a researcher would, in the data's language (English), not the UI's.
    return (
        f"Seen in {_english_count(households, 'household')} over "
        f"{_english_count(rounds, 'round')}. {rng.choice(INSIGHT_NEXT)}"
    ).strip()


def _english_count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
