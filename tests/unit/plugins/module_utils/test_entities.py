# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Listing selections and deleting them safely, against the XAPI simulator in-process and a stand-in client."""

import re
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
    delete_selected,
    existing_ids,
    ids_matching,
)

CLIENT_ID, SECRET = "unit", "unit-secret-0123456789"
UNASSIGNED = "Assigned eq false"


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


def unassigned(sim):
    return sorted(i for i, r in sim.device_infos.items() if r["Assigned"] is False)


def test_existing_ids_in_chunks_keeps_order_and_drops_the_missing(sim, client):
    existing = sorted(sim.device_infos)[:120]
    wanted = [existing[5], 999999, existing[0]] + existing[1:] + [existing[0]]
    assert existing_ids(client, DEVICE_INFOS, wanted) == [existing[5], existing[0]] + [i for i in existing[1:] if i != existing[5]]
    assert len(api_calls(sim, "ListDeviceInfo")) == 3  # 121 distinct ids, 50 per query
    assert all(e["query"]["$select"] == "Id" for e in api_calls(sim))


def test_ids_matching_lists_only_ids_on_every_page(sim, client):
    expected = unassigned(sim)
    assert sorted(ids_matching(client, DEVICE_INFOS, UNASSIGNED)) == expected and len(expected) > 100
    assert len(api_calls(sim)) == -(-len(expected) // 100)


def test_deletes_with_about_one_request_per_record(sim, client):
    ids = ids_matching(client, DEVICE_INFOS, UNASSIGNED)
    sim.clear_requests()
    outcome = delete_selected(client, DEVICE_INFOS, ids, selection=UNASSIGNED, parallelism=4)
    assert outcome.deleted == ids and outcome.missing == outcome.conflicts == outcome.not_deleted == []
    assert outcome.records == []  # not kept unless asked for
    assert not any(r["Assigned"] is False for r in sim.device_infos.values())
    deletes = api_calls(sim, "DeleteDeviceInfo")
    assert len(deletes) == len(ids)
    assert len(api_calls(sim, "ListDeviceInfo")) == -(-len(ids) // CHUNK_SIZE)
    assert all(e["if_match"] for e in deletes) is sim.etag_mode


def test_a_record_changed_after_the_listing_is_left_in_place(sim, client):
    ids = ids_matching(client, DEVICE_INFOS, UNASSIGNED)
    changed_id, vanished_id = ids[3], ids[60]
    sim.modify_device_info(changed_id, Assigned=True, AssignedUser="101 John Smith")
    del sim.device_infos[vanished_id]
    outcome = delete_selected(client, DEVICE_INFOS, ids, selection=UNASSIGNED, parallelism=4, keep_records=True)
    assert outcome.conflicts == [changed_id] and outcome.missing == [vanished_id]
    assert changed_id in sim.device_infos
    assert outcome.deleted == [i for i in ids if i not in (changed_id, vanished_id)]
    assert [r["Id"] for r in outcome.records] == outcome.deleted
    assert {e["status"] for e in api_calls(sim, "DeleteDeviceInfo")} == {204}


def test_a_record_changed_between_its_read_and_its_delete(sim, client):
    """The documented window: with ETags the PBX refuses the DELETE (a conflict); without, the change is not seen."""
    ids = ids_matching(client, DEVICE_INFOS, UNASSIGNED)
    victim = ids[CHUNK_SIZE + 7]  # in the second chunk
    sim.schedule_change(victim, "ListDeviceInfo", after_count=2, Assigned=True, AssignedUser="101 John Smith")
    outcome = delete_selected(client, DEVICE_INFOS, ids, selection=UNASSIGNED)
    victim_deletes = [e["status"] for e in api_calls(sim, "DeleteDeviceInfo") if e["path"].endswith("(%d)" % victim)]
    if sim.etag_mode:
        assert outcome.conflicts == [victim] and victim_deletes == [412] and victim in sim.device_infos
    else:
        assert victim in outcome.deleted and victim_deletes == [204]


def test_ids_without_a_selection_are_read_once(sim, client):
    ids = sorted(sim.device_infos)[:10] + [999999]
    macs = [sim.device_infos[i]["MAC"] for i in ids[:10]]
    outcome = delete_selected(client, DEVICE_INFOS, ids, keep_records=True)
    assert outcome.deleted == ids[:10] and outcome.missing == [999999]
    assert [r["MAC"] for r in outcome.records] == macs
    assert [e["operation"] for e in api_calls(sim)] == ["ListDeviceInfo"] + ["DeleteDeviceInfo"] * 10


def test_a_dry_run_reads_and_deletes_nothing(sim, client):
    ids = sorted(sim.device_infos)[:60] + [999999]
    outcome = delete_selected(client, DEVICE_INFOS, ids, parallelism=4, dry_run=True)
    assert outcome.deleted == ids[:60] and outcome.missing == [999999]
    assert {e["method"] for e in sim.requests if e["operation"] != "token"} == {"GET"}
    assert len(sim.device_infos) == 240


def test_a_dry_run_of_a_selection_without_records_to_keep_reads_nothing_more(sim, client):
    ids = ids_matching(client, DEVICE_INFOS, UNASSIGNED)
    sim.clear_requests()
    outcome = delete_selected(client, DEVICE_INFOS, ids + ids[:3], selection=UNASSIGNED, dry_run=True)
    assert outcome.deleted == ids and outcome.records == [] and sim.requests == []


def test_records_already_read_are_deleted_with_their_etag(sim, client):
    record = client.get(DEVICE_INFOS.key_path(sorted(sim.device_infos)[0]), "GetDeviceInfo").data
    outcome = delete_records(client, DEVICE_INFOS, [record])
    assert outcome.deleted == [record["Id"]] and record["Id"] not in sim.device_infos
    assert [e["if_match"] for e in api_calls(sim, "DeleteDeviceInfo")] == [record.get("@odata.etag")]
    assert sim.etag_mode is ("@odata.etag" in record)


@responses.activate
def test_an_error_stops_the_batch_and_says_what_was_and_was_not_deleted():
    base = "https://pbx.example.com"
    responses.add("POST", base + "/connect/token", json={"access_token": "t", "expires_in": 3600})
    responses.add("GET", base + "/xapi/v1/DeviceInfos", json={"value": [{"Id": i} for i in (1, 2, 3, 4)], "@odata.count": 4})
    for record_id, status in ((1, 204), (2, 204), (3, 503)):
        responses.add("DELETE", base + "/xapi/v1/DeviceInfos(%d)" % record_id, status=status)
    with pytest.raises(BatchInterrupted) as info:
        delete_selected(XapiClient(base, "a", "b", retries=0), DEVICE_INFOS, [1, 2, 3, 4, 5])
    outcome = info.value.outcome
    assert outcome.deleted == [1, 2] and outcome.missing == [5] and outcome.not_deleted == [3, 4]
    assert "HTTP 503" in info.value.message


class SlowClient:
    """A stand-in client whose DELETEs take longer the lower the Id, so that with several in flight the answers
    come back in the reverse order. Its list queries find the Ids of their filter but ``absent``; it fails the
    DELETEs of ``failing``, answers 404 to those of ``missing``, and notes, at each list query, how many DELETEs
    have finished and how many are in flight."""

    def __init__(self, failing=(), missing=(), absent=()):
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.finished = 0
        self.started = []
        self.reads = []
        self.failed = False
        self.started_after_failure = 0
        self.failing = set(failing)
        self.missing = set(missing)
        self.absent = set(absent)

    def iter_collection(self, path, operation, params):
        with self.lock:
            self.reads.append((self.finished, self.in_flight))
        ids = [int(i) for i in re.findall(r"Id eq (\d+)", params["$filter"])]
        return iter([{"Id": i} for i in ids if i not in self.absent])

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
                self.finished += 1


@pytest.mark.parametrize("parallelism", [1, 4])
def test_parallel_deletes_are_bounded_and_reported_in_the_order_read(parallelism):
    fake = SlowClient(missing={7, 130}, absent={3, 140})
    outcome = delete_selected(fake, DEVICE_INFOS, list(range(1, 201)), parallelism=parallelism)
    assert outcome.deleted == [i for i in range(1, 201) if i not in (3, 7, 130, 140)]
    assert outcome.missing == [3, 7, 130, 140]  # gone at the read or at the DELETE, in the order of the ids
    assert fake.most_in_flight == parallelism


@pytest.mark.parametrize("parallelism", [1, 4])
def test_the_next_chunk_is_read_while_deletes_are_in_flight_and_few_are_queued(parallelism):
    fake = SlowClient()
    delete_selected(fake, DEVICE_INFOS, list(range(1, 201)), parallelism=parallelism)
    assert len(fake.reads) == 200 // CHUNK_SIZE
    for chunk, (finished, in_flight) in enumerate(fake.reads):
        # At most 2 x parallelism of the records read before are still queued or in flight: a record is deleted
        # soon after its read, and those DELETEs go on while the next chunk is read.
        assert chunk * CHUNK_SIZE - finished <= 2 * parallelism
        if chunk:
            assert in_flight > 0


def test_after_a_failure_no_new_delete_starts_and_those_in_flight_count():
    fake = SlowClient(failing={5})
    with pytest.raises(BatchInterrupted) as info:
        delete_selected(fake, DEVICE_INFOS, list(range(1, 121)), parallelism=4)
    outcome = info.value.outcome
    assert outcome.deleted[:4] == [1, 2, 3, 4] and 5 not in outcome.deleted and "HTTP 500" in info.value.message
    # Every DELETE that started was deleted but 5; none started once the failure was seen (the other three workers
    # may each have been starting one at that very moment). The rest, read or not, is reported as not deleted.
    assert sorted(outcome.deleted + [5]) == sorted(fake.started) and len(fake.started) < 50
    assert fake.started_after_failure <= 3
    assert sorted(outcome.deleted + outcome.not_deleted) == list(range(1, 121))
    assert len(fake.reads) == 1


def test_a_failed_read_stops_the_batch_with_the_rest_not_deleted():
    fake = SlowClient()
    reads = fake.iter_collection

    def second_read_fails(path, operation, params):
        if fake.reads:
            raise XapiError("ListDeviceInfo failed: HTTP 502", status=502, operation=operation)
        return reads(path, operation, params)
    fake.iter_collection = second_read_fails
    with pytest.raises(BatchInterrupted) as info:
        delete_selected(fake, DEVICE_INFOS, list(range(1, 121)), parallelism=4)
    assert info.value.outcome.deleted == list(range(1, CHUNK_SIZE + 1))
    assert info.value.outcome.not_deleted == list(range(CHUNK_SIZE + 1, 121)) and "HTTP 502" in info.value.message
