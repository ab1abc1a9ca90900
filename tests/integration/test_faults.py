# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Faults a real PBX and its proxies produce, injected into the simulator, met by ansible-playbook runs."""

import pytest

from .helpers import running_simulator, token_requests, xapi_requests

FAST_RETRIES = {"retry_max_delay": 0.2}


def delete(name="delete", **options):
    return {"name": name, "threecx.pbx.device_info": dict(FAST_RETRIES, **options)}


def unassigned_ids(sim):
    return sorted(i for i, r in sim.device_infos.items() if r["Assigned"] is False)


def test_429_and_503_bursts_are_retried_honouring_a_capped_retry_after(simulator, run_playbook):
    ids = sorted(simulator.device_infos)[:4]
    simulator.fail_next(2, status=503, retry_after=30, operation="DeleteDeviceInfo")
    simulator.fail_next(1, status=429, retry_after=30, operation="ListDeviceInfo")
    run = run_playbook([delete(ids=ids)], sim=simulator)
    assert run.rc == 0, run.output
    result = run.result("delete")
    assert result["deleted"] == ids and result["retry_count"] == 3
    assert not set(ids) & set(simulator.device_infos)
    statuses = [e["status"] for e in xapi_requests(simulator)]
    assert statuses == [429, 200, 503, 503, 204, 204, 204, 204]


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_errors_are_retried_for_gets_and_deletes(simulator, run_playbook, status):
    record_id = sorted(simulator.device_infos)[0]
    simulator.fail_next(1, status=status, operation="GetDeviceInfo")
    simulator.fail_next(1, status=status, operation="DeleteDeviceInfo")
    run = run_playbook([delete(id=record_id)], sim=simulator)
    assert run.rc == 0, run.output
    assert run.result("delete")["changed"] is True and run.result("delete")["retry_count"] == 2
    assert record_id not in simulator.device_infos


def test_a_post_action_is_not_repeated_when_it_may_have_acted(simulator, run_playbook):
    device_id = unassigned_ids(simulator)[0]
    simulator.fail_next(1, status=502, operation="Provision")
    run = run_playbook([{"name": "provision", "threecx.pbx.device_info": dict(
        FAST_RETRIES, id=device_id, state="provisioned", user="101")}], sim=simulator)
    assert run.rc == 2
    assert "HTTP 502" in run.result("provision")["msg"]
    assert len(xapi_requests(simulator, "POST")) == 1


def test_a_post_action_is_repeated_after_503(simulator, run_playbook):
    device_id = unassigned_ids(simulator)[0]
    simulator.fail_next(1, status=503, operation="Provision")
    run = run_playbook([{"name": "provision", "threecx.pbx.device_info": dict(
        FAST_RETRIES, id=device_id, state="provisioned", user="101")}], sim=simulator)
    assert run.rc == 0, run.output
    assert [e["status"] for e in xapi_requests(simulator, "POST")] == [503, 204]
    assert simulator.device_infos[device_id]["Assigned"] is True


def test_a_token_request_is_retried_after_503_but_never_after_401(simulator, run_playbook):
    simulator.fail_next(1, status=503, operation="token")
    run = run_playbook([delete(id=999999)], sim=simulator)
    assert run.rc == 0, run.output
    assert [e["status"] for e in token_requests(simulator)] == [503, 200]


def test_a_read_timeout_is_retried(simulator, run_playbook):
    record_id = sorted(simulator.device_infos)[0]
    simulator.delay_next(1, seconds=3, operation="GetDeviceInfo")
    run = run_playbook([delete(id=record_id, timeout=1)], sim=simulator)
    assert run.rc == 0, run.output
    assert run.result("delete")["changed"] is True and run.result("delete")["retry_count"] == 1


