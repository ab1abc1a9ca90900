# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""device_info with ids and filter, run in-process against the simulator."""

import pytest

from ansible_collections.threecx.pbx.plugins.modules.device_info import main

from .conftest import sim_connection


def unassigned(sim):
    return sorted(i for i, r in sim.device_infos.items() if r["Assigned"] is False)


@pytest.mark.parametrize("check_mode", [False, True])
def test_filter_deletes_what_matches(sim, run_module, check_mode):
    expected = unassigned(sim)
    before = dict(sim.device_infos)
    result = run_module(main, dict(sim_connection(sim), filter="Assigned eq false"), check_mode=check_mode, diff=True)
    assert result["changed"] is True
    assert sorted(result["deleted"]) == expected
    assert [r["Id"] for r in result["device_infos"]] == result["deleted"]
    assert result["missing"] == [] and result["conflicts"] == []
    assert len(result["diff"]["before"].splitlines()) == len(expected) and result["diff"]["after"] == ""
    if check_mode:
        assert sim.device_infos == before
        assert not [e for e in sim.requests if e["method"] == "DELETE"]
    else:
        assert not set(expected) & set(sim.device_infos)


def test_ids_report_missing_ones(sim, run_module):
    ids = sorted(sim.device_infos)[:3] + [77777]
    result = run_module(main, dict(sim_connection(sim), ids=ids))
    assert result["deleted"] == ids[:3] and result["missing"] == [77777]
    assert "device_info" not in result


def test_an_empty_ids_list_is_a_no_op_without_requests(sim, run_module):
    result = run_module(main, dict(sim_connection(sim), ids=[]))
    assert result["changed"] is False and result["deleted"] == []
    assert sim.requests == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_max_deletes_exceeded_deletes_nothing(sim, run_module, check_mode):
    count = len(sim.device_infos)
    result = run_module(main, dict(sim_connection(sim), filter="Assigned eq false", max_deletes=3), check_mode=check_mode)
    assert result["failed"] is True and result["deleted"] == []
    assert "more than max_deletes (3)" in result["msg"] and "nothing was deleted" in result["msg"]
    assert len(sim.device_infos) == count


def test_filter_rejected_by_the_pbx_names_it(sim, run_module):
    result = run_module(main, dict(sim_connection(sim), filter="Colour eq 'red'"))
    assert result["failed"] is True
    assert result["msg"].startswith("The PBX rejected filter \"Colour eq 'red'\": ListDeviceInfo")
    assert "Colour" in result["msg"] and "HTTP 400" in result["msg"]


@pytest.mark.parametrize("args, message", [
    ({"id": 1, "ids": [2]}, "mutually exclusive"),
    ({"filter": "Id eq 1", "if_match": 'W/"1"'}, "if_match"),
    ({}, "one of the following is required"),
    ({"ids": [1, 2147483648]}, "32-bit"),
    ({"filter": "Id eq 1", "max_deletes": -1}, "max_deletes"),
    ({"id": 1, "user": "101"}, "state: provisioned"),
    ({"state": "provisioned", "id": 1}, "user"),
    ({"state": "provisioned", "ids": [1], "user": "101"}, "id"),
])
def test_bad_combinations_fail_before_any_request(sim, run_module, args, message):
    result = run_module(main, dict(sim_connection(sim), **args))
    assert result["failed"] is True and message in result["msg"]
    assert sim.requests == []
