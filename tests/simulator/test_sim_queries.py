# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""ListDeviceInfo with OData query options."""

import datetime

import pytest

from sim_helpers import CLIENT_ID, SECRET, XapiClient
from xapi_simulator import Simulator


def ids(items):
    return [item["Id"] for item in items]


def records(sim, keep=lambda record: True):
    return [sim.device_infos[key] for key in sorted(sim.device_infos) if keep(sim.device_infos[key])]


def test_plain_list(client, sim):
    reply = client.get("/DeviceInfos")
    body = reply.json()
    assert list(body) == ["@odata.context", "value"]
    assert body["@odata.context"] == sim.url + "/xapi/v1/$metadata#DeviceInfos"
    assert body["value"] == records(sim)
    assert reply.headers["X-3CX-Version"].startswith("20.0.10.")
    assert reply.headers["Content-Type"].startswith("application/json")


def test_count_top_skip_and_never_a_next_link(client, sim):
    body = client.get("/DeviceInfos", **{"$count": "true", "$top": 5, "$skip": 10}).json()
    assert body["@odata.count"] == len(sim.device_infos)
    assert ids(body["value"]) == list(range(11, 16))
    assert "@odata.nextLink" not in body
    assert "@odata.count" not in client.get("/DeviceInfos", **{"$count": "false", "$top": 1}).json()


def test_paging_reads_everything(sim):
    client = XapiClient(sim, check=False)
    client.login()
    seen, skip = [], 0
    while True:
        page = client.items(**{"$top": 7, "$skip": skip, "$orderby": "Id"})
        seen += ids(page)
        skip += 7
        if len(page) < 7:
            break
    assert seen == sorted(sim.device_infos)


FILTERS = [
    ("Vendor eq 'Yealink'", lambda r: r["Vendor"] == "Yealink"),
    ("Vendor ne 'Yealink'", lambda r: r["Vendor"] != "Yealink"),
    ("Id lt 10 or Id ge 45", lambda r: r["Id"] < 10 or r["Id"] >= 45),
    ("Id le 10 and Id gt 3", lambda r: 3 < r["Id"] <= 10),
    ("Assigned eq false and not (ViaSBC eq true)", lambda r: r["Assigned"] is False and r["ViaSBC"] is not True),
    ("not ViaSBC", lambda r: r["ViaSBC"] is False),
    ("Vendor in ('Snom', 'Fanvil')", lambda r: r["Vendor"] in ("Snom", "Fanvil")),
    ("Vendor in ('Snom')", lambda r: r["Vendor"] == "Snom"),
    ("AssignedUser eq null", lambda r: r["AssignedUser"] is None),
    ("MAC ne null and startswith(MAC, '805ec0')", lambda r: (r["MAC"] or "").startswith("805ec0")),
    ("contains(tolower(UserAgent), 'yealink')", lambda r: "yealink" in (r["UserAgent"] or "").lower()),
    ("endswith(TemplateName, 't4x.ph.xml')", lambda r: (r["TemplateName"] or "").endswith("t4x.ph.xml")),
    ("toupper(Vendor) eq 'SNOM'", lambda r: r["Vendor"] == "Snom"),
    ("DetectedAt lt 2025-01-01T00:00:00Z", lambda r: r["DetectedAt"] < "2025-01-01"),
    ("DetectedAt ge 2025-06-01T02:00:00+02:00", lambda r: r["DetectedAt"] >= "2025-06-01T00:00:00Z"),
    ("date(DetectedAt) ge 2026-01-01", lambda r: r["DetectedAt"] >= "2026"),
    ("year(DetectedAt) eq 2025 and month(DetectedAt) le 6", lambda r: "2025-01" <= r["DetectedAt"] < "2025-07"),
    ("(Vendor eq 'Poly' or Vendor eq 'Cisco') and Assigned", lambda r: r["Vendor"] in ("Poly", "Cisco") and r["Assigned"]),
    ("contains(AssignedUser, 'O''Brien')", lambda r: "O'Brien" in (r["AssignedUser"] or "")),
    ("contains(AssignedUser, 'Zoë')", lambda r: "Zoë" in (r["AssignedUser"] or "")),
]


