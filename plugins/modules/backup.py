#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: backup
short_description: Make a 3CX backup, wait for it, download it with a checksum, and keep the last N
version_added: 0.1.0
description:
  - Makes a backup of a 3CX V20 PBX (O(state=present)) or deletes one (O(state=absent)), by its file name O(name).
  - "3CX makes a backup in the background and gives no job id: the module asks for it (C(POST /Backups/Pbx.Backup)),
    then polls the PBX's list of backups until it shows, ever less often (after 0.5 s, then each wait 1.5 times longer,
    at most 10 s), for at most O(wait_timeout) seconds. A PBX that makes one backup at a time says so while it runs
    (C(GetCanCreateBackup) false); a backup that it then gives up on (not listed once it can make backups again) fails
    the task at once, without waiting out O(wait_timeout). When another backup is running as the task starts, the
    module waits for it to finish before it asks for its own, within the same O(wait_timeout)."
  - "With O(dest) the backup is downloaded to O(dest)/<file name> on the host the module runs on (the controller, with
    C(delegate_to=localhost)): streamed to a temporary file in O(dest), compared in size with what the PBX lists, and
    only then moved to its name, so that a file under that name is always complete. RV(checksum) is its SHA-256. The
    file is readable by its owner only (mode 0600): a backup holds the PBX's secrets."
  - With O(keep), once the backup exists, all but the O(keep) newest backups (by their creation time on the PBX) whose
    name starts with O(prefix) are deleted from the PBX; never the one of this task.
  - A backup of that name that exists already is not made again; it is downloaded if O(dest)/<file name> is missing.
  - The download link the PBX gives a backup is a credential (it carries its own ticket); it never appears in the task's
    output, whatever the verbosity.
author:
  - The threecx.pbx maintainers (@threecx-pbx)
extends_documentation_fragment:
  - threecx.pbx.connection
  - threecx.pbx.attributes
  - threecx.pbx.attributes.changes
attributes:
  idempotent:
    support: partial
    details:
      - With O(name) given, a second run finds the backup and the file and changes nothing. Without it, every run makes a
        new backup, named after the time.
