# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The request log, the control endpoints and concurrent use."""

import json

import pytest
import requests

from sim_helpers import CLIENT_ID, SECRET, XapiClient, concurrent_gets
from xapi_simulator.seed import USER_SECRETS


def test_request_log(client, sim):
    client.call("GET", "/DeviceInfos", raw_query="$filter=Vendor%20eq%20%27Snom%27&$top=5")
    client.call("DELETE", "/DeviceInfos(3)", headers={"If-Match": 'W/"abc"'})
    received = [entry.pop("received") for entry in sim.requests]
    assert all(earlier <= later for earlier, later in zip(received, received[1:])), "time.monotonic() on arrival"
    token, listing, deletion = sim.requests
    assert token == {"method": "POST", "path": "/connect/token", "query": {}, "raw_query": "", "if_match": None,
                     "body_properties": None, "operation": "token", "status": 200, "fault": None, "secrets_sent": [],
                     "client_id": CLIENT_ID}
    assert listing == {"method": "GET", "path": "/xapi/v1/DeviceInfos", "query": {"$filter": "Vendor eq 'Snom'", "$top": "5"},
                       "raw_query": "$filter=Vendor%20eq%20%27Snom%27&$top=5", "if_match": None, "body_properties": None,
                       "operation": "ListDeviceInfo", "status": 200, "fault": None, "secrets_sent": []}
    assert deletion == {"method": "DELETE", "path": "/xapi/v1/DeviceInfos(3)", "query": {}, "raw_query": "", "if_match": 'W/"abc"',
                        "body_properties": None, "operation": "DeleteDeviceInfo", "status": 204, "fault": None, "secrets_sent": []}


def test_reads_without_select_answer_the_users_secrets_and_the_log_tells_which(client, sim):
    client.get("/Users(1)")
    assert client.items("Users", **{"$select": "Id,Number", "$expand": "Groups($expand=Rights)"})
    client.get("/Users(Number='102')", **{"$select": "Id,AuthPassword"})
    client.get("/Users/Pbx.ExportExtensions()")
    client.get("/Groups", **{"$expand": "Members($expand=Rights)"})
    logged = [(entry["operation"], entry["secrets_sent"]) for entry in sim.requests if entry["operation"] != "token"]
    assert logged == [("GetUser", sorted(USER_SECRETS)), ("ListUser", []), ("GetUserByNumber", ["AuthPassword"]),
                      ("ExportExtensions", sorted(USER_SECRETS)), ("ListGroup", [])]
    sim.set_switch("secrets_in_default_projection", "off")
    client.get("/Users(1)")
    assert sim.requests[-1]["secrets_sent"] == []


def test_the_log_names_the_properties_of_a_body_never_their_values(client, sim):
    client.call("PATCH", "/Users(1)", json={"VMPIN": "4711", "FirstName": "Jon"})
    client.call("POST", "/Users/Pbx.BatchDelete", json={"ids": []})
    client.call("DELETE", "/Users(2)")
    client.call("PATCH", "/Users(1)", data="[1, 2]", headers={"Content-Type": "application/json"})
    assert [entry["body_properties"] for entry in sim.requests[1:]] == [["FirstName", "VMPIN"], ["ids"], None, None]
    assert "4711" not in repr(sim.requests)


def test_log_records_failures_too(sim):
    xapi = XapiClient(sim)
    xapi.token(client_secret="wrong")
    xapi.get("/DeviceInfos(1)")
    xapi.get("/Nope")
    assert [(r["operation"], r["status"]) for r in sim.requests] == [("token", 401), ("GetDeviceInfo", 401), (None, 404)]
    assert sim.requests[0]["client_id"] == CLIENT_ID


def test_log_never_holds_secrets_or_tokens(client, sim):
    client.token(client_secret="wrong-" + SECRET)
    client.get("/DeviceInfos", **{"$top": 1})
    client.token(grant_type=None)
    logged = json.dumps([sim.requests, sim.violations])
    assert sim.issued_tokens
    for secret in [SECRET, "Bearer", *sim.issued_tokens]:
        assert secret not in logged


def test_credentials_in_the_token_url_are_refused_and_not_logged(sim):
    url = f"{sim.url}/connect/token?client_id={CLIENT_ID}&client_secret={SECRET}&grant_type=client_credentials"
    reply = requests.post(url, data={"grant_type": "client_credentials"}, timeout=10)
    assert reply.status_code == 400
    assert sim.requests[0]["query"] == dict.fromkeys(["client_id", "client_secret", "grant_type"], "<redacted>")
    assert len(sim.violations) == 1
    assert SECRET not in json.dumps([sim.requests, sim.violations])


def test_clear_requests(client, sim):
    client.get("/Nope")
    sim.clear_requests()
    assert sim.requests == []
    assert len(sim.violations) == 1


def test_control_endpoints(client, sim):
    client.get("/Nope")
    control = sim.url + "/_simulator/"
    assert requests.get(control + "device_infos", timeout=10).json() == [sim.device_infos[i] for i in sorted(sim.device_infos)]
    assert [r["status"] for r in requests.get(control + "requests", timeout=10).json()] == [200, 404]
    assert len(requests.get(control + "violations", timeout=10).json()) == 1
    assert requests.post(control + "reset", timeout=10).status_code == 200
    assert sim.requests == [] and sim.violations == []
    assert requests.get(control + "nothing", timeout=10).status_code == 404
    assert sim.requests == []


def test_concurrent_requests(client, sim):
    failures = concurrent_gets(sim, client)
    assert failures == []
    assert len(sim.requests) == 1 + 6 * 8


def test_faulted_requests_log_no_secrets_either(client, sim):
    sim.fail_next(status=503, operation="token")
    sim.delay_next(seconds=0.01, operation="token")
    sim.reset_next(2)
    client.token()
    client.token()
    for call in (client.token, lambda: client.get("/DeviceInfos(1)")):
        with pytest.raises(requests.ConnectionError):
            call()
    sim.down()
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{sim.url}/connect/token?client_secret={SECRET}", data={"client_id": CLIENT_ID, "client_secret": SECRET}, timeout=10)
    sim.up()
    assert [(e["operation"], e["fault"]) for e in sim.requests] == [
        ("token", None), ("token", "status"), ("token", "delay"), ("token", "reset"), ("GetDeviceInfo", "reset"), ("token", "down")]
    assert [e["client_id"] for e in sim.requests if e["operation"] == "token"] == [CLIENT_ID] * 5
    logged = json.dumps([sim.requests, sim.violations, requests.get(sim.url + "/_simulator/requests", timeout=10).json()])
    assert sim.issued_tokens
    for secret in [SECRET, "Bearer", *sim.issued_tokens]:
        assert secret not in logged
