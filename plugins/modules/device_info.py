#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: device_info
short_description: Delete or provision DeviceInfos (phones a 3CX PBX detected on the network)
version_added: 0.1.0
description:
  - Manages the XAPI entity B(DeviceInfo) of a 3CX V20 PBX. A DeviceInfo is a phone that the PBX has
    detected on its network (by SIP plug-and-play, or relayed by a 3CX SBC) and that may never have been
    provisioned. Replaced, returned or foreign phones leave such records behind.
  - The name follows the XAPI entity, not Ansible's C(_info) convention; this module changes the PBX. Its
    read-only companion is M(threecx.pbx.device_info_info).
  - With O(state=absent) the records selected by O(id), O(ids) or O(filter) are deleted. Deleting one removes
    only the discovery record; a phone that keeps announcing itself is detected again later under a new ID.
  - With O(state=provisioned) the DeviceInfo O(id) is assigned to a user and the PBX pushes its configuration
    to the phone (the XAPI action C(Provision)).
  - The module reads first and decides on what it read, so check mode, diff mode and the returned values tell
    what is, or would be, changed, and records that do not exist are reported, not treated as failures.
  - "B(Stale decisions.) A record is never deleted on a decision taken on an old reading. With O(ids) or
    O(filter) the module lists the Ids selected (a O(filter) is listed Ids only, 100 per request), then reads the
    records 50 at a time, each 50 just before their DELETEs are sent. For a O(filter) that read is one query
    V((<filter>\\) and (Id eq 1 or Id eq 2 ...\\)): a listed record that no longer matches, for example a phone
    assigned to a user in the meantime, is left in place and reported in RV(conflicts). When the PBX sends ETags,
    each DELETE also carries the ETag the record had at that read, and the PBX refuses it if the record has
    changed since: the record is left in place, a conflict. Current 3CX releases send no ETags: then a change
    between that read and the DELETE is not seen: a window of a few round trips to the PBX, the time it takes to
    delete the records queued before (at most 50 + 2 x O(parallelism)) at O(parallelism) at a time. With O(ids)
    there is no criterion to check again; use a O(filter) such as V(Assigned eq false and (Id eq 1 or Id eq 2\\)) to have one."
  - "B(Cost.) One module run uses one access token and kept-alive connections (one per DELETE in flight, see
    O(parallelism), and one for the reads). Deleting N records costs N DELETEs, one list request per 50 records
    read, and for a O(filter) one more per 100 records listed: about 1.03 requests per deleted record, plus one
    token request per run. The reads of the next 50 overlap the DELETEs in flight, so over a link with a round
    trip of L, N records take about N x L / O(parallelism)."
  - "B(Memory.) The module holds the Ids of the selection and a few records at a time, not every record: with
    O(return_records=false) and without diff mode its memory hardly grows with the number of records selected."
author:
  - The threecx.pbx maintainers (@threecx-pbx)
extends_documentation_fragment:
  - threecx.pbx.connection
  - threecx.pbx.attributes
  - threecx.pbx.attributes.changes
