# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A simulated 3CX V20 XAPI (version 20.0.10) for tests and demos.

It serves ``POST /connect/token`` and, under ``/xapi/v1``, every one of the spec's 601 operations.  Each
request is checked against the spec first (before the bearer token): one a real 3CX would not understand
is answered 400 (404 for an unknown path, 405 for a method the path lacks) and recorded in
``Simulator.violations``, so tests can fail loudly on it.

DeviceInfos and Users hold realistic, hand-made data (``seed``); Provision assigns a phone to a user.  Backups
are made in the background and downloaded through a link outside the XAPI (``backups``, ``Simulator.backups``).  Every
other entity set starts with 3 to 5 records and every singleton, navigation property and function answer is
generated from the spec's schemas (``generate``), the same for the same ``seed``.  Operations are answered by
their kind (``model``, ``generic``): entity sets list with every query option, read by key or alternate key
(``Users(Number='101')``, a string key quoted as in ``Backups('x.zip')``), create (201), update (PATCH, 204,
each property given replaced whole) and delete (204); singletons read and update; navigation properties
(``/Groups(1)/Members``) list, and ``$expand`` names them; functions and actions answer what the spec declares
(``{"value": ...}`` for a scalar or a collection).  A key naming no record answers 404, for a bound function
or action too.  Tests change the data through ``Simulator`` (``modify_device_info``, ``add_user``,
``schedule_change``...) and read any of it with ``records("Groups")`` and ``singleton("AISettings")``.

Settings of ``Simulator``, for behaviour the spec leaves open:

- ``etag_mode``: send ``@odata.etag``/``ETag`` and honour ``If-Match`` on DELETE (412 when stale);
  off by default, like current 3CX releases, which send no ETags and ignore If-Match.
- ``expires_in_unit``: ``"seconds"`` (20.0.9 on) or ``"minutes"`` (up to 20.0.8) for the token
  reply's ``expires_in``; ``token_lifetime`` is how many seconds a token really lives.
- ``one_token_per_client``: a new token makes the client's previous one answer 401.
- ``latency``: answer every XAPI call and token request this many seconds late, like a PBX behind a WAN link
  with that round trip (``0.02``: 20 ms); the request is processed at once, and while its answer waits the
  server goes on serving other connections (it has 16 threads).  ``python -m xapi_simulator --latency 0.02``.
- ``tls``: serve HTTPS with a certificate for 127.0.0.1, localhost and ::1 from a throw-away CA, whose
  certificate is at ``Simulator.ca_path`` while the simulator runs.  ``python -m xapi_simulator --tls``
  prints that path on the line after the URL; with ``--ca-out PATH`` it copies the file there and prints PATH.

Switches, for what a real PBX does where public sources disagree or are silent (the collection must work
under every value; the default is the best reading): ``Simulator(switches={"over_top": "clamp"})``,
``sim.set_switch(name, value)`` from the next request on, ``sim.switches`` (all of them), ``POST
/_simulator/switches`` with a JSON object of some (it answers all of them; ``GET`` too), ``python -m
xapi_simulator --switch over_top=clamp``.  A value may be given as its text (``"50"``, ``"1/60"``); an unknown
name or a value the switch does not take is a ValueError (400 from the endpoint, an error from the CLI).  The
environment variable ``XAPI_SIM_SWITCHES`` (``name=value`` items separated by commas or spaces) sets the
defaults of every simulator in the process, so that a whole suite runs under other values without editing a
test; ``switches`` given to ``Simulator`` or the CLI win over it.

- ``max_top`` (100) and ``over_top`` (``reject_400``, or ``clamp``): a real PBX answers at most 100 records a page
  (no ``@odata.nextLink``).  A ``$top`` above ``max_top`` answers 400 with 3CX's OData error (ASP.NET's "The limit
  of '100' for Top query has been exceeded...", as clients of live PBXs report it), or with ``clamp`` a page cut
  to ``max_top``.  Without ``$top`` a page holds ``max_top`` records too (unknown on a real PBX; this way a client
  that does not page is caught).  The same holds for ``$expand``ed collections and their nested ``$top``.
- ``token_issue_rate`` (``off``, or ``N/SECONDS``) and ``token_cooldown`` (180 seconds): when a token request finds
  N others answered in the last SECONDS, it and every token request for the cool-down after it are answered 403
  with an empty body, as a real PBX refuses clients that fetch tokens too often (``auth.TokenThrottle``).  The
  request log has them with status 403.
- ``backup_duration`` (5 seconds) and ``backup_outcome`` (``ok``, ``fail`` or ``never_appears``): how long a backup
  takes and how it ends; ``can_create_backup_while_running`` (``false``, or ``true``): whether ``GetCanCreateBackup()``
  stays true and another backup may start while one runs; ``backup_download_auth`` (``ticket_in_link``, or
  ``bearer_required``): whether the download link needs the bearer token besides its ticket (see ``backups``).

Faults, for the next requests that match (XAPI calls, token requests and backup downloads, optionally only of an
operationId, ``token`` for token requests, ``backup_download`` for downloads, and/or of a method), each request
taking the first armed fault it matches:
``fail_next`` answers an error status without processing the request (nginx's HTML page for 502, 503 and
504, 3CX's OData error otherwise, optionally a Retry-After), ``delay_next`` answers late, ``reset_next``
closes the connection unanswered (either optionally after processing the request, or after sending ``after_bytes``
bytes of the answer's body: a download cut short), ``down``/``up`` stop and
resume answering everything, ``clear_faults`` ends them all, and ``after_requests`` runs a callback (e.g.
``down``) once some requests have been answered.  The request log tells each entry's ``fault``.

From outside the test process, ``POST /_simulator/faults`` takes a JSON object with a ``kind`` and the
keyword arguments of the matching method: ``status`` (``fail_next``: count, status, retry_after, body,
content_type, operation, method), ``delay`` (``delay_next``: count, seconds, after_processing, operation,
method), ``reset`` (``reset_next``: count, after_processing, operation, method, after_bytes), ``down``, ``up`` or
``clear``; it answers 200 with what it armed, or 400 with an ``error``.  For example::

    curl -d '{"kind": "status", "status": 503, "retry_after": 5, "count": 2}' http://127.0.0.1:8090/_simulator/faults
    python -m xapi_simulator.faults http://127.0.0.1:8090 status --status 503 --retry-after 5 --count 2
    python -m xapi_simulator.faults http://127.0.0.1:8090 reset --after-processing --operation DeleteDeviceInfo
    python -m xapi_simulator.faults https://127.0.0.1:8090 down --cafile ca.pem

``python -m xapi_simulator.faults --help`` lists the options; they are the keyword arguments, spelt
``--retry-after`` and so on, and ``--cafile`` to trust an HTTPS simulator's CA.  The other control
endpoints: ``GET /_simulator/entities/<EntitySet>`` (its records, e.g. ``entities/Groups``, as
``Simulator.records``), ``GET /_simulator/singletons/<Singleton>`` (its object, as ``Simulator.singleton``),
``GET /_simulator/device_infos``, ``users``, ``requests``, ``violations`` and ``POST /_simulator/reset``
(empties the log and the violations).
"""

from .server import Simulator

__all__ = ["Simulator"]
