# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every one of the 601 XAPI operations called through threecx.pbx.xapi against the simulator.

Each call's requests must reach the simulator as that very operation and validate against 3CX's spec
(the simulator records any request that does not), and the module must succeed, or fail with the PBX's refusal
(a 400 with a ``WARNINGS.*`` code) where the simulator's rules refuse the request as a PBX would (those that do
are listed).  Keys are those of records the simulator holds; other values are samples of the parameter's type.
Operations that change or remove records come after those that read, and deletes last.
"""

import re

import pytest
from xapi_simulator import Simulator
from xapi_simulator.rules import may_refuse

from ansible_collections.threecx.pbx.plugins.module_utils._xapi_operations import (
    get_operation,
    operation_ids,
    schema_properties,
)
from ansible_collections.threecx.pbx.plugins.modules.xapi import main

from .conftest import SECRET, sim_connection

ORDER = ("list", "get", "function", "update", "create", "action", "delete")
OPERATIONS = sorted(operation_ids(), key=lambda name: (ORDER.index(get_operation(name).kind), name))
SAMPLES = {"integer": 1, "boolean": True, "date-time": "2026-01-01T00:00:00Z", "uuid": "0b4f7c3e-2b1a-4c6d-9e8f-1a2b3c4d5e6f"}
# What the PBX needs beyond what the schema requires (the schema declares no required property).
BODIES = {"Provision": {"userId": 1}, "Backup": {"description": {"Name": "walked.zip"}}}
# What a PBX refuses of the requests sent: a DN's Number never changes (the first property an update changes is
# Number where the type has one), a department needs a name, the default one (Groups(1)) is never deleted.
REFUSED = dict({"Update" + name: "Number: WARNINGS.XAPI.FORBIDDEN_CHANGE" for name in (
    "User", "Group", "Queue", "RingGroup", "Receptionist", "Parking", "Fax", "ServicePrincipal")},
    CreateGroup="Name: WARNINGS.XAPI.REQUIRED", DeleteGroup="Id: WARNINGS.GROUP_CANNOT_BE_DELETED")
OTHER_VALUE = {"string": lambda value: "%s (walked)" % value, "integer": lambda value: (value or 0) % 1000 + 1,
               "boolean": lambda value: not value}
# An entity set's key in a path: /Groups({Id}), /Users(Number={Number}).
KEY_SEGMENT = re.compile(r"^/?(\w+)\((?:(\w+)=)?\{(\w+)\}\)$")


@pytest.fixture(scope="module")
def walk_sim():
    with Simulator(clients={"ansible": SECRET}, records=10) as simulator:
        yield simulator


def parameters_for(sim, operation):
    """Required parameters: the keys of existing records, samples of their type for function arguments."""
    values = {}
    for segment in operation.path_template.split("/"):
        match = KEY_SEGMENT.match(segment)
        if match:
            entity_set, name = match.group(1), match.group(3)
            values[name] = sim.records(entity_set)[0][name]
    for name, parameter in operation.parameters.items():
        if parameter.get("required") and name not in values:
            values[name] = SAMPLES.get(parameter.get("format")) or SAMPLES.get(parameter["type"], "101")
    return values


def body_for(sim, operation):
    """A body that fits the schema; for an update, one property set to a value other than the one it has."""
    if operation.body_schema is None:
        return None
    if operation.operation_id in BODIES:
        return BODIES[operation.operation_id]
    if operation.kind != "update":
        return {}
    match = KEY_SEGMENT.match(operation.path_template)
    current = sim.records(match.group(1))[0] if match else sim.singleton(operation.path_template.strip("/"))
    change = other_value(operation.body_schema, current)
    assert change, "%s: no property to change" % operation.operation_id
    return change


def other_value(descriptor, current):
    """A value unlike ``current`` for a schema: one property changed for an object (the first that can be, looking
    into nested objects), a string added to a list of strings; None if there is no such value."""
    schema = descriptor if isinstance(descriptor, dict) and "ref" not in descriptor else None
    kind = schema.get("type") if schema and "enum" not in schema else None
    if kind in OTHER_VALUE:
        return OTHER_VALUE[kind](current)
    if kind == "array" and schema["items"] == {"type": "string"}:
        return list(current or []) + ["walked"]
    for name, inner in schema_properties(descriptor).items():
        value = other_value(inner, (current or {}).get(name)) if name != "Id" else None
        if value is not None:
            return {name: value}
    return None


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_every_operation_is_callable_and_its_requests_fit_the_spec(walk_sim, run_module, operation_id):
    sim = walk_sim
    operation = get_operation(operation_id)
    sim.clear_requests()
    violations_before = len(sim.violations)
    result = run_module(main, dict(sim_connection(sim), operation=operation_id, parameters=parameters_for(sim, operation),
                                   body=body_for(sim, operation)))
    sent = [entry for entry in sim.requests if entry["operation"] != "token"]
    if operation_id in REFUSED:
        assert may_refuse(operation_id) and sent[-1]["status"] == 400 and REFUSED[operation_id] in result["msg"], result
    else:
        assert "failed" not in result, result["msg"]
    assert sim.violations[violations_before:] == []
    assert sent[-1]["operation"] == operation_id, sent
    assert result["operation"] == operation_id