options:
  id:
    description:
      - The C(Id) of one DeviceInfo, a 32-bit signed integer.
      - Required with O(state=provisioned).
      - Exactly one of O(id), O(ids) and O(filter) is required.
    type: int
  ids:
    description:
      - The C(Id)s of the DeviceInfos to delete. Ids that do not exist are reported in RV(missing).
      - An empty list deletes nothing and reports no change, so a pipeline that found nothing to clean passes.
    type: list
    elements: int
  filter:
    description:
      - An OData C($filter) expression over DeviceInfo fields that selects the DeviceInfos to delete, for example
        V(Assigned eq false and DetectedAt lt 2026-01-01T00:00:00Z).
      - Fields are C(Id), C(Assigned), C(AssignedUser), C(DetectedAt), C(FirmwareVersion), C(InterfaceLink), C(MAC),
        C(Model), C(NetworkAddress), C(NetworkPath), C(Parameters), C(SbcName), C(TemplateName), C(UserAgent),
        C(Vendor), C(ViaSBC). String literals are single-quoted, with a quote doubled (V(Vendor eq 'O''Neil'));
        date-times are not quoted.
      - A filter that the PBX rejects fails the task with the PBX's message.
    type: str
  max_deletes:
    description:
      - When more records would be deleted than this, the task fails and deletes nothing (in check mode too).
        A guard against a selection that matches far more than meant.
    type: int
  parallelism:
    description:
      - How many DELETEs of a batch are in flight at once, 1 to 10. Over a WAN link the round trip dominates, and
        a batch takes about the number of records times the round trip divided by this. The read of the next
        records is one more request in flight.
      - The outcome is the same as one at a time, and the records are reported in the order selected. When the PBX
        fails a DELETE, no new one starts; those already sent finish and are reported.
      - 4 keeps a PBX's web server far from busy (its admin console sends more); use 1 to delete strictly one at
        a time.
    type: int
    default: 4
  return_records:
    description:
      - Whether the result holds RV(device_infos), the records deleted as they were read.
      - V(false) returns Ids only. For large batches (thousands of records) this keeps the module's memory, the
        size of the result, and what AWX stores of the job, small.
    type: bool
    default: true
  fail_on_conflict:
    description:
      - Whether the task fails when records were left in place because they changed between the read and the
        delete (RV(conflicts)). Either way such records are not deleted.
    type: bool
    default: false
  if_match:
    description:
      - With O(id) only. An ETag of the record as read earlier (C(@odata.etag)); the DELETE is sent with
        C(If-Match) set to it, and the task fails if the PBX answers that the record has changed since.
      - When not set and the PBX sends ETags, the ETag read by the module is used.
      - Current 3CX releases send no ETags and may ignore C(If-Match); the header is passed through all the same.
    type: str
  state:
    description:
      - V(absent) deletes the selected records if they exist.
      - V(provisioned) assigns the DeviceInfo O(id) to the user O(user) or O(user_id).
    type: str
    choices: [absent, provisioned]
    default: absent
  user:
    description:
      - With O(state=provisioned), the extension number of the user to provision the phone to, such as V('101').
      - Mutually exclusive with O(user_id).
    type: str
  user_id:
    description:
      - With O(state=provisioned), the C(Id) of the user to provision the phone to.
      - Mutually exclusive with O(user).
    type: int
  reprovision:
    description:
      - With O(state=provisioned), provision the phone even if it is already assigned, to this user (the
        configuration is pushed again) or to another one (the phone moves).
      - When V(false), a phone already assigned to this user is left alone, and one assigned to another user
        fails the task.
    type: bool
    default: false
notes:
  - "Provisioning compares the phone's C(AssignedUser) with the user's extension number and name: a phone counts as
    assigned to the user when C(AssignedUser) is the number, or starts with the number followed by a space."
seealso:
  - module: threecx.pbx.device_info_info
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

- name: Delete every phone detected before 2026 that was never assigned, but never more than 200
  threecx.pbx.device_info:
    filter: Assigned eq false and DetectedAt lt 2026-01-01T00:00:00Z
    max_deletes: 200
  delegate_to: localhost
  register: cleanup

- name: Say what went, and what changed meanwhile and was kept
  ansible.builtin.debug:
    msg: "Deleted {{ cleanup.deleted | length }}; kept {{ cleanup.conflicts }} (changed since read)"

- name: Delete a list of ids found earlier, failing if any changed in between
  threecx.pbx.device_info:
    ids: "{{ stale_ids }}"
    fail_on_conflict: true
  delegate_to: localhost

- name: Set the connection once for a block of tasks, the secret kept in Ansible Vault
  delegate_to: localhost
  module_defaults:
    group/threecx.pbx.all:
      url: https://pbx.example.com:5001
      client_id: ansible
      client_secret: "{{ vault_threecx_client_secret }}"
  block:
    - name: Provision the phone to extension 101 (a phone already assigned to 101 is left alone)
      threecx.pbx.device_info:
        id: 42
        state: provisioned
        user: "101"

    - name: Move a phone that is assigned to someone else to extension 102
      threecx.pbx.device_info:
        id: 43
        state: provisioned
        user: "102"
        reprovision: true

- name: Delete only if the record is still as it was read (PBXs that send ETags)
  threecx.pbx.device_info:
    id: 42
    if_match: "{{ earlier_read.device_infos[0]['@odata.etag'] }}"
  delegate_to: localhost
"""

RETURN = r"""
deleted:
  description:
    - With O(state=absent), the Ids of the records deleted, or that would be deleted in check mode.
  returned: success, and on failure after deleting began
  type: list
  elements: int
  sample: [42, 43]
device_infos:
  description:
    - With O(state=absent), the records of RV(deleted) as they were read before deletion, in the same order.
    - Each carries C(@odata.etag) when the PBX sends ETags.
  returned: with O(return_records=true), on success and on failure after deleting began
  type: list
  elements: dict
  sample:
    - Id: 42
      Assigned: false
      DetectedAt: "2025-03-14T09:26:53Z"
      MAC: "805ec0112233"
      Model: "SIP-T46U"
      NetworkAddress: "192.168.1.57"
      Vendor: "Yealink"
