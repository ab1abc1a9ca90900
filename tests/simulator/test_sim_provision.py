# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``POST /DeviceInfos({Id})/Pbx.Provision``: assigning a detected phone to a user."""

import pytest

from sim_helpers import assert_refused

PROVISION = "/DeviceInfos({})/Pbx.Provision"


def first(sim, assigned):
    return next(key for key in sorted(sim.device_infos) if sim.device_infos[key]["Assigned"] is assigned and sim.device_infos[key]["MAC"])


def provision(client, device_id, **body):
    return client.call("POST", PROVISION.format(device_id), json=body)


def assert_warning(reply, target, code):
    assert_refused(reply, target, f"WARNINGS.XAPI.{code}")


def test_provision_assigns_the_phone(client, sim):
    device_id = first(sim, False)
    before = dict(sim.device_infos[device_id])
    reply = provision(client, device_id, userId=3, reprovision=False)
    assert reply.status_code == 204
    assert reply.content == b""
    assert sim.device_infos[device_id] == dict(before, Assigned=True, AssignedUser="103 Sean O'Brien")
    assert client.get(f"/DeviceInfos({device_id})").json()["AssignedUser"] == "103 Sean O'Brien"
    assert sim.requests[-2]["operation"] == "Provision"
    assert sim.violations == []


def test_a_phone_detected_without_a_template_gets_its_model_s(client, sim):
    bare = sim.add_device_info(Vendor="Fanvil", Model="X4U", TemplateName=None, Assigned=False, AssignedUser=None)
    unknown = sim.add_device_info(Vendor="Fanvil", Model="X999", TemplateName=None, Assigned=False, AssignedUser=None)
    assert provision(client, bare["Id"], userId=3).status_code == 204
    assert provision(client, unknown["Id"], userId=3).status_code == 204
    assert sim.device_infos[bare["Id"]]["TemplateName"] == "fanvil_x.ph.xml"
    assert sim.device_infos[unknown["Id"]]["TemplateName"] is None


def test_a_user_without_last_name(client, sim):
    device_id = first(sim, False)
    assert provision(client, device_id, userId=17).status_code == 204
    assert sim.device_infos[device_id]["AssignedUser"] == "120 Reception"


def test_unknown_user(client, sim):
    device_id = first(sim, False)
    assert_warning(provision(client, device_id, userId=999, reprovision=True), "userId", "NOT_FOUND")
    assert sim.device_infos[device_id]["Assigned"] is False
    assert sim.violations == []


@pytest.mark.parametrize("body", [{}, {"reprovision": True}])
def test_missing_user_id(client, sim, body):
    assert_warning(provision(client, first(sim, False), **body), "userId", "REQUIRED")
    assert sim.violations == []


def test_unknown_device_is_404_before_the_body_is_looked_at(client, sim):
    for body in ({"userId": 3}, {"userId": 999}, {}):
        reply = provision(client, 999, **body)
        assert reply.status_code == 404
        assert reply.json()["error"]["message"] == "Pbx.DeviceInfo with Id 999 was not found."
    assert sim.violations == []


@pytest.mark.parametrize("body", [{"userId": 5}, {"userId": 5, "reprovision": False}])
def test_assigned_phone_needs_reprovision(client, sim, body):
    device_id = first(sim, True)
    before = dict(sim.device_infos[device_id])
    assert_warning(provision(client, device_id, **body), "Id", "ALREADY_IN_USE")
    assert sim.device_infos[device_id] == before
    assert sim.violations == []


def test_reprovision(client, sim):
    device_id = first(sim, True)
    assert provision(client, device_id, userId=4, reprovision=True).status_code == 204
    assert sim.device_infos[device_id]["AssignedUser"] == "104 Zoë Müller"
    assert provision(client, device_id, userId=4, reprovision=True).status_code == 204


@pytest.mark.parametrize("kwargs, fragment", [
    ({"json": {"userId": "3"}}, "'3' is not of type 'integer'"),
    ({"json": {"userId": 3.5}}, "3.5 is not of type 'integer'"),
    ({"json": {"userId": None}}, "None is not of type 'integer'"),
    ({"json": {"userId": 2 ** 31}}, "is greater than the maximum"),
    ({"json": {"userId": 3, "reprovision": "yes"}}, "'yes' is not of type 'boolean'"),
    ({"json": {"userId": 3, "user": 3}}, "request body property 'user' is not declared by Provision"),
    ({"json": [3]}, "is not of type 'object'"),
    ({}, "Missing required request body"),
    ({"data": '{"userId": 3}', "headers": {"Content-Type": "text/plain"}}, "mimetype not found: text/plain"),
    ({"data": '{"userId": 3', "headers": {"Content-Type": "application/json"}}, "Failed to deserialize"),
])
def test_bad_body_is_a_violation(client, sim, kwargs, fragment):
    device_id = first(sim, False)
    before = dict(sim.device_infos[device_id])
    reply = client.call("POST", PROVISION.format(device_id), **kwargs)
    assert reply.status_code == 400
    assert fragment in reply.json()["error"]["message"]
    assert len(sim.violations) == 1 and fragment in sim.violations[0]
    assert sim.device_infos[device_id] == before


def test_provision_changes_the_etag(etag_client):
    client = etag_client
    sim = client.simulator
    device_id = first(sim, False)
    etag = client.get(f"/DeviceInfos({device_id})").headers["ETag"]
    assert provision(client, device_id, userId=1).status_code == 204
    assert client.get(f"/DeviceInfos({device_id})").headers["ETag"] != etag
    assert client.call("DELETE", f"/DeviceInfos({device_id})", headers={"If-Match": etag}).status_code == 412
    assert device_id in sim.device_infos
