# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The remembered openapi-core verdicts: cheaper checks that catch every violation as before."""

import pytest
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from sim_helpers import XapiClient
from xapi_simulator import spec
from xapi_simulator.verdicts import VerdictCache, value_check

INT32 = {"maximum": 2147483647, "minimum": -2147483648, "type": "integer", "format": "int32"}
TOP = {"minimum": 0, "type": "integer", "format": "int64"}


@pytest.fixture
def verdicts():
    """The process's verdict cache, emptied (and its counters reset) for the test."""
    spec.VERDICTS.clear()
    return spec.VERDICTS


@pytest.fixture
def client(sim):
    """A logged-in client that leaves the answers unchecked: here the requests are the subject."""
    xapi = XapiClient(sim, check=False)
    xapi.login()
    return xapi


@pytest.mark.parametrize("schema, raw, value", [
    (INT32, "7", 7), (INT32, "0", 0), (INT32, "-2147483648", -2147483648), (INT32, "2147483647", 2147483647),
    (INT32, "2147483648", None), (INT32, "007", None), (INT32, "+7", None), (INT32, " 7", None), (INT32, "-0", None),
    (INT32, "", None), (INT32, "7.0", None), (INT32, "abc", None),
    (TOP, "100", 100), (TOP, "-1", None), (TOP, str(2 ** 63), None),
    ({"type": "string"}, "W/\"x\"", "W/\"x\""), ({"type": "string", "nullable": True}, "'101'", "'101'"),
    ({"type": "string"}, "", None),
])
def test_value_checks(schema, raw, value):
    assert value_check(schema)(raw) == value


@pytest.mark.parametrize("schema", [
    {"type": "boolean"}, {"type": "integer"}, {"type": "string", "maxLength": 12}, {"type": "string", "format": "uuid"},
    {"type": "array", "items": {"type": "string"}}, {"type": "integer", "format": "int32", "exclusiveMinimum": True, "minimum": 0},
])
def test_other_schemas_are_always_checked_in_full(schema):
    assert value_check(schema) is None


def test_requests_differing_in_a_key_share_a_verdict(client, sim, verdicts):
    assert client.get("/DeviceInfos(5)").json()["Id"] == 5
    assert (verdicts.hits, verdicts.misses) == (0, 1)
    for record_id in (6, 7, 2147483647):
        client.get(f"/DeviceInfos({record_id})")
    assert (verdicts.hits, verdicts.misses) == (3, 1)
    assert client.get("/DeviceInfos(6)").json()["Id"] == 6, "the request's own key is handed out"
    assert client.get("/DeviceInfos(007)").json()["Id"] == 7
    assert verdicts.misses == 2, "a non-canonical number is checked in full"


def test_pages_and_etags_share_a_verdict(client, verdicts):
    pages = [client.items(**{"$top": top, "$skip": skip, "$filter": f"Id lt {skip + 40}"}) for top, skip in ((3, 0), (4, 10), (5, 20))]
    assert [[item["Id"] for item in page] for page in pages] == [[1, 2, 3], [11, 12, 13, 14], [21, 22, 23, 24, 25]]
    for record_id in (30, 31, 32):
        assert client.call("DELETE", f"/DeviceInfos({record_id})", headers={"If-Match": f'W/"etag-{record_id}"'}).status_code == 204
    assert (verdicts.hits, verdicts.misses) == (4, 2)


