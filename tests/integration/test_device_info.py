# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""threecx.pbx.device_info through ansible-playbook against the XAPI simulator."""

import pytest

from .helpers import CLIENT_ID, SECRET, read_over_http, token_requests, xapi_requests


def delete_task(record_id, name="delete", **options):
    return {"name": name, "threecx.pbx.device_info": dict({"id": record_id, "state": "absent"}, **options),
            "register": "outcome"}


def some_id(sim):
    return sorted(sim.device_infos)[3]


def test_deletes_the_record_then_is_idempotent(etag_simulator, run_playbook):
    sim = etag_simulator
    record_id = some_id(sim)
    before = dict(sim.device_infos[record_id])

    first = run_playbook([delete_task(record_id)], sim=sim)
    assert first.rc == 0, first.output
    result = first.result("delete")
    assert result["changed"] is True
    assert result["device_info"]["Id"] == record_id
    assert result["device_info"]["MAC"] == before["MAC"]
    assert record_id not in sim.device_infos
    assert [(e["method"], e["operation"]) for e in sim.requests] == [
        ("POST", "token"), ("GET", "GetDeviceInfo"), ("DELETE", "DeleteDeviceInfo")]
    delete, = xapi_requests(sim, "DELETE")
    assert delete["path"] == "/xapi/v1/DeviceInfos(%d)" % record_id
    assert delete["status"] == 204
    if sim.etag_mode:
        assert delete["if_match"] == result["device_info"]["@odata.etag"]
    else:
        assert delete["if_match"] is None and "@odata.etag" not in result["device_info"]

    sim.clear_requests()
    second = run_playbook([delete_task(record_id)], sim=sim)
    assert second.rc == 0, second.output
    assert second.result("delete")["changed"] is False
    assert second.result("delete")["device_info"] == {}
    assert xapi_requests(sim, "DELETE") == []
    assert [e["status"] for e in xapi_requests(sim, "GET")] == [404]


def test_check_mode_reads_only(etag_simulator, run_playbook):
    sim = etag_simulator
    record_id = some_id(sim)
    store_before = {key: dict(value) for key, value in sim.device_infos.items()}

    run = run_playbook([delete_task(record_id)], sim=sim, check=True, diff=True)
    assert run.rc == 0, run.output
    result = run.result("delete")
    assert result["changed"] is True
    assert result["device_info"]["Id"] == record_id
    assert result["diff"]["before"]["Id"] == record_id and result["diff"]["after"] == {}
    assert sim.device_infos == store_before
    assert {e["method"] for e in sim.requests} == {"POST", "GET"}
    assert xapi_requests(sim, "DELETE") == []


def test_check_mode_on_a_missing_record_reports_no_change(simulator, run_playbook):
    run = run_playbook([delete_task(999999)], sim=simulator, check=True)
    assert run.rc == 0, run.output
    assert run.result("delete")["changed"] is False
    assert xapi_requests(simulator, "DELETE") == []


def test_diff_shows_the_record_that_goes(simulator, run_playbook):
    record_id = some_id(simulator)
    mac = simulator.device_infos[record_id]["MAC"]
    run = run_playbook([delete_task(record_id)], sim=simulator, diff=True)
    assert run.rc == 0, run.output
    diff = run.result("delete")["diff"]
    assert diff["before"]["MAC"] == mac and diff["after"] == {}
    assert mac in run.stdout  # the --diff output shows the record
    assert record_id not in simulator.device_infos


def test_missing_record_is_ok_and_unchanged(simulator, run_playbook):
    count = len(simulator.device_infos)
    run = run_playbook([delete_task(424242)], sim=simulator)
    assert run.rc == 0, run.output
    result = run.result("delete")
    assert result["changed"] is False and result["device_info"] == {}
    assert "does not exist" in result["msg"]
    assert len(simulator.device_infos) == count
    assert [e["status"] for e in xapi_requests(simulator)] == [404]


