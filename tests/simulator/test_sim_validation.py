# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Requests a real 3CX would not understand are answered 400/404/405 and recorded as violations."""

import hashlib

import pytest
import requests
from xapi_simulator.spec import DEFAULT_SPEC

SPEC_VIOLATION = "Request does not match the XAPI specification: "


def assert_violation(reply, sim, status, *fragments):
    assert reply.status_code == status, reply.text
    message = reply.json()["error"]["message"]
    assert message.startswith(SPEC_VIOLATION)
    assert len(sim.violations) == 1, sim.violations
    for fragment in fragments:
        assert fragment in message
        assert fragment in sim.violations[0]


@pytest.mark.parametrize("raw_query, fragment", [
    ("$foo=1", "'$foo' is not declared by ListDeviceInfo"),
    ("top=5", "'top' is not declared"),
    ("$format=json", "'$format' is not declared"),
    ("$top=-1", "$top"),
    ("$top=abc", "$top"),
    ("$skip=1.5", "$skip"),
    ("$count=yes", "'$count' must be true or false"),
    ("$count=True", "'$count' must be true or false"),
    ("$top=1&$top=2", "'$top' is given 2 times"),
    ("$select=Id,Id", "$select"),
    ("$filter=", "$filter"),
    ("$filter=Vendor+eq+'Snom'", "'+' in the query string"),
])
def test_bad_list_queries(client, sim, raw_query, fragment):
    reply = client.call("GET", "/DeviceInfos", raw_query=raw_query)
    assert_violation(reply, sim, 400, fragment)
    assert sim.violations[0].startswith("GET /xapi/v1/DeviceInfos?")


def test_undeclared_option_on_single_entity(client, sim):
    assert_violation(client.get("/DeviceInfos(1)", **{"$top": 1}), sim, 400, "'$top' is not declared by GetDeviceInfo")


def test_if_match_where_not_declared(client, sim):
    reply = client.call("GET", "/DeviceInfos(1)", headers={"If-Match": "*"})
    assert_violation(reply, sim, 400, "If-Match is not declared by GetDeviceInfo")


@pytest.mark.parametrize("path", ["/DeviceInfos(abc)", "/DeviceInfos(99999999999)", "/DeviceInfos(Id=1)"])
def test_bad_key(client, sim, path):
    assert_violation(client.get(path), sim, 400, "Id")


@pytest.mark.parametrize("path", ["/Nope", "/DeviceInfos(1)/Nope", "/DeviceInfo", "/DeviceInfos/"])
def test_unknown_path_is_404(client, sim, path):
    assert_violation(client.get(path), sim, 404, "no such path")


def test_unknown_path_outside_the_api(sim):
    reply = requests.get(sim.url + "/webclient/api", timeout=10)
    assert_violation(reply, sim, 404, "no such path")


def test_unknown_method_is_405(client, sim):
    assert_violation(client.call("PATCH", "/DeviceInfos(1)", json={"Model": "x"}), sim, 405, "no PATCH operation")


def test_bad_request_body(client, sim):
    reply = client.call("POST", "/DeviceInfos(1)/Pbx.Provision", json={"userId": "x"})
    assert_violation(reply, sim, 400, "is not of type 'integer'")


@pytest.mark.parametrize("path, body, fragment", [
    ("/Users", {"Number": "301", "Colour": "red"}, "request body property 'Colour' is not declared by CreateUser"),
    ("/Users(1)", {"FirstName": "Jon", "Nickname": "J"}, "request body property 'Nickname' is not declared by UpdateUser"),
])
def test_undeclared_body_property(client, sim, path, body, fragment):
    method = "POST" if path == "/Users" else "PATCH"
    assert_violation(client.call(method, path, json=body), sim, 400, fragment)


def test_annotations_in_a_body_are_no_properties(client, sim):
    reply = client.call("POST", "/Users", json={"@odata.type": "#Pbx.User", "Number": "301", "FirstName@odata.type": "String"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["Number"] == "301" and "@odata.type" not in sim.users[reply.json()["Id"]]
    assert sim.violations == []


def test_spec_checks_come_before_auth(sim):
    reply = requests.get(sim.url + "/xapi/v1/DeviceInfos?$foo=1", timeout=10)
    assert_violation(reply, sim, 400, "$foo")


@pytest.mark.parametrize("method, path, body, status", [
    ("POST", "/Users", {"Number": "301", "FirstName": "Nina"}, 201),
    ("PATCH", "/Users(1)", {"FirstName": "Jon"}, 204),
    ("GET", "/SystemStatus", None, 200),
])
def test_valid_requests_to_any_operation_are_answered(client, sim, method, path, body, status):
    assert client.call(method, path, json=body).status_code == status
    assert sim.violations == []


def test_valid_requests_leave_no_violation(client, sim):
    client.get("/DeviceInfos", **{"$filter": "Vendor eq 'Snom'", "$top": 5, "$skip": 0, "$count": "true",
                                  "$orderby": "Id desc", "$select": "Id,MAC", "$expand": "*", "$search": "snom"})
    client.get("/DeviceInfos(1)", **{"$select": "Id", "$expand": "*"})
    client.call("DELETE", "/DeviceInfos(1)", headers={"If-Match": "*"})
    client.call("POST", "/DeviceInfos(2)/Pbx.Provision", json={"userId": 1, "reprovision": True})
    client.get("/Users", **{"$filter": "Number eq '101'", "$top": 5, "$skip": 0, "$count": "true", "$orderby": "Number desc",
                            "$select": "Id,Number", "$expand": "*", "$search": "smith"})
    client.get("/Users(1)", **{"$select": "Id", "$expand": "*"})
    client.get("/Users(Number='101')", **{"$select": "Id", "$expand": "*"})
    assert sim.violations == []


def test_the_spec_is_3cx_s_published_20_0_10_unchanged():
    """The simulator validates against a copy of 3CX's spec; an edited copy would let the tests lie."""
    with open(DEFAULT_SPEC, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    assert digest == "8934b31ce6c4fc2566a737a323639de5848ced766454a68a0414da2ea44f48b3"