missing:
  description:
    - With O(state=absent), Ids that were asked for but do not exist, or that were deleted by someone else between
      the read and the delete. They are no failure.
  returned: success, and on failure after deleting began
  type: list
  elements: int
  sample: [44]
conflicts:
  description:
    - With O(state=absent), Ids of records left in place because they changed between the read and the delete
      (the PBX refused the ETag, or the record no longer matched O(filter)).
  returned: success, and on failure after deleting began
  type: list
  elements: int
  sample: []
not_deleted:
  description:
    - When a batch stopped on an error, the Ids of the selected records that were not deleted, nor found missing
      or changed (the records in RV(deleted) were deleted). Running the task again deletes the rest.
  returned: failure after deleting began
  type: list
  elements: int
  sample: [45, 46]
device_info:
  description:
    - With O(state=absent) and O(id), the record as it was read before it was deleted; an empty dictionary when there
      was none, or when it was not deleted.
    - With O(state=provisioned), the record as the PBX holds it after provisioning, read back from the PBX after the
      C(Provision) action, so that what the PBX set itself shows (such as C(TemplateName)). When nothing was to be
      done, the record as read. In check mode it is a prediction, not a reading, the record as read with
      C(Assigned) and C(AssignedUser) as the PBX is expected to set them; other fields the PBX may set are not in it.
    - In diff mode with O(state=provisioned), the diff shows the whole record before and this record after.
  returned: success, when O(id) is given
  type: dict
  sample:
    Id: 42
    Assigned: false
    AssignedUser: null
    MAC: "805ec0112233"
    Model: "SIP-T46U"
    Vendor: "Yealink"
user:
  description: With O(state=provisioned), the user the phone is (or would be) provisioned to.
  returned: success, with O(state=provisioned)
  type: dict
  sample:
    Id: 7
    Number: "101"
    FirstName: "John"
    LastName: "Smith"
retry_count:
  description: How many requests to the PBX were tried again (see O(retries)).
  returned: always
  type: int
  sample: 0
msg:
  description: What the task did, in one sentence.
  returned: always
  type: str
  sample: Deleted 2 DeviceInfos; 1 missing; 0 left in place because they changed (conflicts).
"""

from ansible_collections.threecx.pbx.plugins.module_utils._client import MAX_CONNECTIONS, XapiError
from ansible_collections.threecx.pbx.plugins.module_utils._entities import (
    DEVICE_INFOS,
    USERS,
    BatchInterrupted,
    delete_records,
    delete_selected,
    existing_ids,
    ids_matching,
    read_entity,
    reject_bad_filter,
)
from ansible_collections.threecx.pbx.plugins.module_utils._module import XapiModule, check_int32
from ansible_collections.threecx.pbx.plugins.module_utils._odata import alternate_key_path

USER_FIELDS = ["Id", "Number", "FirstName", "LastName"]


def describe(record):
    """One line per record for diffs: what an administrator recognises a phone by."""
    return "DeviceInfo %s: %s %s, MAC %s, %s, detected %s%s" % (
        record.get("Id"), record.get("Vendor") or "unknown vendor", record.get("Model") or "unknown model",
        record.get("MAC") or "unknown", record.get("NetworkAddress") or "no address", record.get("DetectedAt"),
        ", assigned to %s" % record["AssignedUser"] if record.get("Assigned") else "")


def stale_etag_message(device_id, etag):
    return ("DeviceInfo %d was not deleted: it changed since ETag %s was read (HTTP 412 Precondition Failed). "
            "Read it again and decide on its current state." % (device_id, etag))


def batch_result(module, outcome, missing):
    """The result of deleting by ids or filter: Ids in lists, the records deleted as read (when kept), a diff."""
    result = {"changed": bool(outcome.deleted), "deleted": outcome.deleted, "device_infos": outcome.records,
              "missing": missing + outcome.missing, "conflicts": outcome.conflicts}
    if module._diff and outcome.records:
        result["diff"] = {"before": "\n".join(describe(record) for record in outcome.records) + "\n", "after": ""}
    result["msg"] = "%s %d DeviceInfos; %d missing; %d left in place because they changed (conflicts)." % (
        "Would delete" if module.check_mode else "Deleted", len(result["deleted"]), len(result["missing"]),
        len(result["conflicts"]))
    return result


def check_max_deletes(module, count, missing):
    """Fail, before any DELETE, when more records would be deleted than max_deletes."""
    limit = module.params["max_deletes"]
    if limit is not None and count > limit:
        module.fail_json(msg="%d DeviceInfos match, more than max_deletes (%d): nothing was deleted. Narrow the selection "
                             "or raise max_deletes." % (count, limit), changed=False, deleted=[], missing=missing, conflicts=[])


def delete_one(module):
    """state=absent with id: a GET by key, then one DELETE with the ETag read, or the user's if_match."""
    params = module.params
    device_id, user_etag = params["id"], params["if_match"]
    record = read_entity(module.client, DEVICE_INFOS.key_path(device_id), DEVICE_INFOS.get_operation)
    result = {"changed": False, "deleted": [], "device_infos": [], "missing": [], "conflicts": [], "device_info": {}}
    if record is None:
        result.update(missing=[device_id], msg="DeviceInfo %d does not exist." % device_id)
        return result
    check_max_deletes(module, 1, [])
    read_etag = record.get("@odata.etag")
    if user_etag and module.check_mode and read_etag and read_etag != user_etag:
        module.fail_json(msg=stale_etag_message(device_id, user_etag), changed=False, device_info=record)
    if module.check_mode:
        deleted = True
    else:
        try:
            # The user's ETag decides, not the one read.
            outcome = delete_records(module.client, DEVICE_INFOS, [dict(record, **{"@odata.etag": user_etag}) if user_etag else record])
        except BatchInterrupted as interrupted:
            module.fail_json(msg=interrupted.message, changed=False, deleted=[], device_infos=[], missing=[], conflicts=[],
                             not_deleted=[device_id])
        if user_etag and outcome.conflicts:
            module.fail_json(msg=stale_etag_message(device_id, user_etag), changed=False, device_info=record)
        deleted = bool(outcome.deleted)
        result.update(missing=outcome.missing, conflicts=outcome.conflicts)
    if deleted:
        result.update(changed=True, deleted=[device_id], device_infos=[record], device_info=record,
                      msg="DeviceInfo %d %s." % (device_id, "would be deleted" if module.check_mode else "deleted"))
        if module._diff:
            result["diff"] = {"before": record, "after": {}}
    elif result["conflicts"]:
        result["msg"] = "DeviceInfo %d was left in place: it changed between the read and the delete." % device_id
    else:
        result["msg"] = "DeviceInfo %d does not exist." % device_id
    return result


