#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: backup_info
short_description: List the backups a 3CX PBX holds
version_added: 0.1.0
description:
  - Lists the backups of a 3CX V20 PBX, newest first, with their names, creation times and sizes. Backups still being
    made are not listed (3CX lists a backup once it is done).
  - This is the read-only companion of M(threecx.pbx.backup). It never changes the PBX and never reports a change.
  - Each backup's download link is a credential (it carries its own ticket, and anyone with it can download the backup,
    which holds the PBX's secrets). It is not returned unless O(include_download_link=true).
author:
  - The threecx.pbx maintainers (@threecx-pbx)
extends_documentation_fragment:
  - threecx.pbx.connection
  - threecx.pbx.attributes
  - threecx.pbx.attributes.info_module
options:
  name:
    description:
      - Only the backup with this file name, such as V(before-upgrade.zip). RV(backups) is empty when there is none.
      - Mutually exclusive with O(prefix).
    type: str
  prefix:
    description: Only the backups whose file name starts with this, such as V(pbx.example.com-).
    type: str
  include_download_link:
    description:
      - Whether each backup also has C(download_link), the link the PBX downloads it from (relative to O(url)).
      - The link is a credential and shows in the task's output and in AWX's job events like any other result. Set
        C(no_log=true) on the task, or keep V(false) and download with M(threecx.pbx.backup) and its
        O(threecx.pbx.backup#module:dest).
    type: bool
    default: false
seealso:
  - module: threecx.pbx.backup
"""

EXAMPLES = r"""
- name: List the backups of the PBX
  threecx.pbx.backup_info:
  delegate_to: localhost
  register: listing

- name: Show the newest
  ansible.builtin.debug:
    msg: "{{ listing.backups[0].name }} of {{ listing.backups[0].created }}, {{ listing.backups[0].size }} bytes"
  when: listing.count > 0

- name: The backups made by threecx.pbx.backup with its default names
  threecx.pbx.backup_info:
    prefix: pbx.example.com-
  delegate_to: localhost
  register: ours
"""

RETURN = r"""
backups:
  description:
    - The backups, newest first. C(created) is the creation time and C(size) the size in bytes, as the PBX gives them
      (either may be null).
    - C(download_link) only with O(include_download_link=true).
  returned: success
  type: list
  elements: dict
  sample:
    - name: pbx.example.com-20260118-030000.zip
      created: "2026-01-18T03:00:05Z"
      size: 73400320
    - name: 3CXScheduledBackup-20260117.zip
      created: "2026-01-17T03:00:00Z"
      size: 73390118
count:
  description: How many backups RV(backups) holds.
  returned: success
  type: int
  sample: 2
retry_count:
  description: How many requests to the PBX were tried again (see O(retries)).
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.threecx.pbx.plugins.module_utils._backups import describe, list_backups, name_filter, prefix_filter
from ansible_collections.threecx.pbx.plugins.module_utils._client import XapiError
from ansible_collections.threecx.pbx.plugins.module_utils._module import XapiModule


def main():
    module = XapiModule(
        argument_spec={
            "name": {"type": "str"},
            "prefix": {"type": "str"},
            "include_download_link": {"type": "bool", "default": False},
        },
        mutually_exclusive=[["name", "prefix"]],
        supports_check_mode=True,
    )
    params = module.params
    expression = name_filter(params["name"]) if params["name"] is not None else \
        prefix_filter(params["prefix"]) if params["prefix"] is not None else None
    try:
        records = list_backups(module.client, expression, with_link=params["include_download_link"])
    except XapiError as error:
        module.fail_xapi(error)
    backups = [describe(record, params["include_download_link"]) for record in records]
    module.exit_json(changed=False, backups=backups, count=len(backups))


if __name__ == "__main__":
    main()
