# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Backups as a 3CX PBX makes them: in the background, listed once done, downloaded through a self-authorising link.

- ``POST /Backups/Pbx.Backup {"description": {"Name": "x.zip", "Contents": {...}}}`` answers 204 at once and starts
  the backup; it appears in ``GET /Backups`` (``FileName``, ``CreationTime``, ``Size``, ``DownloadLink``) when it is
  done, ``backup_duration`` seconds later, if ``backup_outcome`` is ``ok``.  With ``fail`` the PBX gives up then:
  nothing appears and ``GetCanCreateBackup()`` is true again; with ``never_appears`` the backup runs for ever.
  A backup takes the switches' values of the moment it starts.
- ``GetCanCreateBackup()`` is false while a backup runs, unless ``can_create_backup_while_running`` is true.
- Refused with 400 and 3CX's warning: a ``Name`` missing (``WARNINGS.XAPI.REQUIRED``), one that is not a file name
  ending in ``.zip`` (``WARNINGS.XAPI.INVALID_FILE_NAME``), one that a backup listed or running has
  (``WARNINGS.XAPI.DUPLICATE``), ``EncryptBackup`` without ``EncryptBackupPassword.Value`` (``REQUIRED``), and a
  backup started while another runs when ``can_create_backup_while_running`` is false (``WARNINGS.TOO_MANY_BACKUPS``:
  what a real PBX counts as too many is unknown; here it is one running at a time).
- ``POST /Backups`` answers 405 (the spec has no such operation: it is also a violation); ``DELETE
  /Backups('x.zip')`` deletes a listed backup (204; 404 for any other name, a running one too).
- The ``DownloadLink`` is host-relative and outside the XAPI: ``/api/BackupDownload?file=<FileName>&ticket=<ticket>``,
  a ticket of its own for each backup.  A real PBX's link is known to carry its own authorisation; this shape is the
  simulator's.  ``GET`` on it answers the backup's zip (``application/zip``), the same bytes for the same name and
  contents (``archive``); 404 for a backup no longer listed, 403 for a wrong ticket, and with
  ``backup_download_auth`` ``bearer_required`` 401 without a valid bearer token.  The request log names it
  ``backup_download`` (faults can be aimed at it) and holds the ticket as ``<redacted>``.

