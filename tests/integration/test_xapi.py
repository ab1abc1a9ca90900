# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""threecx.pbx.xapi through ansible-playbook against the simulator: one operation of every kind."""

from .helpers import token_requests, xapi_requests


def xapi(name, operation, parameters=None, body=None, **options):
    arguments = {"operation": operation}
    if parameters is not None:
        arguments["parameters"] = parameters
    if body is not None:
        arguments["body"] = body
    arguments.update(options)
    return {"name": name, "threecx.pbx.xapi": arguments}


def user(sim, user_id):
    return next(record for record in sim.records("Users") if record["Id"] == user_id)


def test_patch_sends_what_differs_then_nothing(simulator, run_playbook):
    sim = simulator
    before = user(sim, 2)
    task = xapi("update", "UpdateUser", {"Id": 2}, {"FirstName": "Joan", "EmailAddress": before["EmailAddress"]})

    first = run_playbook([task], sim=sim, diff=True)
    assert first.rc == 0, first.output
    result = first.result("update")
    assert result["changed"] is True and result["status"] == 204
    assert result["changes"] == {"FirstName": "Joan"}
    assert result["diff"] == {"before": {"FirstName": before["FirstName"]}, "after": {"FirstName": "Joan"}}
    assert user(sim, 2)["FirstName"] == "Joan" and user(sim, 2)["EmailAddress"] == before["EmailAddress"]
    assert [(e["method"], e["operation"]) for e in xapi_requests(sim)] == [("GET", "GetUser"), ("PATCH", "UpdateUser")]

    sim.clear_requests()
    second = run_playbook([task], sim=sim, diff=True)
    assert second.rc == 0, second.output
    assert second.result("update")["changed"] is False and second.result("update")["changes"] == {}
    assert second.result("update")["status"] is None
    assert [(e["method"], e["operation"]) for e in xapi_requests(sim)] == [("GET", "GetUser")]


def test_a_singleton_update_in_check_mode_then_for_real(simulator, run_playbook):
    sim = simulator
    current = sim.singleton("PhoneBookSettings")["ResolvingLength"]
    wanted = (current or 0) + 3
    task = xapi("phonebook", "UpdatePhoneBookSettings", body={"ResolvingLength": wanted})

    dry = run_playbook([task], sim=sim, check=True, diff=True)
    assert dry.rc == 0, dry.output
    assert dry.result("phonebook")["changed"] is True
    assert dry.result("phonebook")["diff"]["after"] == {"ResolvingLength": wanted}
    assert sim.singleton("PhoneBookSettings")["ResolvingLength"] == current
    assert {e["method"] for e in xapi_requests(sim)} == {"GET"}

    assert run_playbook([task], sim=sim).result("phonebook")["changed"] is True
    assert sim.singleton("PhoneBookSettings")["ResolvingLength"] == wanted
    assert run_playbook([task], sim=sim).result("phonebook")["changed"] is False


def test_create_read_and_delete_by_a_string_key(simulator, run_playbook):
    sim = simulator
    create = xapi("create", "CreateBlackListNumber", body={"CallerId": "+4930123456", "Description": "Spam, O'Neil"})
    created = run_playbook([create], sim=sim)
    assert created.rc == 0, created.output
    record = created.result("create")["json"]
    assert created.result("create")["changed"] is True and created.result("create")["status"] == 201
    assert record["CallerId"] == "+4930123456"
    assert any(r["Id"] == record["Id"] for r in sim.records("BlackListNumbers"))

    tasks = [xapi("read", "GetBlackListNumber", {"Id": record["Id"]}),
             xapi("delete", "DeleteBlackListNumber", {"Id": record["Id"]}),
             xapi("delete again", "DeleteBlackListNumber", {"Id": record["Id"]})]
    run = run_playbook(tasks, sim=sim)
    assert run.rc == 0, run.output
    assert run.result("read")["json"]["Description"] == "Spam, O'Neil"
    assert run.result("delete")["changed"] is True and run.result("delete")["status"] == 204
    assert run.result("delete again")["changed"] is False and run.result("delete again")["status"] == 404
    assert all(r["Id"] != record["Id"] for r in sim.records("BlackListNumbers"))
    delete, = xapi_requests(sim, "DELETE")
    assert delete["path"] == "/xapi/v1/BlackListNumbers('%s')" % record["Id"].replace("'", "''")


def test_lists_all_pages_and_functions(simulator, run_playbook):
    sim = simulator
    tasks = [xapi("users", "ListUser", {"$select": ["Id", "Number"], "$orderby": "Number desc"}, all_pages=True),
             xapi("status", "GetSystemStatus"),
             xapi("filter", "GetFilter")]
    run = run_playbook(tasks, sim=sim)
    assert run.rc == 0, run.output
    numbers = sorted((r["Number"] for r in sim.records("Users")), reverse=True)
    assert [r["Number"] for r in run.result("users")["json"]["value"]] == numbers
    assert all(run.result(name)["changed"] is False and run.result(name)["status"] == 200 for name in ("users", "status", "filter"))
    assert isinstance(run.result("status")["json"], dict)
    assert [e["path"] for e in xapi_requests(sim, operation="GetFilter")] == ["/xapi/v1/ActivityLog/Pbx.GetFilter()"]


