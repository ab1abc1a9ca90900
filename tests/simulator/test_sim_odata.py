# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The OData evaluator on its own, for the cases the seed data does not reach."""

import pytest

from xapi_simulator.odata import EntityQuery, QueryError
from xapi_simulator.spec import entity_properties

RECORDS = [
    {"Id": 1, "Assigned": True, "Vendor": "Snom", "Model": "D785", "DetectedAt": "2025-03-01T10:00:00Z"},
    {"Id": 2, "Assigned": None, "Vendor": None, "Model": None, "DetectedAt": None},
    {"Id": 3, "Assigned": False, "Vendor": "Yealink", "Model": "SIP-T46U", "DetectedAt": "2024-12-31T23:59:59.1234567+00:00"},
]


@pytest.fixture(scope="module")
def query():
    return EntityQuery("Pbx.DeviceInfo", entity_properties("Pbx.DeviceInfo"))


def matching(query, expression):
    keep = query.filter(expression)
    return [record["Id"] for record in RECORDS if keep(record)]


@pytest.mark.parametrize("expression, expected", [
    ("Assigned", [1]),
    ("not Assigned", [3]),
    ("Assigned eq null", [2]),
    ("Assigned ne true", [2, 3]),
    ("Assigned or Id eq 2", [1, 2]),
    ("not (Assigned and Id ne 3)", [3]),
    ("not (Assigned and Id eq 3)", [1, 2, 3]),
    ("Vendor lt 'Z'", [1, 3]),
    ("Vendor gt null", []),
    ("contains(Vendor, 'o')", [1]),
    ("not contains(Vendor, 'o')", [3]),
    ("length(Model) eq 8", [3]),
    ("indexof(Model, 'T') eq 4", [3]),
    ("substring(Model, 1) eq '785'", [1]),
    ("concat(Vendor, Model) eq 'SnomD785'", [1]),
    ("trim(' x ') eq 'x'", [1, 2, 3]),
    ("matchesPattern(Model, '^SIP-T4')", [3]),
    ("DetectedAt lt 2025-01-01T00:00:00Z", [3]),
    ("DetectedAt eq null", [2]),
    ("hour(DetectedAt) eq 10 and day(DetectedAt) eq 1", [1]),
    ("date(DetectedAt) eq 2024-12-31", [3]),
    ("DetectedAt lt now()", [1, 3]),
    ("Id in (1, 3) and Id ne 1", [3]),
    ("Id eq 1.0", [1]),
    ("null", []),
    # An or of equalities on one property is one set lookup; it must answer as the tests one by one would.
    ("Id eq 1 or Id eq 3 or Id eq 9", [1, 3]),
    ("Id eq 1.0 or Id eq 3", [1, 3]),
    ("Vendor eq null or Vendor eq 'Snom'", [1, 2]),
    ("Vendor eq 'snom' or Vendor eq 'Yealink'", [3]),
    ("DetectedAt eq 2025-03-01T11:00:00+01:00 or DetectedAt eq null", [1, 2]),
    ("Id eq 1 or Vendor eq 'Yealink' or Id eq 2", [1, 2, 3]),
    ("(Id eq 1 or Id eq 2) and Assigned", [1]),
    ("not (Id eq 1 or Id eq 2)", [3]),
])
def test_filter(query, expression, expected):
    assert matching(query, expression) == expected


@pytest.mark.parametrize("expression, message", [
    ("Id add 1 eq 2", "not supported by the simulator"),
    ("geo.distance(Vendor, Model) lt 1", "not supported by the simulator"),
    ("Vendor/Name eq 'x'", "Could not find a property named 'Name' on type 'Edm.String'."),
    ("not Vendor", "incompatible type"),
    ("Vendor and Assigned", "incompatible types"),
    ("Id in ('a')", "incompatible types"),
    ("DetectedAt eq 2025-02-30T00:00:00Z", "Unrecognized 'Edm.DateTimeOffset' literal"),
    ("Vendor eq 'x' ^", "character '^' is not valid at position 14"),
    ("contains(Vendor)", "No function signature for the function with name 'contains'"),
    ("matchesPattern(Model, '[')", "is not a valid regular expression"),
])
def test_filter_errors(query, expression, message):
    with pytest.raises(QueryError, match="^The query specified in the URI is not valid. ") as error:
        matching(query, expression)
    assert message in str(error.value)


def test_order_puts_nulls_first_and_breaks_ties_by_key(query):
    records = RECORDS + [dict(RECORDS[0], Id=0)]
    assert [r["Id"] for r in query.order(["Vendor"])(records)] == [2, 0, 1, 3]
    assert [r["Id"] for r in query.order(["Vendor desc"])(records)] == [3, 0, 1, 2]
    assert [r["Id"] for r in query.order(["tolower(Model) desc", "Id desc"])(records)] == [3, 1, 0, 2]
    assert [r["Id"] for r in query.order([""])(records)] == [0, 1, 2, 3]


def test_select_and_expand(query):
    assert query.select(["MAC", "Id"]) == ["MAC", "Id"]
    assert query.select(["*"]) is None and query.select(None) is None and query.select([""]) is None
    assert query.expand(["*"]) == {}  # a DeviceInfo has no navigation property
    with pytest.raises(QueryError):
        query.expand(["Model($select=Id)"])


def test_search_ignores_case_and_quotes(query):
    found = query.search('"yeaLINK"')
    assert [r["Id"] for r in RECORDS if found(r)] == [3]