A new simulator lists two backups the PBX made on its own schedule, one and two days old.
"""

import datetime
import functools
import io
import random
import secrets
import threading
import time
import zipfile
from urllib.parse import quote, urlencode

from werkzeug.wrappers import Response

from . import spec
from .countdown import DOWNLOAD_OPERATION
from .generic import xapi_warning
from .model import model
from .replies import ODATA_JSON, json_response
from .seed import iso_utc
from .switches import BACKUP_NEVER_APPEARS, BACKUP_OK, BEARER_REQUIRED

DOWNLOAD_PATH = "/api/BackupDownload"
REDACTED = "<redacted>"
# What a backup holds when Contents leaves a flag out (null): 3CX's defaults, as clients of live PBXs send them.
DEFAULT_CONTENTS = {"Recordings": False, "CallHistory": True, "License": True, "PhoneProvisioning": True, "Prompts": True,
                    "VoiceMails": True, "FQDN": True, "DisableBackupCompression": False, "EncryptBackup": False}
# The members of a backup's zip: (path, the Contents flag that puts it in, or None for always, bytes of it, text or not).
MEMBERS = (
    ("DbTables/cdroutput.csv", "CallHistory", 24000, True),
    ("DbTables/cdrbilling.csv", "CallHistory", 8000, True),
    ("DbTables/users.csv", None, 6000, True),
    ("DbTables/dn.csv", None, 4000, True),
    ("License/license.json", "License", 400, True),
    ("Provisioning/phones.xml", "PhoneProvisioning", 5000, True),
    ("Prompts/welcome.wav", "Prompts", 30000, False),
    ("VoiceMails/101/msg0001.wav", "VoiceMails", 40000, False),
    ("Recordings/101/call0001.wav", "Recordings", 120000, False),
    ("fqdn.json", "FQDN", 200, True),
)
# Every member's time stamp: the same bytes for the same backup, whenever it is made.
MEMBER_TIME = (2026, 1, 1, 0, 0, 0)
SCHEDULED = ("3CXScheduledBackup-{:%Y%m%d}.zip", (2, 1))  # name format, and the age in days of each


def archive(name, contents):
    """The zip of a backup named ``name`` with ``contents`` (a dict of Contents flags; those left out take 3CX's
    defaults): the same bytes for the same arguments."""
    flags = dict(DEFAULT_CONTENTS, **contents)
    rng = random.Random(f"backup:{name}")
    compression = zipfile.ZIP_STORED if flags["DisableBackupCompression"] else zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for path, flag, size, text in MEMBERS:
            if flag is None or flags[flag]:
                data = _text(rng, size) if text else rng.randbytes(size)
                zipped.writestr(zipfile.ZipInfo(path, MEMBER_TIME), data, compress_type=compression)
    return buffer.getvalue()


def _text(rng, size):
    """CSV-like lines of digits and names, ``size`` bytes long."""
    words = ("101", "102", "Anna", "Sean", "Outbound", "Inbound", "00:03:12", "Answered", "Queue 800")
    text = ""
    while len(text) < size:
        text += ",".join(rng.choice(words) for _column in range(6)) + "\n"
    return text[:size].encode()


class _Job:
    """A backup being made: what it holds and how it ends, fixed when it starts."""

    def __init__(self, name, contents, duration, outcome):
        self.name = name
        self.contents = contents
        self.started = time.monotonic()
        self.done_at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=duration)
        self.duration = duration
        self.outcome = outcome

    def ended(self, now):
        return self.outcome != BACKUP_NEVER_APPEARS and now >= self.started + self.duration


class Backups:
    """The Backups rules: the XAPI operations in ``handlers`` (operationId -> handler(request, validation)) and the
    download link (``download``), over ``store`` (an EntityStore that starts empty); ``answers`` answers what has no
    rule of its own."""

    def __init__(self, store, switches, tokens, answers):
        self.store = store
        self.switches = switches
        self.tokens = tokens
        self.answers = answers
        self._lock = threading.Lock()
        self._running = []
        self._files = {}  # FileName -> (ticket, zip bytes)
        self.handlers = {"Backup": self._start, "GetCanCreateBackup": self._can_create, "ListBackups": self._generic,
                         "DeleteBackups": self._delete}
        today = datetime.datetime.now(datetime.timezone.utc).replace(hour=3, minute=0, second=0, microsecond=0)
        name_format, ages = SCHEDULED
        for age in ages:
            moment = today - datetime.timedelta(days=age)
            self.add(name_format.format(moment), moment)

    # Test helpers

    def add(self, name, created=None, **contents):
        """A finished backup, listed from now on, made at ``created`` (a datetime; now if None) with ``contents``
        (Contents flags); returns its record."""
        data = archive(name, contents)
        ticket = secrets.token_urlsafe(24)
        created = created or datetime.datetime.now(datetime.timezone.utc)
        with self.store.lock:
            self._files[name] = (ticket, data)
            return self.store.add(FileName=name, CreationTime=iso_utc(created), Size=len(data),
                                  DownloadLink=f"{DOWNLOAD_PATH}?{urlencode({'file': name, 'ticket': ticket}, quote_via=quote)}")

    def listed(self):
        """Copies of the backups listed now, oldest first (by name)."""
        self._settle()
        return self.store.all()

    @property
    def running(self):
        """The names of the backups being made now."""
        self._settle()
        with self._lock:
            return [job.name for job in self._running]

    def content(self, name):
        """The bytes the download link of the listed backup ``name`` answers."""
        return self._files[name][1]

    # The backups being made

    def _settle(self):
        """List the backups that are done by now (ok), drop those that failed."""
        now = time.monotonic()
        with self._lock:
            ended = [job for job in self._running if job.ended(now)]
            self._running = [job for job in self._running if not job.ended(now)]
        for job in ended:
            if job.outcome == BACKUP_OK:
                self.add(job.name, job.done_at, **job.contents)

    def _busy(self):
        with self._lock:
            return bool(self._running) and not self.switches["can_create_backup_while_running"]

    # XAPI operations

    def _generic(self, request, validation):
        self._settle()
        return self.answers(model().routes[validation.operation_id], request, validation)

    def _delete(self, request, validation):
        response = self._generic(request, validation)
        with self.store.lock:
            for name in set(self._files) - set(self.store.records):
                del self._files[name]
        return response

    def _can_create(self, request, validation):
        self._settle()
        return json_response({"@odata.context": f"{request.host_url.rstrip('/')}{spec.API_ROOT}/$metadata#Edm.Boolean",
                              "value": not self._busy()}, content_type=ODATA_JSON)

    def _start(self, request, validation):
        self._settle()
        description = (validation.body or {}).get("description") or {}
        name = description.get("Name")
        contents = {flag: value for flag, value in (description.get("Contents") or {}).items() if value is not None}
        if not name:
            return xapi_warning("Name", "REQUIRED")
        if not name.endswith(".zip") or "/" in name or "\\" in name or name.startswith("."):
            return xapi_warning("Name", "INVALID_FILE_NAME")
        password = contents.pop("EncryptBackupPassword", None) or {}
        if contents.get("EncryptBackup") and not password.get("Value"):
            return xapi_warning("EncryptBackupPassword", "REQUIRED")
        switches = self.switches.values
        with self._lock:
            if name in self.store.records or any(job.name == name for job in self._running):
                return xapi_warning("Name", "DUPLICATE")
            if self._running and not switches["can_create_backup_while_running"]:
                return xapi_warning("Name", "TOO_MANY_BACKUPS", namespace="WARNINGS")
            self._running.append(_Job(name, contents, switches["backup_duration"], switches["backup_outcome"]))
        return Response(status=204)

    # The download link

    def download(self, request, entry):
        """Fill in the log entry of a request for the download link, the ticket redacted; returns the function that answers it."""
        entry["operation"] = DOWNLOAD_OPERATION
        if "ticket" in request.args:
            entry["query"] = dict(entry["query"], ticket=REDACTED)
            entry["raw_query"] = urlencode(entry["query"], quote_via=quote, safe="<>")
        return functools.partial(self._serve, request)

    def _serve(self, request):
        if request.method != "GET":
            return Response(status=405, headers={"Allow": "GET"})
        if self.switches["backup_download_auth"] == BEARER_REQUIRED and self.tokens.client_of(request.headers.get("Authorization")) is None:
            return Response(status=401, headers={"WWW-Authenticate": "Bearer"})
        name = request.args.get("file")
        with self.store.lock:
            ticket, data = self._files.get(name, (None, None))
        if data is None:
            return Response("No such backup.", status=404, content_type="text/plain")
        if not secrets.compare_digest(ticket.encode(), request.args.get("ticket", "").encode()):
            return Response("The link is not valid.", status=403, content_type="text/plain")
        return Response(data, content_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})
