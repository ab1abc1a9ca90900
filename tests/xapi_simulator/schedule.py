# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Callbacks due after some answers, e.g. a change to a DeviceInfo as if another admin acted between a
client's read and its delete, or a PBX that goes down half-way through a batch."""

import threading

from .countdown import Countdown


class Trigger(Countdown):
    """A callback due once ``count`` more matching requests have been answered; with ``successful_only``
    only 2xx answers count."""

    def __init__(self, count, callback, operation=None, method=None, successful_only=False):
        super().__init__(count, operation, method)
        self.callback = callback
        self.successful_only = successful_only

    def matches(self, entry):
        return super().matches(entry) and (not self.successful_only or 200 <= (entry["status"] or 0) < 300)


class ScheduledChange:
    """A change to (or the deletion of) a record of ``store``, as a Trigger's callback; ``applied`` tells
    whether it has changed the record (it does nothing if the record is gone by then)."""

    def __init__(self, store, record_id, fields, delete):
        if delete == bool(fields):
            raise ValueError("give either fields to change or delete=True")
        store.check_fields(fields)
        self.store = store
        self.record_id = record_id
        self.fields = fields
        self.delete = delete
        self.applied = False

    def __call__(self):
        if self.delete:
            self.applied = self.store.delete(self.record_id)
            return
        try:
            self.store.modify(self.record_id, **self.fields)
        except KeyError:
            return
        self.applied = True


class Scheduler:
    """Triggers, counted down by the answers the server gives."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending = []

    def after(self, count, callback, operation=None, method=None, successful_only=False):
        """Run ``callback()`` once ``count`` more matching requests have been answered (see ``Trigger``)."""
        trigger = Trigger(count, callback, operation, method, successful_only)
        with self._lock:
            self._pending.append(trigger)

    def answered(self, entry):
        """Count an answer (its log entry, status filled in) and run the callbacks that makes due, in the order
        they were scheduled.

        This runs before the answer goes out, so its client's next request sees what the callbacks did.  They
        run outside the lock: a callback may schedule another or make requests of its own.
        """
        due = []
        with self._lock:
            for trigger in self._pending:
                if trigger.matches(entry):
                    trigger.remaining -= 1
                    if trigger.remaining == 0:
                        due.append(trigger)
            self._pending = [trigger for trigger in self._pending if trigger.remaining > 0]
        for trigger in due:
            trigger.callback()
