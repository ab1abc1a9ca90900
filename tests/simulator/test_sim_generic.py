# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The entity sets, singletons, navigation properties, functions and actions served from generated data."""

import re

import pytest
import requests

from sim_helpers import odata_string
from xapi_simulator import Simulator


def test_generated_data_is_deterministic_per_seed_and_set():
    assert Simulator(seed=3).records("Contacts") == Simulator(seed=3).records("Contacts")
    assert Simulator(seed=3).records("Contacts") != Simulator(seed=4).records("Contacts")
    other_sets_first = Simulator(seed=3)
    other_sets_first.records("Trunks")
    other_sets_first.singleton("AISettings")
    assert other_sets_first.records("Contacts") == Simulator(seed=3).records("Contacts")
    assert other_sets_first.records("Queues") == Simulator(seed=3).records("Queues"), "a DN set too"
    assert Simulator(seed=3).singleton("SystemStatus") == Simulator(seed=3).singleton("SystemStatus")


def test_generated_records_look_like_a_pbx_s():
    sim = Simulator()
    contacts = sim.records("Contacts")
    assert 3 <= len(contacts) <= 5 and [c["Id"] for c in contacts] == list(range(1, len(contacts) + 1))
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+@example\.com", c["Email"]) for c in contacts if c["Email"])
    assert all(re.fullmatch(r"\+44 20 7946 0\d{3}", b["CallerId"]) for b in sim.records("BlackListNumbers"))
    assert all(re.fullmatch(r"[0-9a-f-]{36}", client["Id"]) for client in sim.records("OAuthClients"))
    queues = sim.records("Queues")
    assert len({queue["Number"] for queue in queues}) == len(queues), "an alternate key is unique"


@pytest.mark.parametrize("options, check", [
    ({"$top": 2, "$skip": 1, "$count": "true"}, lambda body, records: body["@odata.count"] == len(records)
     and [g["Id"] for g in body["value"]] == [r["Id"] for r in records][1:3]),
    ({"$orderby": "Id desc", "$select": "Id,Name"}, lambda body, records: [g["Id"] for g in body["value"]] == sorted(
        (r["Id"] for r in records), reverse=True) and all(set(g) == {"Id", "Name"} for g in body["value"])),
    ({"$filter": "Id eq 2"}, lambda body, records: [g["Id"] for g in body["value"]] == [2]),
])
def test_list_with_query_options(client, sim, options, check):
    body = client.get("/Groups", **options).json()
    assert check(body, sim.records("Groups")), body


def test_filter_on_enumerations_and_through_complex_properties(client, sim):
    groups = sim.records("Groups")
    mode, hours_type = groups[0]["TranscriptionMode"], groups[0]["Hours"]["Type"]
    found = client.items("Groups", **{"$filter": f"TranscriptionMode eq '{mode}' and Hours/Type eq '{hours_type}'"})
    assert [g["Id"] for g in found] == [g["Id"] for g in groups if g["TranscriptionMode"] == mode and g["Hours"]["Type"] == hours_type]
    reply = client.get("/Groups", **{"$filter": "Hours/Colour eq 'red'"})
    assert reply.status_code == 400
    assert "Could not find a property named 'Colour' on type 'Pbx.Schedule'." in reply.json()["error"]["message"]


def test_get_by_each_kind_of_key(client, sim):
    group, template, oauth_client = sim.records("Groups")[1], sim.records("CrmTemplates")[0], sim.records("OAuthClients")[0]
    assert client.get("/Groups(2)").json()["Name"] == group["Name"]
    assert client.get(f"/CrmTemplates({odata_string(template['Name'])})").json()["Name"] == template["Name"]
    assert client.get(f"/OAuthClients({oauth_client['Id']})").json()["ClientId"] == oauth_client["ClientId"]
    fax = sim.records("Fax")[0]
    assert client.get(f"/Fax(Number={odata_string(fax['Number'])})").json()["Id"] == fax["Id"]
    assert sim.violations == []


@pytest.mark.parametrize("path, status", [
    ("/Groups(999)", 404),
    ("/BlackListNumbers('nope')", 404),
    ("/OAuthClients(00000000-0000-4000-8000-000000000000)", 404),
    ("/Fax(Number='nope')", 404),
    ("/BlackListNumbers(nope)", 400),  # a string key is quoted
])
def test_missing_or_malformed_key(client, sim, path, status):
    reply = client.get(path)
    assert reply.status_code == status
    assert reply.json()["error"]["message"]
    assert sim.violations == []


