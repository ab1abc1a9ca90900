# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Backups of a 3CX PBX: starting one and waiting for it, listing, downloading, pruning.

Private to the threecx.pbx collection: no stable API.

3CX makes a backup in the background and gives no job id: ``POST /Backups/Pbx.Backup`` answers 204 at once, and the
backup shows in ``GET /Backups`` (by its ``FileName``) once it is done. So a backup is waited for by polling the list,
ever less often. A PBX that makes one backup at a time answers ``GetCanCreateBackup()`` false while it runs; once it
says true again and the backup is still not listed, the PBX gave up on it. A backup's ``DownloadLink`` is a
credential (it carries its own ticket): it is read only to download, and never returned.
"""

import datetime
import hashlib
import os
import tempfile
import time
from urllib.parse import urlsplit

from ansible_collections.threecx.pbx.plugins.module_utils._client import XapiError, XapiNotFoundError
from ansible_collections.threecx.pbx.plugins.module_utils._entities import EntitySet
from ansible_collections.threecx.pbx.plugins.module_utils._odata import quote_literal

BACKUPS = EntitySet("Backups", "Backups")
FIELDS = ["FileName", "CreationTime", "Size"]
DOWNLOAD_LINK = "DownloadLink"
# The contents options of the backup module: (option, the XAPI's BackupContents property, 3CX's default).
CONTENTS = (
    ("recordings", "Recordings", False),
    ("call_history", "CallHistory", True),
    ("license", "License", True),
    ("phone_provisioning", "PhoneProvisioning", True),
    ("prompts", "Prompts", True),
    ("voicemails", "VoiceMails", True),
    ("fqdn", "FQDN", True),
    ("disable_compression", "DisableBackupCompression", False),
)
# Seconds before the first poll after the one right away, how much longer each next wait is, and the longest wait.
FIRST_WAIT, BACKOFF, LONGEST_WAIT = 0.5, 1.5, 10.0
_READ_CHUNK = 1024 * 1024


class BackupError(XapiError):
    """A backup that failed, did not come in time, or could not be stored; the message says which, and what to do."""


def default_prefix(base_url):
    """``<host of the PBX's URL>-``: what the backup module's default names start with."""
    return urlsplit(base_url).hostname + "-"


def default_name(base_url, now=None):
    """``<host>-YYYYMMDD-HHMMSS.zip``, the time in UTC (now if not given)."""
    moment = now or datetime.datetime.now(datetime.timezone.utc)
    return "%s%s.zip" % (default_prefix(base_url), moment.strftime("%Y%m%d-%H%M%S"))


def name_problem(name):
    """Why ``name`` cannot be a backup's file name, or None: the PBX lists a backup by it, and a copy is saved under it."""
    if not name.endswith(".zip") or name == ".zip":
        return "must end in .zip"
    if "/" in name or "\\" in name or name.startswith("."):
        return "must be a plain file name, without / or \\ and not starting with a dot"
    return None


def describe(record, with_link=False):
    """A backup as the modules return it: ``name``, ``created``, ``size``, and with ``with_link`` its ``download_link``."""
    described = {"name": record.get("FileName"), "created": record.get("CreationTime"), "size": record.get("Size")}
    if with_link:
        described["download_link"] = record.get(DOWNLOAD_LINK)
    return described


def name_filter(name):
    return "FileName eq %s" % quote_literal(name)


def prefix_filter(prefix):
    return "startswith(FileName,%s)" % quote_literal(prefix)


def list_backups(client, expression=None, with_link=False):
    """The backups the PBX lists (those matching the ``$filter`` ``expression``), newest first, as records."""
    query = {"$filter": expression, "$orderby": ["CreationTime desc"], "$select": FIELDS + ([DOWNLOAD_LINK] if with_link else [])}
    return list(client.iter_collection(BACKUPS.path, BACKUPS.list_operation, query))


def find(client, name, with_link=False):
    """The record of backup ``name``, or None when the PBX does not list it."""
    found = list_backups(client, name_filter(name), with_link)
    return found[0] if found else None


def can_create(client):
    """What ``GetCanCreateBackup()`` answers: false while the PBX makes a backup (on PBXs that make one at a time)."""
    response = client.get("/Backups/Pbx.GetCanCreateBackup()", "GetCanCreateBackup")
    value = response.data.get("value")
    if not isinstance(value, bool):
        raise XapiError("GetCanCreateBackup (GET /Backups/Pbx.GetCanCreateBackup()) answered %r, not true or false." % (value,),
                        response.status, "GetCanCreateBackup")
    return value


def contents_body(contents, password=None):
    """The XAPI's BackupContents for the module's ``contents`` (option -> bool), encrypted with ``password`` if given."""
    body = {prop: contents[option] for option, prop, _default in CONTENTS}
    body["EncryptBackup"] = password is not None
    if password is not None:
        body["EncryptBackupPassword"] = {"Value": password}
    return body


def start(client, name, contents, password=None):
    """Have the PBX make backup ``name``; False when it would not because a backup of that name exists or is being
    made (``WARNINGS.XAPI.DUPLICATE``)."""
    try:
        client.request("POST", "/Backups/Pbx.Backup", "Backup",
                       json={"description": {"Name": name, "Contents": contents_body(contents, password)}})
    except XapiError as error:
        if error.status == 400 and "WARNINGS.XAPI.DUPLICATE" in error.message:
            return False
        advice = ""
        if "TOO_MANY_BACKUPS" in error.message:
            advice = (" The PBX makes one backup at a time, or it holds as many as it keeps: wait until the one running is "
                      "done (wait: true waits for it) or delete old backups (keep), and run again.")
        raise BackupError("Backup %r was not started: %s%s" % (name, error.message, advice), error.status, error.operation, error.code)
    return True


