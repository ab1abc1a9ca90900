# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The backup and backup_info modules' main(), in-process against the simulator (backups take a tenth of a second)."""

import hashlib
import os

import pytest
from xapi_simulator import Simulator
from xapi_simulator.backups import archive

from ansible_collections.threecx.pbx.plugins.modules import backup, backup_info

from .conftest import SECRET, sim_connection

NAME = "nightly.zip"


@pytest.fixture
def pbx():
    with Simulator(clients={"ansible": SECRET}, switches={"backup_duration": 0.1}) as simulator:
        yield simulator
    assert simulator.violations == []


def run(run_module, pbx, module=backup, check_mode=False, diff=False, **args):
    return run_module(module.main, dict(sim_connection(pbx), **args), check_mode=check_mode, diff=diff)


def operations(pbx):
    return [entry["operation"] for entry in pbx.requests if entry["operation"] != "token"]


def test_makes_waits_downloads_and_a_second_run_changes_nothing(run_module, pbx, tmp_path):
    dest = tmp_path / "dest"
    made = run(run_module, pbx, name=NAME, dest=str(dest), diff=True)
    assert made["changed"] is True and made["downloaded"] is True
    data = pbx.backups.content(NAME)
    assert made["backup"] == {"name": NAME, "created": pbx.backups.listed()[-1]["CreationTime"], "size": len(data)}
    assert made["path"] == str(dest / NAME) and (dest / NAME).read_bytes() == data
    assert made["size"] == len(data) and made["checksum"] == hashlib.sha256(data).hexdigest()
    assert os.stat(made["path"]).st_mode & 0o777 == 0o600 and os.listdir(dest) == [NAME]
    assert os.stat(dest).st_mode & 0o777 == 0o700
    assert made["diff"] == {"before": {"backups": []}, "after": {"backups": [NAME]}}
    assert made["deleted"] == [] and made["retry_count"] == 0
    assert made["msg"] == "Made backup 'nightly.zip' (%d bytes); downloaded it to %s." % (len(data), dest)
    assert operations(pbx)[:3] == ["ListBackups", "GetCanCreateBackup", "Backup"]
    pbx.clear_requests()
    again = run(run_module, pbx, name=NAME, dest=str(dest))
    assert again["changed"] is False and again["downloaded"] is False
    assert again["checksum"] == made["checksum"] and again["path"] == made["path"]
    assert operations(pbx) == ["ListBackups"]


def test_check_mode_starts_nothing_and_writes_nothing(run_module, pbx, tmp_path):
    dest = tmp_path / "new"
    result = run(run_module, pbx, check_mode=True, name=NAME, dest=str(dest), keep=1, prefix="3CX", diff=True)
    assert result["changed"] is True and result["downloaded"] is True
    assert result["backup"] == {"name": NAME, "created": None, "size": None}
    assert result["path"] is None and result["checksum"] is None and result["size"] is None
    older = sorted(record["FileName"] for record in pbx.backups.listed())[0]
    assert result["deleted"] == [older], "of those with the prefix (nightly.zip has it not) the newest is kept"
    assert result["diff"] == {"before": {"backups": [older]}, "after": {"backups": [NAME]}}
    assert result["msg"] == "Would make backup 'nightly.zip'; would download it to %s; would delete 1 old backup." % dest
    assert not dest.exists()
    assert set(operations(pbx)) == {"ListBackups"} and pbx.backups.running == []


def test_the_default_name_and_prefix_come_from_the_url(run_module, pbx):
    result = run(run_module, pbx, keep=1)
    name = result["backup"]["name"]
    assert name.startswith("127.0.0.1-") and len(name) == len("127.0.0.1-20260118-030000.zip")
    assert result["deleted"] == [] and len(pbx.backups.listed()) == 3


def test_contents_and_encryption_reach_the_pbx_and_the_password_stays_out_of_the_result(run_module, pbx):
    result = run(run_module, pbx, name=NAME, contents={"recordings": True, "fqdn": False}, encrypt=True, password="Zip-pa55")
    assert result["changed"] is True
    assert pbx.backups.content(NAME) == archive(NAME, {"Recordings": True, "FQDN": False})
    assert "Zip-pa55" not in repr(result)


@pytest.mark.parametrize("args, message", [
    ({"name": "nightly"}, "name must end in .zip, not 'nightly'."),
    ({"name": "../x.zip"}, "name must be a plain file name"),
    ({"state": "absent"}, "state: absent needs the name"),
    ({"state": "absent", "name": NAME, "keep": 2}, "keep: only with state: present."),
    ({"wait": False, "dest": "/tmp"}, "dest and keep need wait: true"),
    ({"password": "x"}, "password applies only with encrypt: true."),
    ({"encrypt": True}, "encrypt is True but all of the following are missing: password"),
    ({"encrypt": True, "password": ""}, "encrypt: true needs a password, not an empty one."),
    ({"keep": 0}, "keep must be 1 or more, not 0."),
    ({"prefix": "pbx-"}, "prefix: only with keep."),
])
def test_bad_options_fail_before_any_request(run_module, pbx, args, message):
    result = run(run_module, pbx, **args)
    assert result["failed"] is True and message in result["msg"]
    assert pbx.requests == []


def test_absent_deletes_by_name(run_module, pbx):
    scheduled = pbx.backups.listed()[0]["FileName"]
    checked = run(run_module, pbx, check_mode=True, state="absent", name=scheduled)
    assert checked["changed"] is True and checked["deleted"] == [scheduled] and len(pbx.backups.listed()) == 2
    deleted = run(run_module, pbx, state="absent", name=scheduled, diff=True)
    assert deleted["changed"] is True and deleted["backup"]["name"] == scheduled
    assert deleted["diff"] == {"before": {"backups": [scheduled]}, "after": {"backups": []}}
    assert scheduled not in [record["FileName"] for record in pbx.backups.listed()]
    gone = run(run_module, pbx, state="absent", name=scheduled)
    assert gone["changed"] is False and gone["backup"] is None and gone["deleted"] == []


def test_info_lists_newest_first_without_links_unless_asked(run_module, pbx):
    pbx.backups.add("127.0.0.1-20260101-000000.zip")
    listing = run(run_module, pbx, module=backup_info)
    assert [item["name"][:19] for item in listing["backups"]] == ["127.0.0.1-20260101-", "3CXScheduledBackup-", "3CXScheduledBackup-"]
    assert listing["count"] == 3 and listing["changed"] is False
    assert all(set(item) == {"name", "created", "size"} for item in listing["backups"])
    assert "DownloadLink" not in pbx.requests[-1]["query"]["$select"]
    links = run(run_module, pbx, module=backup_info, prefix="127.0.0.1-", include_download_link=True)
    record, = [record for record in pbx.backups.listed() if record["FileName"].startswith("127.0.0.1-")]
    assert links["backups"] == [{"name": record["FileName"], "created": record["CreationTime"], "size": record["Size"],
                                 "download_link": record["DownloadLink"]}]
    assert run(run_module, pbx, module=backup_info, name="none.zip")["backups"] == []
