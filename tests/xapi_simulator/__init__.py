# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A simulated 3CX V20 XAPI (version 20.0.10) for tests and demos.

It serves ``POST /connect/token`` and, under ``/xapi/v1``, every one of the spec's 601 operations.  Each
request is checked against the spec first (before the bearer token): one a real 3CX would not understand
is answered 400 (404 for an unknown path, 405 for a method the path lacks) and recorded in
``Simulator.violations``, so tests can fail loudly on it.

DeviceInfos, Users and Groups (departments) hold realistic, hand-made data (``seed``); Provision assigns a phone to
a user.  Backups are made in the background and downloaded through a link outside the XAPI (``backups``,
``Simulator.backups``).  Every other entity set starts with 3 to 5 records and every singleton, navigation property
and function answer is generated from the spec's schemas (``generate``), the same for the same ``seed``.  Operations
are answered by their kind (``model``, ``generic``): entity sets list with every query option, read by key or alternate key
(``Users(Number='101')``, a string key quoted as in ``Backups('x.zip')``), create (201), update (PATCH, 204,
each property given replaced whole) and delete (204); singletons read and update; navigation properties
(``/Groups(1)/Members``) list, and ``$expand`` names them, with nested options (``Groups($select=GroupId,Name;
$filter=not startswith(Name,'___FAVORITES___');$expand=Rights($select=RoleName))``); functions and actions answer
what the spec declares (``{"value": ...}`` for a scalar or a collection).  A key naming no record answers 404, for a
bound function or action too.  Tests change the data through ``Simulator`` (``modify_device_info``, ``add_user``,
``schedule_change``...) and read any of it with ``records("Groups")`` and ``singleton("AISettings")``.

Users and departments follow 3CX's rules (``directory``, ENTITIES.md §1, §2), and every DN (users, departments,
queues, ring groups, IVRs, route points, fax, service principals, parkings, trunks) shares one number space
(``numbers``); a refused request answers 400 ``<Property>:\nWARNINGS....`` with one detail naming the property,
before anything changes:

