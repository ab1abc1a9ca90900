# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The WSGI application: token endpoint, XAPI operations on DeviceInfos and Users and the simulator's control endpoints."""

import functools
import threading

from werkzeug.http import parse_etags, quote_etag
from werkzeug.wrappers import Request, Response

from . import seed, spec
from .auth import TokenError
from .countdown import TOKEN_OPERATION
from .odata import EntityQuery, QueryError, key_string
from .replies import ODATA_JSON, json_response, odata_error
from .store import PreconditionFailed

XAPI_VERSION = "20.0.10.728"
TOKEN_PATH = "/connect/token"
CONTROL_PREFIX = "/_simulator/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# The environ key of the function with which the app has the server close the connection without a reply
# (see server.FaultGateway); only the simulator's own server offers it.
HANG_UP = "xapi_simulator.hang_up"


class Journal:
    """The request log and the spec violations, appended to by the server threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.violations = []

    def log(self, entry):
        with self.lock:
            self.requests.append(entry)

    def violation(self, text):
        with self.lock:
            self.violations.append(text)

    def clear(self, violations=True):
        """Empty the log (and the violations), keeping the same list objects."""
        with self.lock:
            del self.requests[:]
            if violations:
                del self.violations[:]


def xapi_warning(target, code):
    """3CX's 400 for a refused value: ``<target>:`` and ``WARNINGS.XAPI.<code>`` on two lines, one detail naming the target."""
    warning = f"WARNINGS.XAPI.{code}"
    return odata_error(400, f"{target}:\n{warning}", [{"code": "", "message": warning, "target": target}])


class EntitySet:
    """An entity set under /xapi/v1, e.g. ``DeviceInfos``: its store and its query options."""

    def __init__(self, name, store):
        self.name = name
        self.store = store
        self.query = EntityQuery(store.entity_type, store.properties)


