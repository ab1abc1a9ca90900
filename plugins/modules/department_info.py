#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: department_info
short_description: Read 3CX departments in the options of threecx.pbx.department
version_added: 0.1.0
description:
  - Returns the departments (XAPI C(Groups)) of a 3CX V20 PBX, every one or those with the O(names) or matching the
    O(filter) given, sorted by name.
  - Each department is in the option names of M(threecx.pbx.department), so that one read here can be fed back to
    that module unchanged.
  - The hidden C(___FAVORITES___) departments that 3CX keeps for each user's favourites are never returned.
author:
  - The threecx.pbx maintainers (@threecx-pbx)
extends_documentation_fragment:
  - threecx.pbx.connection
  - threecx.pbx.attributes
  - threecx.pbx.attributes.info_module
options:
  names:
    description: The names of the departments to read; names with no department are left out. All when not given.
    type: list
    elements: str
  filter:
    description:
      - An OData C($filter) over C(Pbx.Group) properties, such as V(Language eq 'DE'). With O(names), both must match.
        A filter the PBX rejects fails the task with its message.
    type: str
  properties:
    description:
      - Other XAPI properties of C(Pbx.Group) to return in each department's C(properties), by their XAPI
        names, such as V(OfficeRoute). Secrets, unknown names and navigation properties fail the task.
    type: list
    elements: str
    default: []
seealso:
  - module: threecx.pbx.department
"""

EXAMPLES = r"""
- name: Every department of the PBX
  threecx.pbx.department_info:
  delegate_to: localhost
  register: pbx_departments

- name: Their names
  ansible.builtin.debug:
    msg: "{{ pbx_departments.departments | map(attribute='name') }}"
"""

RETURN = r"""
departments:
  description: The departments, sorted by name, in the options of M(threecx.pbx.department).
  returned: success
  type: list
  elements: dict
  sample:
    - name: Sales
      language: EN
      timezone_id: "51"
retry_count:
  description: How many requests to the PBX were tried again (see O(retries)).
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.threecx.pbx.plugins.module_utils._models import DEPARTMENTS
from ansible_collections.threecx.pbx.plugins.module_utils._resource_info import ResourceInfoModule


def main():
    ResourceInfoModule(DEPARTMENTS, "names", "departments").run()


if __name__ == "__main__":
    main()
