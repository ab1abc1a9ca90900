# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The generated operation table against 3CX's spec: complete, faithful and up to date."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from xapi_simulator import spec as simulator_spec

from ansible_collections.threecx.pbx.plugins.module_utils import _xapi_table
from ansible_collections.threecx.pbx.plugins.module_utils._xapi_operations import get_operation, operation_ids

ROOT = Path(__file__).resolve().parents[2]
SPEC = simulator_spec.load_spec()
TABLE = json.loads(_xapi_table.OPERATIONS_JSON)
SCHEMAS = json.loads(_xapi_table.SCHEMAS_JSON)


def _spec_operations():
    for path, item in SPEC["paths"].items():
        for method in ("get", "post", "patch", "delete"):
            if method in item:
                yield path, method, item[method]


def _resolve(node):
    while "$ref" in node:
        target = SPEC
        for part in node["$ref"].split("/")[1:]:
            target = target[part]
        node = target
    return node


SPEC_OPERATIONS = {operation["operationId"]: (path, method, operation) for path, method, operation in _spec_operations()}


def test_every_operation_of_the_spec_is_in_the_table_and_nothing_else():
    assert len(SPEC_OPERATIONS) == 601
    assert sorted(TABLE) == sorted(SPEC_OPERATIONS) == sorted(operation_ids())
    assert _xapi_table.SPEC_VERSION == "20.0.10"


@pytest.mark.parametrize("operation_id", sorted(SPEC_OPERATIONS))
def test_operation_round_trips_against_the_spec(operation_id):
    path, method, definition = SPEC_OPERATIONS[operation_id]
    entry = TABLE[operation_id]
    assert (entry["method"], entry["path"]) == (method.upper(), path)
    declared = [_resolve(p) for p in definition.get("parameters", [])]
    assert [(p["name"], p["in"], bool(p.get("required"))) for p in declared] == \
        [(p["name"], p["in"], bool(p.get("required"))) for p in entry.get("parameters", [])]
    for parameter, row in zip(declared, entry.get("parameters", [])):
        assert (row["type"], row.get("format")) == (parameter["schema"].get("type"), parameter["schema"].get("format"))
    # Every path template placeholder is a required path parameter.
    placeholders = sorted(part.split("}")[0] for part in path.split("{")[1:])
    assert placeholders == sorted(p["name"] for p in declared if p["in"] == "path" and p.get("required"))

    request_body = _resolve(definition["requestBody"]) if "requestBody" in definition else None
    if request_body is None:
        assert "body" not in entry
    else:
        schema = request_body["content"]["application/json"]["schema"]
        name = schema.get("$ref", "").rsplit("/", 1)[-1] or _resolve(schema).get("title")
        assert entry["body"] == {"schema": name, "required": bool(request_body.get("required"))}
        assert name in SCHEMAS

    success = [code for code in definition["responses"] if code.startswith("2")]
    assert [str(entry["status"])] == success
    content = _resolve(definition["responses"][success[0]]).get("content")
    assert ("answer" in entry) == bool(content)


def test_answer_types_name_what_comes_back():
    assert TABLE["ListUser"]["answer"] == "collection of Pbx.User"
    assert TABLE["GetUser"]["answer"] == "Pbx.User"
    assert TABLE["GetSystemStatus"]["answer"] == "Pbx.SystemStatus"
    assert TABLE["DeleteDeviceInfo"]["status"] == 204 and "answer" not in TABLE["DeleteDeviceInfo"]
    scalars = [entry["answer"] for entry in TABLE.values() if entry.get("answer", "").endswith(" value")]
    assert scalars and all(answer.split()[0] in ("string", "boolean", "int32", "int64", "integer") for answer in scalars)


def test_every_update_and_delete_can_be_read_first():
    for operation_id, entry in TABLE.items():
        if entry["method"] in ("PATCH", "DELETE"):
            read = entry["read"]
            assert TABLE[read["operation"]]["method"] == "GET", operation_id
            if "key" in read:  # the list of the collection, filtered on the key
                assert "$filter" in get_operation(read["operation"]).parameters
                assert entry["path"] == "%s({%s})" % (TABLE[read["operation"]]["path"], read["key"])
            else:
                assert TABLE[read["operation"]]["path"] == entry["path"]


def test_kinds_follow_method_and_path():
    kinds = {}
    for entry in TABLE.values():
        kinds.setdefault(entry["method"], set()).add(entry["kind"])
    assert kinds == {"GET": {"list", "get", "function"}, "POST": {"create", "action"}, "PATCH": {"update"}, "DELETE": {"delete"}}
    assert TABLE["ListUser"]["kind"] == "list" and TABLE["GetUser"]["kind"] == "get"
    assert TABLE["Provision"]["kind"] == "action" and TABLE["CreateUser"]["kind"] == "create"
    assert TABLE["GetLogs"]["kind"] == "function" and TABLE["UpdateAISettings"]["kind"] == "update"


def test_body_schemas_flatten_inheritance():
    # Pbx.User derives from Pbx.ClickToCall: its properties are both sets.
    user = SCHEMAS["Pbx.User"]["properties"]
    assert {"FirstName", "Number", "CallUsEnableChat"} <= set(user)
    assert user["Hours"] == {"ref": "Pbx.Schedule", "nullable": True}
    assert SCHEMAS["Pbx.Schedule"]["properties"]["Type"] == "Pbx.RuleHoursType"
    assert "OfficeHours" in SCHEMAS["Pbx.RuleHoursType"]["enum"]


def test_the_generated_files_are_up_to_date_with_the_spec():
    """Regenerating from the spec beside the simulator changes nothing (the table and docs/xapi_operations.md)."""
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "generate_operations.py"), "--check"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_reference_lists_every_operation():
    reference = (ROOT / "docs" / "xapi_operations.md").read_text(encoding="utf-8")
    assert all("| `%s`" % operation_id in reference for operation_id in SPEC_OPERATIONS)
    assert "## DeviceInfos" in reference and "## Users" in reference


def test_updates_can_read_navigation_properties_expanded():
    """An update whose body may hold navigation properties reads the entity with $expand, which its read must take."""
    for operation_id, entry in TABLE.items():
        if entry["kind"] == "update":
            properties = SCHEMAS[entry["body"]["schema"]].get("properties", {})
            if any(isinstance(p, dict) and p.get("navigation") for p in properties.values()):
                assert "$expand" in get_operation(entry["read"]["operation"]).parameters, operation_id
    assert SCHEMAS["Pbx.User"]["properties"]["ForwardingProfiles"]["navigation"] is True
