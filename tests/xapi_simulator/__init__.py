# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A simulated 3CX V20 XAPI (version 20.0.10) for tests and demos.

It serves ``POST /connect/token`` and, under ``/xapi/v1``, every one of the spec's 601 operations.  Each
request is checked against the spec first (before the bearer token): one a real 3CX would not understand
is answered 400 (404 for an unknown path, 405 for a method the path lacks) and recorded in
``Simulator.violations``, so tests can fail loudly on it.

DeviceInfos and Users hold realistic, hand-made data (``seed``); Provision assigns a phone to a user.  Every
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
- ``max_page_size``: silently cap every page, with or without ``$top`` (no ``@odata.nextLink``).
- ``latency``: answer every XAPI call and token request this many seconds late, like a PBX behind a WAN link
  with that round trip (``0.02``: 20 ms); the request is processed at once, and while its answer waits the
  server goes on serving other connections (it has 16 threads).  ``python -m xapi_simulator --latency 0.02``.
- ``tls``: serve HTTPS with a certificate for 127.0.0.1, localhost and ::1 from a throw-away CA, whose
  certificate is at ``Simulator.ca_path`` while the simulator runs.  ``python -m xapi_simulator --tls``
  prints that path on the line after the URL; with ``--ca-out PATH`` it copies the file there and prints PATH.

Faults, for the next requests that match (XAPI calls and token requests, optionally only of an operationId,
``token`` for token requests, and/or of a method), each request taking the first armed fault it matches:
``fail_next`` answers an error status without processing the request (nginx's HTML page for 502, 503 and
504, 3CX's OData error otherwise, optionally a Retry-After), ``delay_next`` answers late, ``reset_next``
closes the connection unanswered (either optionally after processing the request), ``down``/``up`` stop and
resume answering everything, ``clear_faults`` ends them all, and ``after_requests`` runs a callback (e.g.
``down``) once some requests have been answered.  The request log tells each entry's ``fault``.

From outside the test process, ``POST /_simulator/faults`` takes a JSON object with a ``kind`` and the
keyword arguments of the matching method: ``status`` (``fail_next``: count, status, retry_after, body,
content_type, operation, method), ``delay`` (``delay_next``: count, seconds, after_processing, operation,
method), ``reset`` (``reset_next``: count, after_processing, operation, method), ``down``, ``up`` or
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
