# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading XAPI entities, and deleting a selection of them without acting on a stale decision.

Private to the threecx.pbx collection: no stable API.

A batch delete streams: the Ids of the selection are listed first (only Ids, a page of 100 per request),
then the records are read 50 at a time, each chunk just before its DELETEs are sent, while the DELETEs of
the chunk before are still in flight. So memory holds Ids and a few chunks, however large the selection,
and a batch costs close to one request per record:

- The read of a chunk is also the check against a stale decision. For a ``$filter`` selection it is one
  query ``(<filter>) and (Id eq 1 or Id eq 2 ...)``: a listed record that no longer matches is left in
  place as a conflict (or reported missing, when it is gone).
- When the PBX sends ETags, every DELETE carries the ETag its record had at that read, and a 412 means the
  record changed since; it is left in place as a conflict. When it sends none (current 3CX releases), a
  change between the read of a chunk and the DELETE of one of its records is not seen: a window of a few
  round trips (the records of the chunk and those still queued, divided by the DELETEs in flight).
"""

import queue
import threading
from collections import deque
from contextlib import contextmanager

from ansible_collections.threecx.pbx.plugins.module_utils._client import (
    XapiError,
    XapiNotFoundError,
    XapiPreconditionFailedError,
    etag_of,
)
from ansible_collections.threecx.pbx.plugins.module_utils._odata import chunks, entity_path, id_filter

# Ids per list query of records by their Ids: small enough for a URL that any proxy accepts, large enough
# that these queries cost a small fraction of a request per record.
CHUNK_SIZE = 50


class EntitySet:
    """An XAPI entity set with an ``Id`` key, and the operationIds the spec gives its list, get and delete."""

    def __init__(self, name, entity):
        self.name = name
        self.entity = entity
        self.list_operation = "List" + entity
        self.get_operation = "Get" + entity
        self.delete_operation = "Delete" + entity

    @property
    def path(self):
        return "/" + self.name

    def key_path(self, record_id):
        return entity_path(self.name, record_id)


DEVICE_INFOS = EntitySet("DeviceInfos", "DeviceInfo")
USERS = EntitySet("Users", "User")


def read_entity(client, path, operation, params=None):
    """One entity as read, with its ETag in ``@odata.etag`` when the PBX sent one; None when it does not exist."""
    try:
        response = client.get(path, operation, params)
    except XapiNotFoundError:
        return None
    record = {key: value for key, value in response.data.items() if key != "@odata.context"}
    if etag_of(record, response) and "@odata.etag" not in record:
        record["@odata.etag"] = response.etag
    return record


@contextmanager
def reject_bad_filter(expression):
    """Name the user's ``$filter`` when the PBX rejects a query that carries it (HTTP 400)."""
    try:
        yield
    except XapiError as error:
        if expression is None or error.status != 400:
            raise
        raise XapiError("The PBX rejected filter %r: %s" % (expression, error.message), error.status, error.operation, error.code)


def ids_matching(client, entity_set, expression):
    """The Ids of the records that match the ``$filter`` ``expression``, in the order the PBX lists them."""
    return [record["Id"] for record in client.iter_collection(
        entity_set.path, entity_set.list_operation, {"$filter": expression, "$select": ["Id"]})]


def existing_ids(client, entity_set, ids):
    """Those of ``ids`` that exist, in the order given (duplicates dropped)."""
    unique_ids = list(dict.fromkeys(ids))
    found = set()
    for chunk in chunks(unique_ids, CHUNK_SIZE):
        found.update(ids_matching(client, entity_set, id_filter(chunk)))
    return [record_id for record_id in unique_ids if record_id in found]


class DeleteOutcome:
    """Ids deleted (or that would be, in check mode), gone before their DELETE (missing), left in place because
    they changed (conflicts), and not deleted because the batch stopped; ``records``: the deleted records as
    read, when they are kept."""

    def __init__(self):
        self.deleted = []
        self.missing = []
        self.conflicts = []
        self.not_deleted = []
        self.records = []


