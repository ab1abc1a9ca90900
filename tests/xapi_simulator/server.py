# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``Simulator``: a simulated 3CX V20 PBX serving the XAPI from a background thread."""

import logging
import ssl
import threading

from cheroot import wsgi

from .app import HANG_UP, Journal, XapiApp
from .auth import TokenIssuer
from .countdown import is_seconds
from .directory import Directory
from .injection import FaultPlan
from .inventory import Inventory
from .model import model
from .schedule import ScheduledChange, Scheduler
from .store import DeviceInfoStore, EntityStore, GroupStore, UserStore
from .switches import Switches
from .tls import ThrowAwayCA

DEFAULT_CLIENTS = {"threecx-pbx-sim": "simulator-secret"}
# cheroot rather than werkzeug's development server: that one closes the connection after every reply,
# while a real PBX keeps it alive, and clients (and benchmarks) must be seen doing the same.
_SERVER_THREADS = 16
LOG = logging.getLogger("xapi_simulator")


class FaultGateway(wsgi.Gateway_10):
    """cheroot's WSGI gateway, offering the app a way to close the connection without a reply.

    This is how faults hang up (``reset_next``, ``down``).  The app calls ``environ[HANG_UP]()`` and returns
    an empty body without starting a response.  The request is then marked as answered (``sent_headers``),
    so cheroot writes nothing for it, and as the last on its connection (``close_connection``, as after
    ``Connection: close``), so cheroot closes that connection's socket, and no other, once the request is
    done; the worker thread goes on serving other connections.  Whatever the app left of the request body
    is read first: closing a socket with unread input makes the kernel answer with a reset (RST) instead of
    an orderly close (FIN), and a client must meet the same end every time.  Over TLS the socket is closed
    without a TLS close_notify.
    """

    def get_environ(self):
        environ = super().get_environ()
        environ[HANG_UP] = self._hang_up
        return environ

    def _hang_up(self):
        self.req.rfile.read()
        self.req.sent_headers = True
        self.req.close_connection = True

    def respond(self):
        try:
            super().respond()
        except ssl.SSLEOFError:
            # The client gave up waiting for a late answer.  Over plain TCP cheroot takes the broken pipe in
            # its stride; over TLS it would log a traceback.
            self.req.close_connection = True


