# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""How the records of an entity set are created, changed and deleted (``generic`` asks, holding the store's lock).

``EntityRules`` take what they are given, as the generic CRUD does; ``DnRules`` add what every DN obeys: one number
space (``numbers``) and a Number that never changes.  Users and departments have rules of their own (``directory``).
A refused request raises ``Refusal`` (a store's ``Conflict`` is one), answered 400 before anything changes.
"""

from .model import CREATE, DELETE, UPDATE, model
from .numbers import FIXED_NUMBERS, NUMBERING
from .replies import ALREADY_IN_USE, FORBIDDEN_CHANGE, Refusal


def may_refuse(operation_id):
    """Whether rules may refuse a request of ``operation_id`` that the spec allows, as a PBX does: the creates, updates
    and deletes of the DNs (what a test of every operation accepts besides the spec's success)."""
    route = model().routes[operation_id]
    return route.kind in (CREATE, UPDATE, DELETE) and route.target in NUMBERING


class EntityRules:
    """The generic CRUD of ``store``: each property given replaced whole, navigation properties too."""

    # The properties a create answers with (None: the whole entity).
    created_properties = None

    def __init__(self, store):
        self.store = store

    def create(self, fields, navigation):
        """The new record, of its structural ``fields`` and its ``navigation`` properties."""
        record = self.store.add(**fields)
        self._set_navigation(record[self.store.key], navigation)
        return record

    def update(self, key, fields, navigation):
        self.store.modify(key, **fields)
        self._set_navigation(key, navigation)

    def delete(self, key, precondition):
        """Whether record ``key`` was there to delete; PreconditionFailed unless ``precondition(record)``."""
        return self.store.delete(key, precondition)

    def _set_navigation(self, key, navigation):
        for name, value in navigation.items():
            self.store.navigation.set(key, name, value)


class DnRules(EntityRules):
    """A DN's: a Number from the shared space (the first free one if none is given), kept for good (``number_change``)."""

    def __init__(self, store, numbers, switches):
        super().__init__(store)
        self.numbers = numbers
        self.switches = switches

    def create(self, fields, navigation):
        return super().create(self.numbered(fields), navigation)

    def update(self, key, fields, navigation):
        super().update(key, self.kept_number(key, fields), navigation)

    def numbered(self, fields):
        """``fields`` with a Number: the one given if no DN holds it (else a Refusal), or the first free one."""
        if fields.get("Number"):
            self.numbers.check(fields["Number"], self.store.name)
            return fields
        return dict(fields, Number=self.numbers.first_free(self.store.name))

    def kept_number(self, key, fields):
        """``fields`` for a PATCH of record ``key``: a Number other than its own is refused, or left out (``number_change``)."""
        if "Number" not in fields or fields["Number"] == self.store.records[key]["Number"]:
            return fields
        if self.store.name not in FIXED_NUMBERS:
            self.numbers.check(fields["Number"], self.store.name, key)
            return fields
        change = self.switches["number_change"]
        if change == "ignore":
            return {name: value for name, value in fields.items() if name != "Number"}
        raise Refusal("Number", FORBIDDEN_CHANGE if change == "reject_forbidden_change" else ALREADY_IN_USE)
