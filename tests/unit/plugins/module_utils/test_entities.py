# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading selections and deleting them safely, against the XAPI simulator in-process."""

import threading
import time

import pytest
import responses
from xapi_simulator import Simulator

from ansible_collections.threecx.pbx.plugins.module_utils._client import XapiClient, XapiError, XapiNotFoundError
from ansible_collections.threecx.pbx.plugins.module_utils._entities import (
    CHUNK_SIZE,
    DEVICE_INFOS,
    BatchInterrupted,
    delete_records,
    read_by_ids,
    read_matching,
)

CLIENT_ID, SECRET = "unit", "unit-secret-0123456789"


@pytest.fixture(params=[False, True], ids=["no-etags", "etags"])
def sim(request):
    with Simulator(clients={CLIENT_ID: SECRET}, records=240, etag_mode=request.param) as simulator:
        yield simulator
    assert simulator.violations == []


@pytest.fixture
def client(sim):
    return XapiClient(sim.url, CLIENT_ID, SECRET)


def api_calls(sim, operation=None):
    return [e for e in sim.requests if e["operation"] != "token" and operation in (None, e["operation"])]


def test_read_by_ids_in_chunks_keeps_order_and_reports_missing(sim, client):
    existing = sorted(sim.device_infos)[:120]
    wanted = [existing[5], 999999, existing[0]] + existing[1:] + [existing[0]]
    records, missing = read_by_ids(client, DEVICE_INFOS, wanted)
    assert [r["Id"] for r in records] == [existing[5], existing[0]] + [i for i in existing[1:] if i != existing[5]]
    assert missing == [999999]
    assert records[1]["MAC"] == sim.device_infos[existing[0]]["MAC"]
    assert len(api_calls(sim, "ListDeviceInfo")) == 3  # 121 distinct ids, 50 per query


def test_read_matching_reads_every_page(sim, client):
    records = read_matching(client, DEVICE_INFOS, "Assigned eq false")
    expected = sorted(i for i, r in sim.device_infos.items() if r["Assigned"] is False)
    assert sorted(r["Id"] for r in records) == expected and len(expected) > 100
    assert len(api_calls(sim)) == -(-len(expected) // 100)


def test_deletes_with_about_one_request_per_record(sim, client):
    records = read_matching(client, DEVICE_INFOS, "Assigned eq false")
    sim.clear_requests()
    outcome = delete_records(client, DEVICE_INFOS, records, selection="Assigned eq false")
    assert sorted(outcome.deleted) == sorted(r["Id"] for r in records)
    assert outcome.missing == [] and outcome.conflicts == []
    assert not any(r["Assigned"] is False for r in sim.device_infos.values())
    deletes = api_calls(sim, "DeleteDeviceInfo")
    assert len(deletes) == len(records)
    rechecks = api_calls(sim, "ListDeviceInfo")
    assert len(rechecks) == (0 if sim.etag_mode else -(-len(records) // CHUNK_SIZE))
    assert all(e["if_match"] for e in deletes) is sim.etag_mode


def test_a_record_changed_after_the_read_is_left_in_place(sim, client):
    records = read_matching(client, DEVICE_INFOS, "Assigned eq false")
    changed_id, vanished_id = records[3]["Id"], records[60]["Id"]
    sim.modify_device_info(changed_id, Assigned=True, AssignedUser="101 John Smith")
    del sim.device_infos[vanished_id]
    outcome = delete_records(client, DEVICE_INFOS, records, selection="Assigned eq false")
    assert outcome.conflicts == [changed_id]
    assert outcome.missing == [vanished_id]
    assert changed_id in sim.device_infos
    assert set(outcome.deleted) == {r["Id"] for r in records} - {changed_id, vanished_id}
    assert {e["status"] for e in api_calls(sim, "DeleteDeviceInfo")} == ({204, 404, 412} if sim.etag_mode else {204})


def test_ids_without_a_selection_are_not_checked_again(sim, client):
    records, dummy = read_by_ids(client, DEVICE_INFOS, sorted(sim.device_infos)[:10])
    sim.clear_requests()
    outcome = delete_records(client, DEVICE_INFOS, records)
    assert len(outcome.deleted) == 10
    assert [e["operation"] for e in api_calls(sim)] == ["DeleteDeviceInfo"] * 10


@responses.activate
def test_an_error_stops_the_batch_and_says_what_was_and_was_not_deleted():
    base = "https://pbx.example.com"
    responses.add("POST", base + "/connect/token", json={"access_token": "t", "expires_in": 3600})
    for record_id, status in ((1, 204), (2, 204), (3, 503)):
        responses.add("DELETE", base + "/xapi/v1/DeviceInfos(%d)" % record_id, status=status)
    records = [{"Id": i} for i in (1, 2, 3, 4)]
    with pytest.raises(BatchInterrupted) as info:
        delete_records(XapiClient(base, "a", "b"), DEVICE_INFOS, records)
    assert info.value.outcome.deleted == [1, 2]
    assert info.value.not_deleted == [3, 4]
    assert "HTTP 503" in info.value.message


class SlowClient:
    """A stand-in client whose DELETEs take longer the lower the Id, so that with several in flight the answers
    come back in the reverse order; it counts the DELETEs in flight and fails the ids it is told to."""

    def __init__(self, failing=(), missing=()):
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.started = []
        self.failed = False
        self.started_after_failure = 0
        self.failing = set(failing)
        self.missing = set(missing)

    def delete(self, path, operation, etag=None):
        record_id = int(path.split("(")[1].rstrip(")"))
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.started.append(record_id)
            self.started_after_failure += self.failed
        try:
            time.sleep(0.002 * (10 - record_id % 10))
            if record_id in self.failing:
                self.failed = True
                raise XapiError("DeleteDeviceInfo failed: HTTP 500", status=500, operation=operation)
            if record_id in self.missing:
                raise XapiNotFoundError("DeleteDeviceInfo failed: HTTP 404", status=404, operation=operation)
        finally:
            with self.lock:
                self.in_flight -= 1


@pytest.mark.parametrize("parallelism", [1, 4])
def test_parallel_deletes_are_bounded_and_reported_in_the_order_read(parallelism):
    fake = SlowClient(missing={7})
    records = [{"Id": i} for i in range(1, 121)]
    outcome = delete_records(fake, DEVICE_INFOS, records, parallelism=parallelism)
    assert outcome.deleted == [i for i in range(1, 121) if i != 7] and outcome.missing == [7]
    assert fake.most_in_flight == parallelism


def test_after_a_failure_no_new_delete_starts_and_those_in_flight_count():
    fake = SlowClient(failing={5})
    records = [{"Id": i} for i in range(1, 41)]
    with pytest.raises(BatchInterrupted) as info:
        delete_records(fake, DEVICE_INFOS, records, parallelism=4)
    deleted = info.value.outcome.deleted
    assert deleted[:4] == [1, 2, 3, 4] and 5 not in deleted and "HTTP 500" in info.value.message
    # Every DELETE that started was deleted but 5; none started once the failure was seen (the other three workers
    # may each have been starting one at that very moment).
    assert sorted(deleted + [5]) == sorted(fake.started) and len(fake.started) < 40
    assert fake.started_after_failure <= 3
    assert info.value.not_deleted == [i for i in range(1, 41) if i not in deleted]
