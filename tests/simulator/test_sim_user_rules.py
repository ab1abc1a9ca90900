# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a PBX does with users: what it fills in, DisplayName, e-mail addresses, secrets in reads, deletes and
BatchDelete, and the switches of each (``displayname_format``, ``create_response``, ``duplicate_email``,
``secrets_in_default_projection``, ``undeletable_users``, ``user_delete_cascade``, ``batch_param_case``)."""

import pytest

from sim_helpers import XapiClient, assert_refused
from xapi_simulator.seed import USER_SECRETS

ALREADY_IN_USE = "WARNINGS.XAPI.ALREADY_IN_USE"
CANNOT_BE_DELETED = "WARNINGS.USER_EXTENSION_CANNOT_BE_DELETED"
BATCH_DELETE = "/Users/Pbx.BatchDelete"


def logged_in(sim):
    client = XapiClient(sim)
    client.login()
    return client


def create(client, **body):
    reply = client.call("POST", "/Users", json=body)
    assert reply.status_code == 201, reply.text
    return reply.json()


def test_what_the_pbx_fills_in_for_a_new_user(client, sim):
    created = create(client, Number="150")
    assert created["@odata.context"] == sim.url + "/xapi/v1/$metadata#Users/$entity"
    stored = sim.user_by_number("150")
    assert {name: created[name] for name in stored} == stored, "the 201 holds the whole entity"
    assert (stored["Enabled"], stored["VMEnabled"], stored["SendEmailMissedCalls"], stored["Require2FA"]) == (True, True, True, False)
    assert (stored["Language"], stored["VMEmailOptions"], stored["SRTPMode"], stored["Hours"]["Type"]) == ("EN", "Notification", "SRTPDisabled", "OfficeHours")
    assert (stored["FirstName"], stored["LastName"], stored["EmailAddress"], stored["DisplayName"]) == ("", "", "", "")
    assert all(isinstance(stored[name], str) and stored[name] for name in USER_SECRETS), "secrets of its own"
    assert stored["AuthID"] != sim.users[1]["AuthID"]
    assert not [name for name, value in stored.items() if value is None and name not in ("Mobile", "ClickToCallId")
                and isinstance(sim.users[1][name], bool)], "a setting never set is false, not null"
    assert client.get(f"/Users({created['Id']})", **{"$expand": "Phones", "$select": "Id"}).json()["Phones"] == [], "nor phones"
    assert sim.violations == []


def test_the_body_wins_over_the_defaults(client, sim):
    created = create(client, Number="150", FirstName="Ada", LastName="Lovelace", Enabled=False, AccessPassword="Pa55-word-x9",
                     Hours={"Type": "AllHours"})
    stored = sim.user_by_number("150")
    assert (stored["Enabled"], stored["AccessPassword"], stored["Hours"]) == (False, "Pa55-word-x9", {"Type": "AllHours"})
    assert created["DisplayName"] == "Lovelace, Ada"


@pytest.mark.parametrize("body", [{"DisplayName": "Countess"}, {"DisplayName": None}])
def test_display_name_is_composed_whatever_a_body_says(client, sim, body):
    created = create(client, Number="150", FirstName="Ada", LastName="Lovelace", **body)
    assert created["DisplayName"] == "Lovelace, Ada"
    assert client.call("PATCH", f"/Users({created['Id']})", json=dict(body, FirstName="Augusta Ada")).status_code == 204
    assert sim.user_by_number("150")["DisplayName"] == "Lovelace, Augusta Ada", "a PATCH of a name composes it again"
    assert client.call("PATCH", f"/Users({created['Id']})", json={"LastName": "King"}).status_code == 204
    assert sim.user_by_number("150")["DisplayName"] == "King, Augusta Ada"


def test_displayname_format(make_sim):
    sim = make_sim(switches={"displayname_format": "first_last"})
    assert (sim.users[3]["DisplayName"], sim.users[17]["DisplayName"]) == ("Sean O'Brien", "Reception")
    sim.set_switch("displayname_format", "last_first")
    assert (sim.users[3]["DisplayName"], sim.users[17]["DisplayName"]) == ("O'Brien, Sean", "Reception")
    client = logged_in(sim)
    assert client.get("/Users(Number='104')", **{"$select": "DisplayName"}).json()["DisplayName"] == "Müller, Zoë"
    assert client.get("/Users(3)/Groups").json()["value"][0]["MemberName"] == "O'Brien, Sean", "a membership's MemberName too"


def test_create_response(make_sim):
    sim = make_sim(switches={"create_response": "doc_subset"})
    client = logged_in(sim)
    created = create(client, Number="150", FirstName="Ada", AccessPassword="Pa55-word-x9")
    assert set(created) == {"@odata.context", "Id", "Number", "FirstName", "LastName", "EmailAddress", "Language", "Require2FA",
                            "Enable2FA", "SendEmailMissedCalls", "VMEmailOptions", "PromptSet"}
    department = client.call("POST", "/Groups", json={"Name": "Marketing", "Language": "DE", "TimeZoneId": "51"}).json()
    assert {name: value for name, value in department.items() if name != "@odata.context"} == {
        "Id": department["Id"], "Name": "Marketing", "Language": "DE", "TimeZoneId": "51"}
    sim.set_switch("create_response", "full_entity")
    assert "AuthPassword" in create(client, Number="151")
    assert sim.violations == []


@pytest.mark.parametrize("email", ["john.smith@example.com", "John.Smith@Example.COM"])
def test_an_email_address_another_user_has_is_refused(client, sim, email):
    assert_refused(client.call("POST", "/Users", json={"Number": "150", "EmailAddress": email}), "EmailAddress", ALREADY_IN_USE)
    assert_refused(client.call("PATCH", "/Users(2)", json={"EmailAddress": email}), "EmailAddress", ALREADY_IN_USE)
    assert sim.user_by_number("150") is None and sim.users[2]["EmailAddress"] == "maria.garcia@example.com"
    assert client.call("PATCH", "/Users(1)", json={"EmailAddress": email}).status_code == 204, "its own address is no duplicate"
    assert sim.violations == []


def test_duplicate_email_allow(make_sim):
    sim = make_sim(switches={"duplicate_email": "allow"})
    client = logged_in(sim)
    create(client, Number="150", EmailAddress="john.smith@example.com")
    assert client.call("PATCH", "/Users(2)", json={"EmailAddress": "john.smith@example.com"}).status_code == 204
    assert sim.add_user(number="151", EmailAddress="john.smith@example.com")["Number"] == "151"
    assert len([user for user in sim.users.values() if user["EmailAddress"] == "john.smith@example.com"]) == 4


def test_users_without_an_email_address_are_no_duplicates(client):
    create(client, Number="150")
    create(client, Number="151", EmailAddress="")


def test_reads_without_select_answer_the_secrets(client, sim):
    assert all(client.get("/Users(1)").json()[name] for name in USER_SECRETS)
    assert all(user[name] for user in client.items("Users") for name in USER_SECRETS)


def test_secrets_in_default_projection_off(make_sim):
    sim = make_sim(switches={"secrets_in_default_projection": "off"})
    client = logged_in(sim)
    assert not set(USER_SECRETS) & set(client.get("/Users(1)").json())
    assert not set(USER_SECRETS) & set(client.items("Users")[0])
    assert client.get("/Users(1)", **{"$select": "Id,VMPIN"}).json()["VMPIN"] == sim.users[1]["VMPIN"], "unless $select names them"
    sim.set_switch("secrets_in_default_projection", "on")
    assert client.get("/Users(1)").json()["AuthID"] == sim.users[1]["AuthID"]


def test_deleting_a_user_removes_its_memberships_its_favourites_and_unassigns_its_phones(client, sim):
    label = "103 Sean O'Brien"
    phones = [key for key, record in sim.device_infos.items() if record["AssignedUser"] == label]
    assert phones and "Sales" in [name for name, _role in sim.user_departments("103")]
    assert client.call("DELETE", "/Users(3)").status_code == 204
    assert sim.user_by_number("103") is None
    assert "103" not in [number for number, _type in sim.department_members("Sales")]
    assert not [group for group in sim.records("Groups") if group["Name"] == "___FAVORITES___103"]
    assert all(sim.device_infos[key]["Assigned"] is False and sim.device_infos[key]["AssignedUser"] is None for key in phones)
    assert client.call("DELETE", "/Users(3)").status_code == 404


def test_user_delete_cascade_keeps_the_phones_assigned(make_sim):
    sim = make_sim(switches={"user_delete_cascade": "keep_deviceinfo_assigned"})
    before = {key: dict(record) for key, record in sim.device_infos.items() if record["AssignedUser"] == "103 Sean O'Brien"}
    assert logged_in(sim).call("DELETE", "/Users(3)").status_code == 204
    assert {key: sim.device_infos[key] for key in before} == before


def test_undeletable_users(make_sim):
    sim = make_sim(switches={"undeletable_users": "101;120"})
    client = logged_in(sim)
    assert_refused(client.call("DELETE", "/Users(1)"), "Id", CANNOT_BE_DELETED)
    reply = client.call("POST", BATCH_DELETE, json={"ids": [17, 2, 1, 999]})
    assert reply.status_code == 200
    assert reply.json() == {"@odata.context": sim.url + "/xapi/v1/$metadata#Collection(Pbx.UserDeleteError)", "value": [
        {"ExtensionNumber": "120", "Error": CANNOT_BE_DELETED}, {"ExtensionNumber": "101", "Error": CANNOT_BE_DELETED}]}
    assert sorted(key for key in (1, 2, 17) if key in sim.users) == [1, 17]
    sim.set_switch("undeletable_users", "none")
    assert client.call("DELETE", "/Users(1)").status_code == 204
    assert sim.violations == []


@pytest.mark.parametrize("name", ["ids", "Ids", "IDS"])
def test_batch_delete_binds_its_parameter_in_any_case(client, sim, name):
    reply = client.call("POST", BATCH_DELETE, json={name: [4, 5]})
    assert reply.status_code == 200 and reply.json()["value"] == []
    assert 4 not in sim.users and 5 not in sim.users
    assert sim.violations == []


def test_batch_param_case_strict_spec(make_sim):
    sim = make_sim(switches={"batch_param_case": "strict_spec"})
    client = logged_in(sim)
    assert client.call("POST", BATCH_DELETE, json={"Ids": [4]}).status_code == 400
    assert 4 in sim.users and sim.violations == ["POST /xapi/v1/Users/Pbx.BatchDelete: request body property 'Ids' is not declared by BatchDelete"]
    assert client.call("POST", BATCH_DELETE, json={"ids": [4]}).status_code == 200 and 4 not in sim.users
