# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""threecx.pbx.xapi run in-process against the simulator."""

import pytest
from xapi_simulator import Simulator

from ansible_collections.threecx.pbx.plugins.modules.xapi import main

from .conftest import SECRET, sim_connection


def call(run_module, sim, operation, parameters=None, body=None, **options):
    args = dict(sim_connection(sim), operation=operation, parameters=parameters, body=body)
    check_mode, diff = options.pop("check_mode", False), options.pop("diff", False)
    args.update(options)
    return run_module(main, args, check_mode=check_mode, diff=diff)


def xapi_calls(sim):
    return [(e["method"], e["operation"]) for e in sim.requests if e["operation"] != "token"]


# -- GET ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("check_mode", [False, True])
def test_a_list_is_one_request_and_never_a_change(sim, run_module, check_mode):
    result = call(run_module, sim, "ListDeviceInfo", {"$top": 5, "$select": "Id,MAC", "$orderby": "Id desc"}, check_mode=check_mode)
    assert result["changed"] is False and result["status"] == 200 and result["operation"] == "ListDeviceInfo"
    assert [r["Id"] for r in result["json"]["value"]] == sorted(sim.device_infos, reverse=True)[:5]
    assert result["request"] == {"method": "GET", "path": "/DeviceInfos",
                                 "query": {"$top": 5, "$select": ["Id", "MAC"], "$orderby": ["Id desc"]}}
    entry, = [e for e in sim.requests if e["operation"] == "ListDeviceInfo"]
    assert entry["raw_query"] == "$top=5&$select=Id,MAC&$orderby=Id%20desc"


def test_all_pages_reads_every_page_and_top_is_the_total(sim, run_module):
    unassigned = sorted(i for i, r in sim.device_infos.items() if not r["Assigned"])
    result = call(run_module, sim, "ListDeviceInfo", {"$filter": "Assigned eq false"}, all_pages=True)
    assert [r["Id"] for r in result["json"]["value"]] == unassigned
    many = call(run_module, sim, "ListDeviceInfo", {"$top": 150, "$skip": 3},
                all_pages=True)
    assert [r["Id"] for r in many["json"]["value"]] == sorted(sim.device_infos)[3:153]


def test_all_pages_over_several_pages(run_module):
    with Simulator(clients={"ansible": SECRET}, records=250) as big:
        result = call(run_module, big, "ListDeviceInfo", {"$select": ["Id"]}, all_pages=True)
        assert len(result["json"]["value"]) == 250
        assert [e["query"]["$skip"] for e in big.requests if e["operation"] == "ListDeviceInfo"] == ["0", "100", "200"]
        assert big.violations == []


def test_a_get_by_an_alternate_key(sim, run_module):
    result = call(run_module, sim, "GetUserByNumber", {"Number": 101})
    assert result["json"]["Number"] == "101" and result["request"]["path"] == "/Users(Number='101')"


def test_a_missing_entity_fails_a_get_with_the_pbx_answer(sim, run_module):
    result = call(run_module, sim, "GetDeviceInfo", {"Id": 999999})
    assert result["failed"] is True and result["changed"] is False
    assert "GetDeviceInfo (GET /xapi/v1/DeviceInfos(999999)) failed: HTTP 404" in result["msg"]


# -- DELETE ---------------------------------------------------------------------------------------------------

def test_delete_check_mode_reads_only_then_deletes_then_is_unchanged(sim, run_module):
    record_id = sorted(sim.device_infos)[2]
    dry = call(run_module, sim, "DeleteDeviceInfo", {"Id": record_id}, check_mode=True, diff=True)
    assert dry["changed"] is True and dry["diff"]["before"]["MAC"] == sim.device_infos[record_id]["MAC"]
    assert xapi_calls(sim) == [("GET", "GetDeviceInfo")] and record_id in sim.device_infos

    sim.clear_requests()
    real = call(run_module, sim, "DeleteDeviceInfo", {"Id": record_id})
    assert real["changed"] is True and real["status"] == 204 and record_id not in sim.device_infos
    assert xapi_calls(sim) == [("GET", "GetDeviceInfo"), ("DELETE", "DeleteDeviceInfo")]

    sim.clear_requests()
    again = call(run_module, sim, "DeleteDeviceInfo", {"Id": record_id})
    assert again["changed"] is False and again["status"] == 404 and "failed" not in again
    assert xapi_calls(sim) == [("GET", "GetDeviceInfo")]