options:
  state:
    description:
      - V(present) makes the backup O(name) unless it exists; V(absent) deletes it from the PBX if it exists.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The backup's file name, ending in V(.zip), such as V(before-upgrade.zip); the PBX lists the backup by it.
      - Required with O(state=absent). With O(state=present) it defaults to C(<host of url>-YYYYMMDD-HHMMSS.zip), the
        time in UTC, such as V(pbx.example.com-20260118-030000.zip).
    type: str
  contents:
    description:
      - What the backup holds. An option not given takes 3CX's default.
    type: dict
    suboptions:
      recordings:
        description: Call recordings (they can make a backup many times larger).
        type: bool
        default: false
      call_history:
        description: The call history (call data records).
        type: bool
        default: true
      license:
        description: The licence key.
        type: bool
        default: true
      phone_provisioning:
        description: The provisioning files of the phones.
        type: bool
        default: true
      prompts:
        description: Custom prompts.
        type: bool
        default: true
      voicemails:
        description: Voicemail messages.
        type: bool
        default: true
      fqdn:
        description: The PBX's FQDN and its certificate, to restore onto the same address.
        type: bool
        default: true
      disable_compression:
        description: Store the files uncompressed (faster to make, larger).
        type: bool
        default: false
  encrypt:
    description: Whether the PBX encrypts the backup with O(password). Restoring it then needs the password.
    type: bool
    default: false
  password:
    description:
      - The password of an encrypted backup; required with O(encrypt=true). It never appears in the task's output.
      - Keep it in Ansible Vault; a backup cannot be restored without it.
    type: str
  wait:
    description:
      - Whether to wait until the backup is made. V(false) returns once the PBX has taken the request; O(dest) and O(keep)
        need V(true).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for the backup, and for another one running before it, in all. A backup with recordings
        and voicemail of a large PBX can take long.
    type: int
    default: 1800
  dest:
    description:
      - A directory to download the backup to, made (mode 0700) if missing. The file is O(dest)/<file name>; one there
        already is kept as it is (its size must be the one the PBX lists).
    type: path
  keep:
    description:
      - How many backups whose name starts with O(prefix) the PBX keeps, this one included if it has the prefix; the
        older ones are deleted once this backup exists. At least 1. Not set, none are deleted.
    type: int
  prefix:
    description:
      - The name prefix of the backups that O(keep) counts and deletes. Defaults to the start of the default name,
        C(<host of url>-), so that backups made otherwise (such as the PBX's scheduled ones) are never deleted.
    type: str
  max_deletes:
    description:
      - When O(keep) would delete more backups than this, the task fails and deletes none (in check mode too); the backup
        itself is made and downloaded all the same. A guard against a O(prefix) that matches more than meant.
    type: int
notes:
  - "A run that fails while waiting (O(wait_timeout)) leaves the backup to the PBX: run the task again with the same
    O(name) to wait for it, download it and prune; with the default name a new backup would be made."
  - What the PBX counts as too many backups (C(WARNINGS.TOO_MANY_BACKUPS)) is not known; the message says both readings.
seealso:
  - module: threecx.pbx.backup_info
  - name: 3CX XAPI
    description: The official tutorial and specification of the 3CX configuration API.
    link: https://github.com/3cx/xapi-tutorial
"""

EXAMPLES = r"""
- name: Back up the PBX before an upgrade and download the backup to the controller
  threecx.pbx.backup:
    name: before-upgrade-20.0.10.zip
    dest: /srv/backups/pbx-london
  delegate_to: localhost
  register: backup

- name: Show what was saved
  ansible.builtin.debug:
    msg: "{{ backup.path }}: {{ backup.size }} bytes, sha256 {{ backup.checksum }}"

- name: A nightly backup with recordings, encrypted, keeping the last 7 on the PBX (the connection set once)
  delegate_to: localhost
  module_defaults:
    group/threecx.pbx.all:
      url: https://pbx.example.com:5001
      client_id: ansible
      client_secret: "{{ vault_threecx_client_secret }}"
  block:
    - name: Back up, wait at most an hour, download, prune
      threecx.pbx.backup:
        contents:
          recordings: true
        encrypt: true
        password: "{{ vault_backup_password }}"
        wait_timeout: 3600
        dest: /srv/backups/pbx-example
        keep: 7
        max_deletes: 3

- name: Ask for a backup and go on (the PBX makes it in the background)
  threecx.pbx.backup:
    name: adhoc.zip
    wait: false
  delegate_to: localhost

- name: Delete a backup from the PBX
  threecx.pbx.backup:
    name: adhoc.zip
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
backup:
  description:
    - The backup on the PBX as listed, C(created) its creation time and C(size) its size in bytes as the PBX gives them.
    - With O(state=absent), the backup as listed before it was deleted.
    - Before the PBX lists it (in check mode, with O(wait=false), or when waiting failed), C(created) and C(size) are null.
  returned: always; null with O(state=absent) when there was no such backup
  type: dict
  sample:
    name: pbx.example.com-20260118-030000.zip
    created: "2026-01-18T03:00:05Z"
    size: 73400320
path:
  description: The path of the downloaded copy, O(dest)/<file name>, when it is there after the task (downloaded or not).
  returned: always; null without O(dest), in check mode before the copy exists, and when the task failed before
  type: str
  sample: /srv/backups/pbx-london/pbx.example.com-20260118-030000.zip
size:
  description: The size of the copy at RV(path) in bytes, the same as the PBX lists.
  returned: always; null when RV(path) is null
  type: int
  sample: 73400320
checksum:
  description: The SHA-256 of the copy at RV(path), in hexadecimal.
  returned: always; null when RV(path) is null
  type: str
  sample: 4f9c1e0b5d0a3c2e7b8f6a1d9e0c3b2a5f4e7d6c9b8a0f1e2d3c4b5a6978e0f1
downloaded:
  description: Whether the task downloaded the backup (in check mode, whether it would).
  returned: always
  type: bool
  sample: true
deleted:
  description:
    - The names of the backups deleted from the PBX (in check mode, that would be), the old ones O(keep) pruned, or with
      O(state=absent) the one named. On a failure while deleting, those deleted before it.
  returned: always
  type: list
  elements: str
  sample: [pbx.example.com-20260110-030000.zip]
retry_count:
  description: How many requests to the PBX were tried again (see O(retries)).
  returned: always
  type: int
  sample: 0
msg:
  description: What the task did, in one sentence.
  returned: always
  type: str
  sample: Made backup 'pbx.example.com-20260118-030000.zip' (73400320 bytes); downloaded it to /srv/backups/pbx-london; deleted 1 old backup.
"""

from ansible_collections.threecx.pbx.plugins.module_utils._backups import (
    BACKUPS,
    CONTENTS,
    BackupError,
    Deadline,
    delete,
    default_name,
    default_prefix,
    describe,
    download,
    due_for_deletion,
    find,
    list_backups,
    name_problem,
    prefix_filter,
    saved_copy,
    start,
    wait_for,
    wait_until_idle,
)
from ansible_collections.threecx.pbx.plugins.module_utils._client import XapiError, XapiNotFoundError
from ansible_collections.threecx.pbx.plugins.module_utils._module import XapiModule


def plural(count, noun):
    return "%d %s%s" % (count, noun, "" if count == 1 else "s")


class BackupTask:
    """One run of the module: ``result`` holds what it did so far, which a failure reports too."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.client = module.client
        self.name = self.params["name"] or default_name(self.client.base_url)
        self.result = {"changed": False, "backup": None, "path": None, "size": None, "checksum": None, "downloaded": False,
                       "deleted": []}
        self.done = []  # what the message says, in the order done
        self.existed = False  # whether backup ``name`` was on the PBX when the task began

    def present(self):
        params = self.params
        record = find(self.client, self.name, with_link=params["dest"] is not None)
        self.existed = record is not None
        self.result["backup"] = describe(record) if record else {"name": self.name, "created": None, "size": None}
        if record is not None:
            self.done.append("Backup %r exists (%s bytes)" % (self.name, record.get("Size")))
        elif self.module.check_mode:
            self.result["changed"] = True
            self.done.append("Would make backup %r" % self.name)
        else:
            record = self.make()
        if params["dest"] is not None:  # with wait: true, so record is None only in check mode
            self.save(record)
        if params["keep"] is not None:
            self.prune()
        return "; ".join(self.done) + "."

    def make(self):
        """Start the backup (after another that runs), and with ``wait`` wait for it; its record, or None without ``wait``."""
        params = self.params
        deadline = Deadline(params["wait_timeout"])
        if params["wait"]:
            wait_until_idle(self.client, self.name, deadline)
        contents = {option: params["contents"][option] for option, _prop, _default in CONTENTS}
        started = start(self.client, self.name, contents, params["password"] if params["encrypt"] else None)
        self.result["changed"] = started
        if not params["wait"]:
            self.done.append("Asked the PBX for backup %r" % self.name if started else "Backup %r is being made already" % self.name)
            return None
        record = wait_for(self.client, self.name, deadline, with_link=params["dest"] is not None)
        self.result["backup"] = describe(record)
        self.done.append("%s backup %r (%s bytes)" % ("Made" if started else "Waited for", self.name, record.get("Size")))
        return record

    def save(self, record):
        """Download the backup to dest, unless it is there (a prediction in check mode for one that does not exist yet)."""
        directory = self.params["dest"]
        path, size, checksum = saved_copy(record, directory) if record else (None, None, None)
        if checksum is None and self.module.check_mode:
            self.result.update(changed=True, downloaded=True)
            self.done.append("would download it to %s" % directory)
            return
        if checksum is None:
            size, checksum = download(self.client, record, directory)
            self.result.update(changed=True, downloaded=True)
            self.done.append("downloaded it to %s" % directory)
        else:
            self.done.append("%s is there already" % path)
        self.result.update(path=path, size=size, checksum=checksum)

    def prune(self):
        params = self.params
        prefix = default_prefix(self.client.base_url) if params["prefix"] is None else params["prefix"]
        due = due_for_deletion(list_backups(self.client, prefix_filter(prefix)), params["keep"], self.name, prefix)
        if params["max_deletes"] is not None and len(due) > params["max_deletes"]:
            raise BackupError("%s whose name starts with %r are due for deletion (keep: %d), more than max_deletes (%d): none "
                              "was deleted. Check prefix, or raise max_deletes or keep."
                              % (plural(len(due), "old backup"), prefix, params["keep"], params["max_deletes"]))
        if due:
            self.result["changed"] = True
        if self.module.check_mode:
            self.result["deleted"] = due
            self.done.append("would delete %s" % plural(len(due), "old backup"))
        else:
            delete(self.client, due, self.result["deleted"])
            self.done.append("deleted %s" % plural(len(self.result["deleted"]), "old backup"))

    def absent(self):
        record = find(self.client, self.name)
        if record is None:
            return "There is no backup %r on the PBX." % self.name
        self.existed = True
        self.result["backup"] = describe(record)
        if not self.module.check_mode:
            try:
                self.client.delete(BACKUPS.key_path(self.name), BACKUPS.delete_operation)
            except XapiNotFoundError:
                return "Backup %r was deleted meanwhile." % self.name
        self.result.update(changed=True, deleted=[self.name])
        return "%s backup %r." % ("Would delete" if self.module.check_mode else "Deleted", self.name)

    def diff(self):
        """The backups the task made, deleted or found, by name, before and after it."""
        before = ([self.name] if self.existed else []) + [name for name in self.result["deleted"] if name != self.name]
        after = [self.name] if self.params["state"] == "present" else []
        return {"before": {"backups": sorted(before)}, "after": {"backups": after}}


def check_options(module):
    params = module.params
    if params["name"] is not None and name_problem(params["name"]):
        module.fail_json(msg="name %s, not %r." % (name_problem(params["name"]), params["name"]))
    if params["state"] == "absent":
        if params["name"] is None:
            module.fail_json(msg="state: absent needs the name of the backup to delete.")
        unused = [option for option in ("dest", "keep", "prefix", "max_deletes", "password") if params[option] is not None]
        if params["encrypt"]:
            unused.append("encrypt")
        if unused:
            module.fail_json(msg="%s: only with state: present." % ", ".join(unused))
    without_keep = [option for option in ("prefix", "max_deletes") if params[option] is not None and params["keep"] is None]
    if without_keep:
        module.fail_json(msg="%s: only with keep." % ", ".join(without_keep))
    if not params["wait"] and (params["dest"] is not None or params["keep"] is not None):
        module.fail_json(msg="dest and keep need wait: true: the backup must exist before it can be downloaded or counted.")
    if params["password"] is not None and not params["encrypt"]:
        module.fail_json(msg="password applies only with encrypt: true.")
    if params["encrypt"] and not params["password"]:
        module.fail_json(msg="encrypt: true needs a password, not an empty one.")
    for option, least in (("wait_timeout", 0), ("keep", 1), ("max_deletes", 0)):
        if params[option] is not None and params[option] < least:
            module.fail_json(msg="%s must be %d or more, not %d." % (option, least, params[option]))


def main():
    contents = {option: {"type": "bool", "default": default} for option, _prop, default in CONTENTS}
    module = XapiModule(
        argument_spec={
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "name": {"type": "str"},
            "contents": {"type": "dict", "options": contents, "apply_defaults": True},
            "encrypt": {"type": "bool", "default": False},
            "password": {"type": "str", "no_log": True},
            "wait": {"type": "bool", "default": True},
            "wait_timeout": {"type": "int", "default": 1800},
            "dest": {"type": "path"},
            "keep": {"type": "int"},
            "prefix": {"type": "str"},
            "max_deletes": {"type": "int"},
        },
        required_if=[["encrypt", True, ["password"]]],
        supports_check_mode=True,
    )
    check_options(module)
    task = BackupTask(module)
    try:
        msg = task.present() if module.params["state"] == "present" else task.absent()
    except XapiError as error:
        module.fail_xapi(error, **task.result)
    if module._diff:
        task.result["diff"] = task.diff()
    module.exit_json(msg=msg, **task.result)


if __name__ == "__main__":
    main()
