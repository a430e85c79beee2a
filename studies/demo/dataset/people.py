"""Who lives in the generated households: their make-up, names and addresses."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    size: int
    children: int
    life_stage: str
    phrase: str  # how quotes are attributed, before the region
    speakers: tuple[str, ...]
    weight: int


PROFILES = [
    Profile(5, 3, "", "parent of three", ("mother, 40s", "father, 40s", "son, 16"), 12),
    Profile(4, 2, "", "parent of two", ("mother, 30s", "father, 30s", "daughter, 9"), 20),
    Profile(3, 1, "new parents", "new parent", ("mother, 30s", "father, 30s"), 8),
    Profile(3, 2, "single parent", "single parent of two", ("mother, 40s", "son, 14"), 8),
    Profile(2, 0, "retired", "retired couple", ("wife, 70s", "husband, 70s"), 12),
    Profile(2, 0, "empty nest", "empty-nester", ("wife, 50s", "husband, 60s"), 8),
    Profile(1, 0, "", "lives alone", ("resident, 30s", "resident, 60s"), 12),
    Profile(4, 0, "flatshare", "flatsharer", ("flatmate, 20s", "flatmate, 30s"), 8),
    Profile(
        6,
        2,
        "multigenerational",
        "multigenerational household",
        ("grandmother, 70s", "mother, 40s", "daughter, 20s"),
        6,
    ),
    Profile(2, 0, "young couple", "young couple", ("partner, 20s", "partner, 30s"), 6),
]
REGIONS = ["urban", "suburban", "rural"]
FIRST_NAMES = [
    "Joanna", "Maureen", "Sunita", "Tom", "Claire", "Harpreet", "Ellie", "Marcus", "Gemma",
    "Carys", "Hilary", "Nadia", "Owen", "Priya", "Declan", "Ruth", "Kwame", "Isla", "Tariq",
    "Bethan", "Graham", "Aisha", "Lewis", "Fiona", "Mehmet", "Rosa", "Callum", "Yasmin",
]  # fmt: skip
LAST_NAMES = [
    "Pike", "Hollis", "Rao", "Achterberg", "Whitlow", "Kaur", "Marsh", "Bell", "Lloyd",
    "Price", "Ashdown", "Qureshi", "Doyle", "Mensah", "Patel", "Kowalski", "Evans", "Byrne",
    "Okoro", "Fraser", "Hughes", "Nguyen", "Walsh", "Demir", "Sutton", "Ferreira",
]  # fmt: skip
STREETS = [
    "Larch Avenue", "Canal Street", "Beech Close", "Station Road", "Quayside", "Mill Lane",
    "Hill Road", "The Crescent", "Foxglove Way", "Weaver's Row", "Orchard Rise", "Tannery Court",
]  # fmt: skip
TOWNS = ["Millbrook", "Easthaven", "Westley", "Lower Fenby", "Upper Fenby", "Ashcombe"]