@pytest.mark.parametrize("given", [False, True], ids=["etag-read", "if_match"])
def test_delete_is_conditional_on_the_etag(run_module, given):
    with Simulator(clients={"ansible": SECRET}, records=5, etag_mode=True) as sim:
        stale = call(run_module, sim, "GetDeviceInfo", {"Id": 1})["etag"]
        if given:
            sim.modify_device_info(1, Model="changed")
            result = call(run_module, sim, "DeleteDeviceInfo", {"Id": 1}, if_match=stale)
            assert result["failed"] is True and "HTTP 412" in result["msg"] and "it was not deleted" in result["msg"]
            assert 1 in sim.device_infos
        else:
            result = call(run_module, sim, "DeleteDeviceInfo", {"Id": 1})
            assert result["changed"] is True and 1 not in sim.device_infos
            delete, = [e for e in sim.requests if e["method"] == "DELETE"]
            assert delete["if_match"] == stale
        assert sim.violations == []


# -- POST -----------------------------------------------------------------------------------------------------

def test_an_action_is_not_sent_in_check_mode_and_always_a_change(sim, run_module):
    device_id = next(i for i, r in sorted(sim.device_infos.items()) if not r["Assigned"])
    body = {"userId": 1, "reprovision": False}
    dry = call(run_module, sim, "Provision", {"Id": device_id}, body, check_mode=True)
    assert dry["changed"] is True and dry["status"] is None and dry["json"] is None and xapi_calls(sim) == []
    real = call(run_module, sim, "Provision", {"Id": device_id}, body)
    assert real["changed"] is True and real["status"] == 204 and sim.device_infos[device_id]["Assigned"] is True
    post, = [e for e in sim.requests if e["method"] == "POST" and e["operation"] == "Provision"]
    assert post["path"] == "/xapi/v1/DeviceInfos(%d)/Pbx.Provision" % device_id


def test_a_refused_action_fails_with_the_pbx_reason(sim, run_module):
    device_id = next(i for i, r in sorted(sim.device_infos.items()) if not r["Assigned"])
    result = call(run_module, sim, "Provision", {"Id": device_id}, {"userId": 999999})
    assert result["failed"] is True and "WARNINGS.XAPI.NOT_FOUND" in result["msg"] and "userId" in result["msg"]


# -- validation before any request ---------------------------------------------------------------------------

@pytest.mark.parametrize("operation, parameters, body, options, message", [
    ("ListUsers", None, None, {}, "ListUsers: no such operation in the XAPI 20.0.10. Did you mean ListUser"),
    ("GetUser", {"id": 1}, None, {}, "unknown parameter 'id' (did you mean 'Id'?)"),
    ("GetUser", None, None, {}, "parameter 'Id' (int32) is required"),
    ("Provision", {"Id": 1}, {"userId": "one"}, {}, "body.userId: must be an integer (int32), not str 'one'"),
    ("GetUser", {"Id": 1}, None, {"if_match": 'W/"x"'}, "if_match is only for DELETE operations; GetUser is a GET get."),
    ("GetUser", {"Id": 1}, None, {"all_pages": True}, "all_pages is only for GET operations that answer a collection"),
])
def test_bad_requests_fail_before_any_request(sim, run_module, operation, parameters, body, options, message):
    result = call(run_module, sim, operation, parameters, body, **options)
    assert result["failed"] is True and message in result["msg"], result["msg"]
    assert sim.requests == []


# -- PATCH ----------------------------------------------------------------------------------------------------

def test_patch_sends_only_what_differs_and_then_nothing(sim, run_module):
    body = {"FirstName": "Joan", "Hours": {"Type": "OfficeHours"}, "ForwardingProfiles": [{"Name": "Available"}]}
    dry = call(run_module, sim, "UpdateUser", {"Id": 1}, body, check_mode=True, diff=True)
    assert dry["changed"] is True and xapi_calls(sim) == [("GET", "GetUser")]
    first = call(run_module, sim, "UpdateUser", {"Id": 1}, body, diff=True)
    assert first["changed"] is True and first["status"] == 204 and set(first["changes"]) <= set(body)
    assert first["diff"]["after"] == first["changes"] and first["json"]["FirstName"] == "Joan"
    sim.clear_requests()
    again = call(run_module, sim, "UpdateUser", {"Id": 1}, body)
    assert again["changed"] is False and again["changes"] == {} and again["status"] is None
    read, = [e for e in sim.requests if e["operation"] == "GetUser"]
    assert read["query"] == {"$expand": "ForwardingProfiles"}  # a navigation property is read only when expanded
    assert xapi_calls(sim) == [("GET", "GetUser")]


def test_patch_of_a_missing_entity_fails(sim, run_module):
    result = call(run_module, sim, "UpdateUser", {"Id": 999999}, {"FirstName": "x"})
    assert result["failed"] is True and result["msg"] == "UpdateUser: /Users(999999) does not exist, so it cannot be updated."
    assert xapi_calls(sim) == [("GET", "GetUser")]
