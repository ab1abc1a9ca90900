# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Backups: made in the background, listed when done, refused by 3CX's rules, downloaded through a self-authorising
link; every value of the backup switches."""

import hashlib
import io
import time
import zipfile

import pytest
import requests

from sim_helpers import XapiClient, wait_until
from xapi_simulator.backups import DEFAULT_CONTENTS, DOWNLOAD_PATH, archive

BACKUP = "/Backups/Pbx.Backup"
CAN_CREATE = "/Backups/Pbx.GetCanCreateBackup()"


# The backup switches at their defaults, whatever XAPI_SIM_SWITCHES says.
DEFAULTS = {"backup_outcome": "ok", "can_create_backup_while_running": False, "backup_download_auth": "ticket_in_link"}


@pytest.fixture
def connect(make_sim):
    """A logged-in client (``.simulator``: its simulator) of a new simulator with these switches (the others at their defaults)."""
    def connected(**switches):
        client = XapiClient(make_sim(switches=dict(DEFAULTS, **switches)))
        client.login()
        return client
    return connected


@pytest.fixture
def backups(connect):
    """A logged-in client of a simulator whose backups take a tenth of a second."""
    return connect(backup_duration=0.1)


def start(client, name, **contents):
    description = {"Name": name}
    if contents:
        description["Contents"] = contents
    return client.call("POST", BACKUP, json={"description": description})


def can_create(client):
    reply = client.get(CAN_CREATE)
    assert reply.status_code == 200, reply.text
    return reply.json()["value"]


def listed(client, name):
    return client.items("Backups", **{"$filter": f"FileName eq '{name}'"})


def warning(reply):
    assert reply.status_code == 400, reply.text
    return reply.json()["error"]["details"][0]["message"], reply.json()["error"]["details"][0]["target"]


def link_of(client, name):
    record, = listed(client, name)
    return client.simulator.url + record["DownloadLink"]


# Making backups

def test_a_new_pbx_lists_its_scheduled_backups_with_links_of_their_own(backups):
    records = backups.items("Backups", **{"$orderby": "CreationTime desc"})
    assert [record["FileName"][:19] for record in records] == ["3CXScheduledBackup-"] * 2
    assert records[0]["CreationTime"] > records[1]["CreationTime"]
    for record in records:
        assert record["DownloadLink"].startswith(DOWNLOAD_PATH + "?file=" + record["FileName"] + "&ticket=")
        download = requests.get(backups.simulator.url + record["DownloadLink"], timeout=10)
        assert download.status_code == 200 and len(download.content) == record["Size"]
    assert records[0]["DownloadLink"].split("ticket=")[1] != records[1]["DownloadLink"].split("ticket=")[1]


def test_a_backup_starts_at_once_and_is_not_listed_while_it_runs(connect):
    backups = connect(backup_duration=60)
    assert can_create(backups) is True
    reply = start(backups, "night.zip")
    assert reply.status_code == 204 and reply.content == b""
    assert listed(backups, "night.zip") == []
    assert can_create(backups) is False
    assert backups.simulator.backups.running == ["night.zip"]


def test_a_backup_is_listed_when_it_is_done(backups):
    sim = backups.simulator
    assert start(backups, "night.zip", Recordings=True).status_code == 204
    wait_until(lambda: listed(backups, "night.zip"))
    record, = listed(backups, "night.zip")
    assert record["Size"] == len(archive("night.zip", {"Recordings": True}))
    assert record["CreationTime"].endswith("Z")
    assert can_create(backups) is True and sim.backups.running == []


def test_a_backup_that_fails_is_never_listed_and_the_pbx_can_make_backups_again(connect):
    backups = connect(backup_duration=0.1, backup_outcome="fail")
    assert start(backups, "night.zip").status_code == 204
    assert can_create(backups) is False
    wait_until(lambda: can_create(backups))
    assert listed(backups, "night.zip") == [] and backups.simulator.backups.running == []
    assert start(backups, "night.zip").status_code == 204, "the name is free again"


def test_a_backup_that_never_appears_runs_for_ever(connect):
    backups = connect(backup_duration=0.1, backup_outcome="never_appears")
    assert start(backups, "night.zip").status_code == 204
    time.sleep(0.3)
    assert listed(backups, "night.zip") == [] and can_create(backups) is False
    assert backups.simulator.backups.running == ["night.zip"]
    assert warning(start(backups, "other.zip")) == ("WARNINGS.TOO_MANY_BACKUPS", "Name")


def test_with_can_create_backup_while_running_backups_run_side_by_side(connect):
    backups = connect(backup_duration=60, can_create_backup_while_running=True)
    assert start(backups, "first.zip").status_code == 204
    assert can_create(backups) is True
    assert start(backups, "second.zip").status_code == 204
    assert backups.simulator.backups.running == ["first.zip", "second.zip"]


def test_a_second_backup_while_one_runs_is_too_many(connect):
    backups = connect(backup_duration=60)
    assert start(backups, "first.zip").status_code == 204
    assert warning(start(backups, "second.zip")) == ("WARNINGS.TOO_MANY_BACKUPS", "Name")
    assert backups.simulator.backups.running == ["first.zip"]


def test_a_backup_takes_the_switches_of_the_moment_it_starts(backups):
    sim = backups.simulator
    sim.set_switch("backup_outcome", "never_appears")
    assert start(backups, "stuck.zip").status_code == 204
    sim.set_switch("backup_outcome", "ok")
    sim.set_switch("can_create_backup_while_running", True)
    assert start(backups, "fine.zip").status_code == 204
    wait_until(lambda: listed(backups, "fine.zip"))
    assert sim.backups.running == ["stuck.zip"]


def test_the_same_name_twice_is_a_duplicate_whether_listed_or_running(connect):
    backups = connect(backup_duration=60)
    scheduled = backups.simulator.backups.listed()[0]["FileName"]
    assert warning(start(backups, scheduled)) == ("WARNINGS.XAPI.DUPLICATE", "Name")
    assert start(backups, "night.zip").status_code == 204
    assert warning(start(backups, "night.zip")) == ("WARNINGS.XAPI.DUPLICATE", "Name")
    reply = start(backups, scheduled)
    assert reply.json()["error"]["message"] == "Name:\nWARNINGS.XAPI.DUPLICATE"


@pytest.mark.parametrize("description, refusal", [
    ({}, ("WARNINGS.XAPI.REQUIRED", "Name")),
    ({"Name": ""}, ("WARNINGS.XAPI.REQUIRED", "Name")),
    ({"Name": "night"}, ("WARNINGS.XAPI.INVALID_FILE_NAME", "Name")),
    ({"Name": "../night.zip"}, ("WARNINGS.XAPI.INVALID_FILE_NAME", "Name")),
    ({"Name": "night.zip", "Contents": {"EncryptBackup": True}}, ("WARNINGS.XAPI.REQUIRED", "EncryptBackupPassword")),
    ({"Name": "night.zip", "Contents": {"EncryptBackup": True, "EncryptBackupPassword": {"Value": ""}}},
     ("WARNINGS.XAPI.REQUIRED", "EncryptBackupPassword")),
])
def test_refused_backups(backups, description, refusal):
    assert warning(backups.call("POST", BACKUP, json={"description": description})) == refusal
    assert backups.simulator.backups.running == []


def test_an_encrypted_backup_needs_its_password_which_is_kept_nowhere(backups):
    contents = {"EncryptBackup": True, "EncryptBackupPassword": {"Value": "Backup-pa55word"}}
    assert backups.call("POST", BACKUP, json={"description": {"Name": "safe.zip", "Contents": contents}}).status_code == 204
    wait_until(lambda: listed(backups, "safe.zip"))
    assert "Backup-pa55word" not in repr(backups.simulator.requests) + repr(backups.simulator.backups.listed())


def test_post_on_the_entity_set_is_not_allowed(backups):
    reply = backups.call("POST", "/Backups", json={"FileName": "x.zip"})
    assert reply.status_code == 405
    assert backups.simulator.violations == ["POST /xapi/v1/Backups: the spec has no POST operation on this path"]
    del backups.simulator.violations[:]


def test_delete_removes_a_listed_backup_and_its_link(backups):
    scheduled = backups.simulator.backups.listed()[0]["FileName"]
    link = link_of(backups, scheduled)
    assert backups.call("DELETE", f"/Backups('{scheduled}')").status_code == 204
    assert listed(backups, scheduled) == []
    assert backups.call("DELETE", f"/Backups('{scheduled}')").status_code == 404
    assert requests.get(link, timeout=10).status_code == 404


def test_a_running_backup_cannot_be_deleted(connect):
    backups = connect(backup_duration=60)
    assert start(backups, "night.zip").status_code == 204
    assert backups.call("DELETE", "/Backups('night.zip')").status_code == 404
    assert backups.simulator.backups.running == ["night.zip"]


# The zip

def test_the_zip_is_the_same_for_the_same_name_and_contents():
    assert archive("a.zip", {}) == archive("a.zip", {}) == archive("a.zip", dict(DEFAULT_CONTENTS))
    assert archive("a.zip", {}) != archive("b.zip", {})
    default = zipfile.ZipFile(io.BytesIO(archive("a.zip", {})))
    assert "DbTables/cdroutput.csv" in default.namelist() and not any(name.startswith("Recordings/") for name in default.namelist())
    assert default.testzip() is None
    bare = zipfile.ZipFile(io.BytesIO(archive("a.zip", {"CallHistory": False, "VoiceMails": False, "DisableBackupCompression": True})))
    assert "DbTables/cdroutput.csv" not in bare.namelist() and "DbTables/users.csv" in bare.namelist()
    assert {info.compress_type for info in bare.infolist()} == {zipfile.ZIP_STORED}


def test_the_link_serves_the_zip_without_the_bearer_token(backups):
    sim = backups.simulator
    assert start(backups, "night.zip", FQDN=False).status_code == 204
    wait_until(lambda: listed(backups, "night.zip"))
    reply = requests.get(link_of(backups, "night.zip"), timeout=10)
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "application/zip"
    assert reply.content == archive("night.zip", {"FQDN": False}) == sim.backups.content("night.zip")
    assert hashlib.sha256(reply.content).hexdigest() == hashlib.sha256(archive("night.zip", {"FQDN": False})).hexdigest()
    entry = sim.requests[-1]
    assert entry["operation"] == "backup_download" and entry["status"] == 200 and entry["path"] == DOWNLOAD_PATH
    assert entry["query"] == {"file": "night.zip", "ticket": "<redacted>"} and entry["raw_query"] == "file=night.zip&ticket=<redacted>"
    ticket = link_of(backups, "night.zip").split("ticket=")[1]
    assert ticket not in repr(sim.requests)


def test_a_wrong_ticket_or_method_is_refused(backups):
    link = link_of(backups, backups.simulator.backups.listed()[0]["FileName"])
    assert requests.get(link[:-3] + "abc", timeout=10).status_code == 403
    assert requests.get(link.split("&ticket=")[0], timeout=10).status_code == 403
    assert requests.post(link, timeout=10).status_code == 405


def test_with_bearer_required_the_link_needs_the_token_too(connect):
    backups = connect(backup_download_auth="bearer_required")
    link = link_of(backups, backups.simulator.backups.listed()[0]["FileName"])
    refused = requests.get(link, timeout=10)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    assert requests.get(link, headers={"Authorization": "Bearer not-a-token"}, timeout=10).status_code == 401
    assert backups.session.get(link, timeout=10).status_code == 200
    assert backups.session.get(link[:-3] + "abc", timeout=10).status_code == 403


def test_faults_aim_at_downloads_and_can_cut_one_short(backups):
    sim = backups.simulator
    name = sim.backups.listed()[0]["FileName"]
    link = link_of(backups, name)
    sim.fail_next(status=503, operation="backup_download")
    sim.reset_next(operation="backup_download", after_bytes=1000)
    assert requests.get(link, timeout=10).status_code == 503
    with requests.get(link, stream=True, timeout=10) as cut:
        assert cut.status_code == 200 and int(cut.headers["Content-Length"]) == len(sim.backups.content(name))
        with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
            cut.content  # pylint: disable=pointless-statement
    assert requests.get(link, timeout=10).content == sim.backups.content(name)
    assert [(e["status"], e["fault"]) for e in sim.requests if e["operation"] == "backup_download"] == [
        (503, "status"), (200, "reset"), (200, None)]


def test_a_cut_longer_than_the_answer_sends_it_whole_then_hangs_up(backups):
    sim = backups.simulator
    sim.reset_next(operation="ListBackups", after_bytes=10 ** 6)
    assert len(backups.items("Backups")) == 2
    with pytest.raises(ValueError, match="after_bytes must be a positive number of bytes, not 0"):
        sim.reset_next(after_bytes=0)
