# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The simulated PBX's records (DeviceInfos, Users), shared by the server threads and the test code."""

import base64
import datetime
import hashlib
import json
import random
import threading

from . import seed
from .spec import entity_properties


class EntityStore:
    """Records of one entity type by Id, guarded by ``lock``, each with a version that feeds its ETag.

    A record holds every property of the type that the simulator serves (see ``spec.entity_properties``).
    Tests may change ``records`` directly: an ETag hashes the record's content as well as its
    version, so such a change shows in the ETag too.
    """

    entity_type = None

    def __init__(self, seeded):
        self.lock = threading.RLock()
        self.properties = entity_properties(self.entity_type)
        self.records = {}
        self._versions = {}
        self._last_id = 0
        for fields in seeded:
            self._insert(fields)

    def check_fields(self, fields):
        """TypeError unless every name in ``fields`` is a property a record may be given."""
        unknown = sorted(name for name in fields if name == "Id" or name not in self.properties)
        if unknown:
            raise TypeError(f"not settable on {self.entity_type}: {', '.join(unknown)}")

    def _insert(self, fields):
        self._last_id += 1
        record = {"Id": self._last_id}
        record.update((name, fields.get(name)) for name in self.properties if name != "Id")
        self.records[record["Id"]] = record
        self._versions[record["Id"]] = 1
        return record

    def _new(self, fields):
        """Realistic values for a record added with ``fields`` (which override them)."""
        raise NotImplementedError

    def add(self, **fields):
        """A new record with the next Id: realistic values, overridden by ``fields``."""
        self.check_fields(fields)
        with self.lock:
            # Like the PBX, never hand out an Id again, even after a delete (or a record a test put in).
            self._last_id = max([self._last_id, *self.records])
            return self._insert(dict(self._new(fields), **fields))

    def modify(self, record_id, **fields):
        """Change a record as the PBX would (its ETag changes); KeyError if there is none."""
        self.check_fields(fields)
        with self.lock:
            record = self.records[record_id]
            record.update(fields)
            self._versions[record_id] = self._versions.get(record_id, 0) + 1
            return record

    def get(self, record_id):
        """A copy of the record, or None."""
        with self.lock:
            record = self.records.get(record_id)
            return None if record is None else dict(record)

    def find(self, name, value):
        """A copy of the first record whose property ``name`` is ``value`` (an alternate key), or None."""
        with self.lock:
            return next((dict(record) for record in self.records.values() if record.get(name) == value), None)

    def all(self):
        """Copies of all records, by Id."""
        with self.lock:
            return [dict(self.records[key]) for key in sorted(self.records)]

    def etag(self, record):
        """The opaque part of the record's weak ETag."""
        with self.lock:
            version = self._versions.get(record["Id"], 0)
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
            return True


class UserStore(EntityStore):
    """The PBX's users (extensions), alternate key ``Number``."""

    entity_type = "Pbx.User"

    def __init__(self, rng_seed=1):
        self._rng = random.Random(rng_seed)
        super().__init__(seed.users(self._rng))

    def labels(self):
        """How ``AssignedUser`` names each user, by Id."""
        with self.lock:
            return [seed.user_label(self.records[key]) for key in sorted(self.records)]

    def _new(self, fields):
        """A user with the next free number unless ``fields`` give one ("User 206" unless they give a name)."""
        numbers = [record["Number"] for record in self.records.values()]
        number = fields.get("Number") or str(max([int(n) for n in numbers if (n or "").isdigit()] + [100]) + 1)
        if number in numbers:
            raise ValueError(f"a {self.entity_type} with Number {number} exists already")
        first_name, last_name = fields.get("FirstName"), fields.get("LastName")
        if first_name is None and last_name is None:
            first_name, last_name = "User", number
        return seed.user(self._rng, number, first_name or "", last_name or "")


class DeviceInfoStore(EntityStore):
    """Phones the PBX has detected; an assigned one's ``AssignedUser`` names one of ``users``."""

    entity_type = "Pbx.DeviceInfo"

    def __init__(self, users, rng_seed=1, count=50):
        self._users = users
        self._rng = random.Random(rng_seed)
        super().__init__(seed.device_infos(self._rng, count, users.labels()))

    def _new(self, fields):
        """A newly detected phone, detected now."""
        detected_now = seed.iso_utc(datetime.datetime.now(datetime.timezone.utc))
        return seed.phone(self._rng, detected_now, self._users.labels())


class PreconditionFailed(Exception):
    """An If-Match that does not match the record's current ETag."""