class Deadline:
    """The time left to wait, in ``timeout`` seconds, and the waits between polls: FIRST_WAIT, then each BACKOFF times
    longer, at most LONGEST_WAIT, the last one cut short at the deadline."""

    def __init__(self, timeout, clock=time.monotonic, sleep=time.sleep):
        self.timeout = timeout
        self._clock = clock
        self._sleep = sleep
        self._end = clock() + timeout
        self._wait = FIRST_WAIT

    def wait(self):
        """Sleep until the next poll; False, at once, when the time is up."""
        left = self._end - self._clock()
        if left <= 0:
            return False
        self._sleep(min(self._wait, left))
        self._wait = min(self._wait * BACKOFF, LONGEST_WAIT)
        return True


def wait_until_idle(client, name, deadline):
    """Wait while the PBX makes another backup (GetCanCreateBackup false), before backup ``name`` is started."""
    while not can_create(client):
        if not deadline.wait():
            raise BackupError("Backup %r was not started: the PBX was making another backup (GetCanCreateBackup false) for "
                              "all of wait_timeout (%s s). Run again later, or raise wait_timeout." % (name, deadline.timeout))


def wait_for(client, name, deadline, with_link=False):
    """The record of backup ``name`` once the PBX lists it; BackupError when the PBX gave up on it, or at the deadline.

    Each poll asks GetCanCreateBackup first and lists second, since the PBX lists a backup before it says it can make
    another: a backup not listed after a true that follows a false has failed.
    """
    busy_seen = False
    while True:
        idle = can_create(client)
        record = find(client, name, with_link)
        if record is not None:
            return record
        if idle and busy_seen:
            raise BackupError("The PBX gave up on backup %r: it is not listed, and the PBX says it is making no backup any more "
                              "(GetCanCreateBackup true). Nothing was made. See the PBX's event log (3CX admin console, Dashboard > "
                              "Event Log) and its free disk space, then run again." % name)
        busy_seen = busy_seen or not idle
        if not deadline.wait():
            raise BackupError(
                "Backup %r was started but the PBX did not list it within wait_timeout (%s s)%s. It may still be running: run the "
                "task again with name: %r to wait for it (and download it), or raise wait_timeout."
                % (name, deadline.timeout, "" if idle else "; the PBX says a backup is still running (GetCanCreateBackup false)", name))


def file_checksum(path):
    """(size, sha256 hex digest) of the file at ``path``."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_READ_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _check_size(record, size, where):
    listed = record.get("Size")
    if listed is not None and size != listed:
        raise BackupError("Backup %r %s has %d bytes, but the PBX lists it with %d." % (record["FileName"], where, size, listed))


def saved_copy(record, directory):
    """(path, size, checksum) of the copy of backup ``record`` in ``directory``; None as the size and checksum when there is none.

    A copy there already whose size is not the one the PBX lists fails: it is not the same backup, and is left alone.
    """
    path = os.path.join(directory, record["FileName"])
    if not os.path.exists(path):
        return path, None, None
    size, checksum = file_checksum(path)
    _check_size(record, size, "at %s (saved before)" % path)
    return path, size, checksum


def download(client, record, directory):
    """Download backup ``record`` (read with its DownloadLink) to ``directory``/<FileName>; returns (size, checksum).

    The file is written to a temporary file in ``directory`` and moved to its name once complete and of the size the PBX
    lists, so that nothing half-written ever has the final name; when anything fails, the temporary file goes.
    ``directory`` is made (mode 0700) if need be; the file is readable by its owner only (0600): a backup holds secrets.
    """
    name = record["FileName"]
    path = os.path.join(directory, name)
    digest = hashlib.sha256()
    temporary = None
    try:
        os.makedirs(directory, 0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix="." + name + ".", suffix=".part", dir=directory)
        with os.fdopen(handle, "wb") as stream:
            def write(chunk):
                stream.write(chunk)
                digest.update(chunk)
            size = client.download(record[DOWNLOAD_LINK], "Downloading backup %r" % name, write)
            stream.flush()
            os.fsync(stream.fileno())
        _check_size(record, size, "as downloaded")
        os.replace(temporary, path)
        return size, digest.hexdigest()
    except XapiError as error:
        raise BackupError("%s No file was left at %s; the backup stays on the PBX: run again to download it."
                          % (error.message, path), error.status, error.operation, error.code)
    except OSError as error:
        raise BackupError("Backup %r could not be saved in %s: %s. No file was left at %s." % (name, directory, error, path))
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)


def due_for_deletion(records, keep, kept, prefix):
    """The names of the backups of ``records`` (newest first) to delete so that of those whose name starts with ``prefix``
    the ``keep`` newest remain; backup ``kept`` is never one of them and, if it has the prefix, counts as one of the ``keep``."""
    others = [record["FileName"] for record in records if record["FileName"].startswith(prefix) and record["FileName"] != kept]
    return others[keep - 1 if kept.startswith(prefix) else keep:]


def delete(client, names, deleted):
    """Delete the backups ``names``, appending each one deleted to ``deleted``; one already gone is skipped."""
    for name in names:
        try:
            client.delete(BACKUPS.key_path(name), BACKUPS.delete_operation)
        except XapiNotFoundError:
            continue
        except XapiError as error:
            raise BackupError("Deleting the old backup %r failed: %s. %d of %d deleted before; run again to delete the rest."
                              % (name, error.message.rstrip("."), len(deleted), len(names)), error.status, error.operation, error.code)
        deleted.append(name)
