#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: user
short_description: Manage a 3CX user (extension) by its number or e-mail address
version_added: 0.1.0
description:
  - Makes one user (extension) of a 3CX V20 PBX be as the task says (O(state=present)), or gone (O(state=absent)).
  - The user is found by O(number), or by O(email) when O(number) is not given. A user created without O(number)
    gets the PBX's first free extension number; the result says which, in C(user.number).
  - The module reads the user first (one request, with an explicit C($select), never a password), compares it with
    the options given and writes only what differs, in one PATCH (two when O(primary_department) must be written
    before or after the membership it needs). Options not given are left as they are, so a task need only name what
    it manages.
  - Every department named (in O(departments) and O(primary_department)) is looked up before anything is written; an
    unknown one fails the task, naming all of them, and nothing is written.
  - The hidden C(___FAVORITES___) departments that 3CX keeps for each user's favourites are never read, shown or changed.
author:
  - The threecx.pbx maintainers (@threecx-pbx)
extends_documentation_fragment:
  - threecx.pbx.connection
  - threecx.pbx.attributes
  - threecx.pbx.attributes.changes
options:
  number:
    description:
      - The user's extension number, such as V('101'). The key the user is found by.
      - 3CX does not change a user's number; a user found by O(email) whose number is not this fails the task.
    type: str
  email:
    description:
      - The user's e-mail address. Found by it when O(number) is not given; two users sharing it fail the task, naming both.
      - With O(number) given, the address to set.
    type: str
  first_name:
    description: The first name. 3CX composes the display name from the first and last names.
    type: str
  last_name:
    description: The last name.
    type: str
  mobile:
    description: The mobile number.
    type: str
  outbound_caller_id:
    description: The caller ID shown on outbound calls.
    type: str
  enabled:
    description: Whether the extension can make and take calls. Disabling keeps the number reserved, unlike deleting.
    type: bool
  language:
    description: The language of the user's prompts and web client, a 3CX language code such as V(EN) or V(DE).
    type: str
  require_2fa:
    description: Whether the user must sign in to the web client with two-factor authentication.
    type: bool
  vm_enabled:
    description: Whether the user has a voicemail box.
    type: bool
  access_password:
    description:
      - The password of the web client and admin console. Write-only, never read back or shown (diffs show V(********)).
      - Sent when the user is created, and on every run with O(update_password=always).
    type: str
  vm_pin:
    description: The voicemail PIN. Write-only, like O(access_password).
    type: str
  update_password:
    description:
      - When O(access_password) and O(vm_pin) are sent. V(on_create) sends them only when the user is created (a run
        cannot tell whether they differ, since the PBX never shows them); V(always) sends them on every run, which then
        always reports a change.
    type: str
    choices: [on_create, always]
    default: on_create
  departments:
    description:
      - The departments the user belongs to, by name, each with the user's role in it. See O(departments_mode).
      - A user belongs to at least one department; a list that would leave none fails the task.
      - Membership is written on the user (its C(Groups)), never by rewriting a department's members.
    type: list
    elements: dict
    suboptions:
      name:
        description: The department's name.
        type: str
        required: true
      role:
        description: The user's role in the department.
        type: str
        choices: [users, managers, receptionists, group_admins, group_owners, system_admins, system_owners]
        default: users
  departments_mode:
    description:
      - V(set), the user belongs to exactly O(departments); V(add), to these as well (a role given replaces the
        current one); V(remove), no longer to these (roles are ignored).
    type: str
    choices: [set, add, remove]
    default: set
  primary_department:
    description:
      - The user's primary department, by name; it must be one of the user's departments. When it is new, it is set
        after the membership is written, since 3CX refuses it before.
    type: str
  properties:
    description:
      - Other XAPI properties of the user (C(Pbx.User)), by their XAPI names, such as C(SendEmailMissedCalls) or C(Hours).
        Only the ones that differ are written; a dictionary value is compared by the keys it gives and sent whole.
      - Unknown names, read-only ones, secrets (names with password, pin, key, link, provision, secret or token), and
        those an option manages fail the task before anything is written.
    type: dict
  state:
    description:
      - V(present), the user exists as the options say; V(absent), it does not. A user already gone is no change.
      - Deleting frees the number; to keep it reserved, set O(enabled=false) instead.
    type: str
    choices: [present, absent]
    default: present
notes:
  - "A second run with the same options sends no write and reports no change (unless O(update_password=always))."
seealso:
  - module: threecx.pbx.user_info
  - module: threecx.pbx.department
"""

EXAMPLES = r"""
- name: On-board a user into Sales (the PBX at THREECX_URL, credentials from THREECX_CLIENT_ID/THREECX_CLIENT_SECRET)
  threecx.pbx.user:
    number: "104"
    first_name: Ada
    last_name: Lovelace
    email: ada.lovelace@example.com
    departments:
      - name: Sales
    primary_department: Sales
    access_password: "{{ vault_initial_password }}"
  delegate_to: localhost

- name: Move the user from Sales to Support, as the department's manager
  threecx.pbx.user:
    number: "104"
    departments:
      - name: Support
        role: managers
    primary_department: Support
  delegate_to: localhost

- name: Add the user to a second department, keeping the others
  threecx.pbx.user:
    number: "104"
    departments: [{name: Night shift}]
    departments_mode: add
  delegate_to: localhost

- name: A new user found by e-mail, with the PBX's first free number
  threecx.pbx.user:
    email: grace.hopper@example.com
    first_name: Grace
    last_name: Hopper
  delegate_to: localhost
  register: grace   # grace.user.number

- name: Off-board a user, keeping the number reserved
  threecx.pbx.user:
    number: "104"
    enabled: false
  delegate_to: localhost

- name: Delete the user
  threecx.pbx.user:
    number: "104"
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
user:
  description:
    - The user in this module's option names, as read back from the PBX after the change (before it, when nothing
      changed); in check mode, as it would be. Departments by name; never a password.
    - An empty dictionary when the user does not exist (and with O(state=absent), the user as it was before deletion).
    - It can be fed back to this module unchanged.
  returned: always
  type: dict
  sample:
    number: "104"
    email: ada.lovelace@example.com
    first_name: Ada
    last_name: Lovelace
    mobile: null
    outbound_caller_id: null
    enabled: true
    language: EN
    require_2fa: false
    vm_enabled: true
    departments:
      - name: Sales
        role: users
    primary_department: Sales
changes:
  description: The options (and O(properties)) that were written, or would be in check mode.
  returned: when something changed
  type: list
  elements: str
  sample: [departments, primary_department]
msg:
  description: What was done, in a sentence.
  returned: always
  type: str
  sample: User number '104' updated.
retry_count:
  description: How many requests to the PBX were tried again (see O(retries)).
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.threecx.pbx.plugins.module_utils._models import USERS
from ansible_collections.threecx.pbx.plugins.module_utils._resource import ResourceModule


def main():
    ResourceModule(USERS).run()


if __name__ == "__main__":
    main()
