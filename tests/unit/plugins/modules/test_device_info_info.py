# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""device_info_info run in-process against the simulator."""

import pytest
from xapi_simulator import Simulator

from ansible_collections.threecx.pbx.plugins.modules.device_info_info import main

from .conftest import SECRET, sim_connection


@pytest.mark.parametrize("check_mode", [False, True])
def test_lists_every_record(sim, run_module, check_mode):
    result = run_module(main, sim_connection(sim), check_mode=check_mode)
    assert result["changed"] is False
    assert result["count"] == len(sim.device_infos) == len(result["device_infos"])
    assert [r["Id"] for r in result["device_infos"]] == sorted(sim.device_infos)
    assert {e["method"] for e in sim.requests} == {"POST", "GET"}


def test_filter_orderby_select_and_top(sim, run_module):
    result = run_module(main, dict(sim_connection(sim), filter="Assigned eq false", orderby=["DetectedAt desc"],
                                   select=["Id", "DetectedAt"], top=7))
    expected = sorted((r for r in sim.device_infos.values() if r["Assigned"] is False),
                      key=lambda r: r["DetectedAt"], reverse=True)[:7]
    assert result["count"] == 7
    assert [r["Id"] for r in result["device_infos"]] == [r["Id"] for r in expected]
    assert set(result["device_infos"][0]) == {"Id", "DetectedAt"}
    list_call, = [e for e in sim.requests if e["operation"] == "ListDeviceInfo"]
    assert list_call["query"]["$top"] == "7"


def test_one_record_by_id_and_a_missing_one(sim, run_module):
    record_id = sorted(sim.device_infos)[4]
    result = run_module(main, dict(sim_connection(sim), id=record_id))
    assert result["count"] == 1 and result["device_infos"][0]["MAC"] == sim.device_infos[record_id]["MAC"]
    assert "@odata.context" not in result["device_infos"][0]
    missing = run_module(main, dict(sim_connection(sim), id=999999))
    assert missing["changed"] is False and missing["count"] == 0 and missing["device_infos"] == []


def test_records_carry_their_etag_when_the_pbx_sends_them(run_module):
    with Simulator(clients={"ansible": SECRET}, records=5, etag_mode=True) as etag_sim:
        result = run_module(main, sim_connection(etag_sim))
    assert result["count"] == 5
    assert all(r["@odata.etag"].startswith('W/"') for r in result["device_infos"])
