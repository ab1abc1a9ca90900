# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The device_info_cleanup role through the playbook threecx.pbx.device_info_cleanup, against simulators."""

import pytest

from .helpers import CLIENT_ID, SECRET, running_simulator, token_requests, xapi_requests

PLAYBOOK = "threecx.pbx.device_info_cleanup"
DELETE_TASK = "Delete the selected DeviceInfos"
SUMMARY_TASK = "Summarize the cleanup"
FACT_TASK = "Record the outcome as device_info_cleanup_result"


def pbx_host(sim, **variables):
    host = {"ansible_connection": "local", "device_info_cleanup_url": sim.url,
            "device_info_cleanup_client_id": CLIENT_ID, "device_info_cleanup_client_secret": SECRET}
    host.update(variables)
    return host


def inventory(**hosts):
    return {"threecx_pbxs": {"hosts": hosts}}


def stale(sim, before="2026-01-01T00:00:00Z"):
    return sorted(i for i, r in sim.device_infos.items() if r["Assigned"] is False and r["DetectedAt"] < before)


def test_cleanup_of_two_pbxs_dry_run_real_and_again(run_playbook):
    with running_simulator(seed=3, records=60) as first, running_simulator(seed=4, records=40) as second:
        pbx2 = pbx_host(second, device_info_cleanup_detected_before="2026-01-01", device_info_cleanup_return_records=True)
        hosts = inventory(pbx1=pbx_host(first), pbx2=pbx2)
        expected = {"pbx1": sorted(i for i, r in first.device_infos.items() if r["Assigned"] is False), "pbx2": stale(second)}
        stores = {"pbx1": dict(first.device_infos), "pbx2": dict(second.device_infos)}

        dry = run_playbook(playbook=PLAYBOOK, inventory=hosts, check=True, diff=True)
        assert dry.rc == 0, dry.output
        for host, sim in (("pbx1", first), ("pbx2", second)):
            assert sim.device_infos == stores[host]
            assert xapi_requests(sim, "DELETE") == []
            fact = dry.result(FACT_TASK, host)["ansible_facts"]["device_info_cleanup_result"]
            assert fact["check_mode"] is True and sorted(fact["deleted"]) == expected[host]
            assert dry.result(SUMMARY_TASK, host)["msg"].startswith(
                "%s: matched %d, would delete %d, missing 0" % (host, len(expected[host]), len(expected[host])))

        real = run_playbook(playbook=PLAYBOOK, inventory=hosts)
        assert real.rc == 0, real.output
        for host, sim in (("pbx1", first), ("pbx2", second)):
            assert set(sim.device_infos) == set(stores[host]) - set(expected[host])
            fact = real.result(FACT_TASK, host)["ansible_facts"]["device_info_cleanup_result"]
            assert sorted(fact["deleted"]) == expected[host] and fact["missing"] == [] and fact["conflicts"] == []
            assert fact["matched"] == len(expected[host])
            if host == "pbx2":  # device_info_cleanup_return_records: the records as read before they went
                assert [record["MAC"] for record in fact["device_infos"]] == [stores[host][i]["MAC"] for i in fact["deleted"]]
            else:
                assert "device_infos" not in fact and "device_infos" not in real.result(DELETE_TASK, host)
            assert len(token_requests(sim)) == 1  # the dry run's token, shared through the cache
        assert "changed=1" in real.stdout

        again = run_playbook(playbook=PLAYBOOK, inventory=hosts)
        assert again.rc == 0, again.output
        assert "changed=0" in again.stdout and "changed=1" not in again.stdout
        for host in ("pbx1", "pbx2"):
            assert again.result(DELETE_TASK, host)["deleted"] == []


def test_a_thousand_records_in_one_module_run(run_playbook):
    with running_simulator(seed=5, records=1000) as sim:
        run = run_playbook(playbook=PLAYBOOK, inventory=inventory(pbx=pbx_host(
            sim, device_info_cleanup_filter="Id ge 1", device_info_cleanup_max_deletes=1000)))
        assert run.rc == 0, run.output
        assert len(run.result(DELETE_TASK)["deleted"]) == 1000
        assert sim.device_infos == {}
        assert len(token_requests(sim)) == 1
        deletes = xapi_requests(sim, "DELETE")
        lists = xapi_requests(sim, "GET", "ListDeviceInfo")
        assert len(deletes) == 1000 and {e["status"] for e in deletes} == {204}
        assert len(lists) == 10 + 20  # the Ids, 100 a page, then the records, 50 a read just before their DELETEs
        assert (len(deletes) + len(lists) + 1) / 1000 <= 1.05


