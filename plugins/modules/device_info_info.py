#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: device_info_info
short_description: List DeviceInfos (phones a 3CX PBX detected on the network)
version_added: 0.1.0
description:
  - Reads the XAPI entity B(DeviceInfo) of a 3CX V20 PBX, the phones the PBX has detected on its network (by SIP
    plug-and-play, or relayed by a 3CX SBC), provisioned or not.
  - This is the read-only companion of M(threecx.pbx.device_info), named after Ansible's C(_info) convention
    (hence the doubled C(info)). It never changes the PBX and never reports a change.
  - It reads every page of the list (3CX sends no C(@odata.nextLink); the module pages with C($top) and C($skip)
    until C(@odata.count) records are in), so the result holds all matching records, up to O(top).
author:
  - The threecx.pbx maintainers (@threecx-pbx)
extends_documentation_fragment:
  - threecx.pbx.connection
  - threecx.pbx.attributes
  - threecx.pbx.attributes.info_module
options:
  id:
    description:
      - The C(Id) of one DeviceInfo. RV(device_infos) is empty when it does not exist.
      - Mutually exclusive with O(filter), O(orderby) and O(top).
    type: int
  filter:
    description:
      - An OData C($filter) expression over DeviceInfo fields, such as V(Assigned eq false and Vendor eq 'Yealink').
        String literals are single-quoted with a quote doubled; date-times are not quoted.
      - A filter that the PBX rejects fails the task with the PBX's message.
    type: str
  orderby:
    description:
      - Fields to sort by, each optionally followed by V(asc) or V(desc), such as V(DetectedAt desc).
    type: list
    elements: str
  select:
    description:
      - Fields to return (C(Id) is always useful to include). All fields when not set.
    type: list
    elements: str
  top:
    description:
      - The most records to return in all (not a page size). All matching records when not set.
    type: int
seealso:
  - module: threecx.pbx.device_info
"""

EXAMPLES = r"""
- name: Find phones that were detected before 2026 and never provisioned
  threecx.pbx.device_info_info:
    filter: Assigned eq false and DetectedAt lt 2026-01-01T00:00:00Z
    orderby: [DetectedAt asc]
    select: [Id, MAC, Vendor, Model, DetectedAt]
  delegate_to: localhost
  register: stale

- name: Show them
  ansible.builtin.debug:
    msg: "{{ stale.count }} stale phones: {{ stale.device_infos | map(attribute='MAC') | join(', ') }}"

- name: Delete them, unless one of them was assigned in the meantime
  threecx.pbx.device_info:
    filter: "Assigned eq false and ({{ stale.device_infos | map(attribute='Id') | map('regex_replace', '^', 'Id eq ') | join(' or ') }})"
  delegate_to: localhost
  when: stale.count > 0

- name: Read one record with its ETag (on PBXs that send ETags)
  threecx.pbx.device_info_info:
    id: 42
  delegate_to: localhost
  register: one
"""

RETURN = r"""
device_infos:
  description:
    - The matching records, in the order asked for (by Id when O(orderby) is not set, as the PBX answers).
    - Each carries C(@odata.etag) when the PBX sends ETags.
  returned: success
  type: list
  elements: dict
  sample:
    - Id: 42
      Assigned: false
      AssignedUser: null
      DetectedAt: "2025-03-14T09:26:53Z"
      FirmwareVersion: "108.86.0.45"
      InterfaceLink: "http://192.168.1.57"
      MAC: "805ec0112233"
      Model: "SIP-T46U"
      NetworkAddress: "192.168.1.57"
      NetworkPath: "eth0"
      Parameters: null
      SbcName: null
      TemplateName: "yealink_t4x.ph.xml"
      UserAgent: "Yealink SIP-T46U 108.86.0.45"
      Vendor: "Yealink"
      ViaSBC: false
retry_count:
  description: How many requests to the PBX were tried again (see O(retries)).
  returned: always
  type: int
  sample: 0
count:
  description: How many records RV(device_infos) holds.
  returned: success
  type: int
  sample: 1
"""

from ansible_collections.threecx.pbx.plugins.module_utils._entities import DEVICE_INFOS, read_entity, reject_bad_filter
from ansible_collections.threecx.pbx.plugins.module_utils._client import XapiError
from ansible_collections.threecx.pbx.plugins.module_utils._module import XapiModule, check_int32


def list_device_infos(module):
    params = module.params
    if params["id"] is not None:
        record = read_entity(module.client, DEVICE_INFOS.key_path(params["id"]), DEVICE_INFOS.get_operation,
                             {"$select": params["select"]} if params["select"] else None)
        return [record] if record else []
    query = {"$filter": params["filter"], "$orderby": params["orderby"], "$select": params["select"]}
    with reject_bad_filter(params["filter"]):
        return list(module.client.iter_collection(DEVICE_INFOS.path, DEVICE_INFOS.list_operation, query, limit=params["top"]))


def main():
    module = XapiModule(
        argument_spec={
            "id": {"type": "int"},
            "filter": {"type": "str"},
            "orderby": {"type": "list", "elements": "str"},
            "select": {"type": "list", "elements": "str"},
            "top": {"type": "int"},
        },
        mutually_exclusive=[["id", "filter"], ["id", "orderby"], ["id", "top"]],
        supports_check_mode=True,
    )
    check_int32(module, "id", module.params["id"])
    if module.params["top"] is not None and module.params["top"] < 1:
        module.fail_json(msg="top must be 1 or more, not %d." % module.params["top"])
    try:
        records = list_device_infos(module)
    except XapiError as error:
        module.fail_xapi(error)
    module.exit_json(changed=False, device_infos=records, count=len(records))


if __name__ == "__main__":
    main()
