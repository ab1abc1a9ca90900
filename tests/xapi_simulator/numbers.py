# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One number space shared by every DN (directory number): users, departments, queues, ring groups, IVRs, route points
(``CallFlowApps``), fax, service principals, parkings and trunks.

Each type numbers its records in a range of its own, as live PBXs do (ENTITIES.md §0.7): users from 100, queues from
800, ring groups from 820, IVRs (``Receptionists``) from 840, route points from 860, fax from 880, service principals
from 900, parkings ``SP0`` on, trunks from 10000, departments ``GRP1`` on (the default one is ``GRP0000``).  A record created without a
Number gets the first free one of its range; a Number another DN holds is refused with ``ALREADY_IN_USE`` (the switch
``duplicate_number_across_types``: ``allow`` refuses only one the same type holds).  The generated records of a set
are numbered from the start of its range, so they never meet another set's, whichever set is made first.
"""

from .replies import ALREADY_IN_USE, Refusal

# Entity set -> (how its numbers are written, the first of its range).
NUMBERING = {
    "Users": ("{}", 100),
    "Queues": ("{}", 800),
    "RingGroups": ("{}", 820),
    "Receptionists": ("{}", 840),
    "CallFlowApps": ("{}", 860),
    "Fax": ("{}", 880),
    "ServicePrincipals": ("{}", 900),
    "Parkings": ("SP{}", 0),
    "Trunks": ("{}", 10000),
    "Groups": ("GRP{}", 1),
}
# The DN types whose Number never changes (3CX's own tests try these eight, ENTITIES.md §0.8).
FIXED_NUMBERS = frozenset(NUMBERING) - {"Trunks", "CallFlowApps"}
# The DN types that can be members of a department, and the Type a membership gives each (Pbx.PeerType).
MEMBER_TYPES = {"Users": "Extension", "Queues": "Queue", "RingGroups": "RingGroup", "Receptionists": "IVR", "Parkings": "Parking",
                "CallFlowApps": "RoutePoint", "Fax": "Fax"}


def renumber(store):
    """Number the generated records of a DN set from the start of its range."""
    pattern, start = NUMBERING[store.name]
    for offset, record in enumerate(store.records.values()):
        record["Number"] = pattern.format(start + offset)


class NumberSpace:
    """Who holds which number, over the DN stores of ``inventory`` (made here if they are not yet), as ``switches`` say.

    The caller holds ``inventory.dn_lock``, which every DN store shares.
    """

    def __init__(self, inventory, switches):
        self._inventory = inventory
        self._switches = switches

    def _stores(self):
        return [self._inventory.entity_set(name) for name in NUMBERING]

    def holder(self, number, entity_sets):
        """``(entity set, key)`` of a DN of one of ``entity_sets`` with ``number``, or None."""
        for store in self._stores():
            if store.name in entity_sets:
                key = next((key for key, record in store.records.items() if record.get("Number") == number), None)
                if key is not None:
                    return store.name, key
        return None

    def check(self, number, entity_set, key=None):
        """Refusal (``ALREADY_IN_USE``) if a DN other than record ``key`` of ``entity_set`` holds ``number``."""
        across = self._switches["duplicate_number_across_types"] == "reject_already_in_use"
        for store in self._stores():
            if across or store.name == entity_set:
                if any(record.get("Number") == number for other, record in store.records.items() if (store.name, other) != (entity_set, key)):
                    raise Refusal("Number", ALREADY_IN_USE)

    def first_free(self, entity_set):
        """The first number of ``entity_set``'s range that no DN holds (what ``GetFirstAvailable...Number`` answers)."""
        taken = {record.get("Number") for store in self._stores() for record in store.records.values()}
        pattern, number = NUMBERING[entity_set]
        while pattern.format(number) in taken:
            number += 1
        return pattern.format(number)
