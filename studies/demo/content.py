"""The hand-written texts of the demo workspace: who, where, and what the researchers saw.

Every person, address, phone number and e-mail here is invented. Phone numbers come
from the UK's range reserved for drama (+44 20 7946 0xxx), e-mails use example domains.
"""

import datetime as dt
from dataclasses import dataclass

from studies.common.roles import Role
from studies.fieldwork.models import ObservationKind, TagGroup
from studies.synthesis.services.tags import DEFAULT_TAGS

PASSWORD = "demo-pass-2026"  # noqa: S105 - printed on purpose: it opens a demo, nothing else
TIME_ZONE = "Europe/London"
CONSENT_VERSION = "2.1"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str | None  # the role in the demo study; None for the administrator
    is_superuser: bool = False

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}@example.org".lower()


USERS = [
    DemoUser("admin", "Sam", "Okafor", None, is_superuser=True),
    DemoUser("lead", "Laura", "Bennett", Role.RESEARCH_LEAD),
    DemoUser("rita", "Rita", "Fernandes", Role.RESEARCHER),
    DemoUser("ravi", "Ravi", "Menon", Role.RESEARCHER),
    DemoUser("paula", "Paula", "Nowak", Role.PRODUCT),
    DemoUser("mark", "Mark", "Ellison", Role.MARKETING),
    DemoUser("sofia", "Sofia", "Lindqvist", Role.SALES),
]

# Ravi works three days a week; the planner books him only inside these hours.
RAVI_AVAILABILITY = [
    (1, dt.time(10, 0), dt.time(16, 30)),
    (2, dt.time(10, 0), dt.time(16, 30)),
    (3, dt.time(10, 0), dt.time(16, 30)),
]

STUDY_TITLE = "How families store food at home"
STUDY_WHY = (
    "Households throw away food they fully meant to eat, and our storage range is designed "
    "for the tidy fridge in a catalogue, not the one in a real kitchen. Before we design the "
    "next range of containers and the app that goes with it, we want to see how families "
    "actually store, track and use up food at home, and keep seeing it every quarter as our "
    "changes reach their kitchens."
)
RESEARCH_QUESTIONS = [
    "When food comes home or a meal ends, how does the household decide where it goes?",
    "How do people keep track of what they have in the fridge, freezer and cupboards, "
    "and where does that break down?",
    "Which containers, labels and habits do households rely on, and which workarounds "
    "have they invented?",
    "When and why does food get thrown away, and who in the household notices first?",
]

# One guide per past round, oldest first. It changes a little each quarter, as real
# guides do: questions that worked stay, new ones follow what the last round showed.
GUIDES = [
    [
        "Walk us through what happened to last night's leftovers.",
        "Show us where the food you buy every week lives.",
        "How do you know what is in the freezer right now?",
        "Tell us about the last time you threw food away.",
        "Who decides what gets eaten first, and how?",
    ],
    [
        "Walk us through what happened to last night's leftovers.",
        "How do you know what is in the freezer right now?",
        "Which containers do you reach for, and why those ones?",
        "Tell us about the last time you threw food away.",
        "Who decides what gets eaten first, and how?",
        "If you could change one thing about your fridge, what would it be?",
    ],
    [
        "Walk us through the leftovers from the last meal you cooked.",
        "How do you keep track of what is in the freezer now?",
        "Which containers do you reach for, and why those ones?",
        "When did food last go off before anyone noticed?",
        "How does the household share the job of using things up?",
        "Since our last visit, what have you changed about how you store food?",
    ],
]


# A question of a later guide that is an earlier one asked in new words: answers to both are
# one question's across rounds (GuideQuestion.key), each kept with the words it was given to.
REWORDED = {
    "Walk us through the leftovers from the last meal you cooked.": (
        "Walk us through what happened to last night's leftovers."
    ),
    "How do you keep track of what is in the freezer now?": (
        "How do you know what is in the freezer right now?"
    ),
}


@dataclass(frozen=True)
class DemoHousehold:
    code: str
    segment: dict[str, str]
    name: str
    address: str
    phone: str
    email: str
    photos: bool = True
    marketing: bool = False
    withdraws_after_first_round: bool = False