# (a clean request, a request differing from it only in one value, which makes it a violation)
TWINS = [
    ("GET", "/DeviceInfos(5)", "/DeviceInfos(99999999999)", {}),
    ("GET", "/DeviceInfos(5)", "/DeviceInfos(-2147483649)", {}),
    ("GET", "/DeviceInfos(5)", "/DeviceInfos(abc)", {}),
    ("GET", "/DeviceInfos(5)", "/DeviceInfos()", {}),
    ("GET", "/DeviceInfos?$top=5", "/DeviceInfos?$top=-1", {}),
    ("GET", "/DeviceInfos?$top=5", "/DeviceInfos?$top=9223372036854775808", {}),
    ("GET", "/DeviceInfos?$skip=5", "/DeviceInfos?$skip=1.5", {}),
    ("GET", "/DeviceInfos?$filter=Id%20gt%201", "/DeviceInfos?$filter=", {}),
    ("GET", "/DeviceInfos?$search=snom", "/DeviceInfos?$search=", {}),
    ("GET", "/DeviceInfos?$select=Id,MAC", "/DeviceInfos?$select=Id,Id", {}),
    ("GET", "/DeviceInfos?$count=true", "/DeviceInfos?$count=True", {}),
    ("GET", "/Users(5)", "/Users(5.5)", {}),
    ("POST", "/DeviceInfos(5)/Pbx.Provision", "/DeviceInfos(5)/Pbx.Provision", {"json": {"userId": "3"}}),
    ("POST", "/DeviceInfos(5)/Pbx.Provision", "/DeviceInfos(5)/Pbx.Provision", {"json": {"userId": 3, "x": 1}}),
]


@pytest.mark.parametrize("method, clean, bad, kwargs", TWINS, ids=[twin[2] + str(twin[3]) for twin in TWINS])
def test_a_warm_cache_catches_the_same_violations(client, sim, verdicts, method, clean, bad, kwargs):
    path, query = bad.partition("?")[::2]
    cold = client.call(method, path, raw_query=query, **kwargs)
    assert cold.status_code == 400 and len(sim.violations) == 1
    verdicts.clear()
    clean_path, clean_query = clean.partition("?")[::2]
    clean_kwargs = {"json": {"userId": 3, "reprovision": True}} if kwargs else {}
    for attempt in range(2):
        assert client.call(method, clean_path, raw_query=clean_query, **clean_kwargs).status_code < 300
    assert verdicts.hits == 1, "the clean twin is remembered"
    warm = client.call(method, path, raw_query=query, **kwargs)
    assert warm.status_code == 400
    assert warm.json() == cold.json()
    assert sim.violations[1] == sim.violations[0]


def test_violations_are_not_remembered(client, sim, verdicts):
    for attempt in range(3):
        assert client.get("/DeviceInfos", **{"$top": -1}).status_code == 400
    assert (verdicts.hits, verdicts.misses, len(sim.violations)) == (0, 3, 3)


def request(path, method="GET", **kwargs):
    return Request(EnvironBuilder(path=spec.API_ROOT + path, method=method, base_url="http://pbx.example.com", **kwargs).get_environ())


def test_the_oldest_verdict_goes_first():
    cache = VerdictCache(size=2)
    operation = spec._operation("get", "/DeviceInfos")
    checked = []

    def check(path):
        def unmarshal():
            checked.append(path)
            return spec.openapi().unmarshal_request(WerkzeugOpenAPIRequest(request(path)))
        return cache.check(operation, {}, request(path), unmarshal)
    for path in ("/DeviceInfos?$count=true", "/DeviceInfos?$count=false", "/DeviceInfos", "/DeviceInfos?$count=true", "/DeviceInfos"):
        errors, parameters = check(path)[:2]
        assert errors == []
    assert checked == ["/DeviceInfos?$count=true", "/DeviceInfos?$count=false", "/DeviceInfos", "/DeviceInfos?$count=true"]
    assert parameters.query == {}


def test_headers_and_bodies_are_part_of_the_key(verdicts):
    delete = [spec.validate(request("/DeviceInfos(5)", "DELETE", headers=headers)) for headers in ({}, {"If-Match": "*"}, {"If-Match": ""})]
    assert [v.parameters.header for v in delete] == [{}, {"If-Match": "*"}, {"If-Match": ""}]
    bodies = [spec.validate(request("/DeviceInfos(5)/Pbx.Provision", "POST", json=body)) for body in ({"userId": 3}, {"userId": 4})]
    assert [v.body["userId"] for v in bodies] == [3, 4]
    assert (verdicts.hits, verdicts.misses) == (0, 5)
    assert spec.validate(request("/DeviceInfos(6)", "DELETE", headers={"If-Match": "W/\"x\""})).parameters.header == {"If-Match": "W/\"x\""}
    assert verdicts.hits == 1
