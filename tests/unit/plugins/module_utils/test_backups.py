# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The backup helpers: names, polls and their backoff, telling a failed backup from a slow one, pruning, saving."""

import datetime
import os

import pytest

from ansible_collections.threecx.pbx.plugins.module_utils._backups import (
    BackupError,
    Deadline,
    contents_body,
    default_name,
    download,
    due_for_deletion,
    name_problem,
    wait_for,
)
from ansible_collections.threecx.pbx.plugins.module_utils._client import XapiResponse, XapiTransportError


class Clock:
    """A clock that only sleeping moves; ``sleeps`` the waits asked for."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def deadline(timeout):
    clock = Clock()
    return Deadline(timeout, clock=lambda: clock.now, sleep=clock.sleep), clock


class Pbx:
    """A client whose GetCanCreateBackup answers ``idle`` (one value a poll) and whose list holds the backup from
    poll ``listed_at`` (counted from 0) on."""

    def __init__(self, idle, listed_at=None):
        self.idle = list(idle)
        self.listed_at = listed_at
        self.polls = 0

    def get(self, path, operation, params=None):
        assert operation == "GetCanCreateBackup"
        return XapiResponse(200, {"value": self.idle[min(self.polls, len(self.idle) - 1)]}, None)

    def iter_collection(self, path, operation, params):
        assert params["$filter"] == "FileName eq 'night.zip'"
        self.polls += 1
        return iter([{"FileName": "night.zip", "Size": 3}] if self.listed_at is not None and self.polls > self.listed_at else [])


def test_polls_wait_longer_each_time_up_to_ten_seconds_and_the_last_wait_ends_at_the_deadline():
    limit, clock = deadline(60)
    while limit.wait():
        pass
    assert clock.sleeps[:8] == [0.5, 0.75, 1.125, 1.688, 2.531, 3.797, 5.695, 8.543]
    assert set(clock.sleeps[8:-1]) == {10.0} and 0 < clock.sleeps[-1] <= 10 and clock.now == 60


def test_a_backup_listed_on_the_third_poll():
    limit, clock = deadline(60)
    pbx = Pbx([False], listed_at=2)
    assert wait_for(pbx, "night.zip", limit)["FileName"] == "night.zip"
    assert pbx.polls == 3 and clock.sleeps == [0.5, 0.75]


def test_a_backup_the_pbx_gave_up_on_fails_at_once_not_at_the_deadline():
    limit, clock = deadline(600)
    pbx = Pbx([False, False, True])
    with pytest.raises(BackupError, match="The PBX gave up on backup 'night.zip': it is not listed"):
        wait_for(pbx, "night.zip", limit)
    assert pbx.polls == 3 and clock.now < 2


def test_a_pbx_that_never_says_it_is_busy_is_waited_for_until_the_deadline():
    limit, clock = deadline(5)
    pbx = Pbx([True])
    with pytest.raises(BackupError) as caught:
        wait_for(pbx, "night.zip", limit)
    assert "did not list it within wait_timeout (5 s). It may still be running: run the task again with name: 'night.zip'" \
        in caught.value.message
    assert "still running (GetCanCreateBackup false)" not in caught.value.message and clock.now == 5


def test_a_timeout_while_the_pbx_is_busy_says_so():
    limit, dummy = deadline(1)
    with pytest.raises(BackupError, match=r"the PBX says a backup is still running \(GetCanCreateBackup false\)"):
        wait_for(Pbx([False]), "night.zip", limit)


def test_names():
    assert default_name("https://pbx.example.com:5001", datetime.datetime(2026, 1, 18, 3, 0, 5)) == "pbx.example.com-20260118-030005.zip"
    assert name_problem("a.zip") is None
    assert name_problem("a") == name_problem(".zip") == "must end in .zip"
    assert "plain file name" in name_problem("a/b.zip") and "plain file name" in name_problem(".hidden.zip")


def test_contents_in_the_xapi_s_names_with_the_password_only_when_encrypting():
    options = {"recordings": True, "call_history": True, "license": False, "phone_provisioning": True, "prompts": True,
               "voicemails": False, "fqdn": True, "disable_compression": False}
    plain = contents_body(options)
    assert plain == {"Recordings": True, "CallHistory": True, "License": False, "PhoneProvisioning": True, "Prompts": True,
                     "VoiceMails": False, "FQDN": True, "DisableBackupCompression": False, "EncryptBackup": False}
    assert contents_body(options, "pw") == dict(plain, EncryptBackup=True, EncryptBackupPassword={"Value": "pw"})


NEWEST_FIRST = [{"FileName": name} for name in ("pbx-3.zip", "other.zip", "pbx-2.zip", "pbx-1.zip", "pbx-0.zip")]


@pytest.mark.parametrize("keep, kept, due", [
    (2, "pbx-new.zip", ["pbx-2.zip", "pbx-1.zip", "pbx-0.zip"]),  # the new one counts as one of the two
    (1, "pbx-new.zip", ["pbx-3.zip", "pbx-2.zip", "pbx-1.zip", "pbx-0.zip"]),
    (2, "pbx-1.zip", ["pbx-2.zip", "pbx-0.zip"]),  # never the one of the task, even when it is older
    (2, "mine.zip", ["pbx-1.zip", "pbx-0.zip"]),  # a name without the prefix is not counted
    (9, "pbx-new.zip", []),
])
def test_due_for_deletion(keep, kept, due):
    assert due_for_deletion(NEWEST_FIRST, keep, kept, "pbx-") == due


class Downloader:
    """A client whose download writes ``data`` and then raises ``error``, if given."""

    def __init__(self, data, error=None):
        self.data = data
        self.error = error

    def download(self, link, description, write):
        write(self.data)
        if self.error:
            raise self.error
        return len(self.data)


def record(size):
    return {"FileName": "night.zip", "Size": size, "DownloadLink": "/api/x"}


def test_a_download_is_moved_to_its_name_when_complete(tmp_path):
    dest = tmp_path / "new" / "dir"
    size, checksum = download(Downloader(b"zip"), record(3), str(dest))
    assert (size, len(checksum)) == (3, 64) and os.listdir(dest) == ["night.zip"]


@pytest.mark.parametrize("client, message", [
    (Downloader(b"zi"), "Backup 'night.zip' as downloaded has 2 bytes, but the PBX lists it with 3. No file was left at"),
    (Downloader(b"z", XapiTransportError("Downloading backup 'night.zip' failed half-way: the connection broke off (x).")),
     "Downloading backup 'night.zip' failed half-way: the connection broke off (x). No file was left at"),
])
def test_a_short_or_broken_download_leaves_no_file(tmp_path, client, message):
    with pytest.raises(BackupError) as caught:
        download(client, record(3), str(tmp_path))
    assert caught.value.message.startswith(message) and caught.value.message.endswith("run again to download it.")
    assert os.listdir(tmp_path) == []


def test_a_directory_that_cannot_be_made_is_reported(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(BackupError, match="Backup 'night.zip' could not be saved in .*file/dir: .*No file was left at"):
        download(Downloader(b"zip"), record(3), str(tmp_path / "file" / "dir"))
