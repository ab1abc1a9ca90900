# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A simulated 3CX V20 XAPI (version 20.0.10) for tests and demos.

It serves ``POST /connect/token`` and, under ``/xapi/v1``, ListDeviceInfo, GetDeviceInfo,
DeleteDeviceInfo, Provision, ListUser, GetUser and GetUserByNumber as described by the 3CX spec; every
other operation of the spec answers 501.  Each request is checked against the spec first (before the
bearer token): one a real 3CX would not understand is answered 400 (404 for an unknown path, 405 for
a method the path lacks) and recorded in ``Simulator.violations``, so tests can fail loudly on it.
Tests change the data through ``Simulator`` (``modify_device_info``, ``add_user``, ``schedule_change``...).

Settings of ``Simulator``, for behaviour the spec leaves open:

- ``etag_mode``: send ``@odata.etag``/``ETag`` and honour ``If-Match`` on DELETE (412 when stale);
  off by default, like current 3CX releases, which send no ETags and ignore If-Match.
- ``expires_in_unit``: ``"seconds"`` (20.0.9 on) or ``"minutes"`` (up to 20.0.8) for the token
  reply's ``expires_in``; ``token_lifetime`` is how many seconds a token really lives.
- ``one_token_per_client``: a new token makes the client's previous one answer 401.
- ``max_page_size``: silently cap every page, with or without ``$top`` (no ``@odata.nextLink``).
"""

from .server import Simulator

__all__ = ["Simulator"]
