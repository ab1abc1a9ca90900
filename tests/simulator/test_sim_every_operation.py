# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every operation of the spec, each called once with a valid request, answers as its spec declares.

A request names existing records (keys from ``Simulator.records``), fills a function's required arguments by
their types and sends ``{}`` as the body (no body schema of the spec requires a property).  Reads go first,
then updates, creates and actions, deletes last.  Each answer must have the status the spec declares for success,
or be the refusal a PBX answers (a 400 naming a property and a ``WARNINGS.*`` code) where its rules refuse the
request (the two that do are listed), and its body must pass openapi-core's response validation against the spec
as published; no request may be recorded as a violation.
"""

from urllib.parse import quote

import pytest

from sim_helpers import CLIENT_ID, SECRET, XapiClient, odata_string, response_errors
from xapi_simulator import Simulator
from xapi_simulator.model import model
from xapi_simulator.replies import is_refusal
from xapi_simulator.rules import may_refuse
from xapi_simulator.spec import entity_properties, load_spec

METHOD_ORDER = ("get", "patch", "post", "delete")
# Arguments by schema type and format, as OData writes literals in a URL: strings quoted, the others bare.
ARGUMENTS = {
    ("string", None): "'101'",
    ("string", "date-time"): "2025-06-01T08:00:00Z",
    ("string", "uuid"): "3f2c8a9e-5b1d-4c7e-9a2f-1b3c5d7e9f01",
    ("integer", "int32"): "1",
    ("integer", "int64"): "1",
    ("boolean", None): "true",
}
# Bodies other than {} where the operation needs one to succeed.
BODIES = {"Provision": {"userId": 1, "reprovision": True}, "Backup": {"description": {"Name": "every-operation.zip"}}}
# What a PBX refuses of the requests sent: a department needs a name, the default one (Groups(1)) is never deleted.
REFUSED = {"CreateGroup": "Name:\nWARNINGS.XAPI.REQUIRED", "DeleteGroup": "Id:\nWARNINGS.GROUP_CANNOT_BE_DELETED"}


def operations():
    """(operationId, method, path template) of every operation, in METHOD_ORDER."""
    found = [(definition["operationId"], method, path) for path, item in load_spec()["paths"].items()
             for method, definition in item.items() if isinstance(definition, dict)]
    return sorted(found, key=lambda operation: METHOD_ORDER.index(operation[1]))


def key_literal(sim, route):
    """The literal naming the first record of the route's entity set in its key segment: ``7``, ``'x.zip'``, a bare GUID."""
    entity_set = model().entity_sets[route.target]
    name = route.alternate_key or entity_set.key
    value = sim.records(route.target)[0][name]
    if entity_properties(entity_set.type_name)[name] in ("Edm.Int32", "Edm.Guid"):
        return str(value)
    return quote(odata_string(value))


def url_path(sim, operation_id, template):
    route = model().routes[operation_id]
    values = {}
    if route.key_parameter:
        values[route.key_parameter] = key_literal(sim, route)
    for name, schema in route.arguments:
        values[name] = ARGUMENTS[(schema["type"], schema.get("format"))]
    return template.format(**values)


def refusal_message(reply, operation_id):
    """The message of a refusal the rules of ``operation_id`` may answer, or None for another answer."""
    body = reply.json() if reply.headers.get("Content-Type", "").startswith("application/json") else None
    return body["error"]["message"] if may_refuse(operation_id) and is_refusal(reply.status_code, body) else None


@pytest.fixture(scope="module")
def walk():
    """Calls every operation once on one simulator; the failures and the refusals, by operationId."""
    with Simulator(clients={CLIENT_ID: SECRET}) as sim:
        client = XapiClient(sim, check=False)
        client.login()
        failures, refusals = {}, {}
        for operation_id, method, template in operations():
            route = model().routes[operation_id]
            path = url_path(sim, operation_id, template)
            body = BODIES.get(operation_id, {}) if method in ("post", "patch") else None
            reply = client.call(method.upper(), path, json=body)
            problems = []
            refused = refusal_message(reply, operation_id)
            if refused:
                refusals[operation_id] = refused
            if reply.status_code != route.result.status and not refused:
                problems.append(f"status {reply.status_code}, not {route.result.status}: {reply.text[:300]}")
            else:
                problems.extend(str(error.__cause__ or error)[:300] for error in response_errors(reply))
            problems.extend(sim.violations)
            del sim.violations[:]
            if problems:
                failures[operation_id] = f"{method.upper()} {path}: " + " | ".join(problems)
        yield failures, refusals


def test_every_operation_answers_as_the_spec_declares(walk):
    failures, refusals = walk
    assert len(operations()) == 601
    assert not failures, f"{len(failures)} operations failed:\n" + "\n".join(f"{name}: {text}" for name, text in sorted(failures.items()))
    assert refusals == REFUSED