def test_check_mode_sends_only_gets_for_every_kind(simulator, run_playbook):
    sim = simulator
    device_id = next(i for i, r in sorted(sim.device_infos.items()) if not r["Assigned"])
    blocked = sim.records("BlackListNumbers")[0]["Id"]
    tasks = [
        xapi("list", "ListDeviceInfo", {"$top": 3}),
        xapi("get", "GetUser", {"Id": 1}),
        xapi("function", "GetFilter"),
        xapi("create", "CreateBlackListNumber", body={"CallerId": "+4930999"}),
        xapi("update", "UpdateUser", {"Id": 1}, {"FirstName": "Dry-run"}),
        xapi("delete", "DeleteBlackListNumber", {"Id": blocked}),
        xapi("delete a phone", "DeleteDeviceInfo", {"Id": device_id}),
        xapi("action", "Provision", {"Id": device_id}, {"userId": 1}),
    ]
    blacklist, users, devices = sim.records("BlackListNumbers"), sim.records("Users"), dict(sim.device_infos)
    run = run_playbook(tasks, sim=sim, check=True)
    assert run.rc == 0, run.output
    assert {e["method"] for e in xapi_requests(sim)} == {"GET"}
    assert (sim.records("BlackListNumbers"), sim.records("Users"), sim.device_infos) == (blacklist, users, devices)
    names = ("list", "get", "function", "create", "update", "delete", "delete a phone", "action")
    changed = {name: run.result(name)["changed"] for name in names}
    assert changed == {"list": False, "get": False, "function": False, "create": True, "update": True, "delete": True,
                       "delete a phone": True, "action": True}


def test_bad_parameters_and_bodies_fail_before_any_request(simulator, run_playbook):
    sim = simulator
    tasks = [xapi("bad parameter", "GetUser", {"Id": "one", "$selcet": ["Id"]}),
             xapi("bad body", "UpdateUser", {"Id": 1}, {"Hours": {"Type": "Weekends"}, "Enabeld": True})]
    run = run_playbook([dict(task, ignore_errors=True) for task in tasks], sim=sim)
    assert run.rc == 0, run.output
    assert run.status("bad parameter") == "failed" and run.status("bad body") == "failed"
    message = run.result("bad parameter")["msg"]
    assert "parameter 'Id' must be an integer (int32), not str 'one'" in message
    assert "unknown parameter '$selcet' (did you mean '$select'?)" in message
    body_message = run.result("bad body")["msg"]
    assert "body.Hours.Type: must be one of" in body_message and "not 'Weekends'" in body_message
    assert "body.Enabeld: unknown property (did you mean 'Enabled'?)" in body_message
    assert xapi_requests(sim) == [] and token_requests(sim) == []


def test_every_result_carries_the_documented_keys_even_without_etags(simulator, run_playbook):
    """A playbook that reads result.etag, .status, .json and .operation never meets an undefined variable: the PBX sends
    no ETags (as current 3CX releases), and some operations answer no body or are not sent at all."""
    sim = simulator
    device_id = max(sim.device_infos)
    tasks = [
        dict(xapi("get", "GetDeviceInfo", {"Id": device_id}), register="get"),
        dict(xapi("list", "ListDeviceInfo", {"$top": 2}), register="list"),
        dict(xapi("unchanged", "UpdateUser", {"Id": 2}, {"FirstName": user(sim, 2)["FirstName"]}), register="unchanged"),
        dict(xapi("dry delete", "DeleteDeviceInfo", {"Id": device_id}), register="dry_delete", check_mode=True),
        dict(xapi("delete", "DeleteDeviceInfo", {"Id": device_id}), register="delete"),
        dict(xapi("delete again", "DeleteDeviceInfo", {"Id": device_id}), register="delete_again"),
        {"name": "read the keys", "ansible.builtin.assert": {"that": [
            "[get, list, unchanged, dry_delete, delete, delete_again] | map(attribute='etag') | select('none') | list | length == 6",
            "get.status == 200 and get.json.Id == %d and get.operation == 'GetDeviceInfo'" % device_id,
            "list.json.value | length == 2",
            "unchanged.status is none and unchanged.json.Id == 2",
            "dry_delete.status is none and dry_delete.json is none and dry_delete.operation == 'DeleteDeviceInfo'",
            "delete.status == 204 and delete.json is none",
            "delete_again.status == 404 and delete_again.json is none and not delete_again.changed",
        ]}},
    ]
    run = run_playbook(tasks, sim=sim)
    assert run.rc == 0, run.output
    assert device_id not in sim.device_infos