HOUSEHOLDS = [
    DemoHousehold(
        "H-001",
        {"household size": "5", "children": "3", "region": "suburban"},
        "Joanna Pike",
        "12 Larch Avenue, Millbrook ZZ1 4QX",
        "+44 20 7946 0101",
        "joanna.pike@example.com",
        marketing=True,
    ),
    DemoHousehold(
        "H-002",
        {"household size": "2", "children": "0", "region": "rural", "life stage": "retired"},
        "Maureen Hollis",
        "Orchard Cottage, Lower Fenby ZZ7 2LB",
        "+44 20 7946 0102",
        "m.hollis@example.net",
        marketing=True,
    ),
    DemoHousehold(
        "H-003",
        {"household size": "3", "children": "2", "region": "urban", "life stage": "single parent"},
        "Sunita Rao",
        "Flat 9, 41 Canal Street, Easthaven ZZ3 8DN",
        "+44 20 7946 0103",
        "sunita.rao@example.com",
        marketing=True,
    ),
    DemoHousehold(
        "H-004",
        {"household size": "4", "children": "0", "region": "urban", "life stage": "flatshare"},
        "Tom Achterberg",
        "Top floor, 3 Weaver's Row, Easthaven ZZ3 1RT",
        "+44 20 7946 0104",
        "tom.a@example.org",
        photos=False,
    ),
    DemoHousehold(
        "H-005",
        {"household size": "4", "children": "2", "region": "suburban"},
        "Claire Whitlow",
        "27 Beech Close, Millbrook ZZ1 6JH",
        "+44 20 7946 0105",
        "claire.whitlow@example.com",
        marketing=True,
    ),
    DemoHousehold(
        "H-006",
        {
            "household size": "6",
            "children": "2",
            "region": "suburban",
            "life stage": "multigenerational",
        },
        "Harpreet Kaur",
        "88 Station Road, Westley ZZ5 3PA",
        "+44 20 7946 0106",
        "harpreet.kaur@example.net",
        marketing=True,
    ),
    DemoHousehold(
        "H-007",
        {"household size": "3", "children": "1", "region": "urban", "life stage": "new parents"},
        "Ellie Marsh",
        "Flat 2, 16 Quayside, Easthaven ZZ3 4WS",
        "+44 20 7946 0107",
        "ellie.marsh@example.com",
        marketing=True,
    ),
    DemoHousehold(
        "H-008",
        {"household size": "1", "children": "0", "region": "urban"},
        "Marcus Bell",
        "Flat 14, Tannery Court, Easthaven ZZ3 9GE",
        "+44 20 7946 0108",
        "marcus.bell@example.org",
        photos=False,
    ),
    DemoHousehold(
        "H-009",
        {"household size": "3", "children": "1", "region": "rural"},
        "Gemma Lloyd",
        "2 Mill Lane, Upper Fenby ZZ7 5QS",
        "+44 20 7946 0109",
        "gemma.lloyd@example.com",
        withdraws_after_first_round=True,
    ),
    DemoHousehold(
        "H-010",
        {"household size": "4", "children": "2", "region": "rural"},
        "Carys Price",
        "Ty Newydd, Hill Road, Lower Fenby ZZ7 2HU",
        "+44 20 7946 0110",
        "carys.price@example.net",
        marketing=True,
    ),
    DemoHousehold(
        "H-011",
        {"household size": "2", "children": "0", "region": "suburban", "life stage": "empty nest"},
        "Hilary Ashdown",
        "5 The Crescent, Westley ZZ5 7BD",
        "+44 20 7946 0111",
        "hilary.ashdown@example.com",
        marketing=True,
    ),
    DemoHousehold(
        "H-012",
        {"household size": "5", "children": "3", "region": "suburban"},
        "Nadia Qureshi",
        "140 Foxglove Way, Millbrook ZZ1 9EF",
        "+44 20 7946 0112",
        "nadia.qureshi@example.org",
    ),
]

