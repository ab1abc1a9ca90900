# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The backup role through the playbook threecx.pbx.backup, over two simulated PBXs of which one fails."""

import datetime
import hashlib
import os
import time

import pytest

from .helpers import CLIENT_ID, SECRET, running_simulator

PLAYBOOK = "threecx.pbx.backup"
MODULE_TASK = "Make a backup, wait for it, download it and delete the PBX's older ones"
FACT_TASK = "Record the outcome as backup_result"
SUMMARY_TASK = "Summarize the backups of every PBX"
QUICK = {"backup_duration": 0.2, "can_create_backup_while_running": False}


def pbx_host(sim, **variables):
    return dict({"ansible_connection": "local", "backup_url": sim.url, "backup_client_id": CLIENT_ID,
                 "backup_client_secret": SECRET}, **variables)


def inventory(**hosts):
    return {"threecx_pbxs": {"hosts": hosts}}


def fact(run, host):
    return run.result(FACT_TASK, host)["ansible_facts"]["backup_result"]


def old_copy(directory, name, days):
    path = directory / name
    path.write_bytes(b"an older backup")
    moment = time.time() - days * 86400
    os.utime(path, (moment, moment))
    return path


def test_two_pbxs_one_failing_dry_run_then_real_then_both_ok(run_playbook, tmp_path):
    dest = tmp_path / "backups"
    local = dest / "london"
    local.mkdir(parents=True)
    copies = [old_copy(local, "127.0.0.1-%d.zip" % days, days) for days in (1, 2, 3)]
    (local / "notes.txt").write_text("not a backup")
    now = datetime.datetime.now(datetime.timezone.utc)
    with running_simulator(switches=QUICK) as london, \
            running_simulator(switches=dict(QUICK, backup_outcome="fail")) as paris:
        for days in (1, 2, 3):
            london.backups.add("127.0.0.1-%d.zip" % days, now - datetime.timedelta(days=days))
        hosts = inventory(london=pbx_host(london), paris=pbx_host(paris))
        variables = {"backup_dest_dir": str(dest), "backup_keep": 2, "backup_keep_local": 2}

        dry = run_playbook(playbook=PLAYBOOK, inventory=hosts, extra_vars=variables, check=True)
        assert dry.rc == 0, dry.output
        summary = dry.result(SUMMARY_TASK, "london")["msg"]
        assert summary[0].startswith("london: would back up 127.0.0.1-") and summary[1].startswith("paris: would back up 127.0.0.1-")
        assert summary[0].endswith("would delete 2 old on the PBX, 2 locally")
        assert len(london.backups.listed()) == 5 and london.backups.running == [] and paris.backups.running == []
        assert sorted(os.listdir(local)) == sorted([copy.name for copy in copies] + ["notes.txt"])

        real = run_playbook(playbook=PLAYBOOK, inventory=hosts, extra_vars=variables)
        assert real.rc == 2, real.output
        ok, failed = fact(real, "london"), fact(real, "paris")
        assert ok["status"] == "ok" and failed["status"] == "failed"
        made = london.backups.content(ok["name"])
        assert ok["path"] == str(local / ok["name"]) and (local / ok["name"]).read_bytes() == made
        assert ok["checksum"] == hashlib.sha256(made).hexdigest() and ok["size"] == len(made)
        assert ok["deleted"] == ["127.0.0.1-2.zip", "127.0.0.1-3.zip"]
        assert sorted(os.listdir(local)) == sorted([ok["name"], "127.0.0.1-1.zip", "notes.txt"])
        assert ok["deleted_local"] == [str(copies[1]), str(copies[2])]
        assert sorted(record["FileName"] for record in london.backups.listed() if record["FileName"].startswith("127.")) == sorted(
            ["127.0.0.1-1.zip", ok["name"]]), "the PBX's scheduled backups have another prefix: never pruned"
        assert len(london.backups.listed()) == 4
        assert failed["msg"].startswith(MODULE_TASK + ": The PBX gave up on backup '127.0.0.1-")
        assert not (dest / "paris").exists()
        summary = real.result(SUMMARY_TASK, "london")["msg"]
        assert summary[0] == "london: ok, %s, %d bytes, %s s; deleted 2 old on the PBX, 2 locally" % (ok["name"], len(made), ok["duration"])
        assert summary[1].startswith("paris: FAILED after %s s: %s: The PBX gave up on backup" % (failed["duration"], MODULE_TASK))
        assert real.status("Fail the PBXs whose backup failed", "paris") == "failed"
        assert real.status("Fail the PBXs whose backup failed", "london") == "skipped"

        paris.set_switch("backup_outcome", "ok")
        again = run_playbook(playbook=PLAYBOOK, inventory=hosts, extra_vars=variables)
        assert again.rc == 0, again.output
        assert [fact(again, host)["status"] for host in ("london", "paris")] == ["ok", "ok"]
        copy = fact(again, "paris")["path"]
        assert os.listdir(dest / "paris") == [os.path.basename(copy)]
        for secret in [SECRET] + london.issued_tokens + paris.issued_tokens:
            assert secret not in dry.output + real.output + again.output


@pytest.mark.parametrize("variables, message", [
    ({"backup_keep": "many"}, "backup_keep"),
    ({"backup_contents": {"recording": True}}, "recording"),
    ({}, "backup_dest_dir"),
])
def test_a_bad_or_missing_variable_fails_at_the_start(run_playbook, tmp_path, variables, message):
    with running_simulator(switches=QUICK) as sim:
        extra = dict({"backup_dest_dir": str(tmp_path)}, **variables) if variables else {}
        run = run_playbook(playbook=PLAYBOOK, inventory=inventory(pbx=pbx_host(sim)), extra_vars=extra)
        assert run.rc == 2
        assert message in run.output and "Validation of arguments failed" in run.output
        assert sim.requests == []
