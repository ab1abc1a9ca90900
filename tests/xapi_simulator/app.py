# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The WSGI application: token endpoint, the XAPI's operations and the simulator's control endpoints."""

import functools
import json
import threading

from werkzeug.wrappers import Request, Response

from . import seed, spec
from .auth import TokenError, TokenThrottle
from .backups import DOWNLOAD_PATH, Backups
from .countdown import TOKEN_OPERATION
from .generic import Answers, missing, xapi_warning
from .model import model
from .odata import QueryError
from .replies import json_response, odata_error

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


class XapiApp:
    """WSGI callable serving one simulated PBX (``inventory``) as ``switches`` say; ``faults`` may spoil an answer,
    ``schedule`` is told of every one.  Operations are answered by their kind (``generic.Answers``), except those in
    ``handlers`` (operationId -> function of the request and its Validation; Provision's is the app's)."""

    def __init__(self, inventory, tokens, journal, schedule, faults, switches, etag_mode=False, latency=0.0, handlers=None):
        self.inventory = inventory
        self.tokens = tokens
        self.journal = journal
        self.schedule = schedule
        self.faults = faults
        self.switches = switches
        self.throttle = TokenThrottle(switches)
        self.answers = Answers(inventory, switches, etag_mode)
        self.backups = Backups(inventory.entity_set("Backups"), switches, tokens, self.answers)
        self.handlers = dict(handlers or {}, Provision=self._provision, **self.backups.handlers)
        # What the PBX serves outside the XAPI, path -> the function that fills in the log entry and returns the answerer.
        self.outside = {TOKEN_PATH: self._token, DOWNLOAD_PATH: self.backups.download}
        self.latency = latency

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
            "body_properties": _body_properties(request),
            "operation": None,
            "status": None,
            "fault": None,
            "secrets_sent": [],
        }
        outside = self.outside.get(request.path)
        answer = outside(request, entry) if outside else self._api(request, entry)

        def process():
            response = answer()
            entry["status"] = response.status_code  # now, not when a late answer goes out
            return response
        # Faults and scheduled callbacks are for XAPI calls, token requests and downloads, not for a stray GET /.
        xapi_or_token = outside is not None or request.path.startswith(spec.API_ROOT + "/")
        fault = self.faults.admit(entry, xapi_or_token)
        response = process() if fault is None else fault.answer(process, self.faults.stopping.wait)
        if xapi_or_token and self.latency:
            # A WAN link's round trip: this worker thread waits (no lock held), the others go on serving.
            self.faults.stopping.wait(self.latency)
        if response is not None:
            entry["status"] = response.status_code  # a status fault's
        if xapi_or_token:
            self.schedule.answered(entry)
        if fault is not None and fault.hangs_up:
            return fault.send(response, environ, start_response, environ[HANG_UP])
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
        if not self.throttle.admit():
            return Response(status=403)  # how an ASP.NET rate limiter refuses: no body (see auth.TokenThrottle)
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
        """Check an XAPI call against the spec and fill in its log entry; returns the function that answers it.

        With ``batch_param_case=case_insensitive`` an action's parameters bind whatever their case (``Ids`` for
        ``ids``), as ASP.NET binds them, and reach the handler as the spec spells them.
        """
        validation = spec.validate(request, self.switches["batch_param_case"] == "case_insensitive")
        entry["operation"] = validation.operation_id
        if validation.problems:
            self._violation(entry, validation.problems)
        return functools.partial(self._answer, request, validation, entry)

    def _answer(self, request, validation, entry):
        response = self._dispatch(request, validation)
        response.headers["OData-Version"] = "4.0"
        response.headers["X-3CX-Version"] = XAPI_VERSION
        entry["secrets_sent"] = _user_secrets(validation, response)
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
        try:
            if handler is not None:
                return handler(request, validation)
            return self.answers(model().routes[validation.operation_id], request, validation)
        except QueryError as exc:
            return odata_error(400, str(exc))

    def _provision(self, request, validation):
        """Assign a detected phone to a user, giving it its model's template if it has none.  3CX's order is unknown;
        this one checks the phone, then the user, then whether the phone is taken (an assigned phone needs ``reprovision``)."""
        device_id, body = validation.parameters.path["Id"], validation.body
        devices = self.inventory.entity_set("DeviceInfos")
        # The user is read before the phones' lock is taken: deleting a user takes the two locks the other way round.
        user = None if body.get("userId") is None else self.inventory.entity_set("Users").get(body["userId"])
        with devices.lock:
            device = devices.get(device_id)
            if device is None:
                return missing(devices, f"Id {device_id}")
            if body.get("userId") is None:
                return xapi_warning("userId", "REQUIRED")
            if user is None:
                return xapi_warning("userId", "NOT_FOUND")
            if device["Assigned"] and not body.get("reprovision"):
                # The phone (the action's key, Id) is what is already in use.
                return xapi_warning("Id", "ALREADY_IN_USE")
            # The PBX picks the phone's template itself when the phone has none yet (a phone detected bare).
            template = device["TemplateName"] or seed.provisioning_template(device)
            devices.modify(device_id, Assigned=True, AssignedUser=seed.user_label(user), TemplateName=template)
        return Response(status=204)

    # Simulator control (not part of the XAPI: not validated, not logged)

    def _control(self, request):
        routes = {
            ("GET", "device_infos"): self.inventory.entity_set("DeviceInfos").all,
            ("GET", "users"): self.inventory.entity_set("Users").all,
            ("GET", "requests"): lambda: list(self.journal.requests),
            ("GET", "violations"): lambda: list(self.journal.violations),
            ("POST", "reset"): self._reset,
            ("POST", "faults"): lambda: self.faults.command(request.get_json(force=True, silent=True)),
            ("GET", "switches"): lambda: self.switches.values,
            ("POST", "switches"): lambda: self.switches.update(request.get_json(force=True, silent=True)),
        }
        path = request.path[len(CONTROL_PREFIX):]
        route = routes.get((request.method, path)) or self._state_route(request.method, path)
        if route is None:
            return json_response({"error": f"no simulator control endpoint {request.method} {request.path}"}, 404)
        try:
            return json_response(route())
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)

    def _state_route(self, method, path):
        """What ``GET entities/<EntitySet>`` (its records) or ``GET singletons/<Singleton>`` (its object) answers; None for another path."""
        kind, _slash, name = path.partition("/")
        if method == "GET" and kind == "entities" and name in model().entity_sets:
            return self.inventory.entity_set(name).all
        if method == "GET" and kind == "singletons" and name in model().singletons:
            return self.inventory.singleton(name).get
        return None

    def _reset(self):
        self.journal.clear()
        return {"reset": True}


def _body_properties(request):
    """The sorted top-level property names of a JSON object body (never its values), else None."""
    body = request.get_json(silent=True)
    return sorted(body) if isinstance(body, dict) else None


def _user_secrets(validation, response):
    """The secret properties of users (``seed.USER_SECRETS``) with a value in a successful answer about users."""
    route = model().routes.get(validation.operation_id)
    if route is None or route.target != "Users" or not 200 <= response.status_code < 300 or response.mimetype != "application/json":
        return []
    body = json.loads(response.get_data())
    records = body.get("value") if isinstance(body.get("value"), list) else [body]
    return sorted({name for record in records if isinstance(record, dict) for name in seed.USER_SECRETS if record.get(name)})