def selected_ids(module):
    """The Ids to delete, and those of ids that do not exist when that had to be known before deleting.

    A filter is listed first, Ids only. Ids given are checked for existence only when there are more than
    max_deletes of them, so that the limit counts the records that really exist.
    """
    params, client = module.params, module.client
    if params["filter"] is not None:
        with reject_bad_filter(params["filter"]):
            return ids_matching(client, DEVICE_INFOS, params["filter"]), []
    ids = list(dict.fromkeys(params["ids"]))
    if params["max_deletes"] is None or len(ids) <= params["max_deletes"]:
        return ids, []
    existing = existing_ids(client, DEVICE_INFOS, ids)
    found = set(existing)
    return existing, [record_id for record_id in ids if record_id not in found]


def delete_batch(module):
    """state=absent with ids or filter."""
    params = module.params
    ids, missing = selected_ids(module)
    check_max_deletes(module, len(ids), missing)
    try:
        outcome = delete_selected(module.client, DEVICE_INFOS, ids, selection=params["filter"], parallelism=params["parallelism"],
                                  keep_records=params["return_records"] or module._diff, dry_run=module.check_mode)
    except BatchInterrupted as interrupted:
        done = interrupted.outcome
        result = batch_result(module, done, missing)
        result.pop("diff", None)
        if not params["return_records"]:
            result.pop("device_infos")
        result["not_deleted"] = done.not_deleted
        result["msg"] = "Stopped after deleting %d of %d DeviceInfos: %s. The ids not deleted are in not_deleted; run the task " \
                        "again to delete the rest." % (len(done.deleted), len(ids), interrupted.message.rstrip("."))
        module.fail_json(**result)
    return batch_result(module, outcome, missing)


def ensure_absent(module):
    result = delete_one(module) if module.params["id"] is not None else delete_batch(module)
    if not module.params["return_records"]:
        result.pop("device_infos", None)
    if module.params["fail_on_conflict"] and result["conflicts"]:
        result["msg"] = ("%d DeviceInfos changed between the read and the delete and were left in place: %s "
                         "(fail_on_conflict). %s" % (len(result["conflicts"]), result["conflicts"], result["msg"]))
        module.fail_json(**result)
    return result


