# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``Simulator``: a simulated 3CX V20 PBX serving the XAPI from a background thread."""

import threading

from cheroot import wsgi

from .app import Journal, XapiApp
from .auth import TokenIssuer
from .schedule import Scheduler
from .store import DeviceInfoStore, UserStore

DEFAULT_CLIENTS = {"threecx-pbx-sim": "simulator-secret"}
# cheroot rather than werkzeug's development server: that one closes the connection after every reply,
# while a real PBX keeps it alive, and clients (and benchmarks) must be seen doing the same.
_SERVER_THREADS = 16


class Simulator:
    """A simulated PBX; see the package docstring for the settings."""

    def __init__(self, clients=None, seed=1, records=50, etag_mode=False, expires_in_unit="seconds",
                 token_lifetime=3600, one_token_per_client=True, max_page_size=None):
        if max_page_size is not None and max_page_size < 1:
            raise ValueError("max_page_size must be a positive number or None")
        self._users = UserStore(seed)
        self._store = DeviceInfoStore(self._users, seed, records)
        self._schedule = Scheduler(self._store)
        self._tokens = TokenIssuer(DEFAULT_CLIENTS if clients is None else clients, token_lifetime, expires_in_unit, one_token_per_client)
        self._journal = Journal()
        stores = {"DeviceInfos": self._store, "Users": self._users}
        self.app = XapiApp(stores, self._tokens, self._journal, self._schedule, etag_mode, max_page_size)
        self._server = None
        self._thread = None

    def start(self, host="127.0.0.1", port=0):
        """Serve in a daemon thread (port 0: any free port); returns self."""
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        server = wsgi.Server((host, port), self.app, numthreads=_SERVER_THREADS, server_name="3CX")
        server.expiration_interval = 0.02  # how often the accept loop looks up; stop() waits for it
        server.prepare()  # binds now, so a busy port raises OSError here and the port is known
        self._server = server
        self._thread = threading.Thread(target=server.serve, name=f"xapi-simulator-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._server.stop()
        self._thread.join()
        self._server = self._thread = None

    @property
    def port(self):
        return self._server.bind_addr[1]

    def __enter__(self):
        return self if self._server is not None else self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        """The PBX base URL, e.g. ``http://127.0.0.1:41234`` (the XAPI is under ``/xapi/v1``)."""
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        host = self._server.bind_addr[0]
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}"

    @property
    def etag_mode(self):
        """Whether ETags are sent and If-Match is honoured (the ``etag_mode`` setting)."""
        return self.app.etag_mode

    @property
    def max_page_size(self):
        """The silent page-size cap, or None (the ``max_page_size`` setting)."""
        return self.app.max_page_size

    @property
    def device_infos(self):
        """The live records, Id -> dict."""
        return self._store.records

    def modify_device_info(self, record_id, **fields):
        """Change a record as the PBX would (its ETag changes); returns it."""
        return self._store.modify(record_id, **fields)

    def add_device_info(self, **fields):
        """A newly detected phone with the next Id; missing fields get realistic values."""
        return self._store.add(**fields)

    def schedule_change(self, record_id, after_operation, after_count=1, delete=False, **fields):
        """Change DeviceInfo ``record_id`` as another admin would, between a client's requests.

        Once ``after_count`` more requests of operationId ``after_operation`` (e.g. ``"ListDeviceInfo"``)
        have been answered successfully, and before that last answer goes out, the record gets
        ``fields`` as ``modify_device_info`` gives them, or with ``delete=True`` is deleted.  Applied
        once; nothing happens if the record is gone by then.  Returns the ScheduledChange, whose
        ``applied`` tells whether it has changed the record.
        """
        return self._schedule.add(record_id, after_operation, after_count, delete, **fields)

    @property
    def users(self):
        """The live users, Id -> dict."""
        return self._users.records

    def add_user(self, **fields):
        """A new user with the next Id; Number defaults to the next free one, missing fields get realistic values.

        Unlike CreateUser this checks nothing but that the Number is free (ValueError) and the names of ``fields``.
        """
        return self._users.add(**fields)

    @property
    def requests(self):
        """The request log, in arrival order (never holds a secret, token or Authorization header)."""
        return self._journal.requests

    def clear_requests(self):
        """Empty the request log (violations are kept)."""
        self._journal.clear(violations=False)

    @property
    def violations(self):
        """One line per request that did not match the XAPI spec."""
        return self._journal.violations

    @property
    def issued_tokens(self):
        """Every access token issued so far."""
        return self._tokens.issued

    def revoke_tokens(self):
        """Invalidate every current token: the next API call answers 401."""
        self._tokens.revoke_all()