class XapiApp:
    """WSGI callable serving one simulated PBX; ``faults`` may spoil an answer, ``schedule`` is told of every one."""

    def __init__(self, stores, tokens, journal, schedule, faults, etag_mode=False, max_page_size=None):
        self.devices = EntitySet("DeviceInfos", stores["DeviceInfos"])
        self.users = EntitySet("Users", stores["Users"])
        self.tokens = tokens
        self.journal = journal
        self.schedule = schedule
        self.faults = faults
        self.etag_mode = etag_mode
        self.max_page_size = max_page_size
        self.handlers = {
            "ListDeviceInfo": functools.partial(self._list, self.devices),
            "GetDeviceInfo": functools.partial(self._get, self.devices),
            "DeleteDeviceInfo": functools.partial(self._delete, self.devices),
            "Provision": self._provision,
            "ListUser": functools.partial(self._list, self.users),
            "GetUser": functools.partial(self._get, self.users),
            "GetUserByNumber": functools.partial(self._get, self.users),
        }

    def __call__(self, environ, start_response):
        """Log the request on arrival (its ``status`` comes with the answer), then answer it or let a fault have it."""
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            return self._control(request)(environ, start_response)
        # The entry has all its keys before it is logged (in admit): the log is read while requests are being
        # answered, and only values change after that.
        entry = {
            "method": request.method,
            "path": request.path,
            "query": request.args.to_dict(),
            "raw_query": request.query_string.decode("utf-8", "replace"),
            "if_match": request.headers.get("If-Match"),
            "operation": None,
            "status": None,
            "fault": None,
        }
        is_token = request.path == TOKEN_PATH
        answer = self._token(request, entry) if is_token else self._api(request, entry)

        def process():
            response = answer()
            entry["status"] = response.status_code  # now, not when a late answer goes out
            return response
        # Faults and scheduled callbacks are for XAPI calls and token requests, not for a stray GET /.
        xapi_or_token = is_token or request.path.startswith(spec.API_ROOT + "/")
        fault = self.faults.admit(entry, xapi_or_token)
        response = process() if fault is None else fault.answer(process, self.faults.stopping.wait)
        if response is not None:
            entry["status"] = response.status_code  # a status fault's
        if xapi_or_token:
            self.schedule.answered(entry)
        if fault is not None and fault.hangs_up:
            environ[HANG_UP]()
            return []
        return response(environ, start_response)

    def _violation(self, entry, reasons):
        query = entry["raw_query"]
        self.journal.violation(f"{entry['method']} {entry['path']}{'?' + query if query else ''}: {'; '.join(reasons)}")

    # Token endpoint

    def _token(self, request, entry):
        """Fill in the log entry of a token request; returns the function that answers it."""
        entry["operation"] = TOKEN_OPERATION
        entry["client_id"] = request.form.get("client_id") if request.mimetype in FORM_TYPES else None
        if request.query_string:
            # Credentials belong in the form body; whatever came in the URL is kept out of the log.
            entry["query"] = dict.fromkeys(request.args, "<redacted>")
            entry["raw_query"] = "<redacted>"
        return functools.partial(self._grant, request, entry)

    def _grant(self, request, entry):
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        try:
            if request.method != "POST":
                raise TokenError(405, "invalid_request", "The specified HTTP method is not valid.")
            if request.mimetype not in FORM_TYPES:
                raise TokenError(400, "invalid_request", "The specified 'Content-Type' header is invalid.")
            if request.query_string:
                raise TokenError(400, "invalid_request", "The token endpoint takes its parameters in a form body, not in the URL.")
            return json_response(self.tokens.grant(request.form), headers=headers)
        except TokenError as exc:
            if exc.status != 401:
                self._violation(entry, [f"token request refused: {exc}"])
            if exc.status == 405:
                headers["Allow"] = "POST"
            return json_response(exc.body, exc.status, headers)

    # XAPI

    def _api(self, request, entry):
        """Check an XAPI call against the spec and fill in its log entry; returns the function that answers it."""
        validation = spec.validate(request)
        entry["operation"] = validation.operation_id
        if validation.problems:
            self._violation(entry, validation.problems)
        return functools.partial(self._answer, request, validation)

    def _answer(self, request, validation):
        response = self._dispatch(request, validation)
        response.headers["OData-Version"] = "4.0"
        response.headers["X-3CX-Version"] = XAPI_VERSION
        return response

    def _dispatch(self, request, validation):
        if validation.problems:
            details = [{"code": "", "message": problem} for problem in validation.problems]
            return odata_error(validation.status, spec.SPEC_VIOLATION + "; ".join(validation.problems), details)
        authorization = request.headers.get("Authorization")
        if self.tokens.client_of(authorization) is None:
            challenge = 'Bearer error="invalid_token"' if authorization else "Bearer"
            return Response(status=401, headers={"WWW-Authenticate": challenge})
        handler = self.handlers.get(validation.operation_id)
        if handler is None:
            return odata_error(501, f"{validation.operation_id} is not implemented by the simulator.")
        try:
            return handler(request, validation)
        except QueryError as exc:
            return odata_error(400, str(exc))

    @staticmethod
    def _context(request, entities, select, suffix=""):
        columns = f"({','.join(select)})" if select else ""
        return f"{request.host_url.rstrip('/')}{spec.API_ROOT}/$metadata#{entities.name}{columns}{suffix}"

    def _shape(self, entities, record, select):
        """The record as the service sends it: selected properties, an @odata.etag in ETag mode."""
        shaped = {"@odata.etag": quote_etag(entities.store.etag(record), weak=True)} if self.etag_mode else {}
        shaped.update((name, value) for name, value in record.items() if select is None or name in select)
        return shaped

    def _list(self, entities, request, validation):
        options = validation.parameters.query
        query = entities.query
        keep = query.filter(options["$filter"]) if "$filter" in options else None
        found = query.search(options["$search"]) if "$search" in options else None
        sort = query.order(options.get("$orderby"))
        select = query.select(options.get("$select"))
        query.check_expand(options.get("$expand"))

        # A page-size cap applies silently, with or without $top, and never produces a nextLink.
        limit = min((n for n in (options.get("$top"), self.max_page_size) if n is not None), default=None)
        body = {"@odata.context": self._context(request, entities, select)}
        # The live records, not copies: only the page is copied, as it is shaped (with 50,000 records that matters).
        with entities.store.lock:
            records = [r for r in entities.store.records.values() if (keep is None or keep(r)) and (found is None or found(r))]
            if options.get("$count"):
                body["@odata.count"] = len(records)
            page = sort(records)[options.get("$skip", 0):][:limit]
            body["value"] = [self._shape(entities, record, select) for record in page]
        return json_response(body, content_type=ODATA_JSON)

    @staticmethod
    def _missing(entities, key):
        """404 for a key segment naming no record; ``key`` as in ``Id 7`` or ``Number '101'``."""
        return odata_error(404, f"{entities.store.entity_type} with {key} was not found.")

    @staticmethod
    def _find(entities, path):
        """The record a key segment names, ``(7)`` or an alternate key like ``(Number='101')``, and the key as text."""
        if "Id" in path:
            return entities.store.get(path["Id"]), f"Id {path['Id']}"
        name, literal = next(iter(path.items()))
        return entities.store.find(name, key_string(name, literal)), f"{name} {literal}"

    def _get(self, entities, request, validation):
        options = validation.parameters.query
        select = entities.query.select(options.get("$select"))
        entities.query.check_expand(options.get("$expand"))
        record, key = self._find(entities, validation.parameters.path)
        if record is None:
            return self._missing(entities, key)
        body = {"@odata.context": self._context(request, entities, select, "/$entity")}
        body.update(self._shape(entities, record, select))
        headers = {"ETag": body["@odata.etag"]} if self.etag_mode else None
        return json_response(body, headers=headers, content_type=ODATA_JSON)

    def _delete(self, entities, request, validation):
        record_id = validation.parameters.path["Id"]
        wanted = parse_etags(request.headers["If-Match"]) if self.etag_mode and "If-Match" in request.headers else None

        def precondition(record):
            return wanted is None or wanted.contains_weak(entities.store.etag(record))
        try:
            deleted = entities.store.delete(record_id, precondition)
        except PreconditionFailed:
            return odata_error(412, f"The If-Match ETag does not match the current version of {entities.store.entity_type} {record_id}.")
        return Response(status=204) if deleted else self._missing(entities, f"Id {record_id}")

    def _provision(self, request, validation):
        """Assign a detected phone to a user.  3CX's order is unknown; this one checks the phone, then
        the user, then whether the phone is taken (an assigned phone needs ``reprovision``)."""
        device_id, body = validation.parameters.path["Id"], validation.body
        devices = self.devices.store
        with devices.lock:
            device = devices.get(device_id)
            if device is None:
                return self._missing(self.devices, f"Id {device_id}")
            if body.get("userId") is None:
                return xapi_warning("userId", "REQUIRED")
            user = self.users.store.get(body["userId"])
            if user is None:
                return xapi_warning("userId", "NOT_FOUND")
            if device["Assigned"] and not body.get("reprovision"):
                # The phone (the action's key, Id) is what is already in use.
                return xapi_warning("Id", "ALREADY_IN_USE")
            devices.modify(device_id, Assigned=True, AssignedUser=seed.user_label(user))
        return Response(status=204)

    # Simulator control (not part of the XAPI: not validated, not logged)

    def _control(self, request):
        routes = {
            ("GET", "device_infos"): self.devices.store.all,
            ("GET", "users"): self.users.store.all,
            ("GET", "requests"): lambda: list(self.journal.requests),
            ("GET", "violations"): lambda: list(self.journal.violations),
            ("POST", "reset"): self._reset,
            ("POST", "faults"): lambda: self.faults.command(request.get_json(force=True, silent=True)),
        }
        route = routes.get((request.method, request.path[len(CONTROL_PREFIX):]))
        if route is None:
            return json_response({"error": f"no simulator control endpoint {request.method} {request.path}"}, 404)
        try:
            return json_response(route())
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)

    def _reset(self):
        self.journal.clear()
        return {"reset": True}