def test_default_max_deletes_protects_against_matching_everything(run_playbook):
    with running_simulator(records=300) as sim:
        count = len(sim.device_infos)
        run = run_playbook(playbook=PLAYBOOK, inventory=inventory(pbx=pbx_host(sim)))
        assert run.rc == 2
        assert "more than max_deletes (100)" in run.result(DELETE_TASK)["msg"]
        assert len(sim.device_infos) == count


@pytest.mark.parametrize("variables, message", [
    ({"device_info_cleanup_max_deletes": "many"}, "device_info_cleanup_max_deletes"),
    ({"device_info_cleanup_ids": ["one"]}, "device_info_cleanup_ids"),
    ({"device_info_cleanup_unassigned_only": "perhaps"}, "device_info_cleanup_unassigned_only"),
])
def test_argument_validation_rejects_a_bad_variable_at_the_start(simulator, run_playbook, variables, message):
    run = run_playbook(playbook=PLAYBOOK, inventory=inventory(pbx=pbx_host(simulator)), extra_vars=variables, verbosity=4)
    assert run.rc == 2
    assert message in run.output and "Validation of arguments failed" in run.output
    assert simulator.requests == []
    assert SECRET not in run.output


@pytest.mark.parametrize("variables", [
    {"device_info_cleanup_ids": [1], "device_info_cleanup_filter": "Id eq 1"},
    {"device_info_cleanup_unassigned_only": False},
], ids=["ids-and-filter", "no-criterion"])
def test_an_ambiguous_or_empty_selection_is_refused(simulator, run_playbook, variables):
    run = run_playbook(playbook=PLAYBOOK, inventory=inventory(pbx=pbx_host(simulator)), extra_vars=variables)
    assert run.rc == 2
    assert "refuses to select every DeviceInfo" in run.output
    assert simulator.requests == []


def test_criteria_become_an_escaped_filter(simulator, run_playbook):
    run = run_playbook(playbook=PLAYBOOK, inventory=inventory(pbx=pbx_host(simulator)), extra_vars={
        "device_info_cleanup_vendor": "O'Brien Phones", "device_info_cleanup_detected_before": "2025-06-01T12:00:00+02:00"})
    assert run.rc == 0, run.output
    listing = xapi_requests(simulator, "GET", "ListDeviceInfo")[0]
    assert listing["query"]["$filter"] == (
        "Assigned eq false and DetectedAt lt 2025-06-01T10:00:00Z and Vendor eq 'O''Brien Phones'")


def test_ids_and_connection_from_the_environment(simulator, run_playbook):
    ids = sorted(simulator.device_infos)[:3]
    run = run_playbook(playbook=PLAYBOOK, inventory=inventory(pbx={"ansible_connection": "local"}), sim=simulator,
                       extra_vars={"device_info_cleanup_ids": ids + [999999]}, verbosity=4)
    assert run.rc == 0, run.output
    fact = run.result(FACT_TASK)["ansible_facts"]["device_info_cleanup_result"]
    assert fact["deleted"] == ids and fact["missing"] == [999999]
    assert not set(ids) & set(simulator.device_infos)
    for secret in [SECRET] + simulator.issued_tokens:
        assert secret not in run.output


def test_a_dry_run_chosen_by_variable_as_an_awx_survey_would(run_playbook):
    with running_simulator(seed=5, records=20) as sim:
        before = dict(sim.device_infos)
        hosts = inventory(pbx=pbx_host(sim))
        run = run_playbook(playbook=PLAYBOOK, inventory=hosts, extra_vars={"device_info_cleanup_dry_run": True})
        assert run.rc == 0, run.output
        assert sim.device_infos == before and xapi_requests(sim, "DELETE") == []
        fact = run.result(FACT_TASK, "pbx")["ansible_facts"]["device_info_cleanup_result"]
        assert fact["check_mode"] is True and fact["deleted"]
        assert run.result(SUMMARY_TASK, "pbx")["msg"].startswith("pbx: matched %d, would delete %d" % (
            len(fact["deleted"]), len(fact["deleted"])))
        # false does not undo --check
        checked = run_playbook(playbook=PLAYBOOK, inventory=hosts, check=True, extra_vars={"device_info_cleanup_dry_run": False})
        assert checked.rc == 0, checked.output
        assert sim.device_infos == before and xapi_requests(sim, "DELETE") == []
