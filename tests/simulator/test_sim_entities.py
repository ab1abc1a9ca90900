# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""GetDeviceInfo and DeleteDeviceInfo, with and without ETags."""

import pytest


def test_get(client, sim):
    assert sim.etag_mode is False
    reply = client.get("/DeviceInfos(7)")
    assert reply.status_code == 200
    body = reply.json()
    assert body.pop("@odata.context") == sim.url + "/xapi/v1/$metadata#DeviceInfos/$entity"
    assert body == sim.device_infos[7]
    assert "ETag" not in reply.headers


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_missing_entity_is_404(client, sim, method):
    reply = client.call(method, "/DeviceInfos(999)")
    assert reply.status_code == 404
    assert set(reply.json()["error"]) >= {"code", "message"}
    assert sim.violations == []


def test_delete(client, sim):
    reply = client.call("DELETE", "/DeviceInfos(7)")
    assert reply.status_code == 204
    assert reply.content == b""
    assert 7 not in sim.device_infos
    assert client.get("/DeviceInfos(7)").status_code == 404
    assert client.call("DELETE", "/DeviceInfos(7)").status_code == 404


def test_without_etag_mode_if_match_is_ignored(client, sim):
    assert all("@odata.etag" not in item for item in client.items(**{"$top": 10}))
    reply = client.call("DELETE", "/DeviceInfos(3)", headers={"If-Match": 'W/"stale"'})
    assert reply.status_code == 204
    assert 3 not in sim.device_infos


def test_etags_are_sent(etag_client):
    assert etag_client.simulator.etag_mode is True
    reply = etag_client.get("/DeviceInfos(4)")
    etag = reply.json()["@odata.etag"]
    assert etag.startswith('W/"') and etag.endswith('"')
    assert reply.headers["ETag"] == etag
    items = etag_client.items(**{"$select": "Id,MAC", "$top": 10})
    assert all(set(item) == {"@odata.etag", "Id", "MAC"} for item in items)
    assert items[3]["@odata.etag"] == etag
    assert len({item["@odata.etag"] for item in items}) == len(items)


def test_etag_changes_with_the_record(etag_client):
    sim = etag_client.simulator
    before = etag_client.get("/DeviceInfos(4)").json()["@odata.etag"]
    sim.modify_device_info(4, NetworkAddress="192.168.1.99")
    after = etag_client.get("/DeviceInfos(4)").json()
    assert after["NetworkAddress"] == "192.168.1.99"
    assert after["@odata.etag"] != before
    sim.device_infos[4]["Model"] = "SIP-T58W"
    assert etag_client.get("/DeviceInfos(4)").json()["@odata.etag"] != after["@odata.etag"]


def test_stale_if_match_is_412(etag_client):
    sim = etag_client.simulator
    etag = etag_client.get("/DeviceInfos(4)").json()["@odata.etag"]
    sim.modify_device_info(4, Assigned=True, AssignedUser="101 John Smith")
    reply = etag_client.call("DELETE", "/DeviceInfos(4)", headers={"If-Match": etag})
    assert reply.status_code == 412
    assert reply.json()["error"]["message"]
    assert 4 in sim.device_infos
    assert sim.violations == []


@pytest.mark.parametrize("if_match", ["current", "*", None])
def test_matching_if_match_deletes(etag_client, if_match):
    if if_match == "current":
        if_match = etag_client.get("/DeviceInfos(4)").headers["ETag"]
    headers = {"If-Match": if_match} if if_match else {}
    assert etag_client.call("DELETE", "/DeviceInfos(4)", headers=headers).status_code == 204
    assert 4 not in etag_client.simulator.device_infos


def test_ids_are_never_reused(client, sim):
    assert client.call("DELETE", "/DeviceInfos(50)").status_code == 204
    record = sim.add_device_info(Vendor="Snom", Model="D785")
    assert record["Id"] == 51
    assert client.get("/DeviceInfos(51)").json()["Model"] == "D785"
