# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One number space for every DN: ranges per type, the first free number, numbers taken across types
(``duplicate_number_across_types``), users created without a number (``create_user_minimal``) and Numbers that never
change (``number_change``)."""

import pytest

from sim_helpers import XapiClient, assert_refused
from xapi_simulator import Simulator

ALREADY_IN_USE = "WARNINGS.XAPI.ALREADY_IN_USE"
# Entity set -> the numbers of its first generated records.
RANGES = {"Queues": "800", "RingGroups": "820", "Receptionists": "840", "CallFlowApps": "860", "Fax": "880",
          "ServicePrincipals": "900", "Parkings": "SP0", "Trunks": "10000"}
FIXED = ("Users", "Groups", "Queues", "RingGroups", "Receptionists", "Parkings", "Fax", "ServicePrincipals")


def logged_in(sim):
    client = XapiClient(sim)
    client.login()
    return client


def numbers(sim, entity_set):
    return [record["Number"] for record in sim.records(entity_set)]


def test_each_type_numbers_its_records_in_a_range_of_its_own():
    sim = Simulator()
    for entity_set, first in RANGES.items():
        listed = numbers(sim, entity_set)
        prefix, start = ("SP", 0) if first.startswith("SP") else ("", int(first))
        assert listed == [f"{prefix}{start + offset}" for offset in range(len(listed))], entity_set
    groups = numbers(sim, "Groups")
    assert groups[:4] == ["GRP0000", "GRP1", "GRP2", "GRP3"]
    assert groups[4:] == [f"FGRP{number}" for number in numbers(sim, "Users")], "one favourites department per user"


@pytest.mark.parametrize("number", ["800", "SP0", "10000", "GRP1", "FGRP101", "101"])
def test_a_number_any_dn_holds_is_refused_to_a_new_user(client, sim, number):
    assert_refused(client.call("POST", "/Users", json={"Number": number, "FirstName": "Dup"}), "Number", ALREADY_IN_USE)
    assert [user["Number"] for user in sim.users.values()].count(number) == (1 if number == "101" else 0)
    assert sim.violations == []


def test_the_space_is_shared_both_ways(client):
    assert_refused(client.call("POST", "/Queues", json={"Number": "101", "Name": "Overflow"}), "Number", ALREADY_IN_USE)
    assert_refused(client.call("POST", "/Parkings", json={"Number": "GRP2"}), "Number", ALREADY_IN_USE)
    assert client.call("POST", "/Groups", json={"Name": "Marketing"}).json()["Number"] == "GRP4"
    assert_refused(client.call("POST", "/RingGroups", json={"Number": "GRP4"}), "Number", ALREADY_IN_USE)


def test_allow_refuses_only_a_number_of_the_same_type(make_sim):
    sim = make_sim(switches={"duplicate_number_across_types": "allow"})
    client = logged_in(sim)
    reply = client.call("POST", "/Users", json={"Number": "800", "FirstName": "Like", "LastName": "Queue"})
    assert reply.status_code == 201 and reply.json()["Number"] == "800"
    assert client.call("POST", "/Queues", json={"Number": "102"}).status_code == 201
    assert_refused(client.call("POST", "/Users", json={"Number": "101"}), "Number", ALREADY_IN_USE)
    assert_refused(client.call("POST", "/Queues", json={"Number": "801"}), "Number", ALREADY_IN_USE)
    sim.set_switch("duplicate_number_across_types", "reject_already_in_use")
    assert_refused(client.call("POST", "/Users", json={"Number": "802"}), "Number", ALREADY_IN_USE)


@pytest.mark.parametrize("operation, entity_set", [
    ("Users/Pbx.GetFirstAvailableExtensionNumber()", "Users"),
    ("Queues/Pbx.GetFirstAvailableQueueNumber()", "Queues"),
    ("RingGroups/Pbx.GetFirstAvailableRingGroupNumber()", "RingGroups"),
    ("Receptionists/Pbx.GetFirstAvailableReceptionistNumber()", "Receptionists"),
    ("Trunks/Pbx.GetFirstAvailableTrunkNumber()", "Trunks"),
])
def test_an_omitted_number_is_the_first_free_one_that_get_first_available_answers(client, sim, operation, entity_set):
    first = client.get("/" + operation).json()
    assert first == {"@odata.context": sim.url + "/xapi/v1/$metadata#Pbx.FirstAvailableNumber", "Number": first["Number"]}
    body = {"FirstName": "Next"} if entity_set == "Users" else {}
    if entity_set == "Users":
        assert first["Number"] == "100", "the seeded users start at 101"
    else:
        assert first["Number"] == str(int(RANGES[entity_set]) + len(sim.records(entity_set)))
    created = client.call("POST", "/" + entity_set, json=body)
    assert created.status_code == 201 and created.json()["Number"] == first["Number"]
    assert client.get("/" + operation).json()["Number"] != first["Number"]
    assert sim.violations == []


def test_the_first_free_number_skips_what_other_types_hold(client, sim):
    assert client.call("POST", "/Queues", json={"Number": "100"}).status_code == 201
    assert client.get("/Users/Pbx.GetFirstAvailableExtensionNumber()").json()["Number"] == "117"
    assert client.call("POST", "/Users", json={}).json()["Number"] == "117"


def test_a_user_created_without_a_number(make_sim):
    sim = make_sim()
    client = logged_in(sim)
    reply = client.call("POST", "/Users", json={})
    assert reply.status_code == 201
    assert (reply.json()["Number"], reply.json()["FirstName"], reply.json()["DisplayName"]) == ("100", "", "")
    sim.set_switch("create_user_minimal", "require_number")
    for body in ({}, {"Number": ""}, {"FirstName": "Ada", "Number": None}):
        assert_refused(client.call("POST", "/Users", json=body), "Number", "WARNINGS.XAPI.REQUIRED")
    assert client.call("POST", "/Users", json={"Number": "150"}).status_code == 201
    assert len(sim.users) == 27 and sim.violations == []


def test_a_department_s_number_is_never_the_body_s(client, sim):
    reply = client.call("POST", "/Groups", json={"Name": "Marketing", "Number": "777"})
    assert reply.status_code == 201 and reply.json()["Number"] == "GRP4"
    assert client.call("POST", "/Groups", json={"Name": "Research"}).json()["Number"] == "GRP5"
    assert sim.violations == []


@pytest.mark.parametrize("number_change, refusal", [
    ("reject_forbidden_change", "WARNINGS.XAPI.FORBIDDEN_CHANGE"),
    ("reject_already_in_use", ALREADY_IN_USE),
    ("ignore", None),
])
@pytest.mark.parametrize("entity_set", FIXED)
def test_a_number_never_changes(make_sim, entity_set, number_change, refusal):
    sim = make_sim(switches={"number_change": number_change})
    client = logged_in(sim)
    record = sim.records(entity_set)[0]
    path = f"/{entity_set}({record['Id']})"
    reply = client.call("PATCH", path, json={"Number": "999"})
    if refusal:
        assert_refused(reply, "Number", refusal)
    else:
        assert reply.status_code == 204
    assert client.get(path).json()["Number"] == record["Number"]
    assert client.call("PATCH", path, json={"Number": record["Number"]}).status_code == 204, "the Number it has is no change"
    assert sim.violations == []


def test_a_patch_with_its_own_number_changes_the_rest(client, sim):
    assert client.call("PATCH", "/Users(1)", json={"Number": "101", "FirstName": "Johnny"}).status_code == 204
    assert sim.users[1]["FirstName"] == "Johnny"
    assert_refused(client.call("PATCH", "/Users(1)", json={"Number": "199", "FirstName": "Jon"}), "Number",
                   "WARNINGS.XAPI.FORBIDDEN_CHANGE")
    assert sim.users[1]["FirstName"] == "Johnny", "nothing of a refused body is stored"


def test_a_trunk_s_number_may_change_to_a_free_one(client, sim):
    assert client.call("PATCH", "/Trunks(1)", json={"Number": "10099"}).status_code == 204
    assert numbers(sim, "Trunks")[0] == "10099"
    assert_refused(client.call("PATCH", "/Trunks(1)", json={"Number": "101"}), "Number", ALREADY_IN_USE)