# The household whose round-two visit is recorded as a no-show.
NO_SHOW = ("H-008", 1)
# Visits where the researcher's phone had no signal: what was captured there synced only
# when the phone next found one, this many days later. (household code, round index) → days.
OFFLINE_SYNCS = {("H-010", 1): 3, ("H-011", 1): 2}


@dataclass(frozen=True)
class DemoTag:
    name: str
    group: str
    colour: str
    description: str


# The default tag of each group, as every study can have them.
GROUP_TAGS = DEFAULT_TAGS

STUDY_TAGS = [
    DemoTag(
        "Takeaway tubs",
        TagGroup.WORKAROUND,
        "#f4a259",
        "Takeaway containers reused for leftovers, lunches and the freezer.",
    ),
    DemoTag(
        "Freezer blind spot",
        TagGroup.PAIN_POINT,
        "#5b8e7d",
        "Not knowing what is in the freezer, or how long it has been there.",
    ),
    DemoTag(
        "Labels and dates",
        TagGroup.WORKAROUND,
        "#bc4b51",
        "Masking tape, marker pens, label makers: home-made ways to date food.",
    ),
    DemoTag(
        "Food waste",
        TagGroup.PAIN_POINT,
        "#8cb369",
        "Food thrown away, what it was and why it was missed.",
    ),
    DemoTag(
        "Eating from the packet",
        TagGroup.UNMET_NEED,
        "#f4e285",
        "Open packets left open, going stale, or eaten straight from the bag.",
    ),
    DemoTag(
        "Batch cooking",
        TagGroup.DELIGHT,
        "#7d5ba6",
        "Cooking once to eat several times, and how it is stored.",
    ),
    DemoTag(
        "Use-it-first",
        TagGroup.FEATURE_IDEA,
        "#2a9d8f",
        "Ways households make the oldest food the most visible.",
    ),
    DemoTag(
        "Shared fridge rules",
        TagGroup.PAIN_POINT,
        "#6c757d",
        "Who owns which shelf, and what happens when nobody does.",
    ),
]


@dataclass(frozen=True)
class DemoObservation:
    kind: str  # an ObservationKind value
    text: str
    speaker: str = ""
    guide_position: int | None = None  # the guide question answered, by its position
    tags: tuple[str, ...] = ()
    photo: str | None = None  # a drawing in studies.demo.photos
    caption: str = ""
    minutes_in: int = 10  # how far into the visit it was captured


def note(
    text: str,
    *,
    tags: tuple[str, ...] = (),
    photo: str | None = None,
    caption: str = "",
    minutes_in: int = 10,
) -> DemoObservation:
    return DemoObservation(
        ObservationKind.NOTE,
        text,
        tags=tags,
        photo=photo,
        caption=caption,
        minutes_in=minutes_in,
    )


def quote(
    text: str, speaker: str, *, tags: tuple[str, ...] = (), minutes_in: int = 10
) -> DemoObservation:
    return DemoObservation(
        ObservationKind.QUOTE, text, speaker=speaker, tags=tags, minutes_in=minutes_in
    )


def answer(
    position: int,
    text: str,
    *,
    speaker: str = "",
    tags: tuple[str, ...] = (),
    photo: str | None = None,
    caption: str = "",
    minutes_in: int = 10,
) -> DemoObservation:
    return DemoObservation(
        ObservationKind.ANSWER,
        text,
        speaker=speaker,
        guide_position=position,
        tags=tags,
        photo=photo,
        caption=caption,
        minutes_in=minutes_in,
    )


@dataclass(frozen=True)
class DemoPhoto:
    """A photo taken on its own, with no note: evidence in its own right."""

    drawing: str  # a drawing in studies.demo.photos
    caption: str
    tags: tuple[str, ...]
    minutes_in: int = 30


# Photos taken with no note, by household code and round, as OBSERVATIONS.
PHOTOS_ALONE: dict[tuple[str, int], list[DemoPhoto]] = {
    ("H-003", 1): [
        DemoPhoto(
            "freezer_files",
            "Freezer bags filed upright like folders, each dated on masking tape",
            ("Labels and dates", "Workaround"),
        )
    ],
}


