# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The generated DeviceInfo records and the ways tests change them."""

import re
import time

import pytest
from openapi_schema_validator import OAS30Validator
from jsonschema import FormatChecker

from xapi_simulator import Simulator
from xapi_simulator.seed import VENDORS
from xapi_simulator.spec import load_spec


@pytest.fixture(scope="module")
def records():
    return Simulator(records=300).device_infos


def test_records_match_the_schema(records):
    schema = load_spec()["components"]["schemas"]["Pbx.DeviceInfo"]
    validator = OAS30Validator(schema, format_checker=FormatChecker())
    for record in records.values():
        validator.validate(record)
        assert set(record) == set(schema["properties"])


def test_ids_count_up_from_one(records):
    assert sorted(records) == list(range(1, 301))
    assert all(key == record["Id"] for key, record in records.items())


def test_records_look_like_detected_phones(records):
    phones = [r for r in records.values() if r["Vendor"]]
    assert {r["Vendor"] for r in phones} == set(VENDORS)
    for record in phones:
        assert re.fullmatch(r"[0-9a-f]{12}", record["MAC"])
        assert record["MAC"][:6] in VENDORS[record["Vendor"]][0]
        assert re.fullmatch(r"(192\.168|10|172\.16)\.[0-9.]+", record["NetworkAddress"])
        assert record["FirmwareVersion"] in record["UserAgent"]
        assert record["TemplateName"].endswith(".ph.xml")
        assert record["DetectedAt"].endswith("Z") and "2024" <= record["DetectedAt"][:4] <= "2026"
        assert (record["AssignedUser"] is not None) == record["Assigned"]
        assert (record["SbcName"] is not None) == record["ViaSBC"]
    assert {True, False} == {r["Assigned"] for r in phones} == {r["ViaSBC"] for r in phones}
    assert any(re.fullmatch(r"\d{3} \S.*", r["AssignedUser"] or "") for r in phones)
    assert any(r["UserAgent"].startswith("Yealink SIP-T") for r in phones)


def test_data_holds_cleanup_cases(records):
    macs = [r["MAC"] for r in records.values() if r["MAC"]]
    assert len(macs) > len(set(macs)), "some phones should have been detected twice"
    assert any(r["Vendor"] is None and r["ViaSBC"] for r in records.values()), "some SBC-relayed junk expected"
    assert [r["DetectedAt"] for r in records.values()] == sorted(r["DetectedAt"] for r in records.values())


def test_deterministic_per_seed():
    assert Simulator(seed=7).device_infos == Simulator(seed=7).device_infos
    assert Simulator(seed=7).device_infos != Simulator(seed=8).device_infos
    assert len(Simulator(records=0).device_infos) == 0


def test_50000_records_are_quick_to_make():
    """``python -m xapi_simulator --records 50000`` must start in reasonable time (about 2 s here)."""
    started = time.monotonic()
    records = Simulator(records=50000).device_infos
    assert time.monotonic() - started < 20
    assert len(records) == 50000 and records[50000]["Id"] == 50000


def test_add_device_info():
    sim = Simulator(records=5)
    record = sim.add_device_info(MAC="805ec0000001", Vendor="Yealink")
    assert record["Id"] == 6
    assert sim.device_infos[6] is record
    assert record["MAC"] == "805ec0000001"
    assert record["Model"] and record["DetectedAt"].endswith("Z")
    with pytest.raises(TypeError):
        sim.add_device_info(Colour="red")
    with pytest.raises(TypeError):
        sim.add_device_info(Id=99)


def test_modify_device_info():
    sim = Simulator(records=5)
    assert sim.modify_device_info(2, Assigned=False, AssignedUser=None)["Assigned"] is False
    assert sim.device_infos[2]["AssignedUser"] is None
    with pytest.raises(KeyError):
        sim.modify_device_info(99, Model="x")
    with pytest.raises(TypeError):
        sim.modify_device_info(2, Colour="red")
