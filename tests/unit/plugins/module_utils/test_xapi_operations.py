# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Operations from the table: parameters into paths and queries, body checks, what a PATCH sends."""

import pytest
import yaml

from ansible_collections.threecx.pbx.plugins.module_utils._xapi_operations import (
    RequestError,
    _table,
    check_value,
    get_operation,
    operation_ids,
    patch_changes,
    same,
    schema_properties,
)
from ansible_collections.threecx.pbx.plugins.modules import xapi


def prepare(operation_id, parameters=None, body=None):
    return get_operation(operation_id).prepare(parameters, body)


def problems(operation_id, parameters=None, body=None):
    with pytest.raises(RequestError) as caught:
        prepare(operation_id, parameters, body)
    return caught.value.problems


# -- operations and parameters ------------------------------------------------------------------------------

def test_an_unknown_operation_names_the_closest_ones():
    found = problems("listuser")
    assert len(found) == 1 and "no such operation" in found[0] and "ListUser" in found[0]
    assert "docs/xapi_operations.md" in found[0]


@pytest.mark.parametrize("operation_id, parameters, path", [
    ("GetUser", {"Id": 7}, "/Users(7)"),
    ("GetUser", {"Id": "7"}, "/Users(7)"),  # templating in ansible-core 2.16 gives text
    ("GetUserByNumber", {"Number": "101"}, "/Users(Number='101')"),
    ("GetUserByNumber", {"Number": 101}, "/Users(Number='101')"),
    ("GetUserByNumber", {"Number": "O'Neil 1"}, "/Users(Number='O''Neil%201')"),
    ("DeleteBackups", {"FileName": "a/b#c?.zip"}, "/Backups('a%2Fb%23c%3F.zip')"),
    ("GetLogs", {"startDate": "2026-01-01", "endDate": "2026-01-02T01:00:00+01:00", "extension": "101", "call": None,
                 "severity": None},
     "/ActivityLog/Pbx.GetLogs(startDate=2026-01-01T00:00:00Z,endDate=2026-01-02T00:00:00Z,extension='101',call=null,severity=null)"),
])
def test_path_parameters_become_odata_literals(operation_id, parameters, path):
    assert prepare(operation_id, parameters)[0] == path


def test_booleans_and_uuids_are_bare_literals():
    boolean = next(op for op in map(get_operation, sorted(operation_ids())) if any(
        p["in"] == "path" and p["type"] == "boolean" for p in op.parameters.values()))
    name = next(n for n, p in boolean.parameters.items() if p["in"] == "path" and p["type"] == "boolean")
    values = {n: _sample(p) for n, p in boolean.parameters.items() if p.get("required")}
    values[name] = "true"
    assert "%s=true" % name in boolean.prepare(values, _body(boolean))[0]
    uuid = next(op for op in map(get_operation, sorted(operation_ids())) if any(
        p.get("format") == "uuid" for p in op.parameters.values()))
    values = {n: _sample(p) for n, p in uuid.parameters.items() if p.get("required")}
    path = uuid.prepare(values, _body(uuid))[0]
    assert "0b4f7c3e-2b1a-4c6d-9e8f-1a2b3c4d5e6f" in path and "'0b4f" not in path


def _sample(parameter):
    return {"integer": 1, "boolean": True}.get(parameter["type"]) or {
        "date-time": "2026-01-01T00:00:00Z", "uuid": "0b4f7c3e-2b1a-4c6d-9e8f-1a2b3c4d5e6f"}.get(parameter.get("format"), "x")


def _body(operation):
    return {} if operation.body_required else None


def test_query_options_are_typed_and_lists_accept_a_comma_separated_string():
    path, query, body = prepare("ListUser", {"$filter": "Number eq '101'", "$select": "Id, Number", "$orderby": ["Number desc"],
                                             "$top": "5", "$skip": 0, "$count": "true"})
    assert path == "/Users" and body is None
    assert query == {"$filter": "Number eq '101'", "$select": ["Id", "Number"], "$orderby": ["Number desc"], "$top": 5,
                     "$skip": 0, "$count": True}


