# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""threecx.pbx.device_info with state: provisioned, through ansible-playbook against the simulator."""

import pytest

from .helpers import xapi_requests


def provision(device_id, name="provision", **options):
    return {"name": name, "threecx.pbx.device_info": dict({"id": device_id, "state": "provisioned"}, **options)}


def free_device(sim):
    return next(i for i, r in sorted(sim.device_infos.items()) if not r["Assigned"])


def user_by_number(sim, number):
    return next(u for u in sim.users.values() if u["Number"] == number)


def label(user):
    return "%s %s %s" % (user["Number"], user["FirstName"], user["LastName"])


def test_provision_check_mode_real_and_again(etag_simulator, run_playbook):
    sim = etag_simulator
    device_id = free_device(sim)
    user = user_by_number(sim, "103")  # Sean O'Brien: a quote in the name reaches AssignedUser unharmed

    dry = run_playbook([provision(device_id, user="103")], sim=sim, check=True, diff=True)
    assert dry.rc == 0, dry.output
    assert dry.result("provision")["changed"] is True
    before = dict(sim.device_infos[device_id])
    before.pop("@odata.etag", None)
    predicted = dict(before, Assigned=True, AssignedUser=label(user))
    assert {k: v for k, v in dry.result("provision")["diff"]["after"].items() if k != "@odata.etag"} == predicted
    assert dry.result("provision")["device_info"] == dry.result("provision")["diff"]["after"]
    assert sim.device_infos[device_id]["Assigned"] is False
    assert xapi_requests(sim, "POST") == []

    real = run_playbook([provision(device_id, user="103")], sim=sim)
    assert real.rc == 0, real.output
    assert real.result("provision")["changed"] is True and real.result("provision")["user"]["Id"] == user["Id"]
    assert sim.device_infos[device_id]["Assigned"] is True
    assert sim.device_infos[device_id]["AssignedUser"] == label(user)
    post, = xapi_requests(sim, "POST")
    assert post["path"] == "/xapi/v1/DeviceInfos(%d)/Pbx.Provision" % device_id and post["status"] == 204
    lookup = [e for e in xapi_requests(sim, "GET") if e["operation"] == "GetUserByNumber"]
    assert lookup and lookup[0]["path"] == "/xapi/v1/Users(Number='103')"

    sim.clear_requests()
    again = run_playbook([provision(device_id, user_id=user["Id"])], sim=sim)
    assert again.rc == 0, again.output
    assert again.result("provision")["changed"] is False
    assert xapi_requests(sim, "POST") == []


def test_a_phone_assigned_to_someone_else_fails_unless_reprovision(simulator, run_playbook):
    device_id = free_device(simulator)
    first, second = user_by_number(simulator, "101"), user_by_number(simulator, "102")
    assert run_playbook([provision(device_id, user="101")], sim=simulator).rc == 0

    refused = run_playbook([provision(device_id, user="102")], sim=simulator)
    assert refused.rc == 2
    assert "reprovision: true" in refused.result("provision")["msg"]
    assert simulator.device_infos[device_id]["AssignedUser"] == label(first)

    moved = run_playbook([provision(device_id, user="102", reprovision=True)], sim=simulator)
    assert moved.rc == 0, moved.output
    assert moved.result("provision")["changed"] is True
    assert simulator.device_infos[device_id]["AssignedUser"] == label(second)


def test_reprovision_to_the_same_user_pushes_again(simulator, run_playbook):
    device_id = free_device(simulator)
    assert run_playbook([provision(device_id, user="101")], sim=simulator).rc == 0
    simulator.clear_requests()
    run = run_playbook([provision(device_id, user="101", reprovision=True)], sim=simulator)
    assert run.rc == 0 and run.result("provision")["changed"] is True
    assert len(xapi_requests(simulator, "POST")) == 1


@pytest.mark.parametrize("options, message", [
    ({"user": "999"}, "No user with extension number '999'"),
    ({"user_id": 424242}, "No user with Id 424242"),
])
def test_an_unknown_user_fails_clearly(simulator, run_playbook, options, message):
    device_id = free_device(simulator)
    run = run_playbook([provision(device_id, **options)], sim=simulator)
    assert run.rc == 2 and message in run.result("provision")["msg"]
    assert simulator.device_infos[device_id]["Assigned"] is False
    assert xapi_requests(simulator, "POST") == []


def test_an_unknown_device_fails_clearly(simulator, run_playbook):
    run = run_playbook([provision(777777, user="101")], sim=simulator)
    assert run.rc == 2 and "DeviceInfo 777777 does not exist" in run.result("provision")["msg"]


def test_a_user_number_with_a_quote_is_escaped(simulator, run_playbook):
    user = simulator.add_user(Number="1'5", FirstName="Quote", LastName="Test")
    device_id = free_device(simulator)
    run = run_playbook([provision(device_id, user="1'5")], sim=simulator)
    assert run.rc == 0, run.output
    assert simulator.device_infos[device_id]["AssignedUser"] == label(user)
    lookup = [e for e in xapi_requests(simulator, "GET") if e["operation"] == "GetUserByNumber"]
    assert lookup[0]["path"] == "/xapi/v1/Users(Number='1''5')"


def test_the_pbx_refusing_provision_is_reported_with_its_warning(simulator, run_playbook):
    device_id = free_device(simulator)
    user = user_by_number(simulator, "101")
    simulator.schedule_change(device_id, "GetUserByNumber", Assigned=True, AssignedUser=label(user_by_number(simulator, "102")))
    run = run_playbook([provision(device_id, user="101")], sim=simulator)
    assert run.rc == 2
    msg = run.result("provision")["msg"]
    assert "Provision" in msg and "HTTP 400" in msg and "WARNINGS.XAPI.ALREADY_IN_USE" in msg
    assert simulator.device_infos[device_id]["AssignedUser"] != label(user)


def test_the_result_is_the_record_read_back_after_provision(simulator, run_playbook):
    """The PBX gives a phone detected bare its model's template: the result shows it, where a prediction could not."""
    sim = simulator
    device = dict(sim.add_device_info(Vendor="Yealink", Model="SIP-T46U", TemplateName=None, Assigned=False, AssignedUser=None))
    user = user_by_number(sim, "101")

    dry = run_playbook([provision(device["Id"], user="101")], sim=sim, check=True, diff=True)
    assert dry.rc == 0, dry.output
    assert dry.result("provision")["device_info"]["TemplateName"] is None  # check mode predicts, it cannot read
    assert dry.result("provision")["diff"]["before"]["Assigned"] is False

    sim.clear_requests()
    real = run_playbook([provision(device["Id"], user="101")], sim=sim, diff=True)
    assert real.rc == 0, real.output
    result = real.result("provision")
    assert result["device_info"] == sim.device_infos[device["Id"]]
    assert result["device_info"]["TemplateName"] == "yealink_t4x.ph.xml"
    assert result["device_info"]["AssignedUser"] == label(user)
    assert result["diff"] == {"before": device, "after": result["device_info"]}
    operations = [e["operation"] for e in xapi_requests(sim)]
    assert operations == ["GetDeviceInfo", "GetUserByNumber", "Provision", "GetDeviceInfo"]
