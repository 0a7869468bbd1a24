"""The DPRK intrusion sets behind the heists, as store objects with their ATT&CK ids.

ATT&CK ids and aliases are from attack.mitre.org (groups pages, as of ATT&CK v17, 2025-04);
TraderTraitor has no ATT&CK group page, so it is our own object, sourced to the FBI/CISA
advisory AA22-108A (2022-04-18) and the FBI's Bybit statement PSA250226 (2025-02-26).
"""

from __future__ import annotations

import uuid

from heistguard.intel.store import Actor

# Fixed namespace so the same actor always gets the same STIX id, in every store and export.
_NAMESPACE = uuid.UUID("5f3b7d8e-4c1a-4e0e-9a57-2b6f0c1d9e11")


def actor_id(name: str) -> str:
    return f"intrusion-set--{uuid.uuid5(_NAMESPACE, name.lower())}"


LAZARUS = "Lazarus Group"
APT38 = "APT38"
CONTAGIOUS_INTERVIEW = "Contagious Interview"
TRADERTRAITOR = "TraderTraitor"

ACTORS: tuple[Actor, ...] = (
    Actor(
        id=actor_id(LAZARUS),
        name=LAZARUS,
        kind="intrusion-set",
        attack_id="G0032",
        aliases=("HIDDEN COBRA", "Labyrinth Chollima", "ZINC", "Diamond Sleet", "Guardians of Peace"),
        description="North Korean state-sponsored group (RGB); umbrella for the DPRK crypto-theft clusters.",
        refs=("https://attack.mitre.org/groups/G0032/",),
    ),
    Actor(
        id=actor_id(APT38),
        name=APT38,
        kind="intrusion-set",
        attack_id="G0082",
        aliases=("BlueNoroff", "Stardust Chollima", "BeagleBoyz", "NICKEL GLADSTONE"),
        description="DPRK financially motivated cluster: banks, SWIFT and cryptocurrency exchanges.",
        parent=actor_id(LAZARUS),
        refs=("https://attack.mitre.org/groups/G0082/",),
    ),
    Actor(
        id=actor_id(CONTAGIOUS_INTERVIEW),
        name=CONTAGIOUS_INTERVIEW,
        kind="intrusion-set",
        attack_id="G1052",
        aliases=("DeceptiveDevelopment", "Famous Chollima"),
        description="DPRK cluster posing as recruiters; fake coding tests deliver BeaverTail and InvisibleFerret.",
        parent=actor_id(LAZARUS),
        refs=("https://attack.mitre.org/groups/G1052/",),
    ),
    Actor(
        id=actor_id(TRADERTRAITOR),
        name=TRADERTRAITOR,
        kind="intrusion-set",
        attack_id=None,
        aliases=("Jade Sleet", "UNC4899", "Slow Pisces"),
        description=(
            "DPRK cluster named by the FBI for trojanised crypto apps and fake recruiting; "
            "the FBI attributed Bybit (2025-02-21) and DMM Bitcoin (2024-05-31) to it."
        ),
        parent=actor_id(LAZARUS),
        refs=(
            "https://www.cisa.gov/news-events/cybersecurity-advisories/aa22-108a",
            "https://www.ic3.gov/PSA/2025/PSA250226",
        ),
    ),
)

BY_NAME = {a.name: a for a in ACTORS}


def attack_ids(actor_name: str | None) -> tuple[str, ...]:
    """The ATT&CK group ids that stand for an actor: its own, else its parent's."""
    actor = BY_NAME.get(actor_name or "")
    ids: list[str] = []
    while actor is not None:
        if actor.attack_id:
            ids.append(actor.attack_id)
            break
        actor = next((a for a in ACTORS if a.id == actor.parent), None)
    return tuple(ids)