def test_every_parameter_problem_is_reported_at_once():
    found = problems("GetLogs", {"startDate": "yesterday", "endDate": "2026-01-01", "extension": ["101"], "filter": "x", "$top": -1})
    assert "unknown parameter 'filter' (did you mean '$filter'?)" in found[0]
    assert any("parameter 'call' (string) is required" in p for p in found)
    assert any("parameter 'startDate' must be a date-time such as 2026-01-31T00:00:00Z, not str 'yesterday'" == p for p in found)
    assert any("parameter 'extension' must be a string, not list" in p for p in found)
    assert any("parameter '$top' must be an integer (int64) of 0 or more, not int -1" == p for p in found)


@pytest.mark.parametrize("value, expected", [
    (True, "an integer (int32)"), (2 ** 31, "an integer (int32)"), ("seven", "an integer (int32)"), (None, "a value (it is not nullable)")])
def test_wrong_key_types_fail(value, expected):
    assert problems("GetUser", {"Id": value}) == ["parameter 'Id' must be %s, not %s" % (
        expected, {True: "bool true", 2 ** 31: "int 2147483648", "seven": "str 'seven'", None: "NoneType null"}[value])]


def test_if_match_is_an_option_not_a_parameter():
    assert problems("DeleteDeviceInfo", {"Id": 1, "If-Match": 'W/"x"'}) == ["If-Match is not a parameter: use the option if_match"]
    assert get_operation("DeleteDeviceInfo").takes_if_match and not get_operation("UpdateUser").takes_if_match


def test_an_operation_without_parameters_says_so():
    assert problems("GetSystemStatus", {"Id": 1}) == [
        "unknown parameter 'Id': GetSystemStatus takes $expand, $select"]


# -- bodies -------------------------------------------------------------------------------------------------

def test_a_body_fitting_the_schema_passes_and_text_numbers_and_booleans_are_converted():
    body = prepare("Provision", {"Id": 1}, {"userId": "12", "reprovision": "false"})[2]
    assert body == {"userId": 12, "reprovision": False}


def test_body_problems_name_the_field_path():
    found = problems("UpdateUser", {"Id": 1}, {
        "FirstName": 5,
        "Hours": {"Type": "Sometimes"},
        "ForwardingProfiles": [{"Name": "Available"}, {"Nmae": "Away"}],
        "Enabled": "maybe",
        "Blfs": "x" * 20481,
        "Unknown": 1,
    })
    assert "body.FirstName: must be a string, not int 5" in found
    assert any(p.startswith("body.Hours.Type: must be one of AllHours, OfficeHours,") and p.endswith("not 'Sometimes'") for p in found)
    assert "body.ForwardingProfiles[1].Nmae: unknown property (did you mean 'Name'?)" in found
    assert "body.Enabled: must be true or false, not str 'maybe'" in found
    assert "body.Blfs: must be at most 20480 characters long, not 20481" in found
    assert "body.Unknown: unknown property" in found


def test_bodies_of_the_wrong_shape():
    assert problems("UpdateUser", {"Id": 1}, ["FirstName"]) == ["body: must be an object (a dict), not list [\"FirstName\"]"]
    assert problems("UpdateUser", {"Id": 1}, {"ForwardingProfiles": {"Name": "x"}}) == [
        "body.ForwardingProfiles: must be a list, not dict {\"Name\": \"x\"}"]
    assert problems("GetUser", {"Id": 1}, {"x": 1}) == ["takes no body (GET /Users({Id}))"]
    assert problems("Provision", {"Id": 1}) == ["a body (DeviceInfosDeviceInfoProvisionRequestBody) is required"]


def test_null_only_where_the_schema_allows_it_and_annotations_pass():
    assert prepare("UpdateUser", {"Id": 1}, {"FirstName": None, "@odata.type": "#Pbx.User"})[2] == {
        "FirstName": None, "@odata.type": "#Pbx.User"}
    assert problems("UpdateUser", {"Id": 1}, {"Id": None}) == ["body.Id: must not be null"]


