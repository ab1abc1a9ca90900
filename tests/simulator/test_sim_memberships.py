# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who is in which department: a user's ``Groups`` and a department's ``Members`` (read with nested ``$expand`` options
and through ListMembers), written on the user or on the department, and the primary department; the switches
``membership_rights_omitted``, ``user_groups_empty``, ``primary_group_requires_membership`` and ``group_members_patch``."""

import pytest

from sim_helpers import XapiClient, assert_refused
from xapi_simulator.seed import USERS

NOT_FOUND = "WARNINGS.XAPI.NOT_FOUND"
REQUIRED = "WARNINGS.XAPI.REQUIRED"
# What threecx.pbx.user reads of a user's departments, and department_info of a department's members.
DEPARTMENTS_EXPAND = "Groups($select=GroupId,Name;$filter=not startswith(Name,'___FAVORITES___');$expand=Rights($select=RoleName))"
MEMBERS_EXPAND = "Members($select=Number,Name,Type;$expand=Rights)"
DEFAULT, SALES, SUPPORT, ACCOUNTS = 1, 2, 3, 4


def logged_in(sim):
    client = XapiClient(sim)
    client.login()
    return client


def membership(group_id, role="users"):
    return {"GroupId": group_id, "Rights": {"RoleName": role}}


def patch(client, path, **body):
    return client.call("PATCH", path, json=body)


def test_every_seeded_user_is_in_a_department_and_its_favourites_one(sim):
    for user in sim.users.values():
        departments = sim.user_departments(user["Number"])
        assert departments, user["Number"]
        assert sim.primary_department(user["Number"]) in [name for name, _role in departments]
    assert sim.user_departments("102") == [("Sales", "managers"), ("Support", "users")]
    assert sim.primary_department("102") == "Sales", "the first department that lists a user is its primary one"
    favourites = [group for group in sim.records("Groups") if group["Name"].startswith("___FAVORITES___")]
    assert [group["Number"] for group in favourites] == [f"FGRP{user['Number']}" for user in sim.users.values()]
    assert all((group["GloballyVisible"], group["AllowCallService"], group["TranscriptionMode"], group["HasMembers"])
               == (False, False, "Nothing", True) for group in favourites)


def test_the_module_s_read_of_a_user_s_departments(client, sim):
    users = client.items("Users", **{"$select": "Id,Number,PrimaryGroupId", "$expand": DEPARTMENTS_EXPAND, "$orderby": "Number"})
    assert len(users) == len(USERS)
    for user in users:
        assert set(user) == {"Id", "Number", "PrimaryGroupId", "Groups"}
        assert all(set(row) == {"GroupId", "Name", "Rights"} and set(row["Rights"]) == {"RoleName"} for row in user["Groups"])
        assert sorted((row["Name"], row["Rights"]["RoleName"]) for row in user["Groups"]) == sim.user_departments(user["Number"])
        assert user["PrimaryGroupId"] in [row["GroupId"] for row in user["Groups"]]
    assert client.call("GET", "/Users", raw_query="$expand=Groups").json()["@odata.context"] == sim.url + "/xapi/v1/$metadata#Users(Groups())"
    assert sim.violations == []


def test_a_membership_row(client, sim):
    rows = client.get("/Users(2)", **{"$expand": "Groups"}).json()["Groups"]
    assert rows[0] == {"CanDelete": True, "GroupId": SALES, "Id": rows[0]["Id"], "MemberName": "Garcia, Maria", "Name": "Sales",
                       "Number": "102", "Tags": [], "TranscriptionMode": "Inherit", "Type": "Extension"}, "Rights only when expanded"
    assert [row["Name"] for row in rows] == ["Sales", "Support", "___FAVORITES___102"]
    rights = client.get("/Users(2)/Groups", **{"$expand": "Rights", "$top": 1}).json()["value"][0]["Rights"]
    assert rights["RoleName"] == "managers" and rights["CanSeeGroupMembers"] is True and rights["Invalid"] is False
    plain = client.items("Users(3)/Groups", **{"$expand": "Rights($select=RoleName,ShowMyCalls,CanBargeIn)"})[0]["Rights"]
    assert plain == {"RoleName": "users", "ShowMyCalls": True, "CanBargeIn": False}
    assert "Groups" not in client.get("/Users(2)").json(), "navigation properties only with $expand"


def test_a_department_s_members_are_every_dn_in_it(client, sim):
    sales, = client.items("Groups", **{"$filter": "Name eq 'Sales'", "$select": "Id,Name", "$expand": MEMBERS_EXPAND})
    members = [(row["Number"], row["Type"]) for row in sales["Members"]]
    assert members == sim.department_members("Sales")
    assert members[-2:] == [(sim.records("Queues")[0]["Number"], "Queue"), (sim.records("Parkings")[0]["Number"], "Parking")]
    assert all(set(row) == {"Number", "Name", "Type", "Rights"} and row["Name"] == "Sales" for row in sales["Members"])
    listed = client.items("Groups(2)/Members", **{"$select": "Number,Name,Type"})
    assert listed == [{name: row[name] for name in ("Number", "Name", "Type")} for row in sales["Members"]]
    visible = client.items("Groups", **{"$filter": "not startswith(Name,'___FAVORITES___')", "$select": "Name"})
    assert [group["Name"] for group in visible] == ["DEFAULT", "Sales", "Support", "Accounts"]
    assert sim.violations == []


def test_list_members_pages(make_sim):
    sim = make_sim()
    client = logged_in(sim)
    for number in range(3000, 3150):
        sim.add_user(number=str(number))
    page = client.get("/Groups(2)/Members", **{"$select": "Number", "$top": 100, "$skip": 100, "$count": "true"}).json()
    assert page["@odata.count"] == 159 and len(page["value"]) == 59
    assert client.get("/Groups(2)/Members", **{"$top": 101}).status_code == 400
    assert client.get("/Groups(2)", **{"$expand": "Members($top=101)"}).status_code == 400
    assert len(client.items("Groups(2)/Members")) == 100, "without $top a page holds max_top members"
    sim.set_switch("over_top", "clamp")
    assert len(client.items("Groups(2)/Members", **{"$top": 101})) == 100
    assert len(client.items("Users", **{"$top": 101, "$expand": DEPARTMENTS_EXPAND})) == 100


@pytest.mark.parametrize("expand, message", [
    ("Groups($expand=Nope)", "Could not find a property named 'Nope' on type 'Pbx.UserGroup'."),
    ("Groups($expand=Rights($select=Colour))", "Could not find a property named 'Colour' on type 'Pbx.Rights'."),
    ("Groups($filter=Colour eq 1)", "Could not find a property named 'Colour' on type 'Pbx.UserGroup'."),
    ("Groups($expand=Name)", "Property 'Name' on type 'Pbx.UserGroup' is not a navigation property"),
])
def test_bad_nested_options_answer_400(client, sim, expand, message):
    reply = client.get("/Users(1)", **{"$expand": expand})
    assert reply.status_code == 400 and message in reply.json()["error"]["message"]
    assert sim.violations == []


# Written on the user

def test_groups_replaces_the_user_s_departments(client, sim):
    before = {row["GroupId"]: row["Id"] for row in client.items("Users(2)/Groups")}
    assert patch(client, "/Users(2)", Groups=[membership(SUPPORT, "managers"), membership(ACCOUNTS)]).status_code == 204
    assert sim.user_departments("102") == [("Accounts", "users"), ("Support", "managers")]
    after = {row["GroupId"]: row["Id"] for row in client.items("Users(2)/Groups")}
    assert after[SUPPORT] == before[SUPPORT], "a membership kept keeps its Id"
    assert "___FAVORITES___102" in [row["Name"] for row in client.items("Users(2)/Groups")], "the favourites one is left alone"
    assert sim.primary_department("102") == "Support", "the primary it left is its oldest remaining membership"
    assert sim.violations == []


def test_a_membership_may_be_sent_as_read(client, sim):
    rows = client.items("Users(2)/Groups", **{"$expand": "Rights"})
    assert patch(client, "/Users(2)", Groups=rows).status_code == 204
    assert sim.user_departments("102") == [("Sales", "managers"), ("Support", "users")]


@pytest.mark.parametrize("groups, target, code", [
    ([membership(SALES), membership(99)], "GroupId", NOT_FOUND),
    ([{"Rights": {"RoleName": "users"}}], "GroupId", NOT_FOUND),
    ([membership(SALES, "emperors")], "RoleName", NOT_FOUND),
])
def test_unknown_departments_and_roles_are_refused_and_nothing_is_stored(client, sim, groups, target, code):
    assert_refused(patch(client, "/Users(3)", Groups=groups, FirstName="Changed"), target, code)
    assert_refused(client.call("POST", "/Users", json={"Number": "150", "Groups": groups}), target, code)
    assert sim.user_departments("103") == [("Sales", "users")] and sim.users[3]["FirstName"] == "Sean"
    assert sim.user_by_number("150") is None and sim.violations == []


@pytest.mark.parametrize("rights", [None, {}, {"CanBargeIn": True}])
def test_membership_rights_omitted(make_sim, rights):
    sim = make_sim()
    client = logged_in(sim)
    entry = {"GroupId": SUPPORT} if rights is None else {"GroupId": SUPPORT, "Rights": rights}
    assert patch(client, "/Users(3)", Groups=[entry]).status_code == 204
    assert sim.user_departments("103") == [("Support", "users")]
    sim.set_switch("membership_rights_omitted", "reject_required")
    assert_refused(patch(client, "/Users(3)", Groups=[dict(entry, GroupId=ACCOUNTS)]), "Rights", REQUIRED)
    assert_refused(patch(client, "/Groups(4)", Members=[{"Number": "103"}]), "Rights", REQUIRED)
    assert patch(client, "/Groups(4)", Members=[{"Number": "107", "Rights": {"RoleName": "users"}}, {"Number": "800"}]).status_code == 204, \
        "only a user's membership needs Rights"
    assert sim.user_departments("103") == [("Support", "users")]


@pytest.mark.parametrize("mode, departments", [
    ("move_to_default", [("DEFAULT", "users")]),
    ("no_department", []),
])
def test_user_groups_empty(make_sim, mode, departments):
    sim = make_sim(switches={"user_groups_empty": mode})
    client = logged_in(sim)
    assert patch(client, "/Users(3)", Groups=[]).status_code == 204
    assert sim.user_departments("103") == departments
    assert sim.primary_department("103") == (departments[0][0] if departments else None)
    assert client.call("POST", "/Users", json={"Number": "150", "Groups": []}).status_code == 201
    assert sim.user_departments("150") == departments


def test_user_groups_empty_reject_required(make_sim):
    sim = make_sim(switches={"user_groups_empty": "reject_required"})
    client = logged_in(sim)
    assert_refused(patch(client, "/Users(3)", Groups=[]), "Groups", REQUIRED)
    assert_refused(client.call("POST", "/Users", json={"Number": "150", "Groups": []}), "Groups", REQUIRED)
    assert sim.user_departments("103") == [("Sales", "users")]


def test_a_user_created_without_groups_is_in_the_default_department(client, sim):
    created = client.call("POST", "/Users", json={"Number": "150"}).json()
    assert sim.user_departments("150") == [("DEFAULT", "users")] and created["PrimaryGroupId"] == DEFAULT
    assert [name for name, number in ((g["Name"], g["Number"]) for g in sim.records("Groups")) if number == "FGRP150"] == ["___FAVORITES___150"]


# The primary department

def test_a_primary_department_the_user_is_not_in_is_refused(client, sim):
    assert_refused(patch(client, "/Users(3)", PrimaryGroupId=SUPPORT), "PrimaryGroupId", "WARNINGS.INVALID")
    assert_refused(patch(client, "/Users(3)", PrimaryGroupId=99), "PrimaryGroupId", NOT_FOUND)
    favourites = next(group["Id"] for group in sim.records("Groups") if group["Name"] == "___FAVORITES___103")
    assert_refused(patch(client, "/Users(3)", PrimaryGroupId=favourites), "PrimaryGroupId", NOT_FOUND)
    assert sim.primary_department("103") == "Sales"
    assert patch(client, "/Users(3)", Groups=[membership(SALES), membership(SUPPORT)]).status_code == 204
    assert patch(client, "/Users(3)", PrimaryGroupId=SUPPORT).status_code == 204, "once a member, it may be the primary"
    assert sim.primary_department("103") == "Support"


def test_a_body_s_own_memberships_count(client, sim):
    assert patch(client, "/Users(3)", Groups=[membership(ACCOUNTS)], PrimaryGroupId=ACCOUNTS).status_code == 204
    assert (sim.user_departments("103"), sim.primary_department("103")) == ([("Accounts", "users")], "Accounts")
    body = {"Number": "150", "Groups": [membership(SALES), membership(SUPPORT, "managers")], "PrimaryGroupId": SUPPORT}
    assert client.call("POST", "/Users", json=body).status_code == 201, "as the admin console creates users"
    assert (sim.user_departments("150"), sim.primary_department("150")) == ([("Sales", "users"), ("Support", "managers")], "Support")
    assert_refused(patch(client, "/Users(3)", Groups=[membership(SALES)], PrimaryGroupId=ACCOUNTS), "PrimaryGroupId", "WARNINGS.INVALID")
    assert sim.user_departments("103") == [("Accounts", "users")], "nothing of a refused body is stored"


def test_primary_group_requires_membership_accept_and_add(make_sim):
    sim = make_sim(switches={"primary_group_requires_membership": "accept_and_add"})
    client = logged_in(sim)
    assert patch(client, "/Users(3)", PrimaryGroupId=SUPPORT).status_code == 204
    assert (sim.user_departments("103"), sim.primary_department("103")) == ([("Sales", "users"), ("Support", "users")], "Support")
    assert patch(client, "/Users(3)", Groups=[membership(SALES)], PrimaryGroupId=ACCOUNTS).status_code == 204
    assert (sim.user_departments("103"), sim.primary_department("103")) == ([("Accounts", "users"), ("Sales", "users")], "Accounts")


def test_no_primary_given_is_the_first_department(client, sim):
    client.call("POST", "/Users", json={"Number": "150", "Groups": [membership(SUPPORT), membership(SALES)]})
    assert sim.primary_department("150") == "Support"


# Written on the department

def test_members_replaces_every_member_by_default(client, sim):
    reply = patch(client, "/Groups(2)", Members=[{"Number": "103", "Rights": {"RoleName": "managers"}}, {"Number": "104"},
                                                 {"Number": "820"}])
    assert reply.status_code == 204
    assert sim.department_members("Sales") == [("103", "Extension"), ("104", "Extension"), ("820", "RingGroup")]
    assert ("Sales", "managers") in sim.user_departments("103") and ("Sales", "users") in sim.user_departments("104")
    assert sim.user_departments("109") == [("DEFAULT", "users")], "a user left in no department goes to the default one"
    assert sim.primary_department("109") == "DEFAULT" and sim.primary_department("102") == "Support"
    assert sim.violations == []


def test_group_members_patch_replace_extensions_only(make_sim):
    sim = make_sim(switches={"group_members_patch": "replace_extensions_only"})
    assert patch(logged_in(sim), "/Groups(2)", Members=[{"Number": "103"}]).status_code == 204
    assert sim.department_members("Sales") == [("103", "Extension"), ("800", "Queue"), ("SP0", "Parking")]


def test_members_empty_and_unknown_numbers(client, sim):
    assert_refused(patch(client, "/Groups(3)", Members=[{"Number": "104"}, {"Number": "999"}]), "Number", NOT_FOUND)
    assert_refused(patch(client, "/Groups(3)", Members=[{"Number": "GRP1"}]), "Number", NOT_FOUND)
    assert_refused(patch(client, "/Groups(3)", Members=[{"Rights": {"RoleName": "users"}}]), "Number", NOT_FOUND)
    assert ("104", "Extension") in sim.department_members("Support")
    assert patch(client, "/Groups(3)", Members=[]).status_code == 204
    assert sim.department_members("Support") == [] and not next(g for g in sim.records("Groups") if g["Id"] == SUPPORT)["HasMembers"]
    assert sim.user_departments("104") == [("DEFAULT", "users")] and sim.user_departments("102") == [("Sales", "managers")]


def test_a_new_department_with_members(client, sim):
    reply = client.call("POST", "/Groups", json={"Name": "Marketing", "Members": [{"Number": "105"}, {"Number": "SP1"}]})
    assert reply.status_code == 201
    assert sim.department_members("Marketing") == [("105", "Extension"), ("SP1", "Parking")]
    assert ("Marketing", "users") in sim.user_departments("105")
