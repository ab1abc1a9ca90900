#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: user_info
short_description: Read 3CX users (extensions) in the options of threecx.pbx.user
version_added: 0.1.0
description:
  - Returns the users of a 3CX V20 PBX, every one or those with the O(numbers) or matching the O(filter) given, sorted
    by number.
  - Each user is in the option names of M(threecx.pbx.user), departments by name, so that a user read here can be fed
    back to that module unchanged.
  - Never a password or PIN; users are read with an explicit C($select), 100 a request.
author:
  - The threecx.pbx maintainers (@threecx-pbx)
extends_documentation_fragment:
  - threecx.pbx.connection
  - threecx.pbx.attributes
  - threecx.pbx.attributes.info_module
options:
  numbers:
    description: The extension numbers of the users to read; numbers with no user are left out. All users when not given.
    type: list
    elements: str
  filter:
    description:
      - An OData C($filter) over C(Pbx.User) properties, such as V(Enabled eq false) or V(startswith(Number,'2')).
        With O(numbers), both must match. A filter the PBX rejects fails the task with its message.
    type: str
  properties:
    description:
      - Other XAPI properties of C(Pbx.User) to return in each user's C(properties), by their XAPI names.
        Secrets, unknown names and navigation properties fail the task.
    type: list
    elements: str
    default: []
seealso:
  - module: threecx.pbx.user
"""

EXAMPLES = r"""
- name: Every user of the PBX
  threecx.pbx.user_info:
  delegate_to: localhost
  register: pbx_users

- name: The disabled ones, numbers only
  ansible.builtin.debug:
    msg: "{{ pbx_users.users | rejectattr('enabled') | map(attribute='number') }}"

- name: Two users, with a property the options do not cover
  threecx.pbx.user_info:
    numbers: ["101", "102"]
    properties: [SendEmailMissedCalls]
  delegate_to: localhost
"""

RETURN = r"""
users:
  description: The users, sorted by number, in the options of M(threecx.pbx.user).
  returned: success
  type: list
  elements: dict
  sample:
    - number: "101"
      email: john.smith@example.com
      first_name: John
      last_name: Smith
      mobile: null
      outbound_caller_id: null
      enabled: true
      language: EN
      require_2fa: false
      vm_enabled: true
      departments:
        - name: DEFAULT
          role: users
      primary_department: DEFAULT
retry_count:
  description: How many requests to the PBX were tried again (see O(retries)).
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.threecx.pbx.plugins.module_utils._models import USERS
from ansible_collections.threecx.pbx.plugins.module_utils._resource_info import ResourceInfoModule


def main():
    ResourceInfoModule(USERS, "numbers", "users").run()


if __name__ == "__main__":
    main()