def test_numbers_that_may_also_be_special_values():
    """3CX's Edm.Double properties are a number, or text such as INF, -INF or NaN (a oneOf in the spec)."""
    for rate in (1.5, 2, "INF", None):
        found = []
        assert check_value("Pbx.CallCostSettings", {"Rate": rate}, "body", found) == {"Rate": rate} and not found
    found = []
    check_value("Pbx.CallCostSettings", {"Rate": {"value": 1}}, "body", found)
    assert len(found) == 1 and found[0].startswith("body.Rate: matches none of its allowed forms (must be a number")


def test_flag_enumerations_take_several_values():
    operation_id, field, schema_name = _flags_field()
    values = _table()[1][schema_name]["enum"]
    operation = get_operation(operation_id)
    parameters = {n: _sample(p) for n, p in operation.parameters.items() if p.get("required")}
    combined = "%s, %s" % (values[0], values[1])
    assert operation.prepare(parameters, {field: combined})[2] == {field: combined}


def _flags_field():
    schemas = _table()[1]
    for operation_id in sorted(operation_ids()):
        operation = get_operation(operation_id)
        if operation.kind in ("update", "create"):
            for name, descriptor in schema_properties(operation.body_schema).items():
                ref = descriptor if isinstance(descriptor, str) else descriptor.get("ref")
                if ref and schemas.get(ref, {}).get("flags"):
                    return operation_id, name, ref
    raise AssertionError("no body with a flags enumeration")


# -- PATCH ---------------------------------------------------------------------------------------------------

USER = {"Id": 1, "FirstName": "Jane", "Enabled": True, "Hours": {"Type": "OfficeHours", "Periods": []},
        "ForwardingProfiles": [{"Id": 1, "Name": "Available", "CustomMessage": "hi"}],
        "VMEmailOptions": "Notification"}


def test_patch_sends_only_what_differs():
    assert patch_changes("Pbx.User", USER, {"FirstName": "Jane", "Enabled": True}) == {}
    assert patch_changes("Pbx.User", USER, {"FirstName": "Joan", "Enabled": True}) == {"FirstName": "Joan"}


def test_patch_compares_objects_on_the_given_properties_and_sends_them_whole():
    assert patch_changes("Pbx.User", USER, {"Hours": {"Type": "OfficeHours"}}) == {}
    assert patch_changes("Pbx.User", USER, {"Hours": {"Type": "AllHours"}}) == {"Hours": {"Type": "AllHours", "Periods": []}}


def test_patch_compares_lists_item_by_item_and_sends_them_whole():
    assert patch_changes("Pbx.User", USER, {"ForwardingProfiles": [{"Name": "Available"}]}) == {}
    changed = patch_changes("Pbx.User", USER, {"ForwardingProfiles": [{"Name": "Available"}, {"Name": "Away"}]})
    assert changed == {"ForwardingProfiles": [{"Name": "Available"}, {"Name": "Away"}]}


def test_patch_sends_properties_the_pbx_does_not_show():
    assert patch_changes("Pbx.User", USER, {"AuthPassword": "s3cret"}) == {"AuthPassword": "s3cret"}


def test_same_values_in_other_spellings():
    assert same({"type": "string", "format": "date-time"}, "2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00")
    assert not same({"type": "string", "format": "date-time"}, "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z")
    assert same({"type": "number"}, 1, 1.0)
    assert not same({"type": "integer"}, 1, True) and not same({"type": "boolean"}, False, 0)
    assert not same(None, None, "")


# -- the module's own documentation --------------------------------------------------------------------------

def test_the_examples_of_the_module_fit_their_operations():
    tasks = [task["threecx.pbx.xapi"] for task in yaml.safe_load(xapi.EXAMPLES) if "threecx.pbx.xapi" in task]
    assert len(tasks) >= 10
    for task in tasks:
        parameters = {name: 1 if "{{" in str(value) else value for name, value in task.get("parameters", {}).items()}
        prepare(task["operation"], parameters, task.get("body"))
