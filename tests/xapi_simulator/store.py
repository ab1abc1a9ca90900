# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The simulated PBX's records: the entities of each entity set and each singleton's object, shared by the
server threads and the test code.

DeviceInfos and Users hold hand-made, realistic data (``seed``); every other entity set and singleton is
generated from its schema (``generate``), each from a ``random.Random`` of its own seeded with the
simulator's seed and its name, so one set's data does not depend on which others exist or were made first.
"""

import base64
import datetime
import functools
import hashlib
import json
import random
import threading

from . import seed
from .generate import Generator, default, plain_default
from .odata import EntityQuery
from .replies import ALREADY_IN_USE, Refusal
from .spec import complex_properties, entity_properties, navigation_schemas, navigation_types, schema_named, structural_properties

SEEDED_RECORDS = (3, 5)  # how many records a generated entity set starts with, at least and at most
NAVIGATION_ITEMS = (2, 4)  # how many items a generated navigation collection holds, at least and at most
_UNIQUE_TRIES = 100


def seeded_random(simulator_seed, name):
    """The random numbers of one named thing (an entity set, a singleton...): the same for a seed whatever else exists."""
    return random.Random(f"{simulator_seed}:{name}")


class Navigation:
    """The navigation properties of the entities of one type (e.g. a Group's ``Members``), generated on first use.

    They are kept beside the entities, not in them: OData sends them only when ``$expand`` names them, and at
    their own URLs (``/Groups(1)/Members``).  A ``computed`` one (name -> function of the key) is made of other
    records each time it is read, as a user's ``Groups`` is of the memberships (see ``directory``).
    """

    def __init__(self, type_name, simulator_seed, owner):
        self.schemas = navigation_schemas(type_name)
        self.item_types = navigation_types(type_name)
        self.computed = {}
        self._seed = simulator_seed
        self._owner = owner
        self._values = {}

    def get(self, key, name):
        """The value of navigation property ``name`` of the entity ``key`` (None for a singleton's)."""
        if name in self.computed:
            return self.computed[name](key)
        values = self._values.setdefault(key, {})
        if name not in values:
            values[name] = self._generate(key, name)
        return values[name]

    def set(self, key, name, value):
        self._values.setdefault(key, {})[name] = value

    def drop(self, key):
        self._values.pop(key, None)

    def _generate(self, key, name):
        owner = self._owner if key is None else f"{self._owner}({key})"
        generator = Generator(seeded_random(self._seed, f"{owner}/{name}"))
        schema = self.schemas[name]
        if schema.get("type") != "array":
            return generator.value(schema, name)
        return [generator.value(schema["items"], name) for _index in range(generator.rng.randint(*NAVIGATION_ITEMS))]


@functools.lru_cache(maxsize=None)
def _defaults(type_name, plain=False):
    """Property name -> the value it has in a new record given none (see ``generate.default``, with ``plain``
    ``generate.plain_default``), per entity type."""
    make = plain_default if plain else default
    return {name: make(schema) for name, schema in structural_properties(schema_named(type_name)).items()}


def _fresh(value):
    """``value``, or a copy of it if it is an (empty) array or object, which a record must not share with another."""
    return value.copy() if isinstance(value, (list, dict)) else value


def _query(type_name, key, navigation):
    return EntityQuery(type_name, entity_properties(type_name), key, navigation.item_types, complex_properties)


class EntityStore:
    """Records of one entity set by key, guarded by ``lock``, each with a version that feeds its ETag.

    A record holds every structural property of the set's entity type (see ``spec.entity_properties``), in the
    spec's order, its key first.  An integer key (or a set without one) is counted up by the store and never
    handed out again; another key is the record's own.  Alternate keys (``Users(Number='101')``) are unique too.
    Tests may change ``records`` directly: an ETag hashes the record's content as well as its version, so
    such a change shows in the ETag too.  With ``seeded`` None the set starts with a few generated records.
    Stores that must change together share a ``lock`` (the DNs': one number space).
    """

    # Whether a property a record is given no value for is false or zero rather than null (hand-made data).
    plain_defaults = False

    def __init__(self, entity_set, simulator_seed=1, seeded=None, lock=None):
        self.entity_set = entity_set
        self.name = entity_set.name
        self.entity_type = entity_set.type_name
        self.key = entity_set.key
        self.lock = lock or threading.RLock()
        self.properties = entity_properties(self.entity_type)
        self._schemas = structural_properties(schema_named(self.entity_type))
        # Integer keys (and the positions of keyless records) are counted; others are what the record says.
        self.counts_keys = self.key is None or self._schemas[self.key].get("type") == "integer"
        self.navigation = Navigation(self.entity_type, simulator_seed, self.name)
        self.query = _query(self.entity_type, self.key, self.navigation)
        self.generator = Generator(seeded_random(simulator_seed, self.name))
        self.records = {}
        self._versions = {}
        self._last_id = 0
        if seeded is None:  # one by one: each new record's keys must differ from those before it
            for _index in range(self.generator.rng.randint(*SEEDED_RECORDS)):
                self._insert(self._new({}))
        for fields in seeded or ():
            self._insert(fields)

    def check_fields(self, fields):
        """TypeError unless every name in ``fields`` is a property a record may be given (the key is not one)."""
        unknown = sorted(name for name in fields if name == self.key or name not in self.properties)
        if unknown:
            raise TypeError(f"not settable on {self.entity_type}: {', '.join(unknown)}")

    def _insert(self, fields):
        if self.counts_keys:
            self._last_id += 1
            key = self._last_id
        else:
            key = fields[self.key]
        record = {} if self.key is None else {self.key: key}
        defaults = _defaults(self.entity_type, self.plain_defaults)
        record.update((name, fields[name] if name in fields else _fresh(defaults[name])) for name in self.properties if name != self.key)
        self.records[key] = record
        self._versions[key] = 1
        return record

    def _new(self, fields):
        """Values for a record added with ``fields`` (which override them): generated from the schema, with unique keys."""
        record = self.generator.entity(schema_named(self.entity_type))
        for name in self._unique_properties():
            if name not in fields:
                record[name] = self._unused(name, record[name])
        return record

    def _unique_properties(self):
        keys = [] if self.counts_keys else [self.key]
        return keys + list(self.entity_set.alternate_keys)

    def _unused(self, name, value):
        """``value``, or another generated value for property ``name`` if a record has it already."""
        taken = {record.get(name) for record in self.records.values()}
        for _attempt in range(_UNIQUE_TRIES):
            if value is not None and value not in taken:
                return value
            value = self.generator.value(self._schemas[name], name)
        raise RuntimeError(f"no unused value for {self.entity_type}.{name} found")

    def _check_unique(self, fields, record_key=None):
        """Conflict if ``fields`` give a key or alternate key that another record than ``record_key`` has."""
        for name in self._unique_properties():
            value = fields.get(name)
            if value is not None and any(other.get(name) == value for key, other in self.records.items() if key != record_key):
                raise Conflict(self.entity_type, name, value)

    def add(self, **fields):
        """A new record with the next key (or ``fields``' key): realistic values, overridden by ``fields``.

        Raises Conflict if a key or alternate key in ``fields`` is taken.
        """
        # A record's own key (unlike a counted one) may be given.
        self.check_fields({name: value for name, value in fields.items() if name != self.key or self.counts_keys})
        with self.lock:
            # Like the PBX, never hand out an Id again, even after a delete (or a record a test put in).
            if self.counts_keys:
                self._last_id = max([self._last_id, *self.records])
            self._check_unique(fields)
            return self._insert(dict(self._new(fields), **fields))

    def modify(self, record_id, **fields):
        """Change a record as the PBX would (its ETag changes); KeyError if there is none, Conflict if an
        alternate key in ``fields`` is another record's."""
        self.check_fields(fields)
        with self.lock:
            record = self.records[record_id]
            self._check_unique(fields, record_id)
            record.update(fields)
            self._versions[record_id] = self._versions.get(record_id, 0) + 1
            return record

    def omitted_by_default(self):
        """The properties an answer leaves out unless ``$select`` names them."""
        return ()

    def get(self, record_id):
        """A copy of the record, or None."""
        with self.lock:
            record = self.records.get(record_id)
            return None if record is None else dict(record)

    def all(self):
        """Copies of all records, by key."""
        with self.lock:
            return [dict(self.records[key]) for key in sorted(self.records)]

    def etag(self, record):
        """The opaque part of the record's weak ETag."""
        with self.lock:
            version = self._versions.get(record.get(self.key), 0)
        digest = hashlib.sha256(json.dumps([version, record], sort_keys=True).encode()).digest()
        return base64.urlsafe_b64encode(digest[:12]).decode()

    def delete(self, record_id, precondition=None):
        """Delete unless missing (returns False) or ``precondition(record)`` is false (raises PreconditionFailed)."""
        with self.lock:
            record = self.records.get(record_id)
            if record is None:
                return False
            if precondition is not None and not precondition(record):
                raise PreconditionFailed(record_id)
            del self.records[record_id]
            self._versions.pop(record_id, None)
            self.navigation.drop(record_id)
            return True


class Singleton:
    """A singleton's object (e.g. ``SystemStatus``), generated from its type, guarded by ``lock``."""

    def __init__(self, singleton, simulator_seed=1):
        self.name = singleton.name
        self.entity_type = singleton.type_name
        self.lock = threading.RLock()
        self.properties = entity_properties(self.entity_type)
        self.navigation = Navigation(self.entity_type, simulator_seed, self.name)
        self.query = _query(self.entity_type, None, self.navigation)
        self.record = Generator(seeded_random(simulator_seed, self.name)).entity(schema_named(self.entity_type))

    def get(self):
        """A copy of the object."""
        with self.lock:
            return dict(self.record)

    def modify(self, **fields):
        """Replace the properties ``fields`` names (of the singleton's type)."""
        with self.lock:
            self.record.update(fields)

    @staticmethod
    def omitted_by_default():
        return ()


class UserStore(EntityStore):
    """The PBX's users (extensions), alternate key ``Number``: hand-made (``seed``), each with secrets of its own and a
    ``DisplayName`` made of its names as the switch ``displayname_format`` says; the switch
    ``secrets_in_default_projection`` tells whether the secrets are answered without ``$select``."""

    def __init__(self, entity_set, rng_seed, switches, lock=None):
        self.rng = random.Random(rng_seed)
        self._switches = switches
        super().__init__(entity_set, rng_seed, [dict(self._new(fields), **fields) for fields in seed.users(self.rng)], lock)

    def labels(self):
        """How ``AssignedUser`` names each user, by Id."""
        with self.lock:
            return [seed.user_label(self.records[key]) for key in sorted(self.records)]

    def _new(self, fields):
        """What the PBX fills in for a user created with ``fields`` (the caller gives the Number)."""
        return dict(seed.user_defaults(), **seed.user_secrets(self.rng))

    def _insert(self, fields):
        record = super()._insert(fields)
        self._name(record)
        return record

    def modify(self, record_id, **fields):
        with self.lock:
            return self._name(super().modify(record_id, **fields))

    def _name(self, record):
        """``record`` with its DisplayName made of its names (whatever it was given)."""
        record["DisplayName"] = seed.display_name(record["FirstName"], record["LastName"], self._switches["displayname_format"])
        return record

    def rename_all(self):
        """Every DisplayName made again, after ``displayname_format`` changed."""
        with self.lock:
            for record in self.records.values():
                self._name(record)

    def omitted_by_default(self):
        return seed.USER_SECRETS if self._switches["secrets_in_default_projection"] == "off" else ()


class GroupStore(EntityStore):
    """The PBX's departments (entity set ``Groups``): hand-made (``seed.DEPARTMENTS``), and what the PBX fills in for a new
    one; the hidden favourites departments and the memberships are the directory's.  Their navigation properties other
    than ``Members`` start empty, not generated."""

    plain_defaults = True

    def __init__(self, entity_set, rng_seed, lock=None):
        seeded = [dict(seed.department(name, number, language, time_zone), IsDefault=index == 0)
                  for index, (name, number, language, time_zone, _members) in enumerate(seed.DEPARTMENTS)]
        super().__init__(entity_set, rng_seed, seeded, lock)

    def _new(self, fields):
        return seed.department(fields.get("Name"), fields.get("Number"))

    def _insert(self, fields):
        record = super()._insert(fields)
        for name in self.navigation.schemas:
            self.navigation.set(record["Id"], name, [])
        return record


class DeviceInfoStore(EntityStore):
    """Phones the PBX has detected; an assigned one's ``AssignedUser`` names one of ``users``."""

    def __init__(self, entity_set, users, rng_seed=1, count=50):
        self._users = users
        self._rng = random.Random(rng_seed)
        super().__init__(entity_set, rng_seed, seed.device_infos(self._rng, count, users.labels()))

    def unassign(self, label):
        """Every phone assigned to the user ``label`` names (``seed.user_label``) unassigned, as after that user is deleted."""
        with self.lock:
            for key, record in self.records.items():
                if record["Assigned"] and record["AssignedUser"] == label:
                    self.modify(key, Assigned=False, AssignedUser=None)

    def _new(self, fields):
        """A newly detected phone, detected now."""
        detected_now = seed.iso_utc(datetime.datetime.now(datetime.timezone.utc))
        return seed.phone(self._rng, detected_now, self._users.labels())


class Conflict(Refusal):
    """A key or alternate key value that another record has already."""

    def __init__(self, entity_type, name, value):
        super().__init__(name, ALREADY_IN_USE, f"a {entity_type} with {name} {value} exists already")


class PreconditionFailed(Exception):
    """An If-Match that does not match the record's current ETag."""
