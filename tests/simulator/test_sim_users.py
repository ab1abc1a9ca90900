# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Users: the seeded users, ListUser, GetUser and GetUserByNumber (the alternate key ``Number``), ``add_user``."""

import pytest
import requests

from xapi_simulator import Simulator
from xapi_simulator.seed import USERS
from xapi_simulator.spec import entity_properties


def test_seeded_users(sim):
    assert sorted(sim.users) == list(range(1, len(USERS) + 1))
    assert all(set(user) == set(entity_properties("Pbx.User")) for user in sim.users.values())
    assert {key: user["Id"] for key, user in sim.users.items()} == {key: key for key in sim.users}
    sean, zoe, reception = sim.users[3], sim.users[4], sim.users[17]
    assert (sean["Number"], sean["FirstName"], sean["LastName"]) == ("103", "Sean", "O'Brien")
    assert (sean["DisplayName"], sean["EmailAddress"]) == ("O'Brien, Sean", "sean.obrien@example.com")
    assert (zoe["DisplayName"], zoe["EmailAddress"]) == ("Müller, Zoë", "zoe.muller@example.com")
    assert sim.users[25]["EmailAddress"] == "mehmet.yilmaz@example.com"
    assert (reception["Number"], reception["FirstName"], reception["LastName"], reception["DisplayName"]) == ("120", "Reception", "", "Reception")
    assert all(user["Enabled"] is True and user["AccessPassword"] for user in sim.users.values())


def test_users_are_deterministic_per_seed():
    assert Simulator(seed=3, records=0).users == Simulator(seed=3, records=0).users
    assert Simulator(seed=3, records=0).users != Simulator(seed=4, records=0).users


def test_assigned_phones_name_a_user():
    sim = Simulator(records=300)
    labels = {f"{u['Number']} {u['FirstName']} {u['LastName']}".strip() for u in sim.users.values()}
    assigned = [record["AssignedUser"] for record in sim.device_infos.values() if record["Assigned"]]
    assert assigned and set(assigned) <= labels
    assert "103 Sean O'Brien" in assigned and "120 Reception" in labels


def test_list(client, sim):
    body = client.get("/Users", **{"$count": "true"}).json()
    assert body["@odata.context"] == sim.url + "/xapi/v1/$metadata#Users"
    assert body["@odata.count"] == len(USERS)
    assert body["value"] == [sim.users[key] for key in sorted(sim.users)]


@pytest.mark.parametrize("options, expected", [
    ({"$filter": "startswith(Number, '2')"}, ["201", "202", "203", "204", "205"]),
    ({"$filter": "contains(LastName, 'O''Brien') or FirstName eq 'Zoë'"}, ["103", "104"]),
    ({"$filter": "Number eq '120'"}, ["120"]),
    ({"$filter": "LastName eq ''", "$orderby": "Number desc"}, ["130", "120"]),
    ({"$orderby": "LastName,Number", "$top": 4}, ["120", "130", "203", "202"]),
    ({"$search": "müller"}, ["104"]),
    ({"$skip": 23}, ["204", "205"]),
])
def test_list_with_options(client, options, expected):
    items = client.items("Users", **dict(options, **{"$select": "Number,DisplayName"}))
    assert [item["Number"] for item in items] == expected
    assert all(set(item) == {"Number", "DisplayName"} for item in items)


def test_invalid_options_answer_400(client, sim):
    reply = client.get("/Users", **{"$filter": "Colour eq 'red'"})
    assert reply.status_code == 400
    assert "Could not find a property named 'Colour' on type 'Pbx.User'." in reply.json()["error"]["message"]
    assert client.get("/Users", **{"$select": "Id,Phones"}).status_code == 400
    assert sim.violations == []


@pytest.mark.parametrize("path", ["/Users(3)", "/Users(Number='103')", "/Users(Number=%27103%27)"])
def test_get_by_key_and_number(client, sim, path):
    reply = client.get(path)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body.pop("@odata.context") == sim.url + "/xapi/v1/$metadata#Users/$entity"
    assert body == sim.users[3]
    assert sim.requests[-1]["operation"] == ("GetUser" if path == "/Users(3)" else "GetUserByNumber")


def test_get_with_select(client, sim):
    body = client.get("/Users(Number=%27104%27)", **{"$select": "Id,DisplayName"}).json()
    assert body == {"@odata.context": sim.url + "/xapi/v1/$metadata#Users(Id,DisplayName)/$entity", "Id": 4, "DisplayName": "Müller, Zoë"}


@pytest.mark.parametrize("number, literal", [
    ("O'Brien-1", "%27O%27%27Brien-1%27"),  # a quote in a string literal is doubled
    ("Zoë", "%27Zo%C3%AB%27"),
    ("Zoë", "'Zoë'"),  # requests percent-encodes it as UTF-8
    ("1 0", "%271%200%27"),
])
def test_number_literals(client, sim, number, literal):
    user = sim.add_user(Number=number, FirstName="Odd", LastName="Number")
    reply = client.get(f"/Users(Number={literal})")
    assert reply.status_code == 200, reply.text
    assert reply.json()["Id"] == user["Id"]


@pytest.mark.parametrize("path", ["/Users(999)", "/Users(Number='999')", "/Users(Number='O''Brien')", "/Users(Number='')"])
def test_unknown_user_is_404(client, sim, path):
    reply = client.get(path)
    assert reply.status_code == 404
    assert reply.json()["error"]["message"].startswith("Pbx.User with ")
    assert sim.violations == []


@pytest.mark.parametrize("literal", ["101", "%22101%22", "'101", "101'", "'O'Brien'", "'10''", "", "null"])
def test_malformed_number_literal_is_400(client, sim, literal):
    reply = client.get(f"/Users(Number={literal})")
    assert reply.status_code == 400
    assert reply.json()["error"]["message"].startswith("The key value (Number=")
    assert sim.violations == []
    assert sim.requests[-1]["operation"] == "GetUserByNumber"


def test_bad_id_is_a_violation(client, sim):
    assert client.get("/Users(abc)").status_code == 400
    assert len(sim.violations) == 1 and "Id" in sim.violations[0]


def test_add_user(client, sim):
    user = sim.add_user(FirstName="Nina", LastName="Šimić")
    assert (user["Id"], user["Number"], user["DisplayName"], user["EmailAddress"]) == (26, "100", "Šimić, Nina", "nina.simic@example.com")
    assert sim.users[26] is user
    assert sim.add_user()["DisplayName"] == "117, User", "the first free number, and a name made of it"
    assert sim.add_user(Number="300", Enabled=False)["Enabled"] is False
    assert client.get("/Users(Number='300')").json()["Id"] == 28
    with pytest.raises(ValueError):
        sim.add_user(Number="101")
    for fields in ({"Colour": "red"}, {"Id": 5}, {"Phones": []}):
        with pytest.raises(TypeError):
            sim.add_user(**fields)
    assert len(sim.users) == 28


def test_users_control_endpoint(sim):
    assert requests.get(sim.url + "/_simulator/users", timeout=10).json() == [sim.users[key] for key in sorted(sim.users)]