def read_user(module):
    params, client = module.params, module.client
    if params["user"] is not None:
        path, operation, what = alternate_key_path(USERS.name, "Number", params["user"]), "GetUserByNumber", \
            "extension number %r" % params["user"]
    else:
        path, operation, what = USERS.key_path(params["user_id"]), USERS.get_operation, "Id %d" % params["user_id"]
    user = read_entity(client, path, operation, {"$select": USER_FIELDS})
    if user is None:
        module.fail_json(msg="No user with %s on the PBX: DeviceInfo %d was not provisioned." % (what, params["id"]), changed=False)
    return {field: user.get(field) for field in USER_FIELDS}


def user_label(user):
    return " ".join(str(part) for part in (user["Number"], user["FirstName"], user["LastName"]) if part)


def assigned_to(device, user):
    assigned_user = (device.get("AssignedUser") or "").strip()
    number = str(user["Number"])
    return assigned_user in (number, user_label(user)) or assigned_user.startswith(number + " ")


def ensure_provisioned(module):
    params, client = module.params, module.client
    device_id = params["id"]
    device = read_entity(client, DEVICE_INFOS.key_path(device_id), DEVICE_INFOS.get_operation)
    if device is None:
        module.fail_json(msg="DeviceInfo %d does not exist: nothing to provision." % device_id, changed=False)
    user = read_user(module)
    result = {"changed": False, "device_info": device, "user": user}
    if device.get("Assigned"):
        if assigned_to(device, user) and not params["reprovision"]:
            result["msg"] = "DeviceInfo %d is already provisioned to %s." % (device_id, user_label(user))
            return result
        if not assigned_to(device, user) and not params["reprovision"]:
            module.fail_json(msg="DeviceInfo %d is assigned to %r, not to %s: set reprovision: true to move it."
                                 % (device_id, device.get("AssignedUser"), user_label(user)), **result)
    if module.check_mode:
        after = dict(device, Assigned=True, AssignedUser=user_label(user))  # a prediction: the PBX may set more
    else:
        client.request("POST", DEVICE_INFOS.key_path(device_id) + "/Pbx.Provision", "Provision",
                       json={"userId": user["Id"], "reprovision": params["reprovision"]})
        # What the PBX did, fields it set itself included, rather than what it was expected to do.
        after = read_entity(client, DEVICE_INFOS.key_path(device_id), DEVICE_INFOS.get_operation)
        if after is None:
            module.warn("DeviceInfo %d was provisioned, but it was gone when read back." % device_id)
            after = {}
    result.update(changed=True, device_info=after)
    if module._diff:
        result["diff"] = {"before": device, "after": after}
    result["msg"] = "DeviceInfo %d %s to %s." % (
        device_id, "would be provisioned" if module.check_mode else "provisioned", user_label(user))
    return result


def main():
    module = XapiModule(
        argument_spec={
            "id": {"type": "int"},
            "ids": {"type": "list", "elements": "int"},
            "filter": {"type": "str"},
            "max_deletes": {"type": "int"},
            "fail_on_conflict": {"type": "bool", "default": False},
            "parallelism": {"type": "int", "default": 4},
            "return_records": {"type": "bool", "default": True},
            "if_match": {"type": "str"},
            "state": {"type": "str", "choices": ["absent", "provisioned"], "default": "absent"},
            "user": {"type": "str"},
            "user_id": {"type": "int"},
            "reprovision": {"type": "bool", "default": False},
        },
        mutually_exclusive=[["id", "ids", "filter"], ["user", "user_id"]],
        required_one_of=[["id", "ids", "filter"]],
        required_by={"if_match": "id"},
        required_if=[["state", "provisioned", ["id"]], ["state", "provisioned", ["user", "user_id"], True]],
        supports_check_mode=True,
    )
    params = module.params
    check_int32(module, "id", params["id"])
    check_int32(module, "user_id", params["user_id"])
    check_int32(module, "ids", *(params["ids"] or []))
    if params["state"] == "absent" and (params["user"] is not None or params["user_id"] is not None):
        module.fail_json(msg="user and user_id apply only with state: provisioned.")
    if params["max_deletes"] is not None and params["max_deletes"] < 0:
        module.fail_json(msg="max_deletes must be 0 or more, not %d." % params["max_deletes"])
    if not 1 <= params["parallelism"] <= MAX_CONNECTIONS:
        module.fail_json(msg="parallelism must be 1 to %d, not %d." % (MAX_CONNECTIONS, params["parallelism"]))
    try:
        result = ensure_provisioned(module) if params["state"] == "provisioned" else ensure_absent(module)
    except XapiError as error:
        module.fail_xapi(error, changed=False)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
