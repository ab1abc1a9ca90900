# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The simulated PBX's DeviceInfo records, shared by the server threads and the test code."""

import base64
import datetime
import hashlib
import json
import random
import threading

from . import seed
from .spec import entity_properties

ENTITY_TYPE = "Pbx.DeviceInfo"


class DeviceInfoStore:
    """Records by Id, guarded by ``lock``, each with a version that feeds its ETag.

    Tests may change ``records`` directly: an ETag hashes the record's content as well as its
    version, so such a change shows in the ETag too.
    """

    def __init__(self, rng_seed=1, count=50):
        self.lock = threading.RLock()
        self.properties = entity_properties(ENTITY_TYPE)
        self.records = {}
        self._versions = {}
        self._last_id = 0
        self._rng = random.Random(rng_seed)
        for fields in seed.device_infos(self._rng, count):
            self._insert(fields)

    def _check_fields(self, fields):
        unknown = sorted(name for name in fields if name == "Id" or name not in self.properties)
        if unknown:
            raise TypeError(f"not settable on {ENTITY_TYPE}: {', '.join(unknown)}")

    def _insert(self, fields):
        # Like the PBX, never hand out an Id again, even after a delete.
        self._last_id = max([self._last_id, *self.records]) + 1
        record = {"Id": self._last_id}
        record.update((name, fields.get(name)) for name in self.properties if name != "Id")
        self.records[record["Id"]] = record
        self._versions[record["Id"]] = 1
        return record

    def add(self, **fields):
        """A newly detected phone: realistic values, detected now, overridden by ``fields``."""
        self._check_fields(fields)
        with self.lock:
            detected_now = seed.iso_utc(datetime.datetime.now(datetime.timezone.utc))
            return self._insert(dict(seed.phone(self._rng, detected_now), **fields))

    def modify(self, record_id, **fields):
        """Change a record as the PBX would (its ETag changes); KeyError if there is none."""
        self._check_fields(fields)
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

    def delete(self, record_id, precondition):
        """Delete unless missing (returns False) or ``precondition(record)`` is false (raises PreconditionFailed)."""
        with self.lock:
            record = self.records.get(record_id)
            if record is None:
                return False
            if not precondition(record):
                raise PreconditionFailed(record_id)
            del self.records[record_id]
            self._versions.pop(record_id, None)
            return True


class PreconditionFailed(Exception):
    """An If-Match that does not match the record's current ETag."""