# What was captured at each visit, by household code and round (0 = the oldest round).
# Guide positions refer to GUIDES[round].
OBSERVATIONS: dict[tuple[str, int], list[DemoObservation]] = {
    ("H-001", 0): [
        note(
            "Leftovers go into takeaway tubs saved from Friday curries. The cupboard under the "
            "hob holds about thirty of them; fewer than ten lids fit anything.",
            tags=("Takeaway tubs", "Workaround"),
            photo="takeaway_tubs",
            caption="Cupboard of reused takeaway tubs, the lids in a carrier bag of their own",
        ),
        quote(
            "If it's in a clear tub it gets eaten. If it's in the foil one, it's gone to die.",
            "mother, 40s",
            tags=("Quote-worthy", "Takeaway tubs"),
            minutes_in=25,
        ),
        answer(
            2,
            "Nobody knows. Three tubs of what the family calls 'mystery chilli'; they defrost "
            "one, lift the lid and sniff.",
            speaker="mother, 40s",
            tags=("Freezer blind spot", "Pain point"),
            minutes_in=40,
        ),
    ],
    ("H-001", 1): [
        answer(
            0,
            "Last night's pasta bake went into two tubs; one carried a strip of masking tape "
            "reading TUES, the first label we have seen in this house.",
            tags=("Labels and dates",),
        ),
        quote(
            "The kids won't eat anything if they can't see what it is. So the clear tubs win.",
            "mother, 40s",
            tags=("Quote-worthy", "Delight"),
            minutes_in=35,
        ),
    ],
    ("H-001", 2): [
        note(
            "They bought a set of matching containers after our last visit. Two weeks later the "
            "takeaway tubs are back on the top shelf: the new lids 'take two hands'.",
            tags=("Takeaway tubs", "Pain point", "Unmet need"),
        ),
        quote(
            "I want one hand for the lid. The other one's holding a toddler or a pan.",
            "father, 40s",
            tags=("Feature idea", "Quote-worthy"),
            minutes_in=30,
        ),
    ],
    ("H-002", 0): [
        note(
            "A handwritten list on the fridge door logs everything in the chest freezer in the "
            "garage, with the date it went in. Items are crossed off as they come out; the list "
            "is on its third sheet.",
            tags=("Freezer blind spot", "Workaround"),
            photo="fridge_door_list",
            caption="Freezer inventory taped to the fridge door, crossed off as things come out",
        ),
        quote(
            "If it's not on Maureen's list, it doesn't exist.",
            "husband, 70s",
            tags=("Quote-worthy", "Delight"),
            minutes_in=20,
        ),
        answer(
            3,
            "A bag of runner beans from two summers ago, found below the bottom of the list: "
            "when the list was rewritten the beans were never copied across.",
            tags=("Food waste",),
            minutes_in=50,
        ),
    ],
    ("H-002", 1): [
        answer(
            1,
            "Still the list, now in two colours: red means 'use before Christmas'. Derek reads "
            "it before every trip to the supermarket.",
            speaker="wife, 70s",
            tags=("Use-it-first",),
        ),
        note(
            "The chest freezer is divided with cardboard cut from cereal boxes: meat, veg, "
            "puddings, bread. The bottom layer has not been seen since the summer.",
            tags=("Workaround", "Freezer blind spot"),
            photo="chest_freezer",
            caption="Chest freezer with cereal-box dividers",
            minutes_in=45,
        ),
    ],
    ("H-002", 2): [
        quote(
            "The list works as long as I'm the one doing it. When Derek takes something out he "
            "forgets to cross it off.",
            "wife, 70s",
            tags=("Quote-worthy", "Pain point"),
        ),
    ],
    ("H-003", 0): [
        note(
            "The 16-year-old eats cereal dry from the box on his way out; the box lives on top "
            "of the fridge and is never closed. Three open bags of crisps in the cupboard, each "
            "held shut with a clothes peg.",
            tags=("Eating from the packet", "Workaround"),
            photo="pantry_pegs",
            caption="Cupboard shelf: open packets held shut with clothes pegs",
        ),
        quote(
            "I buy the big bag to save money and then half of it goes soft because nobody "
            "closes it.",
            "mother, 40s",
            tags=("Food waste", "Quote-worthy"),
            minutes_in=30,
        ),
    ],
    ("H-003", 1): [
        quote(
            "It's faster to eat it out of the packet than to find a bowl that's clean.",
            "son, 16",
            tags=("Eating from the packet", "Quote-worthy"),
        ),
        note(
            "Sunita now decants cereal into a tall jar with a flip lid. The 14-year-old uses "
            "it; the 16-year-old still takes the bag.",
            tags=("Workaround", "Delight"),
            minutes_in=35,
        ),
    ],
    ("H-003", 2): [
        answer(
            3,
            "A tub of hummus at the back, behind the milk, two weeks past its date. 'The back "
            "of the fridge is where things go to hide.'",
            speaker="mother, 40s",
            tags=("Food waste", "Use-it-first"),
        ),
    ],
    ("H-004", 0): [
        note(
            "Each flatmate has a shelf marked with masking tape and a name. The door shelves "
            "are 'shared', which in practice means milk, three bottles of hot sauce and "
            "nobody's butter.",
            tags=("Shared fridge rules", "Labels and dates"),
        ),
        quote(
            "There's a cold war over the oat milk.",
            "flatmate, 20s",
            tags=("Quote-worthy", "Shared fridge rules"),
            minutes_in=25,
        ),
    ],
    ("H-004", 1): [
        answer(
            5,
            "A second fridge, or at least a lock. Failing that, a way to know who finished "
            "the milk.",
            speaker="flatmate, 20s",
            tags=("Feature idea", "Unmet need"),
        ),
        note(
            "The shared freezer drawer holds ice and one pizza nobody claims. Two flatmates "
            "keep their frozen food at a partner's flat instead.",
            tags=("Freezer blind spot", "Pain point"),
            minutes_in=30,
        ),
    ],
    ("H-005", 0): [
        note(
            "Sunday meal prep: eight containers of lunches stacked two deep on the middle "
            "shelf, the day written on each lid in whiteboard pen.",
            tags=("Batch cooking", "Labels and dates", "Delight"),
            photo="meal_prep",
            caption="Middle shelf after Sunday meal prep, the days written on the lids",
        ),
        quote(
            "Sunday evening is the only time this fridge looks like the advert.",
            "mother, 30s",
            tags=("Quote-worthy", "Delight"),
            minutes_in=20,
        ),
        answer(
            4,
            "The whiteboard on the fridge decides: meals planned Monday to Thursday, Friday is "
            "'fridge forage'.",
            speaker="father, 30s",
            tags=("Use-it-first",),
            minutes_in=55,
        ),
    ],
    ("H-005", 1): [
        answer(
            2,
            "Glass, because it goes from fridge to microwave to dishwasher. But the lids crack, "
            "and they now own eleven bases and six lids.",
            speaker="father, 30s",
            tags=("Pain point",),
        ),
        quote(
            "Friday forage night is when we find out how well the week went.",
            "father, 30s",
            tags=("Quote-worthy",),
            minutes_in=40,
        ),
    ],
    ("H-005", 2): [
        note(
            "Claire now cooks double on Wednesdays and freezes half flat in zip bags, standing "
            "them upright like files in the freezer drawer.",
            tags=("Batch cooking", "Workaround"),
            photo="freezer_files",
            caption="Freezer drawer: flat bags of batch cooking filed upright",
        ),
    ],
    ("H-006", 0): [
        note(
            "The grandmother cooks twice a day. Leftovers go into steel tiffin tins for the "
            "next day's lunches, labelled by who they are for, not what is in them.",
            tags=("Labels and dates", "Delight"),
        ),
        answer(
            1,
            "Rice, atta and dal are bought in 10 kg sacks and decanted into steel tins in the "
            "pantry; the empty sacks are folded and kept 'for next time'.",
            speaker="mother, 40s",
            tags=("Workaround",),
            photo="pantry_sacks",
            caption="Pantry: steel tins above, 10 kg sacks of rice, atta and dal below",
            minutes_in=30,
        ),
    ],
    ("H-006", 1): [
        answer(
            3,
            "Half a tray of samosas from a party, put in the second freezer and found four "
            "months later, white with freezer burn.",
            speaker="daughter, 20s",
            tags=("Food waste", "Freezer blind spot"),
        ),
        quote(
            "My grandmother knows where everything is. When she's away for a month, we're lost.",
            "daughter, 20s",
            tags=("Quote-worthy", "Unmet need"),
            minutes_in=35,
        ),
    ],
    ("H-006", 2): [
        note(
            "While the grandmother was away, the daughter photographed every pantry shelf and "
            "posted the pictures in the family chat 'so we know what we have'.",
            tags=("Workaround", "Feature idea"),
        ),
    ],
    ("H-007", 0): [
        note(
            "Breast milk is frozen in bags laid flat, each dated in marker; every Sunday the "
            "oldest are moved to the front.",
            tags=("Labels and dates", "Use-it-first"),
        ),
        note(
            "Carrot and pea purée frozen in an ice-cube tray, then popped out into a bag "
            "labelled with the date.",
            tags=("Batch cooking", "Labels and dates"),
            photo="puree_tray",
            caption="Ice-cube tray of puréed vegetables for the baby",
            minutes_in=25,
        ),
        quote(
            "The baby's food is the only food in this house that has a date on it.",
            "father, 30s",
            tags=("Quote-worthy", "Labels and dates"),
            minutes_in=45,
        ),
    ],
    ("H-007", 1): [
        answer(
            5,
            "A drawer that shows which bag is oldest. 'At three in the morning I'm not reading "
            "dates.'",
            speaker="mother, 30s",
            tags=("Feature idea", "Unmet need"),
        ),
        note(
            "Adult leftovers now go into the baby's spare purée pots: the only containers in "
            "the house whose lids all match.",
            tags=("Workaround",),
            minutes_in=30,
        ),
    ],
    ("H-007", 2): [
        quote(
            "We've gone from freezing everything for her to her eating what we eat, so now "
            "nothing's labelled again.",
            "mother, 30s",
            tags=("Quote-worthy", "Labels and dates"),
        ),
    ],
    ("H-008", 0): [
        note(
            "The fridge holds eleven condiments, four beers and a single ready meal. He eats "
            "out or orders in five nights a week.",
        ),
        answer(
            3,
            "Half a jar of pesto and most of a bag of spinach, 'every week, basically': he buys "
            "the ingredients for a recipe and cooks it once.",
            speaker="resident, 30s",
            tags=("Food waste", "Pain point"),
            minutes_in=30,
        ),
    ],
    ("H-008", 2): [
        quote(
            "Portions are made for families. I'd buy more fresh stuff if it came in one-person "
            "amounts.",
            "resident, 30s",
            tags=("Unmet need", "Quote-worthy"),
        ),
        note(
            "He apologised for missing last quarter's visit. He now freezes half of every loaf "
            "the day he buys it.",
            tags=("Workaround",),
            minutes_in=35,
        ),
    ],
    ("H-009", 0): [
        note(
            "A second-hand larder fridge in the utility room holds drinks and 'overflow'; the "
            "kitchen fridge is for 'this week'.",
            tags=("Workaround",),
        ),
        answer(
            2,
            "Gemma keeps a note on her phone of what is in the freezer, but admits it is 'from "
            "about March'.",
            tags=("Freezer blind spot",),
            minutes_in=30,
        ),
    ],
    ("H-010", 0): [
        note(
            "After the August courgette glut: a pantry shelf of pickles and chutneys, labelled "
            "by vegetable but not by year.",
            tags=("Labels and dates", "Pain point"),
            photo="jar_shelf",
            caption="Pantry shelf of home-made chutneys, labelled by vegetable only",
        ),
        quote(
            "We eat the newest jars first because they're at the front, so the old ones never "
            "move.",
            "father, 40s",
            tags=("Quote-worthy", "Use-it-first"),
            minutes_in=30,
        ),
    ],
    ("H-010", 1): [
        answer(
            1,
            "Blanched beans and peas frozen in reused bread bags, closed with the bag's own "
            "tag; the colour of the tag tells Carys the month.",
            speaker="mother, 40s",
            tags=("Workaround", "Delight"),
        ),
        note(
            "Carys now writes the year on each jar lid with a paint pen. Two of thirty jars "
            "had one when we arrived.",
            tags=("Labels and dates",),
            minutes_in=40,
        ),
    ],
    ("H-010", 2): [
        quote(
            "The allotment gives us too much at once and then nothing for months. The freezer "
            "is how we even it out.",
            "mother, 40s",
            tags=("Quote-worthy", "Delight"),
            minutes_in=35,
        ),
    ],
    ("H-011", 0): [
        note(
            "A shallow box at eye level marked EAT ME FIRST holds anything within two days of "
            "its date. Both partners look in it before cooking.",
            tags=("Use-it-first", "Delight"),
            photo="eat_me_first",
            caption="The 'eat me first' box on the top shelf",
        ),
        quote(
            "The box changed everything. It's the first thing you see when you open the door.",
            "wife, 50s",
            tags=("Quote-worthy", "Delight"),
            minutes_in=20,
        ),
    ],
    ("H-011", 1): [
        note(
            "They tried two food-tracking apps and gave up on both within a month: 'typing in "
            "a tin of tomatoes takes longer than eating it'.",
            tags=("Pain point", "Feature idea"),
        ),
        quote(
            "The label maker was a Christmas present. I've labelled the cat.",
            "husband, 50s",
            tags=("Quote-worthy", "Labels and dates"),
            minutes_in=30,
        ),
    ],
    ("H-012", 0): [
        note(
            "The monthly cash-and-carry trip: a 6 kg pack of chicken thighs is portioned into "
            "freezer bags on the kitchen table that evening, a family job that takes an hour.",
            tags=("Batch cooking", "Workaround"),
        ),
        answer(
            1,
            "A second fridge in the garage for drinks, yoghurt multipacks and overflow; the "
            "children are not allowed to open it.",
            speaker="father, 40s",
            photo="garage_fridge",
            caption="Garage fridge: multipacks, bottles and the overflow",
            minutes_in=25,
        ),
        quote(
            "Buying big only saves money if you remember you bought it.",
            "mother, 40s",
            tags=("Quote-worthy", "Food waste"),
            minutes_in=50,
        ),
    ],
    ("H-012", 1): [
        answer(
            3,
            "Four yoghurts past their date at the back of the garage fridge; the children had "
            "been eating the ones in the kitchen.",
            speaker="mother, 40s",
            tags=("Food waste", "Use-it-first"),
        ),
        note(
            "Nadia keeps a shopping list in her phone's notes but no inventory; she photographs "
            "the garage fridge before leaving for the shop.",
            tags=("Workaround", "Feature idea"),
            minutes_in=35,
        ),
    ],
    ("H-012", 2): [
        quote(
            "If the fridge could just tell me what's at the back, I'd pay for that.",
            "mother, 40s",
            tags=("Feature idea", "Quote-worthy"),
        ),
    ],
}