class BatchInterrupted(XapiError):
    """A batch stopped by an error; ``outcome`` says what was deleted before it, and what was not."""

    def __init__(self, error, outcome):
        super().__init__(error.message, error.status, error.operation, error.code)
        self.outcome = outcome


class _Job:
    """A DELETE handed to the workers: the record as read, and once it is done, ``(kind, error)`` or what it raised."""

    __slots__ = ("record", "outcome")

    def __init__(self, record):
        self.record = record
        self.outcome = None


class _Pipeline:
    """DELETEs of a batch, up to ``parallelism`` in flight from one chunk to the next, settled in the order read.

    Every Id of the batch is settled (noted in the outcome) in the order the caller adds them, whatever the order
    the answers come in, so that the outcome is the same whatever the parallelism. After an error no further
    DELETE starts (those in flight finish and count); the first error in that order is kept in ``error``.
    With ``dry_run`` nothing is deleted and every record read counts as deleted.

    ``parallelism`` worker threads, started with the first DELETE, take the DELETEs from one queue in the order
    added. The reader (the caller's thread) sleeps until the DELETE it needs is done: when it makes room for the
    next chunk, the last of those it settles, so that it is woken about once a chunk rather than once a record.
    """

    def __init__(self, client, entity_set, parallelism, keep_records, dry_run):
        self._client = client
        self._entity_set = entity_set
        self._parallelism = 0 if dry_run else parallelism
        self._workers = []
        # _Jobs in the order added, then one None per worker to stop it.
        self._jobs = queue.SimpleQueue()
        # Notified by a worker when it finishes the _Job the reader waits for (``_awaited``).
        self._done = threading.Condition()
        self._awaited = None
        # Settled or queued (Id, record, kind or _Job), in the order read.
        self._queue = deque()
        # Queued DELETEs beyond which the next chunk is not read yet: enough that those in flight go on while it
        # is read, few enough that a record is deleted soon after its read.
        self._room = 2 * parallelism
        self._keep_records = keep_records
        self._stop = threading.Event()
        self.outcome = DeleteOutcome()
        self.error = None

    def wait_for_room(self):
        """Settle answers, oldest first, until few enough DELETEs are queued to read the next chunk."""
        self._settle_down_to(self._room)

    def add(self, record_id, record=None, kind=None):
        """Delete ``record`` (as read), or, with ``kind``, note ``record_id`` as already settled that way."""
        if kind is None and self._parallelism:
            if not self._workers:
                self._start_workers()
            kind = _Job(record)
            self._jobs.put(kind)
        self._queue.append((record_id, record, kind or "deleted"))

    def _start_workers(self):
        for number in range(self._parallelism):
            # A daemon: a module that fails before finish() still exits.
            worker = threading.Thread(target=self._work, name="delete-%d" % (number + 1), daemon=True)
            worker.start()
            self._workers.append(worker)

    def _work(self):
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                outcome = self._delete(job.record)
            except BaseException as exc:  # pylint: disable=broad-except  # raised again in the reader's thread
                outcome = exc
            with self._done:
                job.outcome = outcome
                if job is self._awaited:
                    self._done.notify()

    def _delete(self, record):
        if self._stop.is_set():
            return "not_deleted", None
        try:
            self._client.delete(self._entity_set.key_path(record["Id"]), self._entity_set.delete_operation, etag=etag_of(record))
        except XapiNotFoundError as error:
            # A 404 to a DELETE repeated after a reset or timeout most likely answers our own first attempt.
            return ("deleted" if error.repeated else "missing"), None
        except XapiPreconditionFailedError:
            return "conflicts", None
        except XapiError as error:
            self._stop.set()
            return "not_deleted", error
        return "deleted", None

    def _result(self, job):
        """The outcome of ``job``, once a worker has done it."""
        with self._done:
            self._awaited = job
            while job.outcome is None:
                self._done.wait()
            self._awaited = None
        if isinstance(job.outcome, BaseException):
            raise job.outcome
        return job.outcome

    def _settle_down_to(self, queued):
        """Settle the oldest entries until ``queued`` are left, waking once for all of them when they come in order."""
        excess = len(self._queue) - queued
        if excess <= 0:
            return
        last = self._queue[excess - 1][2]
        if isinstance(last, _Job):
            self._result(last)
        for dummy in range(excess):
            self._settle_oldest()

    def _settle_oldest(self):
        record_id, record, kind = self._queue.popleft()
        if isinstance(kind, _Job):
            kind, error = self._result(kind)
            if error is not None and self.error is None:
                self.error = error
        getattr(self.outcome, kind).append(record_id)
        if kind == "deleted" and self._keep_records:
            self.outcome.records.append(record)

    def stopped(self):
        return self._stop.is_set()

    def finish(self, error=None):
        """Settle everything queued and return the outcome; raise BatchInterrupted for the first error."""
        self._settle_down_to(0)
        for dummy in self._workers:
            self._jobs.put(None)
        for worker in self._workers:
            worker.join()
        error = self.error or error
        if error is not None:
            raise BatchInterrupted(error, self.outcome)
        return self.outcome


