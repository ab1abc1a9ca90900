#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: device_info
short_description: Delete a DeviceInfo (a phone detected on the network) from a 3CX PBX
version_added: 0.1.0
description:
  - Manages the XAPI entity B(DeviceInfo) of a 3CX V20 PBX. A DeviceInfo is a phone that the PBX has
    detected on its network (by SIP plug-and-play, or relayed by a 3CX SBC) and that may never have been
    provisioned. Replaced, returned or foreign phones leave such records behind.
  - With O(state=absent) the record is deleted. Deleting it removes only the discovery record; a phone that
    keeps announcing itself is detected again later under a new ID.
  - The module reads the record first, so that check mode, diff mode and the returned RV(device_info) tell what
    is, or would be, deleted, and a record that does not exist is reported as unchanged.
  - The name follows the XAPI entity, not Ansible's C(_info) convention; this module changes the PBX.
author:
  - The threecx.pbx maintainers (@threecx-pbx)
extends_documentation_fragment:
  - threecx.pbx.connection
  - threecx.pbx.attributes
options:
  id:
    description:
      - The C(Id) of the DeviceInfo, as listed by the XAPI C(GET /xapi/v1/DeviceInfos).
      - A 32-bit signed integer.
    type: int
    required: true
  if_match:
    description:
      - An ETag of the record, as read earlier (C(@odata.etag)). The delete is sent with C(If-Match) so that the PBX
        refuses it, and the task fails, if the record has changed since that ETag was read.
      - When not set and the PBX sends ETags, the ETag of the record as the module reads it is used, so a record
        that changes between the read and the delete is not deleted either.
      - Current 3CX releases send no ETags and may ignore C(If-Match); the header is passed through all the same.
    type: str
  state:
    description:
      - V(absent) deletes the record if it exists.
    type: str
    choices: [absent]
    default: absent
seealso:
  - name: 3CX XAPI
    description: The official tutorial and specification of the 3CX configuration API.
    link: https://github.com/3cx/xapi-tutorial
"""

EXAMPLES = r"""
- name: Delete a detected phone (the PBX at THREECX_URL, credentials from THREECX_CLIENT_ID/THREECX_CLIENT_SECRET)
  threecx.pbx.device_info:
    id: 42
    state: absent
  delegate_to: localhost

- name: Set the connection once for a block of tasks, the secret kept in Ansible Vault
  delegate_to: localhost
  module_defaults:
    group/threecx.pbx.all:
      url: https://pbx.example.com:5001
      client_id: ansible
      client_secret: "{{ vault_threecx_client_secret }}"
  block:
    - name: Delete a detected phone (run the play with --check --diff first to see what would go)
      threecx.pbx.device_info:
        id: 42
      register: removed

    - name: Report the phone that went
      ansible.builtin.debug:
        msg: "Removed {{ removed.device_info.Vendor }} {{ removed.device_info.Model }} ({{ removed.device_info.MAC }})"
      when: removed is changed

- name: Delete only if the record is still as it was read (PBXs that send ETags)
  threecx.pbx.device_info:
    id: 42
    if_match: "{{ earlier_read['@odata.etag'] }}"
  delegate_to: localhost
"""

RETURN = r"""
device_info:
  description:
    - The record as it was read before the deletion (or as it would have been deleted, in check mode).
    - An empty dictionary when there was no such record.
    - Carries C(@odata.etag) when the PBX sends ETags.
  returned: success
  type: dict
  sample:
    Id: 42
    Assigned: false
    AssignedUser: null
    DetectedAt: "2025-03-14T09:26:53Z"
    FirmwareVersion: "108.86.0.45"
    InterfaceLink: "http://192.168.1.57"
    MAC: "805ec0112233"
    Model: "SIP-T46U"
    NetworkAddress: "192.168.1.57"
    NetworkPath: "192.168.1.0/24"
    Parameters: null
    SbcName: null
    TemplateName: "yealink_t4x.ph.xml"
    UserAgent: "Yealink SIP-T46U 108.86.0.45"
    Vendor: "Yealink"
    ViaSBC: false
msg:
  description: What the task did, in one sentence.
  returned: always
  type: str
  sample: DeviceInfo 42 deleted.
"""

from ansible_collections.threecx.pbx.plugins.module_utils._client import (
    XapiError,
    XapiNotFoundError,
    XapiPreconditionFailedError,
    etag_of,
)
from ansible_collections.threecx.pbx.plugins.module_utils._module import XapiModule
from ansible_collections.threecx.pbx.plugins.module_utils._odata import entity_path, is_int32

GET = "GetDeviceInfo"
DELETE = "DeleteDeviceInfo"


def read_device_info(client, path):
    """The record with its ETag, or ``(None, None)`` when it does not exist."""
    try:
        response = client.get(path, GET)
    except XapiNotFoundError:
        return None, None
    record = dict(response.data)
    record.pop("@odata.context", None)
    return record, etag_of(record, response)


def stale_etag_message(device_id, etag):
    return ("DeviceInfo %d was not deleted: it changed since ETag %s was read (HTTP 412 Precondition Failed). "
            "Read it again and decide on its current state." % (device_id, etag))


def delete_device_info(module, device_id):
    client = module.client
    path = entity_path("DeviceInfos", device_id)
    record, current_etag = read_device_info(client, path)
    if record is None:
        return {"changed": False, "device_info": {}, "msg": "DeviceInfo %d does not exist." % device_id}

    etag = module.params["if_match"] or current_etag
    result = {"changed": True, "device_info": record}
    if module._diff:
        result["diff"] = {"before": record, "after": {}}
    if module.check_mode:
        if current_etag and etag != current_etag:
            module.fail_json(msg=stale_etag_message(device_id, etag), **result)
        result["msg"] = "DeviceInfo %d would be deleted." % device_id
        return result

    try:
        client.delete(path, DELETE, etag=etag)
    except XapiNotFoundError:
        return {"changed": False, "device_info": {}, "msg": "DeviceInfo %d was deleted by someone else meanwhile." % device_id}
    except XapiPreconditionFailedError:
        module.fail_json(msg=stale_etag_message(device_id, etag), changed=False, device_info=record)
    result["msg"] = "DeviceInfo %d deleted." % device_id
    return result


def main():
    module = XapiModule(
        argument_spec={
            "id": {"type": "int", "required": True},
            "if_match": {"type": "str"},
            "state": {"type": "str", "choices": ["absent"], "default": "absent"},
        },
        supports_check_mode=True,
    )
    device_id = module.params["id"]
    if not is_int32(device_id):
        module.fail_json(msg="id must be a 32-bit signed integer (-2147483648 to 2147483647), not %s." % device_id)
    try:
        result = delete_device_info(module, device_id)
    except XapiError as error:
        module.fail_xapi(error, changed=False)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
