# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``Simulator.schedule_change``: a record changed or deleted between a client's read and its delete."""


import pytest

from sim_helpers import XapiClient, concurrent_gets


def test_change_after_a_list(client, sim):
    change = sim.schedule_change(5, "ListDeviceInfo", Model="SIP-T58W")
    assert change.applied is False
    listed = client.items(**{"$top": 10})
    assert listed[4]["Model"] != "SIP-T58W", "the answer that makes the change due still shows the record as it was"
    assert change.applied is True
    assert sim.device_infos[5]["Model"] == "SIP-T58W"
    assert client.get("/DeviceInfos(5)").json()["Model"] == "SIP-T58W"


def test_after_count_counts_only_successful_answers_of_that_operation(client, sim):
    change = sim.schedule_change(6, "GetDeviceInfo", after_count=2, Assigned=False, AssignedUser=None)
    client.get("/DeviceInfos(6)")
    client.items(**{"$top": 1})
    client.get("/DeviceInfos(999)")  # 404
    client.get("/DeviceInfos(6)", **{"$top": 1})  # a violation
    XapiClient(sim).get("/DeviceInfos(6)")  # 401
    assert change.applied is False
    client.get("/DeviceInfos(6)")
    assert change.applied is True
    assert sim.device_infos[6]["AssignedUser"] is None


def test_scheduled_delete(client, sim):
    change = sim.schedule_change(8, "ListDeviceInfo", delete=True)
    assert 8 in [item["Id"] for item in client.items()]
    assert change.applied is True and 8 not in sim.device_infos
    assert client.call("DELETE", "/DeviceInfos(8)").status_code == 404


def test_changed_between_read_and_delete_in_etag_mode(etag_client):
    client = etag_client
    sim = client.simulator
    sim.schedule_change(9, "ListDeviceInfo", NetworkAddress="192.168.1.77")
    etag = {item["Id"]: item["@odata.etag"] for item in client.items()}[9]
    assert client.call("DELETE", "/DeviceInfos(9)", headers={"If-Match": etag}).status_code == 412
    assert 9 in sim.device_infos


def test_several_changes(client, sim):
    first = sim.schedule_change(1, "GetDeviceInfo", Model="A")
    second = sim.schedule_change(2, "GetDeviceInfo", after_count=2, Model="B")
    deleted = sim.schedule_change(3, "GetDeviceInfo", after_count=2, delete=True)
    client.get("/DeviceInfos(10)")
    assert (first.applied, second.applied, deleted.applied) == (True, False, False)
    client.get("/DeviceInfos(10)")
    assert (second.applied, deleted.applied) == (True, True)
    assert (sim.device_infos[1]["Model"], sim.device_infos[2]["Model"], 3 in sim.device_infos) == ("A", "B", False)


def test_a_change_to_a_vanished_record_does_nothing(client, sim):
    change = sim.schedule_change(7, "ListDeviceInfo", Model="X")
    gone = sim.schedule_change(4, "ListDeviceInfo", delete=True)
    assert client.call("DELETE", "/DeviceInfos(7)").status_code == 204
    assert client.call("DELETE", "/DeviceInfos(4)").status_code == 204
    client.items()
    assert (change.applied, gone.applied) == (False, False)
    assert 7 not in sim.device_infos and 4 not in sim.device_infos


def test_changes_apply_once_under_concurrency(client, sim):
    changes = [sim.schedule_change(record_id, "GetDeviceInfo", after_count=count, Model=f"M{count}")
               for record_id, count in ((11, 1), (12, 17), (13, 48))]
    failures = concurrent_gets(sim, client)
    assert failures == []
    assert all(change.applied for change in changes)
    assert [sim.device_infos[key]["Model"] for key in (11, 12, 13)] == ["M1", "M17", "M48"]


@pytest.mark.parametrize("args, kwargs, error", [
    ((5, "ListDeviceInfos"), {"Model": "x"}, ValueError),
    ((5, "ListDeviceInfo", 0), {"Model": "x"}, ValueError),
    ((5, "ListDeviceInfo"), {}, ValueError),
    ((5, "ListDeviceInfo"), {"delete": True, "Model": "x"}, ValueError),
    ((5, "ListDeviceInfo"), {"Colour": "red"}, TypeError),
    ((5, "ListDeviceInfo"), {"Id": 6}, TypeError),
])
def test_mistakes_are_refused_when_scheduling(sim, args, kwargs, error):
    with pytest.raises(error):
        sim.schedule_change(*args, **kwargs)