# How the quote bank attributes each household's words, beside its code: never a name.
SEGMENT_PHRASES = {
    "H-001": "parent of three, suburban",
    "H-002": "retired couple, rural",
    "H-003": "single parent of two, city flat",
    "H-004": "four flatmates, city centre",
    "H-005": "parent of two, suburban",
    "H-006": "multi-generation family",
    "H-007": "new parents, city",
    "H-008": "lives alone, city",
    "H-009": "parent of one, rural",
    "H-010": "parent of two, rural",
    "H-011": "empty nesters, suburban",
    "H-012": "parent of three, suburban",
}


@dataclass(frozen=True)
class DemoDecision:
    board: str  # a board's slug
    column: str
    by: str  # a demo username
    note: str = ""
    after_days: int = 14  # how long after the insight was made the card was moved


@dataclass(frozen=True)
class DemoReview:
    by: str  # a demo username whose role is a review team
    importance: int
    differentiation: int
    feasibility: int
    comment: str = ""


@dataclass(frozen=True)
class DemoInsight:
    statement: str
    description: str
    evidence_tag: str  # every observation carrying this study tag backs the insight
    tags: tuple[str, ...]
    question: int  # index into RESEARCH_QUESTIONS
    quotes: tuple[str, ...] = ()  # and the quotes that begin with these words
    by: str = "lead"
    decisions: tuple[DemoDecision, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()  # (username, text)
    used_in: tuple[str, str] | None = None  # (campaign, link) for the first quote
    used_after_days: int = 28  # how long after the insight was made the quote was used
    pressure_test: tuple[DemoReview, ...] | None = None  # put up by the lead, scored so


INSIGHTS = [
    DemoInsight(
        "Nobody knows what is in the freezer until it is too late.",
        "In every round, households described the freezer as a place food goes to be "
        "forgotten: unlabelled bags, tubs that all look alike, and a clear-out twice a year "
        "that fills the bin.",
        "Freezer blind spot",
        ("Freezer blind spot", "Pain point", "Quote-worthy"),
        question=1,
        quotes=("The allotment gives us", "The list works as long as"),
        decisions=(
            DemoDecision("product", "exploring", "paula", after_days=6),
            DemoDecision(
                "product", "planned", "paula", "Freezer zone labels in the autumn range.", 35
            ),
            DemoDecision("marketing", "shortlisted", "mark", after_days=12),
            DemoDecision(
                "product", "shipped", "paula", "Freezer zone labels ship with every tub.", 120
            ),
        ),
        comments=(
            ("paula", "This is the strongest signal we have for the inventory feature."),
            ("mark", "The shopping-list quote from H-002 could anchor the spring campaign."),
        ),
        pressure_test=(
            DemoReview("paula", 5, 4, 4, "Zone labels were cheap to add; an inventory is not."),
            DemoReview("mark", 4, 4, 3, "Nobody else talks about the freezer at all."),
            DemoReview("sofia", 5, 5, 3, "Retail buyers ask about freezer waste every visit."),
        ),
    ),
    DemoInsight(
        "Takeaway tubs are the default container, and they hide what is inside.",
        "Reused takeaway tubs are everywhere: free, stackable, and opaque once frozen. "
        "Households choose them over the containers they bought.",
        "Takeaway tubs",
        ("Takeaway tubs", "Workaround", "Quote-worthy"),
        question=2,
        quotes=("The kids won't eat anything",),
        by="rita",
        decisions=(DemoDecision("marketing", "used", "mark", after_days=30),),
        used_in=("Spring 2027 storage range launch", "https://example.org/campaigns/spring-2027"),
    ),
    DemoInsight(
        "Households invent their own date labels because nothing they buy does it.",
        "Masking tape, marker pens and a label maker bought for something else: "
        "every labelling system we saw was home-made, and most were abandoned within weeks.",
        "Labels and dates",
        ("Labels and dates", "Unmet need", "Quote-worthy"),
        question=2,
        pressure_test=(DemoReview("mark", 4, 3, 4, "Home-made labels photograph well."),),
    ),
    DemoInsight(
        "Batch cooking is a point of pride, and people love to show it off.",
        "Families who batch cook open the freezer to show us with obvious pride; the "
        "containers they use are part of the ritual.",
        "Batch cooking",
        ("Batch cooking", "Delight"),
        question=0,
        quotes=("Sunday evening is the only time", "The box changed everything"),
        by="ravi",
    ),
    DemoInsight(
        "The oldest food should be the easiest to see, and today it is the hardest.",
        "Households rotate food by hand, if at all; newest shopping goes in front.",
        "Use-it-first",
        ("Use-it-first", "Feature idea"),
        question=3,
        decisions=(
            DemoDecision("product", "parked", "paula", "Revisit after the freezer work.", 40),
        ),
    ),
]
