# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.threecx.pbx.plugins.module_utils._odata import encode_query, entity_path, is_int32, quote_literal


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