- Numbers: a Number any DN holds is refused (``ALREADY_IN_USE``); an omitted one is the first free one of the type's
  range (users from 100, queues from 800..., as ``GetFirstAvailableExtensionNumber()`` and its siblings answer);
  a department's is always the PBX's (``GRP<n>``; the default department's ``GRP0000``), a favourites department's
  ``FGRP<ext>``.  A PATCH with another Number is refused on every DN type but trunks and route points.
- Users: ``DisplayName`` is composed of FirstName and LastName, whatever a body says of it; a new user gets what a
  PBX fills in (``seed.user_defaults``: enabled, voicemail on, EN, office hours...) and secrets of its own
  (``AuthID``, ``AuthPassword``, ``AccessPassword``, ``DeskphonePassword``, ``SIPID``, ``VMPIN``), which plain reads
  answer (ENTITIES.md §14); an e-mail address another user has is refused.  ``Groups`` (Pbx.UserGroup rows:
  GroupId, Number, MemberName, Name, Type, CanDelete, Id, Rights only when nested-expanded) is the user's
  memberships, which a PATCH of ``Groups`` replaces whole (its favourites department aside): an unknown GroupId
  (``NOT_FOUND``) or RoleName (``NOT_FOUND``) is refused.  ``PrimaryGroupId`` must name one of the departments the
  user is in once the body is applied (``INVALID`` else, ``NOT_FOUND`` for no department); a user that leaves its
  primary department gets its oldest remaining one.  A user created without ``Groups`` is in the default department.
  ``DELETE`` removes its memberships and its favourites department; ``Pbx.BatchDelete`` answers a
  Pbx.UserDeleteError for each user it refuses.
- Departments (seeded: DEFAULT, the default one, Sales, Support, Accounts; Sales also holds the first queue and
  the first parking; each user has a hidden favourites department ``___FAVORITES___<ext>``): a name is required;
  ``Members`` lists every DN in it, and a PATCH of ``Members`` (``{"Number", "Rights"}`` items) replaces it whole;
  an unknown Number is refused (``NOT_FOUND``); a user a department-side change leaves in no department goes to
  the default one.  The default department is never deleted (``WARNINGS.GROUP_CANNOT_BE_DELETED``).

The test API: ``departments()``, ``add_department(name, **fields)``, ``department_members(name)``,
``user_departments(number)``, ``primary_department(number)``, ``add_user(number, departments, primary, **fields)``
and ``user_by_number(number)`` (secrets and all).  Every request-log entry has ``body_properties``, the sorted
top-level property names of a JSON object body (never the values; None for another body), and ``secrets_sent``,
the names of the users' secret properties that its answer carried with a value.

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

Switches of users and departments (ENTITIES.md §16; the first value is the default):

- ``duplicate_number_across_types`` (``reject_already_in_use``, ``allow``): whether a Number another type of DN
  holds is refused, or only one the same type holds.
- ``create_user_minimal`` (``accept_empty``, ``require_number``): ``POST /Users {}`` creates a user with the first
  free number, or a user without a Number is refused (``Number: WARNINGS.XAPI.REQUIRED``).
- ``number_change`` (``reject_forbidden_change``, ``reject_already_in_use``, ``ignore``): a PATCH with another
  Number is refused with ``FORBIDDEN_CHANGE`` or ``ALREADY_IN_USE``, or answered 204 with the Number kept.
- ``duplicate_email`` (``reject_already_in_use``, ``allow``): an e-mail address another user has (in any case).
- ``duplicate_group_name`` (``reject_already_in_use``, ``reject_duplicate``, ``allow``): a department name another
  department has is refused with ``ALREADY_IN_USE`` or ``WARNINGS.XAPI.DUPLICATE``, or taken.
- ``displayname_format`` (``last_first``, ``first_last``): DisplayName "Last, First" (as 3CX shows it) or "First Last".
- ``create_response`` (``full_entity``, ``doc_subset``): the 201 of CreateUser and CreateGroup holds the whole entity,
  or only what 3CX's documentation shows (``directory.DOC_SUBSETS``).
- ``membership_rights_omitted`` (``users``, ``reject_required``): a user's membership without ``Rights`` gets the
  role ``users``, or is refused (``Rights: WARNINGS.XAPI.REQUIRED``).
- ``user_groups_empty`` (``move_to_default``, ``no_department``, ``reject_required``): a user's ``Groups: []`` puts it
  in the default department, in none, or is refused (``Groups: WARNINGS.XAPI.REQUIRED``).
- ``group_members_patch`` (``replace_all_types``, ``replace_extensions_only``): a PATCH of a department's ``Members``
  drops every DN it does not list (its queues, IVRs and parkings too), or only the users.
- ``primary_group_requires_membership`` (``reject``, ``accept_and_add``): a PrimaryGroupId of a department the user
  is not in (counting the memberships of the same body) is refused, or the user joins it as ``users``.
- ``favorites_groups`` (``on``, ``off``): whether each user has its hidden favourites department.
- ``group_delete`` (``reject_with_members``, ``cascade``, ``move_members_to_default``): deleting a department with
  members is refused (``WARNINGS.GROUP_WITH_MEMBERS_CANNOT_BE_DELETED``), or its members lose the membership (a user
  left in none goes to the default department), or they all move to the default department.
- ``batch_param_case`` (``case_insensitive``, ``strict_spec``): an action's parameters bind whatever their case
  (``{"Ids": [...]}`` for BatchDelete's ``ids``), or only as the spec spells them (another case is a violation).
- ``undeletable_users`` (``none``, or extension numbers separated by ``;``): users a delete refuses
  (``WARNINGS.USER_EXTENSION_CANNOT_BE_DELETED``: DELETE answers 400, BatchDelete a Pbx.UserDeleteError row).
- ``user_delete_cascade`` (``drop_phones_unassign_deviceinfos``, ``keep_deviceinfo_assigned``): whether the
  DeviceInfos assigned to a deleted user become unassigned (its ``Phones`` go with it either way).
- ``secrets_in_default_projection`` (``on``, ``off``): whether a read without ``$select`` answers the users' secrets.

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
