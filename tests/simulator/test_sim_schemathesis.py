# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The simulator's answers checked against 3CX's spec by schemathesis, on a bounded sample of every operation.

schemathesis generates up to ``EXAMPLES`` requests per operation of the spec (derandomized, no shrinking) and
sends them all to one simulator, in the spec's order but with the DELETEs last, so that they do not take the
records the other operations are aimed at.  Each answer's status code, content type, headers and body are
checked against the spec.  The first request of an operation names an existing record (its key values from
``/_simulator/entities/<EntitySet>``, else ``Id`` 1) and leaves out the optional parameters, so that it gets
a real answer rather than a 404 or a 400 for generated junk.

The requests are sent as a careful client sends them; the simulator insists on that as 3CX does (see
``xapi_simulator.spec``): spaces in the query string as ``%20``, not ``+``; a JSON body without top-level
properties its schema does not declare; no empty query option.  Anything else the simulator refuses as a
spec violation is a request the spec allows: a false positive of the simulator's own request validation.

The run happens once for the module; each test asserts one aspect of it and lists the offending operations.
"""

import dataclasses
import re
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.core.deserialization import deserialize_yaml
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from sim_helpers import odata_string
from xapi_simulator import Simulator
from xapi_simulator.spec import API_ROOT, spec_path

EXAMPLES = 2  # requests per operation; fewer when its parameters allow fewer distinct ones
CHECKS = [status_code_conformance, content_type_conformance, response_headers_conformance, response_schema_conformance]
CLIENT_ID, SECRET = "schemathesis", "schemathesis-secret"
NOT_IMPLEMENTED = 501
SHOWN = 40  # the most findings a failure message lists


@dataclasses.dataclass
class Exchange:
    """One generated request and what became of it."""

    operation: str  # the operationId schemathesis generated it for
    request: str  # method and URL below the PBX's, as sent
    status: int
    logged_as: str  # the operationId the simulator's request log names
    violations: list  # what the simulator found wrong with the request
    contradictions: list = dataclasses.field(default_factory=list)  # what the checks found wrong with the answer


class CarefulSession(requests.Session):
    """Sends a space in a query string as ``%20``: ``requests`` writes ``+``, which 3CX may misread, so the
    simulator refuses it.  ``requests`` encodes a literal ``+`` as ``%2B``, so every ``+`` it wrote is a space."""

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        if "+" in url.query:
            request.url = urlunsplit(url._replace(query=url.query.replace("+", "%20")))
        return super().send(request, **kwargs)


def load_schema():
    """The spec for schemathesis, read as the service reads it:

    - a query parameter's ``allowEmptyValue`` defaults to false, which schemathesis does not apply: it would
      send ``$filter=``, which 3CX (ASP.NET OData) answers "cannot be empty", and so does the simulator;
    - ``format: time`` and ``format: duration`` name OData's Edm.TimeOfDay and Edm.Duration, whose lexical forms
      (``14:30:00``, ``-PT0.5S``) are the ``pattern`` beside them, not JSON Schema's RFC 3339 forms (which
      want a time zone and no sign or fraction): the patterns are kept, the formats are left out.
    """
    with open(spec_path(), "rb") as handle:
        document = deserialize_yaml(handle)  # as YAML 1.2: the enum member No is no boolean
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if node.get("in") == "query" and "name" in node:
                node.setdefault("allowEmptyValue", False)
            if node.get("format") in ("time", "duration") and "pattern" in node:
                del node["format"]
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return schemathesis.openapi.from_dict(document)


class Run:
    """Sends the generated requests of every operation to one simulator and keeps what became of them."""

    def __init__(self, schema, sim):
        self.schema = schema
        self.sim = sim
        self.session = CarefulSession()
        reply = self.session.post(sim.url + "/connect/token", data={
            "client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": "client_credentials"})
        reply.raise_for_status()
        self.headers = {"Authorization": "Bearer " + reply.json()["access_token"]}
        self.operations = sorted((result.ok() for result in schema.get_all_operations()),
                                 key=lambda operation: operation.method.upper() == "DELETE")
        self.exchanges = []
        self.errors = {}  # operationId -> why schemathesis could not generate or send its requests
        self._records = {}

    def exercise(self, operation):
        """Send the operation's generated requests and check the answers."""
        operation_id = operation.definition.raw["operationId"]
        sent = []

        @given(operation.as_strategy())
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, phases=[Phase.generate], deadline=None,
                  suppress_health_check=list(HealthCheck))
        def send(case):
            if not sent:
                self._aim_at_a_record(operation, case)
            _drop_undeclared_properties(self.schema.raw_schema, operation, case)
            sent.append(self._send(operation_id, case))

        try:
            send()
        except Exception as exc:  # pylint: disable=broad-except  # anything schemathesis or the connection raised
            self.errors[operation_id] = f"{type(exc).__name__}: {exc}"
        self.exchanges.extend(sent)

    def _send(self, operation_id, case):
        known_violations = len(self.sim.violations)
        response = case.call(base_url=self.sim.url + API_ROOT, session=self.session, headers=self.headers, timeout=30)
        exchange = Exchange(operation_id, f"{response.request.method} {response.request.url[len(self.sim.url):]}",
                            response.status_code, self.sim.requests[-1]["operation"], self.sim.violations[known_violations:])
        try:
            case.validate_response(response, checks=CHECKS, headers=self.headers)
        except schemathesis.errors.FailureGroup as group:
            exchange.contradictions = [_describe(failure) for failure in group.exceptions]
        return exchange

    def _aim_at_a_record(self, operation, case):
        """Point the case's key parameters at an existing record and leave out its optional parameters."""
        record = self._record(re.match(r"/([^/(]*)", operation.path).group(1))
        for parameter in operation.path_parameters:
            schema = parameter.definition.get("schema", {})
            if parameter.name in record:
                case.path_parameters[parameter.name] = _key_literal(schema, record[parameter.name])
            elif parameter.name == "Id" and schema.get("type") == "integer":
                case.path_parameters[parameter.name] = 1
        for parameters, values in ((operation.query, case.query), (operation.headers, case.headers)):
            for parameter in parameters:
                if not parameter.is_required and values:
                    values.pop(parameter.name, None)

    def _record(self, entity_set):
        """The first record of ``entity_set`` as the simulator holds it, or {} when it tells of none."""
        if entity_set not in self._records:
            reply = self.session.get(f"{self.sim.url}/_simulator/entities/{entity_set}")
            records = reply.json() if reply.status_code == 200 else []
            self._records[entity_set] = records[0] if isinstance(records, list) and records else {}
        return self._records[entity_set]


