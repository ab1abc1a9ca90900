# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""threecx.pbx.device_info with ids and filter, and threecx.pbx.device_info_info, through ansible-playbook."""

import pytest

from .helpers import token_requests, xapi_requests

UNASSIGNED = "Assigned eq false"


def task(name, module="threecx.pbx.device_info", **options):
    return {"name": name, module: options, "register": "outcome"}


def unassigned_ids(sim):
    return sorted(i for i, r in sim.device_infos.items() if r["Assigned"] is False)


def test_ids_delete_existing_and_report_missing(simulator, run_playbook):
    ids = sorted(simulator.device_infos)[2:7]
    run = run_playbook([task("delete", ids=ids + [888888])], sim=simulator)
    assert run.rc == 0, run.output
    result = run.result("delete")
    assert result["changed"] is True
    assert result["deleted"] == ids and result["missing"] == [888888] and result["conflicts"] == []
    assert [r["Id"] for r in result["device_infos"]] == ids
    assert not set(ids) & set(simulator.device_infos)
    assert [e["operation"] for e in xapi_requests(simulator)] == ["ListDeviceInfo"] + ["DeleteDeviceInfo"] * 5


def test_filter_check_mode_then_real_then_idempotent(etag_simulator, run_playbook):
    sim = etag_simulator
    expected = unassigned_ids(sim)
    store = {i: dict(r) for i, r in sim.device_infos.items()}

    dry = run_playbook([task("delete", filter=UNASSIGNED)], sim=sim, check=True, diff=True)
    assert dry.rc == 0, dry.output
    assert dry.result("delete")["changed"] is True and sorted(dry.result("delete")["deleted"]) == expected
    assert sim.device_infos == store
    assert xapi_requests(sim, "DELETE") == []
    assert "-DeviceInfo %d: " % expected[0] in dry.stdout  # --diff lists the phones that would go

    real = run_playbook([task("delete", filter=UNASSIGNED)], sim=sim)
    assert real.rc == 0, real.output
    assert sorted(real.result("delete")["deleted"]) == expected
    assert set(sim.device_infos) == set(store) - set(expected)

    sim.clear_requests()
    again = run_playbook([task("delete", filter=UNASSIGNED)], sim=sim)
    assert again.rc == 0, again.output
    assert again.result("delete")["changed"] is False and again.result("delete")["deleted"] == []
    assert xapi_requests(sim, "DELETE") == []


