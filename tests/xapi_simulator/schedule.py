# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Changes to DeviceInfos scheduled for after some answers, as if another admin acted between a
client's read and its delete."""

import threading

from .spec import operation_ids


class ScheduledChange:
    """A change due once ``count`` more requests of ``operation`` have been answered; ``applied`` tells
    whether it has changed (or deleted) the record (it does nothing if the record is gone by then)."""

    def __init__(self, record_id, operation, count, fields, delete):
        self.record_id = record_id
        self.operation = operation
        self.remaining = count
        self.fields = fields
        self.delete = delete
        self.applied = False

    def apply(self, store):
        if self.delete:
            self.applied = store.delete(self.record_id)
            return
        try:
            store.modify(self.record_id, **self.fields)
        except KeyError:
            return
        self.applied = True


class Scheduler:
    """Scheduled changes to the records of ``store``, counted down by the answers the server gives."""

    def __init__(self, store):
        self._store = store
        self._lock = threading.Lock()
        self._pending = []

    def add(self, record_id, operation, count=1, delete=False, **fields):
        """Schedule a change (see ``Simulator.schedule_change``); returns the ScheduledChange."""
        if operation not in operation_ids():
            raise ValueError(f"the spec has no operation {operation!r}")
        if count < 1:
            raise ValueError("after_count must be at least 1")
        if delete == bool(fields):
            raise ValueError("give either fields to change or delete=True")
        self._store.check_fields(fields)
        change = ScheduledChange(record_id, operation, count, fields, delete)
        with self._lock:
            self._pending.append(change)
        return change

    def answered(self, operation, status):
        """Count an answer to a request of ``operation`` and apply the changes that makes due.

        Only a successful (2xx) answer counts: a request refused (401, a spec violation, 404) read nothing.
        """
        if not 200 <= status < 300:
            return
        with self._lock:
            for change in self._pending:
                if change.operation == operation:
                    change.remaining -= 1
            due = [change for change in self._pending if change.remaining == 0]
            self._pending = [change for change in self._pending if change.remaining > 0]
            for change in due:
                change.apply(self._store)
