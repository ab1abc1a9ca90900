# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Everything the simulated PBX holds: every entity set's store and rules and every singleton, each made on first use.

A simulator starts in every integration test, and most tests touch two entity sets of the spec's 53 and no
singleton, so only DeviceInfos, Users and Groups are made up front.  The stores of the DNs (``numbers.NUMBERING``)
share one lock, as they share one number space.
"""

import threading

from .generate import Generator
from .model import COLLECTION, model
from .numbers import NUMBERING, NumberSpace, renumber
from .rules import DnRules, EntityRules
from .store import EntityStore, Singleton, seeded_random

FUNCTION_ITEMS = (3, 5)  # how many items a generated collection answer holds, at least and at most


class Inventory:
    """The stores of the entity sets (``entity_set(name)``) and their rules (``rules(name)``), the singletons
    (``singleton(name)``) and what functions and actions answer (``answer(route)``), for one simulator ``seed``."""

    def __init__(self, simulator_seed, switches):
        self.seed = simulator_seed
        self.switches = switches
        self.dn_lock = threading.RLock()
        self.numbers = NumberSpace(self, switches)
        self._stores = {}
        self._rules = {}
        self._singletons = {}
        self._answers = {}
        self._lock = threading.RLock()

    def add(self, store, rules=None):
        """Hold ``store`` (made elsewhere: hand-made data) and, if given, its rules."""
        self._stores[store.name] = store
        if rules is not None:
            self._rules[store.name] = rules

    def entity_set(self, name):
        """The EntityStore of entity set ``name``; KeyError if the spec has none."""
        return self._made(self._stores, name, lambda: self._generated_store(name))

    def _generated_store(self, name):
        if name not in NUMBERING:
            return EntityStore(model().entity_sets[name], self.seed)
        store = EntityStore(model().entity_sets[name], self.seed, lock=self.dn_lock)
        renumber(store)
        return store

    def rules(self, name):
        """How the records of entity set ``name`` are created, changed and deleted."""
        def make():
            store = self.entity_set(name)
            return DnRules(store, self.numbers, self.switches) if name in NUMBERING else EntityRules(store)
        return self._made(self._rules, name, make)

    def singleton(self, name):
        """The Singleton ``name``; KeyError if the spec has none."""
        return self._made(self._singletons, name, lambda: Singleton(model().singletons[name], self.seed))

    def answer(self, route):
        """What a function or action answers (its Result's object, scalar or list of items), generated once.

        Generated from its operationId, so it is the same whatever the arguments: stable for tests to compare.
        """
        generator = Generator(seeded_random(self.seed, route.operation_id))
        return self._made(self._answers, route.operation_id, lambda: _generate(route, generator))

    def _made(self, made, name, make):
        """``made[name]``, made by ``make()`` on first use."""
        with self._lock:
            if name not in made:
                made[name] = make()
            return made[name]


def _generate(route, generator):
    """A Result's value; a scalar (or a collection's scalars) is named after the operation, so GetPhoneSecret's string is a secret."""
    schema = route.result.schema
    if route.result.kind == COLLECTION:
        return [generator.value(schema, route.operation_id) for _index in range(generator.rng.randint(*FUNCTION_ITEMS))]
    return generator.value(schema, route.operation_id)