@pytest.fixture(scope="module")
def large():
    """A read-only simulator with 300 records, all on one page (filters are tested here, not paging); answers are not
    spec-checked (slow on large pages, checked elsewhere)."""
    with Simulator(clients={CLIENT_ID: SECRET}, records=300, switches={"max_top": 300}) as sim:
        client = XapiClient(sim, check=False)
        client.login()
        yield sim, client


@pytest.mark.parametrize("expression, keep", FILTERS, ids=[f[0] for f in FILTERS])
def test_filter(large, expression, keep):
    sim, client = large
    body = client.get("/DeviceInfos", **{"$filter": expression, "$count": "true", "$select": "Id"}).json()
    expected = [r["Id"] for r in records(sim, keep)]
    assert expected, "the seed data should exercise this filter"
    assert ids(body["value"]) == expected
    assert body["@odata.count"] == len(expected)


def test_filter_matching_nothing(client):
    body = client.get("/DeviceInfos", **{"$filter": "Vendor eq 'Nokia'", "$count": "true"}).json()
    assert body["value"] == [] and body["@odata.count"] == 0


def test_orderby(client, sim):
    items = client.items(**{"$orderby": "Vendor desc,DetectedAt asc", "$select": "Id,Vendor,DetectedAt"})
    expected = sorted(records(sim), key=lambda r: r["DetectedAt"])
    expected.sort(key=lambda r: (r["Vendor"] is not None, r["Vendor"]), reverse=True)
    assert ids(items) == ids(expected)
    assert ids(client.items(**{"$orderby": "Id desc", "$top": 3})) == [50, 49, 48]


def test_select(client, sim):
    body = client.get("/DeviceInfos(3)", **{"$select": "MAC,Id"}).json()
    assert body == {"@odata.context": sim.url + "/xapi/v1/$metadata#DeviceInfos(MAC,Id)/$entity",
                    "Id": 3, "MAC": sim.device_infos[3]["MAC"]}
    items = client.items(**{"$select": "Id,Vendor", "$top": 2})
    assert items == [{"Id": 1, "Vendor": sim.device_infos[1]["Vendor"]}, {"Id": 2, "Vendor": sim.device_infos[2]["Vendor"]}]
    assert client.items(**{"$select": "*", "$top": 1}) == [sim.device_infos[1]]


def test_search(client, sim):
    items = client.items(**{"$search": "snom", "$select": "Id"})
    assert ids(items) == [r["Id"] for r in records(sim, lambda r: "snom" in (r["UserAgent"] or "").lower())]


def test_expand_star_is_harmless(client, sim):
    assert len(client.items(**{"$expand": "*"})) == len(sim.device_infos)


@pytest.mark.parametrize("option, value, message", [
    ("$filter", "Foo eq 1", "Could not find a property named 'Foo' on type 'Pbx.DeviceInfo'."),
    ("$filter", "Vendor eq", "Syntax error at position"),
    ("$filter", "Vendor eq 'Snom", "unterminated string literal"),
    ("$filter", "Vendor eq 'a',", "Syntax error at position"),
    ("$filter", "Id in (1,)", "Syntax error at position"),
    ("$filter", "Assigned eq 'yes'", "incompatible types"),
    ("$filter", "DetectedAt gt 2025-01-01", "incompatible types"),
    ("$filter", "contains(Id, 'x')", "No function signature for the function with name 'contains'"),
    ("$filter", "frobnicate(Vendor)", "An unknown function with name 'frobnicate' was found."),
    ("$filter", "Vendor", "must evaluate to a single boolean value"),
    ("$orderby", "Foo desc", "Could not find a property named 'Foo'"),
    ("$orderby", "Id sideways", "Syntax error"),
    ("$select", "Id,Foo", "Could not find a property named 'Foo'"),
    ("$expand", "Model", "is not a navigation property"),
    ("$expand", "Phones", "Could not find a property named 'Phones'"),
])
def test_invalid_query_answers_400(client, sim, option, value, message):
    reply = client.get("/DeviceInfos", **{option: value})
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["message"].startswith("The query specified in the URI is not valid. ")
    assert message in error["message"]
    assert sim.violations == []


def test_detected_at_compares_as_datetime(client, sim):
    first = sim.device_infos[1]["DetectedAt"]
    moment = datetime.datetime.strptime(first, "%Y-%m-%dT%H:%M:%SZ")
    shifted = (moment + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+01:00")
    assert 1 in ids(client.items(**{"$filter": f"DetectedAt eq {shifted}", "$select": "Id"}))
