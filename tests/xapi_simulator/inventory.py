# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Everything the simulated PBX holds: every entity set's store and every singleton, each made on first use.

A simulator starts in every integration test, and most tests touch two entity sets of the spec's 53 and no
singleton, so only DeviceInfos and Users are made up front.
"""

import threading

from .generate import Generator
from .model import COLLECTION, model
from .store import EntityStore, Singleton, seeded_random

FUNCTION_ITEMS = (3, 5)  # how many items a generated collection answer holds, at least and at most


class Inventory:
    """The stores of the entity sets (``entity_set(name)``), the singletons (``singleton(name)``) and what
    functions and actions answer (``answer(route)``), for one simulator ``seed``."""

    def __init__(self, simulator_seed, stores):
        self.seed = simulator_seed
        self._stores = dict(stores)
        self._singletons = {}
        self._answers = {}
        self._lock = threading.Lock()

    def entity_set(self, name):
        """The EntityStore of entity set ``name``; KeyError if the spec has none."""
        with self._lock:
            store = self._stores.get(name)
            if store is None:
                store = self._stores[name] = EntityStore(model().entity_sets[name], self.seed)
            return store

    def singleton(self, name):
        """The Singleton ``name``; KeyError if the spec has none."""
        with self._lock:
            singleton = self._singletons.get(name)
            if singleton is None:
                singleton = self._singletons[name] = Singleton(model().singletons[name], self.seed)
            return singleton

    def answer(self, route):
        """What a function or action answers (its Result's object, scalar or list of items), generated once.

        Generated from its operationId, so it is the same whatever the arguments: stable for tests to compare.
        """
        with self._lock:
            if route.operation_id not in self._answers:
                self._answers[route.operation_id] = _generate(route, Generator(seeded_random(self.seed, route.operation_id)))
            return self._answers[route.operation_id]


def _generate(route, generator):
    """A Result's value; a scalar (or a collection's scalars) is named after the operation, so GetPhoneSecret's string is a secret."""
    schema = route.result.schema
    if route.result.kind == COLLECTION:
        return [generator.value(schema, route.operation_id) for _ in range(generator.rng.randint(*FUNCTION_ITEMS))]
    return generator.value(schema, route.operation_id)
