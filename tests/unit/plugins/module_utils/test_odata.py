# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import datetime

import pytest

from ansible_collections.threecx.pbx.plugins.module_utils._odata import (
    alternate_key_path,
    chunks,
    datetime_literal,
    encode_query,
    entity_path,
    id_filter,
    is_int32,
    quote_literal,
)


@pytest.mark.parametrize("value, literal", [
    ("101", "'101'"),
    ("O'Brien", "'O''Brien'"),
    ("''", "''''''"),
    ("Zoë ☎", "'Zoë ☎'"),
    ("", "''"),
])
def test_quote_literal_doubles_single_quotes(value, literal):
    assert quote_literal(value) == literal


def test_entity_path_by_int_and_string_key():
    assert entity_path("DeviceInfos", 42) == "/DeviceInfos(42)"
    assert entity_path("Backups", "it's.zip") == "/Backups('it''s.zip')"


@pytest.mark.parametrize("key", [True, 1.5, None])
def test_entity_path_rejects_other_keys(key):
    with pytest.raises(TypeError):
        entity_path("DeviceInfos", key)


@pytest.mark.parametrize("value, expected", [
    (0, True), (2147483647, True), (-2147483648, True),
    (2147483648, False), (-2147483649, False), (True, False), ("1", False),
])
def test_is_int32(value, expected):
    assert is_int32(value) is expected


def test_encode_query_uses_percent_20_and_keeps_odata_punctuation():
    query = encode_query({
        "$filter": "Assigned eq false and MAC eq 'a+b&c=d' and DetectedAt lt 2026-01-01T00:00:00+02:00",
        "$top": 100,
        "$count": True,
        "$select": ["Id", "MAC"],
        "$skip": None,
    })
    assert query == (
        "$filter=Assigned%20eq%20false%20and%20MAC%20eq%20'a%2Bb%26c%3Dd'%20and%20DetectedAt%20lt%20"
        "2026-01-01T00:00:00%2B02:00&$top=100&$count=true&$select=Id,MAC"
    )
    assert "+" not in query


def test_alternate_key_path_quotes_the_value():
    assert alternate_key_path("Users", "Number", "101") == "/Users(Number='101')"
    assert alternate_key_path("Users", "Number", "1'01") == "/Users(Number='1''01')"


def test_id_filter_and_chunks():
    assert id_filter([3, 1]) == "Id eq 3 or Id eq 1"
    assert chunks(list(range(5)), 2) == [[0, 1], [2, 3], [4]]
    assert chunks([], 50) == []


@pytest.mark.parametrize("value, literal", [
    ("2026-01-01", "2026-01-01T00:00:00Z"),
    ("2026-01-01T08:30:00+01:00", "2026-01-01T07:30:00Z"),
    ("2026-01-01T08:30:00Z", "2026-01-01T08:30:00Z"),
    ("2026-01-01T08:30:00", "2026-01-01T08:30:00Z"),
    (datetime.date(2025, 6, 1), "2025-06-01T00:00:00Z"),
    (datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.timezone.utc), "2025-06-01T12:00:00Z"),
])
def test_datetime_literal(value, literal):
    assert datetime_literal(value) == literal


@pytest.mark.parametrize("value", ["2026-01-01 or true", "yesterday", "", "2026-13-01"])
def test_datetime_literal_rejects_anything_else(value):
    with pytest.raises(ValueError):
        datetime_literal(value)