class _Server(wsgi.Server):
    """cheroot's WSGI server with the simulator's gateway, logging to the ``xapi_simulator`` logger, not to stderr:
    its notes on clients that refused the throw-away certificate are noise unless asked for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gateway = FaultGateway

    def error_log(self, msg="", level=logging.INFO, traceback=False):
        LOG.log(level, msg, exc_info=traceback)


class Simulator:
    """A simulated PBX; see the package docstring for the settings and the ``switches`` (name -> value)."""

    def __init__(self, clients=None, seed=1, records=50, etag_mode=False, expires_in_unit="seconds",
                 token_lifetime=3600, one_token_per_client=True, tls=False, latency=0.0, switches=None):
        self._switches = Switches(switches)
        if not is_seconds(latency):
            raise ValueError(f"latency must be a non-negative number of seconds, not {latency!r}")
        entity_sets = model().entity_sets
        self._inventory = Inventory(seed, self._switches)
        self._users = UserStore(entity_sets["Users"], seed, self._switches, self._inventory.dn_lock)
        self._store = DeviceInfoStore(entity_sets["DeviceInfos"], self._users, seed, records)
        self._inventory.add(self._store)
        groups = GroupStore(entity_sets["Groups"], seed, self._inventory.dn_lock)
        self._directory = Directory(self._inventory, self._users, groups, self._store, self._switches)
        self._inventory.add(EntityStore(entity_sets["Backups"], seed, seeded=()))
        self._schedule = Scheduler()
        self._tokens = TokenIssuer(DEFAULT_CLIENTS if clients is None else clients, token_lifetime, expires_in_unit, one_token_per_client)
        self._journal = Journal()
        self._faults = FaultPlan(self._journal)
        self.app = XapiApp(self._inventory, self._tokens, self._journal, self._schedule, self._faults, self._switches, etag_mode, latency,
                           self._directory.handlers())
        self._tls = ThrowAwayCA() if tls else None
        self._server = None
        self._thread = None

    def start(self, host="127.0.0.1", port=0):
        """Serve in a daemon thread (port 0: any free port); returns self."""
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        server = _Server((host, port), self.app, numthreads=_SERVER_THREADS, server_name="3CX")
        server.expiration_interval = 0.02  # how often the accept loop looks up; stop() waits for it
        if self._tls is not None:
            server.ssl_adapter = self._tls.ssl_adapter()
        try:
            server.prepare()  # binds now, so a busy port raises OSError here and the port is known
        except OSError:
            self._remove_certificates()
            raise
        self._faults.stopping.clear()
        self._server = server
        self._thread = threading.Thread(target=server.serve, name=f"xapi-simulator-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._faults.stopping.set()  # delayed answers go out now
        self._server.stop()
        self._thread.join()
        self._server = self._thread = None
        self._remove_certificates()

    def _remove_certificates(self):
        if self._tls is not None:
            self._tls.remove()

    @property
    def port(self):
        return self._server.bind_addr[1]

    def __enter__(self):
        return self if self._server is not None else self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        """The PBX base URL, e.g. ``http://127.0.0.1:41234`` or with ``tls`` ``https://...`` (the XAPI is under ``/xapi/v1``)."""
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        host = self._server.bind_addr[0]
        return f"{'http' if self._tls is None else 'https'}://{'[' + host + ']' if ':' in host else host}:{self.port}"

    @property
    def ca_path(self):
        """With ``tls``, the PEM file of the CA that issued the server's certificate (removed by ``stop()``); else None."""
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        return None if self._tls is None else self._tls.ca_path

    @property
    def etag_mode(self):
        """Whether ETags are sent and If-Match is honoured (the ``etag_mode`` setting)."""
        return self.app.answers.etag_mode

    @property
    def latency(self):
        """How many seconds late every XAPI answer and token reply goes out (the ``latency`` setting)."""
        return self.app.latency

    @property
    def switches(self):
        """The value of every switch, name -> value (a copy)."""
        return dict(self._switches.values)

    def set_switch(self, name, value):
        """Set switch ``name`` to ``value`` (or its text, as the CLI takes it) from the next request on; ValueError
        for an unknown switch or a value it does not take."""
        self._switches.update({name: value})

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
        change = ScheduledChange(self._store, record_id, fields, delete)
        self._schedule.after(after_count, change, after_operation, successful_only=True)
        return change

    def after_requests(self, count, callback, operation=None, method=None):
        """Run ``callback()`` once, when ``count`` more matching requests (see ``fail_next``) have been answered.

        Every matching request counts, whatever its answer: an error, a fault, a connection closed unanswered
        (while ``down()`` too).  The callback runs before the last of them is answered, so that client's next
        request meets what it did, e.g. ``after_requests(4, sim.down, operation="DeleteDeviceInfo")``.
        """
        self._schedule.after(count, callback, operation, method)

    def fail_next(self, count=1, status=503, retry_after=None, body=None, content_type=None, operation=None, method=None):
        """Answer the next ``count`` matching requests ``status`` without processing them (nothing changes).

        A request matches when it is an XAPI call or a token request (operation ``token``) and, when they are
        given, its operationId is ``operation`` and its method is ``method``; each takes the first armed fault
        it matches.  ``retry_after`` (seconds, or a text sent as is) becomes a Retry-After header.  The body is
        what a PBX sends: for 502, 503 and 504 the HTML page of its nginx proxy, for other statuses 3CX's OData
        error; ``body`` (a text, or a dict or list sent as JSON) and ``content_type`` replace it.  A status below
        400 needs a body.  Returns the Fault; its ``remaining`` counts down.
        """
        return self._faults.fail(count, status, retry_after, body, content_type, operation, method)

    def delay_next(self, count=1, seconds=1.0, after_processing=False, operation=None, method=None):
        """Answer the next ``count`` matching requests ``seconds`` late (see ``fail_next`` for matching).

        With ``after_processing`` the request is processed at once (a DELETE deletes) and only its answer is
        late, so a client that gives up and repeats it meets the outcome, e.g. a 404.  ``stop()`` cuts delays short.
        """
        return self._faults.delay(count, seconds, after_processing, operation, method)

    def reset_next(self, count=1, after_processing=False, operation=None, method=None, after_bytes=None):
        """Close the connection of the next ``count`` matching requests without a reply (see ``fail_next``).

        The request is not processed, or with ``after_processing`` it is, and only the answer is lost.  The
        client meets an orderly close (FIN) with no answer: what Python's http.client calls RemoteDisconnected.
        With ``after_bytes`` the request is processed and the connection closed once the headers and that many
        bytes of the body have gone out: a download broken off half-way (``operation="backup_download"``).
        """
        return self._faults.reset(count, after_processing, operation, method, after_bytes)

    def down(self):
        """Stop answering: until ``up()``, every XAPI call and token request has its connection closed, unprocessed.

        Armed faults wait; requests while down still count for ``after_requests``.
        """
        self._faults.down()

    def up(self):
        """Answer again after ``down()``."""
        self._faults.up()

    def clear_faults(self):
        """Disarm every fault and end a ``down()``; callbacks of ``after_requests`` stay."""
        self._faults.clear()

    @property
    def users(self):
        """The live users, Id -> dict."""
        return self._users.records

    def add_user(self, number=None, departments=(("Sales", "users"),), primary=None, **fields):
        """A new user with the next Id, as an admin adds one, through CreateUser's rules; returns its record.

        ``number`` (or ``Number``) defaults to the first free one; without names it is "User <number>"; missing fields get
        realistic values.  It is in ``departments`` (``(name, role)`` pairs), its primary one ``primary`` (a name; by
        default the first of them).  ValueError for what CreateUser refuses (a taken Number, e.g.), KeyError for an
        unknown department, TypeError for names of ``fields`` that are no properties.
        """
        if number is not None:
            fields["Number"] = number
        return self._directory.add_user(fields, departments, primary)

    def user_by_number(self, number):
        """A copy of the user with extension ``number``, secrets and all (for tests only), or None."""
        return self._directory.user_by_number(number)

    def departments(self):
        """The departments (favourites ones left out), each a dict of its Id, Name, Number, IsDefault, Language and
        TimeZoneId, in the order of their Ids."""
        return self._directory.departments()

    def add_department(self, name, **fields):
        """A new department named ``name``, through CreateGroup's rules (ValueError for a name taken, e.g.); its record."""
        return self._directory.add_department(dict(fields, Name=name))

    def user_departments(self, number):
        """The sorted ``(department name, role)`` of the user with extension ``number`` (favourites left out); KeyError if none."""
        return self._directory.user_departments(number)

    def primary_department(self, number):
        """The name of the primary department of the user with extension ``number``, or None; KeyError for no such user."""
        return self._directory.primary_department(number)

    def department_members(self, name):
        """``(number, type)`` of each member of the department ``name`` (type as Pbx.PeerType: ``Extension``, ``Queue``...),
        in the order of their memberships; KeyError for no such department."""
        return self._directory.department_members(name)

    @property
    def backups(self):
        """The Backups rules (``xapi_simulator.backups.Backups``): ``listed()``, ``running``, ``add(...)``, ``content(name)``."""
        return self.app.backups

    def records(self, entity_set):
        """Copies of the records of ``entity_set`` (e.g. ``"Groups"``), by key, as the XAPI lists them without
        query options; KeyError if the spec has no such entity set.  Tests learn existing keys here:
        ``sim.records("Groups")[0]["Id"]``.  Navigation properties (``Groups(1)/Members``) are not in a record."""
        return self._inventory.entity_set(entity_set).all()

    def singleton(self, name):
        """A copy of singleton ``name``'s object (e.g. ``"AISettings"``), as its GET answers it; KeyError if the spec has none."""
        return self._inventory.singleton(name).get()

    @property
    def requests(self):
        """The request log, in arrival order (never holds a secret, token or Authorization header).

        An entry is added when its request arrives; its ``status`` is None until it is answered, and stays None
        for a connection closed unanswered.  ``fault`` names what a fault did to it: ``status``, ``delay``,
        ``reset``, ``down``, or None.  ``received`` is when it arrived, in seconds of ``time.monotonic()``:
        only differences between entries mean anything (e.g. how long a client took from its first request to
        its last), and it never decreases along the log.
        """
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
