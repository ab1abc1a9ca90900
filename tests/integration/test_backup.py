# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""threecx.pbx.backup and threecx.pbx.backup_info through ansible-playbook against the simulator, whose backups take
0.2 s (the first poll comes at once, the next 0.5 s later)."""

import datetime
import hashlib
import os

import requests
from xapi_simulator.backups import archive

from .helpers import CLIENT_ID, SECRET, running_simulator, xapi_requests

QUICK = {"backup_duration": 0.2}
NAME = "nightly.zip"
PASSWORD = "Backup-Pa55word-never-shown"


def backup(task="backup", **options):
    return {"name": task, "threecx.pbx.backup": options, "register": "outcome"}


def operations(sim, operation):
    return [entry for entry in sim.requests if entry["operation"] == operation]


def started(sim):
    """The statuses of the Backup actions the PBX received."""
    return [entry["status"] for entry in operations(sim, "Backup")]


def ticket(record):
    return record["DownloadLink"].split("ticket=")[1]


def start_elsewhere(sim, name):
    """Start backup ``name`` as another admin would, through the XAPI."""
    token = requests.post(sim.url + "/connect/token", timeout=10, data={
        "client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": "client_credentials"}).json()["access_token"]
    reply = requests.post(sim.url + "/xapi/v1/Backups/Pbx.Backup", json={"description": {"Name": name}}, timeout=10,
                          headers={"Authorization": "Bearer " + token})
    assert reply.status_code == 204, reply.text


def listed(sim, name):
    return next((record for record in sim.backups.listed() if record["FileName"] == name), None)


def test_check_mode_then_a_backup_downloaded_and_one_deleted_then_nothing_to_do(run_playbook, tmp_path):
    dest = tmp_path / "backups"
    with running_simulator(switches=QUICK) as sim:
        scheduled = sim.backups.listed()[0]["FileName"]
        tasks = [backup("nightly", name=NAME, dest=str(dest)), backup("drop", name=scheduled, state="absent")]
        checked = run_playbook(tasks, sim=sim, check=True, diff=True)
        assert checked.rc == 0, checked.output
        result = checked.result("nightly")
        assert result["changed"] is True and result["downloaded"] is True and result["path"] is None
        assert result["backup"] == {"name": NAME, "created": None, "size": None}
        assert checked.result("drop")["changed"] is True and checked.result("drop")["deleted"] == [scheduled]
        assert started(sim) == [] and operations(sim, "DeleteBackups") == [] and sim.backups.running == []
        assert not dest.exists() and listed(sim, scheduled)

        made = run_playbook(tasks, sim=sim, diff=True)
        assert made.rc == 0, made.output
        result, record = made.result("nightly"), listed(sim, NAME)
        data = archive(NAME, {})
        assert result["changed"] is True and result["downloaded"] is True
        assert result["backup"] == {"name": NAME, "created": record["CreationTime"], "size": len(data)}
        assert result["path"] == str(dest / NAME) and (dest / NAME).read_bytes() == data and os.listdir(dest) == [NAME]
        assert result["checksum"] == hashlib.sha256(data).hexdigest() and result["size"] == len(data)
        assert started(sim) == [204] and [entry["status"] for entry in operations(sim, "backup_download")] == [200]
        assert 2 <= len(operations(sim, "GetCanCreateBackup")) <= 4, "one before starting, one at once after, then after 0.5 s"
        assert made.result("drop")["backup"]["name"] == scheduled and listed(sim, scheduled) is None
        assert '+        "nightly.zip"' in made.stdout and '-        "%s"' % scheduled in made.stdout  # the diffs

        sim.clear_requests()
        again = run_playbook(tasks, sim=sim)
        assert again.rc == 0, again.output
        assert again.result("nightly")["changed"] is False and again.result("nightly")["checksum"] == result["checksum"]
        assert again.result("drop")["changed"] is False and again.result("drop")["backup"] is None
        assert [entry["operation"] for entry in xapi_requests(sim)] == ["ListBackups", "ListBackups"]


def test_a_backup_that_never_appears_times_out_and_a_rerun_with_its_name_is_told(run_playbook, tmp_path):
    switches = dict(QUICK, backup_outcome="never_appears", can_create_backup_while_running=False)
    with running_simulator(switches=switches) as sim:
        run = run_playbook([backup(name=NAME, dest=str(tmp_path / "d"), wait_timeout=1)], sim=sim)
        assert run.rc == 2
        result = run.result("backup")
        assert result["msg"] == (
            "Backup 'nightly.zip' was started but the PBX did not list it within wait_timeout (1 s); the PBX says a backup is "
            "still running (GetCanCreateBackup false). It may still be running: run the task again with name: 'nightly.zip' "
            "to wait for it (and download it), or raise wait_timeout.")
        assert result["changed"] is True and result["path"] is None and result["backup"]["created"] is None
        assert sim.backups.running == [NAME] and started(sim) == [204]
        assert len(operations(sim, "ListBackups")) == 1 + 3, "the read, then polls at 0, 0.5 and 1 s"
        assert not (tmp_path / "d").exists()


def test_a_backup_the_pbx_gives_up_on_fails_without_waiting_out_the_timeout(run_playbook):
    switches = dict(QUICK, backup_outcome="fail", can_create_backup_while_running=False)
    with running_simulator(switches=switches) as sim:
        run = run_playbook([backup(name=NAME, wait_timeout=600)], sim=sim)
        assert run.rc == 2
        assert run.result("backup")["msg"].startswith("The PBX gave up on backup 'nightly.zip': it is not listed, and the PBX "
                                                      "says it is making no backup any more (GetCanCreateBackup true).")
        polls = operations(sim, "GetCanCreateBackup")
        assert [entry["query"] for entry in polls] == [{}] * len(polls) and 3 <= len(polls) <= 4
        assert [requests_of["status"] for requests_of in polls][-1] == 200 and listed(sim, NAME) is None


def test_a_duplicate_name_is_waited_for_not_made_again(run_playbook, tmp_path):
    dest = tmp_path / "d"
    with running_simulator(switches=dict(QUICK, can_create_backup_while_running=True)) as sim:
        # Another admin starts a backup of the same name between the module's read and its own start.
        sim.after_requests(1, lambda: start_elsewhere(sim, NAME), operation="ListBackups")
        run = run_playbook([backup(name=NAME, dest=str(dest))], sim=sim)
        assert run.rc == 0, run.output
        result = run.result("backup")
        assert started(sim) == [204, 400], "the module's request was a duplicate"
        assert result["backup"]["name"] == NAME and result["downloaded"] is True and result["changed"] is True
        assert result["msg"].startswith("Waited for backup 'nightly.zip'")
        assert (dest / NAME).read_bytes() == archive(NAME, {})


def test_another_backup_running_is_waited_for_before_starting(run_playbook):
    with running_simulator(switches=dict(QUICK, backup_duration=0.6, can_create_backup_while_running=False)) as sim:
        sim.after_requests(1, lambda: start_elsewhere(sim, "theirs.zip"), operation="ListBackups")
        run = run_playbook([backup(name=NAME)], sim=sim)
        assert run.rc == 0, run.output
        assert started(sim) == [204, 204] and listed(sim, NAME) and listed(sim, "theirs.zip")
        log = [entry["operation"] for entry in sim.requests]
        theirs, ours = [index for index, operation in enumerate(log) if operation == "Backup"]
        assert log[theirs:ours].count("GetCanCreateBackup") >= 2, "busy while theirs ran, then free"


def test_an_interrupted_download_leaves_no_file_and_a_rerun_downloads_it(run_playbook, tmp_path):
    dest = tmp_path / "backups"
    task = backup(name=NAME, dest=str(dest))
    with running_simulator(switches=QUICK) as sim:
        sim.reset_next(operation="backup_download", after_bytes=4096)
        cut = run_playbook([task], sim=sim)
        assert cut.rc == 2
        result = cut.result("backup")
        assert result["msg"].startswith("Downloading backup 'nightly.zip' failed half-way: the connection broke off (")
        assert result["msg"].endswith("No file was left at %s; the backup stays on the PBX: run again to download it." % (dest / NAME))
        assert result["changed"] is True and result["path"] is None and os.listdir(dest) == []
        assert listed(sim, NAME) is not None

        sim.clear_requests()
        rerun = run_playbook([task], sim=sim)
        assert rerun.rc == 0, rerun.output
        assert rerun.result("backup")["downloaded"] is True and started(sim) == []
        assert (dest / NAME).read_bytes() == archive(NAME, {}) and os.listdir(dest) == [NAME]
        assert [entry["status"] for entry in operations(sim, "backup_download")] == [200]


def test_a_download_of_another_size_than_listed_is_not_kept(run_playbook, tmp_path):
    with running_simulator(switches=QUICK) as sim:
        sim.backups.add("3CXManual.zip")
        sim.backups.store.modify("3CXManual.zip", Size=123)
        run = run_playbook([backup(name="3CXManual.zip", dest=str(tmp_path / "d"))], sim=sim)
        assert run.rc == 2
        assert run.result("backup")["msg"].startswith("Backup '3CXManual.zip' as downloaded has %d bytes, but the PBX lists it "
                                                      "with 123. No file was left at" % len(archive("3CXManual.zip", {})))
        assert os.listdir(tmp_path / "d") == [] and run.result("backup")["changed"] is False


def test_secrets_and_the_download_link_never_show_at_high_verbosity(run_playbook, tmp_path):
    tasks = [backup(name=NAME, dest=str(tmp_path), encrypt=True, password=PASSWORD, contents={"recordings": True}),
             {"name": "list", "threecx.pbx.backup_info": {}},
             {"name": "show", "ansible.builtin.debug": {"var": "outcome"}}]
    with running_simulator(switches=dict(QUICK, backup_download_auth="bearer_required")) as sim:
        sim.reset_next(operation="backup_download")  # retried: urllib3 logs the retry with the URL
        run = run_playbook(tasks, sim=sim, verbosity=3, diff=True)
        assert run.rc == 0, run.output
        records = sim.backups.listed()
        assert (tmp_path / NAME).read_bytes() == archive(NAME, {"Recordings": True})
        assert run.result("backup")["retry_count"] == 1
        assert [record["name"] for record in run.result("list")["backups"]][0] == NAME
        for secret in [PASSWORD, SECRET] + [ticket(record) for record in records] + sim.issued_tokens:
            assert secret not in run.output
        assert "/api/BackupDownload" not in run.output and "ticket=" not in run.output


def test_retention_keeps_the_newest_with_the_prefix_and_never_the_new_one(run_playbook):
    now = datetime.datetime.now(datetime.timezone.utc)
    with running_simulator(switches=QUICK) as sim:
        old = ["127.0.0.1-%d.zip" % age for age in (3, 2, 1)]
        for age, name in zip((3, 2, 1), old):
            sim.backups.add(name, now - datetime.timedelta(days=age))
        sim.backups.add("127.0.0.1-future.zip", now + datetime.timedelta(days=1))  # a clock gone wrong: the newest
        scheduled = sorted(record["FileName"] for record in sim.backups.listed() if record["FileName"].startswith("3CX"))
        task = backup(keep=3, max_deletes=5)

        checked = run_playbook([task], sim=sim, check=True)
        assert checked.rc == 0, checked.output
        assert checked.result("backup")["deleted"] == ["127.0.0.1-2.zip", "127.0.0.1-3.zip"]
        assert operations(sim, "DeleteBackups") == [] and started(sim) == []

        real = run_playbook([task], sim=sim)
        assert real.rc == 0, real.output
        made = real.result("backup")["backup"]["name"]
        assert real.result("backup")["deleted"] == ["127.0.0.1-2.zip", "127.0.0.1-3.zip"]
        names = sorted(record["FileName"] for record in sim.backups.listed())
        assert names == sorted(scheduled + ["127.0.0.1-1.zip", "127.0.0.1-future.zip", made])
        assert [entry["status"] for entry in operations(sim, "DeleteBackups")] == [204, 204]

        sim.clear_requests()
        too_many = run_playbook([backup(name="127.0.0.1-extra.zip", keep=1, max_deletes=2)], sim=sim)
        assert too_many.rc == 2
        assert too_many.result("backup")["msg"] == (
            "3 old backups whose name starts with '127.0.0.1-' are due for deletion (keep: 1), more than max_deletes (2): "
            "none was deleted. Check prefix, or raise max_deletes or keep.")
        assert operations(sim, "DeleteBackups") == [] and listed(sim, "127.0.0.1-extra.zip") is not None
        assert too_many.result("backup")["changed"] is True and too_many.result("backup")["deleted"] == []

        again = run_playbook([backup(name="127.0.0.1-extra.zip", keep=4)], sim=sim)
        assert again.rc == 0 and again.result("backup")["changed"] is False and again.result("backup")["deleted"] == []