def test_create_update_delete_with_a_string_key(client, sim):
    reply = client.call("POST", "/BlackListNumbers", json={"CallerId": "+44 20 7946 0999", "Description": "Spam"})
    assert reply.status_code == 201, reply.text
    created = reply.json()
    key = created["Id"]
    assert reply.headers["Location"] == f"{sim.url}/xapi/v1/BlackListNumbers('{key}')"
    assert created["@odata.context"] == sim.url + "/xapi/v1/$metadata#BlackListNumbers/$entity"
    assert {r["Id"]: r for r in sim.records("BlackListNumbers")}[key]["CallerId"] == "+44 20 7946 0999"
    assert client.call("PATCH", f"/BlackListNumbers('{key}')", json={"Description": "Robocalls"}).status_code == 204
    assert client.get(f"/BlackListNumbers('{key}')").json()["Description"] == "Robocalls"
    assert client.call("DELETE", f"/BlackListNumbers('{key}')").status_code == 204
    assert client.call("DELETE", f"/BlackListNumbers('{key}')").status_code == 404
    assert sim.violations == []


def test_create_numbers_the_record_and_refuses_a_taken_alternate_key(client, sim):
    before = sim.records("Queues")
    reply = client.call("POST", "/Queues", json={"Id": 77, "Name": "Overflow", "Number": "850"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["Id"] == len(before) + 1 and reply.json()["Name"] == "Overflow"
    taken = client.call("POST", "/Queues", json={"Number": before[0]["Number"]})
    assert taken.status_code == 400
    assert taken.json()["error"]["details"] == [{"code": "", "message": "WARNINGS.XAPI.ALREADY_IN_USE", "target": "Number"}]


def test_update_replaces_properties_whole(client, sim):
    hours = {"Type": "OfficeHours", "Periods": [{"DayOfWeek": "Monday", "Start": "09:00:00", "Stop": "17:00:00"}]}
    reply = client.call("PATCH", "/Groups(1)", json={"Hours": hours, "CallHandlingMode": []})
    assert reply.status_code == 204 and reply.content == b""
    group = client.get("/Groups(1)").json()
    assert group["Hours"] == hours and group["CallHandlingMode"] == []
    assert sim.records("Groups")[0]["Hours"] == hours
    second = sim.records("Groups")[1]
    assert client.call("PATCH", "/Groups(1)", json={"Id": 2, "Name": "Renamed"}).status_code == 204
    first, second_now = sim.records("Groups")[:2]
    assert (first["Id"], first["Name"], second_now) == (1, "Renamed", second), "the key is kept"


def test_etags_on_generated_sets(etag_client):
    sim = etag_client.simulator
    listed = etag_client.items("Contacts")
    reply = etag_client.get("/Contacts(1)")
    etag = reply.headers["ETag"]
    assert reply.json()["@odata.etag"] == etag == listed[0]["@odata.etag"]
    assert etag_client.call("PATCH", "/Contacts(1)", json={"FirstName": "Renamed"}).status_code == 204
    assert etag_client.get("/Contacts(1)").headers["ETag"] != etag
    assert etag_client.call("DELETE", "/Contacts(1)", headers={"If-Match": etag}).status_code == 412
    assert etag_client.call("DELETE", "/Contacts(1)", headers={"If-Match": "*"}).status_code == 204
    assert sim.violations == []


def test_singletons(client, sim):
    body = client.get("/AISettings").json()
    assert body.pop("@odata.context") == sim.url + "/xapi/v1/$metadata#AISettings"
    assert body == sim.singleton("AISettings")
    assert client.call("PATCH", "/CallParkingSettings", json={"MaximumParkedCalls": 42}).status_code == 204
    assert client.get("/CallParkingSettings", **{"$select": "MaximumParkedCalls"}).json()["MaximumParkedCalls"] == 42
    assert sim.singleton("CallParkingSettings")["MaximumParkedCalls"] == 42


def test_navigation_properties(client, sim):
    agents = client.get("/Queues(2)/Agents", **{"$count": "true"}).json()
    assert agents["@odata.context"] == sim.url + "/xapi/v1/$metadata#Queues(2)/Agents"
    assert 2 <= agents["@odata.count"] == len(agents["value"]) <= 4
    assert client.get("/Queues(2)/Agents").json()["value"] == agents["value"], "stable"
    assert client.items("Queues(2)/Agents", **{"$top": 1}) == agents["value"][:1]
    assert "Agents" not in client.get("/Queues(2)").json()
    expanded = client.get("/Queues(2)", **{"$expand": "Agents($top=1;$count=true)", "$select": "Id"}).json()
    assert expanded["Agents"] == agents["value"][:1] and expanded["Agents@odata.count"] == len(agents["value"])
    assert expanded["@odata.context"] == sim.url + "/xapi/v1/$metadata#Queues(Id,Agents())/$entity"
    assert client.get("/Queues(999)/Agents").status_code == 404
    assert client.items("Defs/Codecs")
    reply = client.get("/Queues(2)", **{"$expand": "Name"})
    assert reply.status_code == 400 and "is not a navigation property" in reply.json()["error"]["message"]
    assert sim.violations == []


def test_expand_nests_options_and_expansions(client, sim):
    """Inside ``$expand``, ``$select``, ``$filter``... and ``$expand`` itself apply to the items; an item's own navigation
    properties come only when expanded (generated items have none to give)."""
    expand = "Groups($select=GroupId,Name;$filter=not startswith(Name,'___FAVORITES___');$expand=Rights($select=RoleName))"
    rows = client.get("/Queues(1)", **{"$select": "Id", "$expand": expand}).json()["Groups"]
    assert rows and all(set(row) <= {"GroupId", "Name"} for row in rows)
    whole = client.get("/Queues(1)", **{"$expand": "Groups"}).json()["Groups"][0]
    assert "Tags" in whole and "Rights" not in whole
    reply = client.get("/Queues(1)", **{"$expand": "Groups($expand=Nope)"})
    assert reply.status_code == 400 and "Could not find a property named 'Nope' on type 'Pbx.UserGroup'." in reply.json()["error"]["message"]
    assert sim.violations == []


def test_functions(client, sim):
    scalar = client.get("/Backups/Pbx.GetCanCreateBackup()").json()
    assert scalar == {"@odata.context": sim.url + "/xapi/v1/$metadata#Edm.Boolean", "value": scalar["value"]}
    assert isinstance(scalar["value"], bool)
    logs = "/ActivityLog/Pbx.GetLogs(startDate=2025-01-01T00:00:00Z,endDate=2025-02-01T00:00:00Z,extension='101',call=null,severity=null)"
    page = client.get(logs, **{"$top": 2, "$count": "true"}).json()
    assert len(page["value"]) == 2 and page["@odata.count"] >= 3
    assert page["@odata.context"] == sim.url + "/xapi/v1/$metadata#Collection(Pbx.ActivityLogEvent)"
    assert client.get(logs).json()["value"][:2] == page["value"], "stable"
    exported = client.get("/Users/Pbx.ExportExtensions()", **{"$select": "Number", "$top": 3}).json()["value"]
    assert exported == [{"Number": sim.users[key]["Number"]} for key in sorted(sim.users)[:3]]
    assert client.get("/Users(1)/Pbx.GetPhoneSecret()").json()["value"]
    assert client.get("/Users(999)/Pbx.GetPhoneSecret()").status_code == 404
    assert client.get("/ActivityLog/Pbx.GetLogs(startDate=2025-01-01T00:00:00Z,endDate=2025-02-01T00:00:00Z,"
                      "extension=101,call=null,severity=null)").status_code == 404  # a string argument is quoted
    assert sim.violations == []


def test_actions(client, sim):
    assert client.call("POST", "/Users(1)/Pbx.SendWelcomeEmail").status_code == 204
    assert client.call("POST", "/Users(999)/Pbx.SendWelcomeEmail").status_code == 404
    result = client.call("POST", "/Trunks(1)/Pbx.TestInboundCall").json()
    assert result["@odata.context"] == sim.url + "/xapi/v1/$metadata#Pbx.TrunkTestResult"
    assert client.call("POST", "/Fxs(" + odata_string(sim.records("Fxs")[0]["MacAddress"]) + ")/Pbx.RegenerateWebCredentials").json()[
        "MacAddress"] == sim.records("Fxs")[0]["MacAddress"]
    assert sim.violations == []


def test_users_are_one_set_of_records(client, sim):
    assert client.call("PATCH", "/Users(1)", json={"FirstName": "Jonathan", "Tags": []}).status_code == 204
    assert sim.users[1]["FirstName"] == "Jonathan"
    assert client.get("/Users(1)").json()["FirstName"] == "Jonathan"
    assert client.get("/Users(Number='101')").json()["FirstName"] == "Jonathan"
    assert client.items("Users", **{"$filter": "FirstName eq 'Jonathan'", "$select": "Id"}) == [{"Id": 1}]
    created = client.call("POST", "/Users", json={"FirstName": "Nina", "LastName": "Šimić", "Number": "301"}).json()
    assert sim.users[created["Id"]]["Number"] == "301" and created["DisplayName"] == "Šimić, Nina"
    assert client.call("POST", "/Users", json={"Number": "301"}).status_code == 400
    assert client.call("DELETE", f"/Users({created['Id']})").status_code == 204
    assert created["Id"] not in sim.users
    assert sim.violations == []


def test_control_endpoints(sim):
    assert requests.get(sim.url + "/_simulator/entities/Groups", timeout=10).json() == sim.records("Groups")
    assert requests.get(sim.url + "/_simulator/entities/Users", timeout=10).json() == [sim.users[k] for k in sorted(sim.users)]
    assert requests.get(sim.url + "/_simulator/singletons/AISettings", timeout=10).json() == sim.singleton("AISettings")
    assert requests.get(sim.url + "/_simulator/entities/Nope", timeout=10).status_code == 404
    assert requests.get(sim.url + "/_simulator/singletons/Groups", timeout=10).status_code == 404
    with pytest.raises(KeyError):
        sim.records("Nope")