def test_a_delete_whose_reply_was_lost_counts_as_deleted(simulator, run_playbook):
    ids = sorted(simulator.device_infos)[:3]
    simulator.reset_next(1, after_processing=True, operation="DeleteDeviceInfo")
    run = run_playbook([delete(ids=ids)], sim=simulator)
    assert run.rc == 0, run.output
    result = run.result("delete")
    assert result["deleted"] == ids and result["missing"] == [] and result["retry_count"] == 1
    reset, = [e for e in xapi_requests(simulator, "DELETE") if e["fault"] == "reset"]
    # The DELETEs of that record: the first was processed but its reply lost, the one repeated found it gone.
    same_record = [e for e in xapi_requests(simulator, "DELETE") if e["path"] == reset["path"]]
    assert [(e["fault"], e["status"]) for e in same_record] == [("reset", 204), (None, 404)]


def test_a_superseded_token_is_renewed_once_mid_batch(simulator, run_playbook):
    ids = sorted(simulator.device_infos)[:6]
    simulator.after_requests(3, simulator.revoke_tokens, operation="DeleteDeviceInfo")
    run = run_playbook([delete(ids=ids)], sim=simulator)
    assert run.rc == 0, run.output
    assert run.result("delete")["deleted"] == ids
    assert len(token_requests(simulator)) == 2


@pytest.mark.parametrize("parallelism", [1, 4])
def test_a_pbx_that_stops_answering_half_way_loses_nothing(simulator, run_playbook, parallelism):
    ids = sorted(simulator.device_infos)[:10]
    simulator.after_requests(4, simulator.down, operation="DeleteDeviceInfo")
    run = run_playbook([delete(ids=ids, retries=1, parallelism=parallelism)], sim=simulator)
    assert run.rc == 2
    result = run.result("delete")
    deleted, not_deleted = result["deleted"], result["not_deleted"]
    if parallelism == 1:
        assert deleted == ids[:4] and not_deleted == ids[4:]
    else:
        # DELETEs already in flight when the PBX went down may have been answered; none starts after the failure.
        assert 4 <= len(deleted) <= 4 + parallelism
    assert sorted(deleted + not_deleted) == ids and deleted == sorted(deleted) and not_deleted == sorted(not_deleted)
    assert "Stopped after deleting %d of 10" % len(deleted) in result["msg"] and "not_deleted" in result["msg"]
    assert set(not_deleted) <= set(simulator.device_infos) and not set(deleted) & set(simulator.device_infos)

    simulator.up()
    simulator.clear_requests()
    rerun = run_playbook([delete(ids=ids)], sim=simulator)
    assert rerun.rc == 0, rerun.output
    assert rerun.result("delete")["deleted"] == not_deleted and rerun.result("delete")["missing"] == deleted
    assert sorted(e["path"] for e in xapi_requests(simulator, "DELETE")) == sorted(
        "/xapi/v1/DeviceInfos(%d)" % i for i in not_deleted)


def test_a_thousand_record_cleanup_under_faults_ends_as_without_them(run_playbook):
    filter_ = "Id le 1000"
    with running_simulator(seed=9, records=1000) as calm, running_simulator(seed=9, records=1000) as stormy:
        for every in range(100, 1000, 150):
            stormy.after_requests(every, lambda: stormy.fail_next(3, status=503, retry_after=1), operation="DeleteDeviceInfo")
            stormy.after_requests(every + 40, lambda: stormy.reset_next(1, after_processing=True), operation="DeleteDeviceInfo")
            stormy.after_requests(every + 80, lambda: stormy.delay_next(1, seconds=1.5, after_processing=True),
                                  operation="DeleteDeviceInfo")
        stormy.fail_next(2, status=429, retry_after=1, operation="ListDeviceInfo")
        results = {}
        # One at a time without faults, four at a time (the default) through them: the same outcome, in the same order.
        for name, sim, parallelism in (("calm", calm, 1), ("stormy", stormy, 4)):
            run = run_playbook([delete(filter=filter_, max_deletes=1000, timeout=1, parallelism=parallelism)], sim=sim)
            assert run.rc == 0, run.output
            results[name] = run.result("delete")
        assert calm.device_infos == stormy.device_infos == {}
        assert results["calm"]["deleted"] == results["stormy"]["deleted"] == list(range(1, 1001))
        assert results["stormy"]["missing"] == [] and results["stormy"]["retry_count"] > 0
        processed = [e for e in xapi_requests(stormy, "DELETE") if e["status"] == 204]
        assert len(processed) == len(results["stormy"]["deleted"])