@pytest.mark.parametrize("diff", [False, True])
def test_return_records_false_returns_ids_only(simulator, run_playbook, diff):
    expected = unassigned_ids(simulator)
    dry = run_playbook([task("delete", filter=UNASSIGNED, return_records=False)], sim=simulator, check=True, diff=diff)
    assert dry.rc == 0, dry.output
    result = dry.result("delete")
    assert result["deleted"] == expected and "device_infos" not in result
    # --diff still lists the phones that would go; without it, the check lists the Ids and reads nothing more.
    assert ("-DeviceInfo %d: " % expected[0] in dry.stdout) is diff
    lists = xapi_requests(simulator, "GET", "ListDeviceInfo")
    assert len(lists) == -(-len(expected) // 100) + (-(-len(expected) // 50) if diff else 0)
    assert xapi_requests(simulator, "DELETE") == []


def test_max_deletes_exceeded_deletes_nothing(simulator, run_playbook):
    count = len(simulator.device_infos)
    run = run_playbook([task("delete", filter=UNASSIGNED, max_deletes=2)], sim=simulator)
    assert run.rc == 2 and run.status("delete") == "failed"
    assert "more than max_deletes (2)" in run.result("delete")["msg"]
    assert len(simulator.device_infos) == count
    assert xapi_requests(simulator, "DELETE") == []


def test_max_deletes_counts_the_ids_that_exist(simulator, run_playbook):
    ids = sorted(simulator.device_infos)[:3]
    run = run_playbook([task("delete", ids=ids + [888888, 888889], max_deletes=3, return_records=False)], sim=simulator)
    assert run.rc == 0, run.output
    assert run.result("delete")["deleted"] == ids and run.result("delete")["missing"] == [888888, 888889]
    # First which of the 5 Ids exist (Ids only), then the read of the 3 before their DELETEs.
    assert [e["operation"] for e in xapi_requests(simulator)] == ["ListDeviceInfo"] * 2 + ["DeleteDeviceInfo"] * 3

    simulator.clear_requests()
    more = sorted(simulator.device_infos)[:4]
    run = run_playbook([task("delete", ids=more, max_deletes=3)], sim=simulator)
    assert run.rc == 2 and "4 DeviceInfos match, more than max_deletes (3)" in run.result("delete")["msg"]
    assert xapi_requests(simulator, "DELETE") == [] and set(more) <= set(simulator.device_infos)


def test_an_empty_ids_list_passes_without_change(simulator, run_playbook):
    run = run_playbook([task("delete", ids=[])], sim=simulator)
    assert run.rc == 0, run.output
    assert run.result("delete")["changed"] is False
    assert simulator.requests == []


@pytest.mark.parametrize("fail_on_conflict", [False, True])
def test_a_record_assigned_between_read_and_delete_is_kept(etag_simulator, run_playbook, fail_on_conflict):
    sim = etag_simulator
    expected = unassigned_ids(sim)
    victim = expected[len(expected) // 2]
    sim.schedule_change(victim, "ListDeviceInfo", Assigned=True, AssignedUser="101 John Smith")  # after the first list request
    run = run_playbook([task("delete", filter=UNASSIGNED, fail_on_conflict=fail_on_conflict)], sim=sim)
    result = run.result("delete")
    assert result["conflicts"] == [victim]
    assert victim in sim.device_infos and sim.device_infos[victim]["Assigned"] is True
    assert result["deleted"] == [i for i in expected if i != victim]
    assert run.status("delete") == ("failed" if fail_on_conflict else "ok")
    if fail_on_conflict:
        assert "left in place" in result["msg"] and str(victim) in result["msg"]
    # Its read before the DELETEs found it changed, with or without ETags: no DELETE was sent for it.
    assert not [e for e in xapi_requests(sim, "DELETE") if e["path"].endswith("(%d)" % victim)]


def test_a_record_changed_after_its_read_is_refused_with_etags_and_missed_without(etag_simulator, run_playbook):
    sim = etag_simulator
    expected = unassigned_ids(sim)
    victim = expected[-1]
    # The change comes with the answer to the read of the victim's 50: after the pages of Ids (100 a page) and
    # the reads of the 50s before it.
    lists_up_to_its_read = -(-len(expected) // 100) + (len(expected) - 1) // 50 + 1
    sim.schedule_change(victim, "ListDeviceInfo", after_count=lists_up_to_its_read, Assigned=True, AssignedUser="101 John Smith")
    run = run_playbook([task("delete", filter=UNASSIGNED, return_records=False)], sim=sim)
    result = run.result("delete")
    deletes_of_victim = [e for e in xapi_requests(sim, "DELETE") if e["path"].endswith("(%d)" % victim)]
    assert len(deletes_of_victim) == 1 and bool(deletes_of_victim[0]["if_match"]) is sim.etag_mode
    if sim.etag_mode:
        assert result["conflicts"] == [victim] and deletes_of_victim[0]["status"] == 412 and victim in sim.device_infos
    else:  # the documented window: without ETags a change after the read is not seen
        assert result["deleted"][-1] == victim and deletes_of_victim[0]["status"] == 204
    assert "device_infos" not in result


def test_a_filter_the_pbx_rejects_fails_with_its_message(simulator, run_playbook):
    run = run_playbook([task("delete", filter="Colour eq 'red'")], sim=simulator)
    assert run.rc == 2
    msg = run.result("delete")["msg"]
    assert msg.startswith("The PBX rejected filter") and "Colour" in msg and "HTTP 400" in msg
    assert "Traceback" not in run.output


def test_info_module_lists_and_never_changes(simulator, run_playbook):
    expected = unassigned_ids(simulator)
    tasks = [task("list", module="threecx.pbx.device_info_info", filter=UNASSIGNED, select=["Id", "MAC"]),
             task("one", module="threecx.pbx.device_info_info", id=expected[0])]
    for check in (False, True):
        simulator.clear_requests()
        run = run_playbook(tasks, sim=simulator, check=check)
        assert run.rc == 0, run.output
        listed = run.result("list")
        assert listed["changed"] is False and listed["count"] == len(expected)
        assert [r["Id"] for r in listed["device_infos"]] == expected
        assert run.result("one")["device_infos"][0]["Id"] == expected[0]
        assert {e["method"] for e in xapi_requests(simulator)} == {"GET"}
        assert len(token_requests(simulator)) == (0 if check else 1)  # every task run shares the cached token
