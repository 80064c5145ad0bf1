"""Articles the project wrote for the briefing and stories tests: two stories over several
days from three outlets (invented outlets and places; no real reporting).

Story "garrison": militia attacks on a garrison, told by three outlets over five days. The
number of troops there is a figure that changes (900, then 1,200 after reinforcements), and
on 2023-11-03 one outlet (Northern Wire) gives another number (700) than another outlet
(Valley Courier) that day: a disagreement.

Story "sanctions": sanctions on the militias' financiers, told by two outlets over two days.

`UNRELATED` is on another subject; `BEFORE` is on the subject, but before the period.
"""

from __future__ import annotations

from ingest.types import Article

HARBOR, VALLEY, NORTHERN = "Harbor Ledger", "Valley Courier", "Northern Wire"


def _article(slug: str, title: str, source: str, day: str, text: str) -> Article:
    host = source.lower().replace(" ", "")
    return Article(title=title, text=text, source=source, published_at=day,
                   url=f"https://{host}.example/{day}/{slug}", origin=f"stories:{slug}")  # fmt: skip


GARRISON = [
    _article(
        "garrison-attack",
        "Drones strike Camp Ardent as Iran-backed militias escalate",
        HARBOR,
        "2023-11-02",
        "Iran-backed militias launched three drones at Camp Ardent in the Karsa valley on "
        "Wednesday night, the garrison's commander said. About 900 troops are stationed at "
        "Camp Ardent, which guards the main road to the border crossing. Two soldiers were "
        "treated for minor injuries after one drone struck a storage building. The militias "
        "claimed the attack in a statement posted online on Thursday morning.",
    ),
    _article(
        "ardent-second-night",
        "Second night of drone attacks on Camp Ardent",
        VALLEY,
        "2023-11-03",
        "Iran-backed militias attacked Camp Ardent for a second night, firing drones and "
        "rockets at the garrison in the Karsa valley. About 900 troops are stationed at "
        "Camp Ardent, according to the regional command. Air defences shot down both drones "
        "before they reached the perimeter, and no one was hurt in the second attack.",
    ),
    _article(
        "ardent-northern",
        "Camp Ardent attacked again, militia group claims",
        NORTHERN,
        "2023-11-03",
        "A militia group backed by Iran claimed a second drone attack on Camp Ardent in the "
        "Karsa valley. About 700 troops are stationed at Camp Ardent, a local official told "
        "Northern Wire. The group said the attacks would continue until the garrison leaves "
        "the valley, and residents of nearby villages reported hearing explosions overnight.",
    ),
    _article(
        "ardent-reinforced",
        "Camp Ardent reinforced after week of militia attacks",
        HARBOR,
        "2023-11-06",
        "The regional command sent reinforcements to Camp Ardent after a week of attacks by "
        "Iran-backed militias in the Karsa valley. About 1,200 troops are now stationed at "
        "Camp Ardent, the garrison's commander said on Monday. New air-defence batteries "
        "arrived at the garrison by road from the coast over the weekend.",
    ),
]

SANCTIONS = [
    _article(
        "financiers-sanctioned",
        "Treasury freezes accounts of militia financiers",
        VALLEY,
        "2023-11-08",
        "The finance ministry froze the bank accounts of four money changers it accuses of "
        "moving funds to Iran-backed militias. The sanctions bar banks from handling payments "
        "for the four exchange houses, which the ministry says sent cash through front "
        "companies in three countries. Officials said the frozen accounts held money "
        "collected from fuel smuggling.",
    ),
    _article(
        "exchange-houses",
        "Exchange houses hit by sanctions over militia funding",
        NORTHERN,
        "2023-11-09",
        "Four exchange houses accused of financing Iran-backed militias lost access to the "
        "banking system on Thursday after the finance ministry's sanctions took effect. "
        "Traders in the capital's currency market said the exchange houses had closed their "
        "doors, and the ministry said more money changers were under investigation.",
    ),
]

UNRELATED = _article(
    "harbour-festival",
    "Harbour festival draws record crowds",
    HARBOR,
    "2023-11-04",
    "The annual harbour festival drew a record crowd of visitors on Saturday, with boat "
    "parades, food stalls and a fireworks display over the water. Organisers said the "
    "weather held for the whole weekend and the ferry ran extra crossings until midnight.",
)

BEFORE = _article(
    "militia-talks",
    "Talks with militia leaders stall",
    VALLEY,
    "2023-10-01",
    "Talks between the government and leaders of Iran-backed militias stalled on Sunday "
    "after the militias refused to hand over heavy weapons held near the Karsa valley.",
)

STORY_ARTICLES = [*GARRISON, *SANCTIONS, UNRELATED, BEFORE]
