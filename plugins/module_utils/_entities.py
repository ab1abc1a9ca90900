# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading XAPI entities, and deleting a selection of them without acting on a stale decision.

Private to the threecx.pbx collection: no stable API.

A selection is either a list of ids or an OData ``$filter``. Records are read a page (or a chunk of ids)
per request and deleted one DELETE each, so a batch costs close to one request per record:

- When the PBX sends ETags, every DELETE carries the ETag the record had when it was read; a 412 means
  the record changed since, and it is left in place as a conflict.
- When it sends none (current 3CX releases), the records of a filter selection are checked again just
  before they are deleted, a chunk at a time, with one query ``(<filter>) and (Id eq 1 or Id eq 2 ...)``.
  A record that no longer matches is left in place as a conflict. What remains is the window between
  that query and each DELETE of its chunk: a change in that window (a few round trips) is not seen.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from ansible_collections.threecx.pbx.plugins.module_utils._client import (
    XapiError,
    XapiNotFoundError,
    XapiPreconditionFailedError,
    etag_of,
)
from ansible_collections.threecx.pbx.plugins.module_utils._odata import chunks, entity_path, id_filter

# Ids per list query, when reading by ids and when checking a chunk again before deleting it: small enough
# for a URL that any proxy accepts, large enough that these queries cost a small fraction of a request per record.
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


class BatchInterrupted(XapiError):
    """A batch stopped by an error: what was deleted before it, and what was not."""

    def __init__(self, error, outcome, not_deleted):
        super().__init__(error.message, error.status, error.operation, error.code)
        self.outcome = outcome
        self.not_deleted = not_deleted


class DeleteOutcome:
    """Ids deleted, gone before their DELETE (missing), and left in place because they changed (conflicts)."""

    def __init__(self):
        self.deleted = []
        self.missing = []
        self.conflicts = []


def read_by_ids(client, entity_set, ids):
    """Records with these ids, in the order given, and the ids that do not exist."""
    unique_ids = list(dict.fromkeys(ids))
    found = {}
    for chunk in chunks(unique_ids, CHUNK_SIZE):
        for record in client.iter_collection(entity_set.path, entity_set.list_operation, {"$filter": id_filter(chunk)}):
            found[record["Id"]] = record
    return [found[i] for i in unique_ids if i in found], [i for i in unique_ids if i not in found]


def read_matching(client, entity_set, selection):
    """Every record that matches the ``$filter`` expression ``selection``."""
    return list(client.iter_collection(entity_set.path, entity_set.list_operation, {"$filter": selection}))


def _ids_matching(client, entity_set, expression):
    return {record["Id"] for record in client.iter_collection(
        entity_set.path, entity_set.list_operation, {"$filter": expression, "$select": ["Id"]})}


def _recheck(client, entity_set, selection, chunk, outcome):
    """The records of ``chunk`` that still match ``selection``; the others are recorded as conflicts or missing."""
    ids = [record["Id"] for record in chunk]
    matching = _ids_matching(client, entity_set, "(%s) and (%s)" % (selection, id_filter(ids)))
    if len(matching) == len(ids):
        return chunk
    changed = [i for i in ids if i not in matching]
    existing = _ids_matching(client, entity_set, id_filter(changed))
    outcome.conflicts.extend(i for i in changed if i in existing)
    outcome.missing.extend(i for i in changed if i not in existing)
    return [record for record in chunk if record["Id"] in matching]


def _delete_chunk(client, entity_set, chunk, outcome, parallelism):
    """DELETE the records of ``chunk``, up to ``parallelism`` at a time, and record each outcome in the chunk's order.

    After an error no further DELETE starts (those in flight finish and count); the first error, in the
    chunk's order, is returned, else None.
    """
    stop = threading.Event()

    def delete(record):
        if stop.is_set():
            return None, None
        try:
            client.delete(entity_set.key_path(record["Id"]), entity_set.delete_operation, etag=etag_of(record))
        except XapiNotFoundError as error:
            # A 404 to a DELETE repeated after a reset or timeout most likely answers our own first attempt.
            return (outcome.deleted if error.repeated else outcome.missing), None
        except XapiPreconditionFailedError:
            return outcome.conflicts, None
        except XapiError as error:
            stop.set()
            return None, error
        return outcome.deleted, None

    with ThreadPoolExecutor(max_workers=parallelism) as pool:
        results = list(pool.map(delete, chunk))
    for record, (settled, _error) in zip(chunk, results):
        if settled is not None:
            settled.append(record["Id"])
    return next((error for settled, error in results if error is not None), None)


def delete_records(client, entity_set, records, selection=None, parallelism=1):
    """Delete ``records`` (as read), guarding each against a stale decision; returns a DeleteOutcome.

    ``selection`` is the ``$filter`` the records were chosen by, checked again before each chunk when the PBX
    sends no ETags. Up to ``parallelism`` DELETEs are in flight at once; the outcome lists the ids in the order
    of ``records`` whatever the order the answers came in. An error other than "gone" or "changed" stops the
    batch with :class:`BatchInterrupted`.
    """
    outcome = DeleteOutcome()
    for chunk in chunks(records, CHUNK_SIZE):
        try:
            if selection and not any(etag_of(record) for record in chunk):
                chunk = _recheck(client, entity_set, selection, chunk, outcome)
        except XapiError as error:
            raise _interrupted(error, records, outcome)
        error = _delete_chunk(client, entity_set, chunk, outcome, parallelism)
        if error is not None:
            raise _interrupted(error, records, outcome)
    return outcome


def _interrupted(error, records, outcome):
    settled = set(outcome.deleted + outcome.missing + outcome.conflicts)
    return BatchInterrupted(error, outcome, [record["Id"] for record in records if record["Id"] not in settled])
