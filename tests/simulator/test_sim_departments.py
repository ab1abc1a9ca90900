# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Departments (entity set ``Groups``): the seeded ones, what a new one gets, names, deletes, the hidden favourites
departments, the test API, and the switches ``duplicate_group_name``, ``group_delete`` and ``favorites_groups``."""

import pytest

from sim_helpers import XapiClient, assert_refused

ALREADY_IN_USE = "WARNINGS.XAPI.ALREADY_IN_USE"
WITH_MEMBERS = "WARNINGS.GROUP_WITH_MEMBERS_CANNOT_BE_DELETED"
SEEDED = [
    {"Id": 1, "Name": "DEFAULT", "Number": "GRP0000", "IsDefault": True, "Language": "EN", "TimeZoneId": "51"},
    {"Id": 2, "Name": "Sales", "Number": "GRP1", "IsDefault": False, "Language": "EN", "TimeZoneId": "51"},
    {"Id": 3, "Name": "Support", "Number": "GRP2", "IsDefault": False, "Language": "EN", "TimeZoneId": "51"},
    {"Id": 4, "Name": "Accounts", "Number": "GRP3", "IsDefault": False, "Language": "DE", "TimeZoneId": "51"},
]


def logged_in(sim):
    client = XapiClient(sim)
    client.login()
    return client


def names(sim):
    return [department["Name"] for department in sim.departments()]


def test_the_seeded_departments(sim):
    assert sim.departments() == SEEDED, "favourites departments left out"
    assert sim.department_members("Accounts") == [(number, "Extension") for number in ("107", "108", "114", "115", "116", "204", "205", "101")]
    with pytest.raises(KeyError):
        sim.department_members("Marketing")
    with pytest.raises(KeyError):
        sim.department_members("___FAVORITES___101")


def test_a_new_department_gets_what_a_pbx_fills_in(client, sim):
    reply = client.call("POST", "/Groups", json={"Name": "Marketing", "Language": "DE", "TimeZoneId": "52"})
    assert reply.status_code == 201
    created = reply.json()
    assert reply.headers["Location"] == f"{sim.url}/xapi/v1/Groups({created['Id']})"
    assert (created["Id"], created["Number"], created["IsDefault"], created["HasMembers"]) == (30, "GRP4", False, False)
    assert (created["Language"], created["TimeZoneId"], created["AllowCallService"], created["GloballyVisible"]) == ("DE", "52", True, True)
    assert created["Props"]["StartupLicense"] == "Pro" and created["Props"]["LiveChatMaxCount"] == -1
    assert created["Hours"]["Type"] == "SpecificHours" and created["OfficeRoute"]["Route"]["To"] == "None"
    assert created["CallUsEnableChat"] is False and created["AnswerAfter"] == 0, "not generated at random"
    for navigation in ("Members", "OfficeHolidays", "Rights"):
        assert client.get(f"/Groups({created['Id']})", **{"$expand": navigation}).json()[navigation] == [], navigation
    assert sim.departments()[-1] == {"Id": 30, "Name": "Marketing", "Number": "GRP4", "IsDefault": False, "Language": "DE", "TimeZoneId": "52"}
    assert sim.violations == []


@pytest.mark.parametrize("body", [{}, {"Name": ""}, {"Name": None, "Language": "EN"}])
def test_a_department_needs_a_name(client, sim, body):
    assert_refused(client.call("POST", "/Groups", json=body), "Name", "WARNINGS.XAPI.REQUIRED")
    assert_refused(client.call("PATCH", "/Groups(2)", json={"Name": ""}), "Name", "WARNINGS.XAPI.REQUIRED")
    assert names(sim) == ["DEFAULT", "Sales", "Support", "Accounts"]


@pytest.mark.parametrize("duplicate, refusal", [("reject_already_in_use", ALREADY_IN_USE), ("reject_duplicate", "WARNINGS.XAPI.DUPLICATE")])
def test_a_name_another_department_has_is_refused(make_sim, duplicate, refusal):
    sim = make_sim(switches={"duplicate_group_name": duplicate})
    client = logged_in(sim)
    assert_refused(client.call("POST", "/Groups", json={"Name": "Sales"}), "Name", refusal)
    assert_refused(client.call("PATCH", "/Groups(3)", json={"Name": "Sales"}), "Name", refusal)
    assert client.call("PATCH", "/Groups(2)", json={"Name": "Sales"}).status_code == 204, "its own name is no duplicate"
    assert client.call("PATCH", "/Groups(2)", json={"Name": "Sales and Marketing"}).status_code == 204
    assert client.call("POST", "/Groups", json={"Name": "Sales"}).status_code == 201, "a name no longer used"
    with pytest.raises(ValueError):
        sim.add_department("Support")
    assert names(sim) == ["DEFAULT", "Sales and Marketing", "Support", "Accounts", "Sales"]


def test_duplicate_group_name_allow(make_sim):
    sim = make_sim(switches={"duplicate_group_name": "allow"})
    assert logged_in(sim).call("POST", "/Groups", json={"Name": "Sales"}).status_code == 201
    assert sim.add_department("Sales")["Number"] == "GRP5"
    assert names(sim).count("Sales") == 3


def test_the_default_department_is_never_deleted(make_sim):
    for deleting in ("reject_with_members", "cascade", "move_members_to_default"):
        sim = make_sim(switches={"group_delete": deleting})
        assert_refused(logged_in(sim).call("DELETE", "/Groups(1)"), "Id", "WARNINGS.GROUP_CANNOT_BE_DELETED")
        assert names(sim)[0] == "DEFAULT"


def test_a_department_with_members_is_not_deleted(client, sim):
    assert_refused(client.call("DELETE", "/Groups(2)"), "Id", WITH_MEMBERS)
    assert client.call("PATCH", "/Groups(2)", json={"Members": [{"Number": "800"}]}).status_code == 204
    assert_refused(client.call("DELETE", "/Groups(2)"), "Id", WITH_MEMBERS), "a queue is a member too"
    empty = sim.add_department("Empty")
    assert client.call("DELETE", f"/Groups({empty['Id']})").status_code == 204
    assert client.call("DELETE", f"/Groups({empty['Id']})").status_code == 404
    assert names(sim) == ["DEFAULT", "Sales", "Support", "Accounts"]


def test_group_delete_cascade(make_sim):
    sim = make_sim(switches={"group_delete": "cascade"})
    assert logged_in(sim).call("DELETE", "/Groups(2)").status_code == 204
    assert "Sales" not in names(sim)
    assert sim.user_departments("102") == [("Support", "users")] and sim.primary_department("102") == "Support"
    assert sim.user_departments("103") == [("DEFAULT", "users")], "a user left in no department goes to the default one"
    assert sim.department_members("DEFAULT")[-1] == ("202", "Extension")
    assert ("800", "Queue") not in sim.department_members("DEFAULT"), "the queue just loses its department"


def test_group_delete_move_members_to_default(make_sim):
    sim = make_sim(switches={"group_delete": "move_members_to_default"})
    assert logged_in(sim).call("DELETE", "/Groups(2)").status_code == 204
    assert sim.user_departments("102") == [("DEFAULT", "managers"), ("Support", "users")]
    assert sim.department_members("DEFAULT")[-2:] == [("800", "Queue"), ("SP0", "Parking")]
    assert sim.primary_department("102") == "Support"


def test_favourites_departments_are_hidden_but_listed(client, sim):
    listed = client.items("Groups", **{"$select": "Name,Number", "$top": 100})
    assert len(listed) == 4 + len(sim.users)
    assert {"Name": "___FAVORITES___120", "Number": "FGRP120"} in listed
    assert sim.department_members("DEFAULT")[0] == ("120", "Extension")
    favourites = next(group["Id"] for group in sim.records("Groups") if group["Name"] == "___FAVORITES___120")
    assert client.items(f"Groups({favourites})/Members", **{"$select": "Number"}) == [{"Number": "120"}]
    created = client.call("POST", "/Users", json={"Number": "150"}).json()
    assert {"Name": "___FAVORITES___150", "Number": "FGRP150"} in client.items("Groups", **{"$select": "Name,Number", "$top": 100})
    assert client.call("DELETE", f"/Users({created['Id']})").status_code == 204
    assert "FGRP150" not in [group["Number"] for group in sim.records("Groups")]


def test_favorites_groups_off_and_on(make_sim):
    sim = make_sim(switches={"favorites_groups": "off"})
    assert len(sim.records("Groups")) == 4
    client = logged_in(sim)
    assert [row["Name"] for row in client.items("Users(1)/Groups")] == ["DEFAULT", "Accounts"]
    client.call("POST", "/Users", json={"Number": "150"})
    assert len(sim.records("Groups")) == 4
    sim.set_switch("favorites_groups", "on")
    assert [group["Number"] for group in sim.records("Groups")][4:] == [f"FGRP{user['Number']}" for user in sim.users.values()]
    sim.set_switch("favorites_groups", "off")
    assert len(sim.records("Groups")) == 4 and sim.departments() == SEEDED


def test_the_test_api(sim):
    marketing = sim.add_department("Marketing", Language="FR")
    assert (marketing["Number"], marketing["Language"]) == ("GRP4", "FR")
    user = sim.add_user(number="150", departments=(("Marketing", "managers"), ("Sales", "users")), primary="Sales", FirstName="Ada")
    assert (user["Number"], user["DisplayName"], user["EmailAddress"]) == ("150", "Ada", "ada@example.com")
    assert sim.user_departments("150") == [("Marketing", "managers"), ("Sales", "users")] and sim.primary_department("150") == "Sales"
    assert sim.department_members("Marketing") == [("150", "Extension")]
    assert sim.add_user(number="151")["PrimaryGroupId"] == 2, "in Sales unless told otherwise"
    assert sim.user_by_number("151")["DisplayName"] == "151, User" and sim.user_by_number("999") is None
    sim.user_by_number("151")["FirstName"] = "Changed"
    assert sim.user_by_number("151")["FirstName"] == "User", "a copy"
    with pytest.raises(KeyError):
        sim.add_user(number="152", departments=(("Nowhere", "users"),))
    with pytest.raises(ValueError):
        sim.add_user(number="152", departments=(("Sales", "users"),), primary="Support")
    with pytest.raises(KeyError):
        sim.user_departments("999")
    assert sim.user_by_number("152") is None