@pytest.mark.parametrize("simulator_options", [{"etag_mode": True}])
def test_stale_if_match_fails_and_keeps_the_record(simulator, run_playbook):
    record_id = some_id(simulator)
    stale_etag = read_over_http(simulator, record_id)["@odata.etag"]
    simulator.modify_device_info(record_id, FirmwareVersion="9.9.9")
    simulator.clear_requests()

    run = run_playbook([delete_task(record_id, if_match=stale_etag)], sim=simulator)
    assert run.rc == 2
    result = run.result("delete")
    assert run.status("delete") == "failed" and result["changed"] is False
    assert "DeviceInfo %d was not deleted" % record_id in result["msg"]
    assert "changed since ETag" in result["msg"] and stale_etag in result["msg"]
    assert record_id in simulator.device_infos
    assert [e["status"] for e in xapi_requests(simulator, "DELETE")] == [412]


def test_if_match_is_passed_through_when_the_pbx_sends_no_etags(simulator, run_playbook):
    record_id = some_id(simulator)
    run = run_playbook([delete_task(record_id, if_match='W/"user-etag"')], sim=simulator)
    assert run.rc == 0, run.output
    assert xapi_requests(simulator, "DELETE")[0]["if_match"] == 'W/"user-etag"'
    assert record_id not in simulator.device_infos


@pytest.mark.parametrize("env", [
    {"THREECX_CLIENT_SECRET": "wrong-secret"},
    {"THREECX_CLIENT_ID": "no-such-client"},
], ids=["wrong-secret", "unknown-client"])
def test_bad_credentials_fail_clearly_without_leaking(simulator, run_playbook, env):
    count = len(simulator.device_infos)
    run = run_playbook([delete_task(some_id(simulator))], sim=simulator, env=env, verbosity=4)
    assert run.rc == 2
    result = run.result("delete")
    assert "client_id" in result["msg"] and "client_secret" in result["msg"]
    assert "HTTP 401" in result["msg"] and "/connect/token" in result["msg"]
    assert "Traceback" not in run.output
    assert env.get("THREECX_CLIENT_SECRET", SECRET) not in run.output
    assert len(token_requests(simulator)) == 1  # a refused token request is never retried
    assert xapi_requests(simulator) == []
    assert len(simulator.device_infos) == count


def test_secret_and_tokens_never_appear_in_output(simulator, run_playbook):
    record_id = some_id(simulator)
    tasks = [
        delete_task(record_id, name="delete with the secret as a task option", client_secret=SECRET),
        delete_task(record_id, name="delete again", api_key=SECRET),
    ]
    run = run_playbook(tasks, sim=simulator, diff=True, verbosity=4)
    assert run.rc == 0, run.output
    assert simulator.issued_tokens
    for secret in [SECRET] + simulator.issued_tokens:
        assert secret not in run.output
        assert secret not in str(run.results)
    invocation = run.result("delete with the secret as a task option")["invocation"]["module_args"]
    assert invocation["client_secret"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


@pytest.mark.parametrize("bad_id, message", [
    ("not-a-number", "id"),
    (2147483648, "32-bit"),
    (-2147483649, "32-bit"),
])
def test_bad_id_fails_before_any_request(simulator, run_playbook, bad_id, message):
    run = run_playbook([delete_task(bad_id)], sim=simulator)
    assert run.rc == 2
    assert message in run.result("delete")["msg"]
    assert simulator.requests == []


def test_missing_url_fails_before_any_request(simulator, run_playbook):
    run = run_playbook([delete_task(1)], sim=simulator, env={"THREECX_URL": ""})
    assert run.rc == 2
    msg = run.result("delete")["msg"]
    assert "url" in msg and "THREECX_URL" in msg
    assert simulator.requests == []


def test_connection_through_module_defaults_group(simulator, run_playbook):
    record_id = some_id(simulator)
    play = {"module_defaults": {"group/threecx.pbx.all": {
        "url": simulator.url, "client_id": CLIENT_ID, "client_secret": SECRET}}}
    run = run_playbook([delete_task(record_id)], play=play)
    assert run.rc == 0, run.output
    assert run.result("delete")["changed"] is True
    assert record_id not in simulator.device_infos


@pytest.mark.parametrize("simulator_options", [{"expires_in_unit": "minutes"}, {"expires_in_unit": "seconds"}],
                         ids=["minutes", "seconds"])
def test_works_whatever_the_unit_of_expires_in(simulator, run_playbook):
    ids = sorted(simulator.device_infos)[:3]
    run = run_playbook([delete_task(record_id, name="delete %d" % record_id) for record_id in ids], sim=simulator)
    assert run.rc == 0, run.output
    assert not set(ids) & set(simulator.device_infos)
