#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: department
short_description: Manage a 3CX department by its name
version_added: 0.1.0
description:
  - Makes one department (XAPI C(Groups)) of a 3CX V20 PBX be as the task says (O(state=present)), or gone
    (O(state=absent)). The department is found by O(name); 3CX gives it a number of its own (C(GRP...)).
  - The module reads first (an explicit C($select)), compares, and writes only what differs. Options not given are
    left as they are.
  - Who belongs to a department is set on the users (M(threecx.pbx.user) option O(threecx.pbx.user#module:departments)),
    never here, since rewriting a department's member list may drop its queues, IVRs and parkings.
  - The hidden C(___FAVORITES___) departments that 3CX keeps for each user's favourites are never read, matched,
    changed or deleted.
author:
  - The threecx.pbx maintainers (@threecx-pbx)
extends_documentation_fragment:
  - threecx.pbx.connection
  - threecx.pbx.attributes
  - threecx.pbx.attributes.changes
options:
  name:
    description: The department's name, the key it is found by.
    type: str
    required: true
  rename_from:
    description:
      - Rename the department named so to O(name). When only O(name) exists, it is taken as already renamed; when
        both exist, the task fails and writes nothing; when neither does, O(name) is created.
    type: str
  language:
    description: The language of the department's prompts, a 3CX language code such as V(EN).
    type: str
  timezone_id:
    description: The department's time zone, as 3CX numbers them (C(TimeZoneId), such as V('51')).
    type: str
  properties:
    description:
      - Other XAPI properties of the department (C(Pbx.Group)), by their XAPI names, such as
        C(AllowCallService) or C(OfficeRoute). Only those that differ are written; a dictionary value (such as C(OfficeRoute))
        is compared by the keys it gives and sent whole.
      - Unknown names, read-only ones (C(Members), C(IsDefault), ...), secrets, and those an option manages fail the task
        before anything is written.
    type: dict
  force:
    description:
      - With O(state=absent), delete a department that has members. Its users are first moved to the PBX's default
        department (written on each user; one whose primary department it was gets the default department as primary),
        then it is deleted. Its other members (queues, ring groups, IVRs, parkings) are listed in RV(other_members); if
        3CX refuses the delete because of them, the task fails naming them and the users it moved.
      - Without it, a department with members is not deleted, and the task fails listing them.
    type: bool
    default: false
  state:
    description:
      - V(present), the department exists as the options say; V(absent), it does not (already gone is no change).
      - The PBX's default department (C(IsDefault)) cannot be deleted.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: threecx.pbx.department_info
  - module: threecx.pbx.user
"""

EXAMPLES = r"""
- name: A department for the sales team
  threecx.pbx.department:
    name: Sales
    language: EN
  delegate_to: localhost

- name: Rename it (a second run finds it renamed and changes nothing)
  threecx.pbx.department:
    name: Sales and Marketing
    rename_from: Sales
  delegate_to: localhost

- name: Close it, moving its users to the default department
  threecx.pbx.department:
    name: Sales and Marketing
    state: absent
    force: true
  delegate_to: localhost
"""

RETURN = r"""
department:
  description:
    - The department in this module's option names, as read back from the PBX after the change (before it, when
      nothing changed); in check mode, as it would be. It can be fed back to this module unchanged.
    - An empty dictionary when it does not exist (and with O(state=absent), the department as it was before deletion).
  returned: always
  type: dict
  sample:
    name: Sales
    language: EN
    timezone_id: "51"
changes:
  description: The options (and O(properties)) that were written, or would be in check mode.
  returned: when something changed
  type: list
  elements: str
  sample: [language]
moved_users:
  description: With O(state=absent) and O(force), the numbers of the users moved to the default department (or that would be).
  returned: when a department with members was deleted, or would be
  type: list
  elements: str
  sample: ["101", "102"]
other_members:
  description: With O(state=absent), the department's members other than users, which 3CX may keep it for.
  returned: when a department with members was deleted, or would be
  type: list
  elements: dict
  sample:
    - number: "800"
      name: Sales queue
      type: Queue
msg:
  description: What was done, in a sentence.
  returned: always
  type: str
  sample: Department name 'Sales' created.
retry_count:
  description: How many requests to the PBX were tried again (see O(retries)).
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.threecx.pbx.plugins.module_utils._models import DEPARTMENTS
from ansible_collections.threecx.pbx.plugins.module_utils._resource import ResourceModule


def main():
    ResourceModule(DEPARTMENTS).run()


if __name__ == "__main__":
    main()