def delete_records(client, entity_set, records):
    """Delete ``records`` already read (with the ETag each was read with); a DeleteOutcome, or BatchInterrupted."""
    pipeline = _Pipeline(client, entity_set, 1, keep_records=True, dry_run=False)
    for record in records:
        pipeline.add(record["Id"], record)
    return pipeline.finish()


def delete_selected(client, entity_set, ids, selection=None, parallelism=1, keep_records=False, dry_run=False):
    """Delete the records with ``ids``, reading them a chunk at a time just before; returns a DeleteOutcome.

    ``selection`` is the ``$filter`` the Ids were listed by: a record that no longer matches it when its chunk
    is read is left in place (a conflict). Up to ``parallelism`` DELETEs are in flight at once; the outcome
    lists the Ids in the order of ``ids``. ``keep_records``: the outcome keeps the deleted records as read.
    ``dry_run``: reads only; every record read counts as deleted, and with a ``selection`` and no records to
    keep, every Id listed does, without reading it again. An error other than "gone" or "changed" stops the
    batch with BatchInterrupted: the Ids of ``ids`` not settled by then are in its ``not_deleted``.
    """
    pipeline = _Pipeline(client, entity_set, parallelism, keep_records, dry_run)
    if dry_run and selection is not None and not keep_records:
        for record_id in dict.fromkeys(ids):
            pipeline.add(record_id)
        return pipeline.finish()
    unread = deque(chunks(list(dict.fromkeys(ids)), CHUNK_SIZE))
    read_error = None
    while unread and not pipeline.stopped():
        pipeline.wait_for_room()
        if pipeline.stopped():
            break
        try:
            found, changed = _read_chunk(client, entity_set, unread[0], selection)
        except XapiError as error:
            read_error = error
            break
        for record_id in unread.popleft():
            if record_id in found:
                pipeline.add(record_id, found[record_id])
            else:
                pipeline.add(record_id, kind="conflicts" if record_id in changed else "missing")
    for chunk in unread:
        for record_id in chunk:
            pipeline.add(record_id, kind="not_deleted")
    return pipeline.finish(read_error)


def _read_chunk(client, entity_set, ids, selection):
    """The records of ``ids`` that exist and match ``selection`` (by Id), and the Ids of those that exist but no longer match."""
    expression = id_filter(ids) if selection is None else "(%s) and (%s)" % (selection, id_filter(ids))
    with reject_bad_filter(selection):
        found = {record["Id"]: record for record in client.iter_collection(
            entity_set.path, entity_set.list_operation, {"$filter": expression})}
    gone_or_changed = [record_id for record_id in ids if record_id not in found]
    if selection is None or not gone_or_changed:
        return found, set()
    return found, set(ids_matching(client, entity_set, id_filter(gone_or_changed)))