def _key_literal(schema, value):
    """A key value as the path holds it: an OData literal, ``'O''Brien'`` for a string (not for a GUID)."""
    if schema.get("type") == "string" and schema.get("format") != "uuid" and isinstance(value, str):
        return odata_string(value)
    return value


def _drop_undeclared_properties(spec, operation, case):
    """Remove the top-level properties of a JSON body that its schema does not declare (annotations stay).

    The spec's schemas do not say ``additionalProperties: false``, so schemathesis invents properties;
    3CX (ASP.NET OData) refuses an unknown property, and so does the simulator.
    """
    if not isinstance(case.body, dict) or "json" not in (case.media_type or ""):
        return
    content = _resolved(spec, operation.definition.raw.get("requestBody", {})).get("content", {})
    schema = content.get(case.media_type, {}).get("schema")
    declared = _declared_properties(spec, schema) if schema else set()
    if declared and not _resolved(spec, schema).get("additionalProperties"):
        for name in [name for name in case.body if name not in declared and "@" not in name]:
            del case.body[name]


def _resolved(spec, node):
    """``node``, or what its local ``$ref`` points to."""
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _declared_properties(spec, schema):
    """The property names a schema declares, those of its ``allOf`` parts included."""
    schema = _resolved(spec, schema)
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        names |= _declared_properties(spec, part)
    return names


def _describe(failure):
    """A check's finding on one line: its title and the start of its message."""
    lines = [line.strip() for line in str(failure.message).splitlines() if line.strip()][:6]
    return " | ".join([failure.title] + lines)


def _listing(findings):
    findings = sorted(findings)
    more = len(findings) - SHOWN
    return "\n".join(findings[:SHOWN]) + (f"\n... and {more} more" if more > 0 else "")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    # Hypothesis keeps caches in ./.hypothesis, which would end up in the collection's tarball.
    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))
    try:
        with Simulator(clients={CLIENT_ID: SECRET}) as sim:
            result = Run(load_schema(), sim)
            for operation in result.operations:
                result.exercise(operation)
    finally:
        set_hypothesis_home_dir(None)
    return result


def test_every_operation_is_exercised(run):
    """The simulator's request log names every operation of the spec at least once."""
    wanted = {operation.definition.raw["operationId"] for operation in run.operations}
    in_spec = [operation for item in run.schema.raw_schema["paths"].values() for operation in item.values()
               if isinstance(operation, dict) and "operationId" in operation]
    assert len(wanted) == len(in_spec) == 601
    missing = wanted - {exchange.logged_as for exchange in run.exchanges}
    misrouted = {f"{e.operation}: {e.request} was taken for {e.logged_as}" for e in run.exchanges if e.logged_as != e.operation}
    assert not missing, (f"{len(missing)} operations never reached the simulator as themselves:\n"
                         + _listing(f"{name}: {run.errors.get(name, 'no request was taken for it')}" for name in missing)
                         + ("\nrequests taken for another operation:\n" + _listing(misrouted) if misrouted else ""))


def test_answers_conform_to_the_spec(run):
    """No answer contradicts the spec (status code, content type, headers, body), and none is a server error but 501."""
    found = set()
    for exchange in run.exchanges:
        problems = list(exchange.contradictions)
        if exchange.status >= 500 and exchange.status != NOT_IMPLEMENTED:
            problems.append(f"server error {exchange.status}")
        found.update(f"{exchange.operation}: {exchange.status} to {exchange.request[:200]}\n    {problem}" for problem in problems)
    assert not found, f"{len(found)} answers contradict the spec:\n" + _listing(found)


def test_every_operation_is_implemented(run):
    """No operation answers 501: the simulator serves the whole spec."""
    missing = {exchange.operation for exchange in run.exchanges if exchange.status == NOT_IMPLEMENTED}
    assert not missing, f"{len(missing)} operations answer {NOT_IMPLEMENTED}:\n" + _listing(missing)


def test_generated_requests_are_accepted(run):
    """The simulator calls no generated request a spec violation: each one it does is a mistake of its validation."""
    refused = {f"{exchange.operation} (taken for {exchange.logged_as}): {violation[:400]}"
               for exchange in run.exchanges for violation in exchange.violations}
    assert not refused, f"the simulator refused {len(refused)} requests generated from the spec:\n" + _listing(refused)
