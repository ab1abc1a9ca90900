#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: xapi
short_description: Call any operation of the 3CX XAPI, with validation, check mode and idempotent updates
version_added: 0.1.0
description:
  - Calls one operation of the 3CX V20 XAPI by its C(operationId), for example C(ListUser), C(UpdateUser),
    C(DeleteDeviceInfo) or C(Provision). Every one of the 601 operations of XAPI 20.0.10 is available; the file
    C(docs/xapi_operations.md) of the collection lists them by tag with their parameters, body and answer.
  - The module knows each operation's method, path, parameters and request body from 3CX's OpenAPI description.
    Unknown parameter names, missing required parameters, values of the wrong type and request bodies that do
    not fit the operation's schema (wrong types, values outside an enumeration, unknown properties) fail the
    task before any request is sent, with a message that names the parameter or the field path (such as
    C(body.ForwardingProfiles[0].Name)).
  - "B(What changes and what does not.) The kind of the operation decides:"
  - "B(GET) (lists, single entities, singletons such as C(SystemStatus), functions such as C(GetLogs)): never
    reports a change, and runs in check mode too."
  - "B(PATCH) (C(Update*) of an entity or a singleton): the module reads the entity first and sends only the
    properties of O(body) whose values differ from what it read. When none differ it sends nothing and reports
    no change, so a task that states settings is idempotent. Nested objects are compared on the properties
    O(body) names and, when they differ, sent whole (what was read, updated with O(body)); lists are compared
    item by item and sent whole, as 3CX replaces lists. A property the PBX never returns (a password, for
    example) cannot be compared and is sent every time, so such a task always reports a change. Diff mode shows
    the properties that change, before and after."
  - "B(DELETE): the module reads the entity first (on the same path, or for the few entity sets without a single
    read, by filtering their list on the key). One that does not exist reports no change and is not an error; a
    DELETE answered 404 (gone in the meantime) reports no change either. The DELETE carries O(if_match), or else
    the ETag read, when there is one, so an entity that changed since it was read is not deleted (HTTP 412
    fails the task). Diff mode shows the entity before."
  - "B(POST) (C(Create*) and actions such as C(Provision) or C(DropCall)): they act, so they always report a
    change; in check mode they are not sent. Use C(when) to make them conditional, for example on a list read
    first, to keep a play idempotent."
  - In check mode only GET requests are sent.
author:
  - The threecx.pbx maintainers (@threecx-pbx)
extends_documentation_fragment:
  - threecx.pbx.connection
  - threecx.pbx.attributes
  - threecx.pbx.attributes.changes
attributes:
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: partial
    details:
      - GET, PATCH and DELETE operations are idempotent; POST operations (creates and actions) act every time.
options:
  operation:
    description:
      - The C(operationId) of the XAPI operation, such as V(ListUser), V(GetUser), V(UpdateUser), V(DeleteDeviceInfo),
        V(Provision) or V(GetSystemStatus). Names are case-sensitive; a near miss fails with a suggestion.
    type: str
    required: true
  parameters:
    description:
      - The operation's path parameters and query options by the names the spec gives them, such as
        C(Id), C(Number), C($filter), C($select), C($orderby), C($top), C($skip), C($count), C($expand) or
        C($search).
      - Path parameters go into the path as OData literals (strings quoted with a quote doubled, numbers,
        booleans, date-times and UUIDs bare; V(null) for a nullable one set to C(null)); they need no quoting here.
      - C($select), C($orderby) and C($expand) take a list or a comma-separated string. A date-time takes
        V(2026-01-31T00:00:00Z) or a date alone (its midnight UTC).
    type: dict
    default: {}
  body:
    description:
      - The request body, for operations that take one (creates, updates and most actions); it is checked against
        the operation's request schema.
      - For a PATCH, the properties to set; only those that differ from the entity as read are sent.
      - Numbers and booleans given as text (as templating produces in older ansible-core releases) are converted.
    type: raw
  if_match:
    description:
      - An ETag for the C(If-Match) header of a DELETE, to delete the entity only as it was when that ETag was read
        (taken from a previous read's C(@odata.etag) or RV(etag)). Only DELETE operations take it.
      - When not set, the ETag of the module's own read is sent, if the PBX sends ETags.
    type: str
  all_pages:
    description:
      - For GET operations that answer a collection page by page (those with C($top) and C($skip)), read every page
        and return all the items in RV(json). 3CX sends no C(@odata.nextLink); the module pages with C($top) and
        C($skip) until C(@odata.count) items are in. C($top) then limits the total, and C($skip) is where to start.
      - When false, one request is sent and RV(json) is the PBX's answer as it is.
    type: bool
    default: false
notes:
  - The operations and their schemas are those of the 3CX XAPI 20.0.10 OpenAPI description. 3CX may refuse a
    request the description allows (a value out of range for the PBX, a missing licence or role); the task then
    fails with the PBX's message.
  - The 3CX XAPI takes no C(If-Match) on PATCH; an update cannot be made conditional on an ETag.
  - Answers, bodies and diffs can hold the PBX's own secrets (SIP and provisioning passwords, such as a user's
    C(AuthPassword) or the answer of C(GetPhoneSecret)). Ansible shows the module's arguments and result; use
    the task keyword C(no_log) on tasks that read or write such values. The API client's O(client_secret) is never shown.
seealso:
  - module: threecx.pbx.device_info
  - module: threecx.pbx.device_info_info
  - name: 3CX XAPI tutorial and specification
    description: 3CX's own introduction to the XAPI, with the OpenAPI description the operations come from.
    link: https://github.com/3cx/xapi-tutorial
"""

EXAMPLES = r"""
- name: Read the PBX's status (a singleton)
  threecx.pbx.xapi:
    operation: GetSystemStatus
  delegate_to: localhost
  register: status

- name: List every user of a department, all pages
  threecx.pbx.xapi:
    operation: ListUser
    parameters:
      $filter: "startswith(Number, '2')"
      $select: [Id, Number, FirstName, LastName, EmailAddress]
      $orderby: Number asc
    all_pages: true
  delegate_to: localhost
  register: users

- name: Read user 201 by its number (an alternate key)
  threecx.pbx.xapi:
    operation: GetUserByNumber
    parameters:
      Number: "201"
  delegate_to: localhost
  register: user_201

- name: Set a user's e-mail address and language; no request is sent when they are already so
  threecx.pbx.xapi:
    operation: UpdateUser
    parameters:
      Id: "{{ user_201.json.Id }}"
    body:
      EmailAddress: jane.doe@example.com
      Language: EN
  delegate_to: localhost

- name: Create a group (POST always acts; guard it with a read to stay idempotent)
  threecx.pbx.xapi:
    operation: ListGroup
    parameters:
      $filter: "Name eq 'Support'"
      $select: [Id, Name]
  delegate_to: localhost
  register: support

- name: Create it if it is missing
  threecx.pbx.xapi:
    operation: CreateGroup
    body:
      Name: Support
      Number: "900"
  delegate_to: localhost
  when: support.json.value | length == 0

- name: Rename a trunk
  threecx.pbx.xapi:
    operation: UpdateTrunk
    parameters:
      Id: 5
    body:
      Gateway:
        Name: Carrier A (primary)
  delegate_to: localhost

- name: Find which user a phone is provisioned for, by its MAC address
  threecx.pbx.xapi:
    operation: GetPhoneRegistrar
    parameters:
      mac: 805ec0112233
  delegate_to: localhost

- name: Delete a DeviceInfo (no change if it is already gone)
  threecx.pbx.xapi:
    operation: DeleteDeviceInfo
    parameters:
      Id: 42
  delegate_to: localhost

- name: Provision a detected phone for a user (an action)
  threecx.pbx.xapi:
    operation: Provision
    parameters:
      Id: 43
    body:
      userId: 12
      reprovision: false
  delegate_to: localhost

- name: Call a function with date-time and string arguments
  threecx.pbx.xapi:
    operation: GetLogs
    parameters:
      startDate: "2026-11-01"
      endDate: "2026-11-29T23:59:59Z"
      extension: "201"
      call: null
      severity: null
      $top: 50
  delegate_to: localhost
"""

RETURN = r"""
operation:
  description: The C(operationId) called.
  returned: always
  type: str
  sample: UpdateUser
request:
  description:
    - The request the operation maps to (the one sent, or that would be sent), with its method, path under
      C(/xapi/v1) and query options.
  returned: when the parameters were valid
  type: dict
  sample:
    method: PATCH
    path: /Users(12)
    query: {}
status:
  description:
    - The HTTP status of the operation's answer, such as 200, 201 or 204; 404 for a DELETE of an entity that does not
      exist.
    - V(null) when nothing was sent (check mode, or a PATCH with nothing to change).
  returned: always
  type: int
  sample: 204
json:
  description:
    - The body of the answer, as JSON. For a collection, C(value) holds the items (all of them with O(all_pages)).
    - For a PATCH (whose answer is empty) the entity as read, with the changes applied.
    - V(null) for a DELETE (the entity before is in the diff), for an answer without a body, and when nothing was
      sent (check mode).
  returned: always
  type: raw
  sample:
    "@odata.context": https://pbx.example.com:5001/xapi/v1/$metadata#Users/$entity
    Id: 12
    Number: "201"
    FirstName: Jane
etag:
  description:
    - The ETag of the entity read or answered (C(@odata.etag) or the C(ETag) header).
    - V(null) when the PBX sent none (current 3CX releases send no ETags), and after a PATCH (the ETag read no longer
      describes the entity).
  returned: always
  type: str
  sample: W/"YjM1ZmQ2"
changes:
  description: For a PATCH, the properties sent (or that would be sent in check mode); empty when nothing differs.
  returned: for PATCH operations
  type: dict
  sample:
    EmailAddress: jane.doe@example.com
retry_count:
  description: How many requests to the PBX were tried again (see O(retries)).
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.threecx.pbx.plugins.module_utils._client import (
    XapiError,
    XapiNotFoundError,
    XapiPreconditionFailedError,
    etag_of,
    if_match_header,
)
from ansible_collections.threecx.pbx.plugins.module_utils._module import XapiModule
from ansible_collections.threecx.pbx.plugins.module_utils._xapi_operations import (
    RequestError,
    get_operation,
    merged,
    navigation_properties,
    patch_changes,
)


class Call:
    """One task's call: the operation, its request as checked, and the result being built."""

    def __init__(self, module, operation, path, query, body):
        self.module = module
        self.client = module.client
        self.operation = operation
        self.path = path
        self.query = query
        self.body = body
        # Every key the documentation promises is in every result, null when there is nothing to put in it.
        self.result = {"changed": False, "operation": operation.operation_id, "status": None, "json": None, "etag": None,
                       "request": {"method": operation.method, "path": path, "query": query}}

    def answered(self, response):
        """Record an answer: its status, body and ETag."""
        self.result.update(status=response.status, json=response.data, etag=etag_of(response.data, response) or self.result["etag"])

    def send(self, method=None, path=None, operation_id=None, query=None, body=None, headers=None):
        return self.client.request(method or self.operation.method, path or self.path, operation_id or self.operation.operation_id,
                                   params=self.query if query is None else query, json=body, headers=headers)

    def read(self):
        """GET: one request, or every page with all_pages; never a change."""
        if self.module.params["all_pages"]:
            query = dict(self.query)
            limit = query.pop("$top", None)
            items = list(self.client.iter_collection(self.path, self.operation.operation_id, query, limit=limit))
            self.result.update(status=200, json={"value": items})
        else:
            self.answered(self.send())

    def read_target(self, expand=None):
        """The entity a PATCH or DELETE is about, as read (with its ETag, and ``expand``-ed navigation properties),
        or None when it does not exist."""
        read = self.operation.read
        if "key" in read:
            lister = get_operation(read["operation"])
            query = {"$filter": self.operation.key_filter(self.module.params["parameters"], read["key"])}
            page = self.send("GET", lister.path_template, lister.operation_id, query).data
            found = (page or {}).get("value") or []
            return found[0] if found else None
        try:
            response = self.send("GET", operation_id=read["operation"], query={"$expand": expand} if expand else {})
        except XapiNotFoundError:
            return None
        record = {name: value for name, value in response.data.items() if name != "@odata.context"}
        etag = etag_of(record, response)
        if etag:
            record["@odata.etag"] = etag
        return record

    def update(self):
        """PATCH only what differs from the entity as read; nothing when nothing differs."""
        # A navigation property (a user's ForwardingProfiles) is in the entity as read only when expanded.
        expand = navigation_properties(self.operation.body_schema, self.body)
        current = self.read_target(expand)
        if current is None:
            self.module.fail_json(msg="%s: %s does not exist, so it cannot be updated." % (self.operation.operation_id, self.path),
                                  **self.result)
        changes = patch_changes(self.operation.body_schema, current, self.body)
        self.result.update(changes=changes, changed=bool(changes), json=merged(current, changes), etag=current.get("@odata.etag"))
        if changes:
            self.result["diff"] = {"before": dict((name, current.get(name)) for name in changes), "after": changes}
            if not self.module.check_mode:
                self.result["status"] = self.send(body=changes).status
                self.result["etag"] = None  # the ETag read no longer describes the entity

    def delete(self):
        """DELETE what exists, conditional on its ETag; what does not exist is no change."""
        current = self.read_target()
        if current is None:
            self.result["status"] = 404
            return
        self.result.update(changed=True, diff={"before": current, "after": {}}, etag=current.get("@odata.etag"))
        if self.module.check_mode:
            return
        etag = self.module.params["if_match"] or current.get("@odata.etag")
        try:
            self.answered(self.send(headers=if_match_header(etag)))
        except XapiNotFoundError as error:
            # Gone in the meantime; or, when the DELETE was sent again after a lost answer, deleted by our first attempt.
            self.result.update(status=404, changed=error.repeated)
        except XapiPreconditionFailedError as error:
            self.module.fail_json(msg="%s It changed since its ETag %s was read, so it was not deleted: read it again and "
                                      "decide anew." % (error.message, etag), **self.result)

    def act(self):
        """POST (a create or an action): it acts, so it is a change; not sent in check mode."""
        self.result["changed"] = True
        if self.operation.kind == "create":
            self.result["diff"] = {"before": {}, "after": self.body or {}}
        if not self.module.check_mode:
            self.answered(self.send(body=self.body))


def _check_options(module, operation):
    """Options that do not fit the operation fail before any request."""
    params = module.params
    if params["if_match"] is not None and not operation.takes_if_match:
        module.fail_json(msg="%s: if_match is only for DELETE operations; %s is a %s %s." % (
            operation.operation_id, operation.operation_id, operation.method, operation.kind), operation=operation.operation_id)
    if params["all_pages"] and not (operation.method == "GET" and operation.pages):
        module.fail_json(msg="%s: all_pages is only for GET operations that answer a collection page by page ($top and $skip); "
                             "%s is not one." % (operation.operation_id, operation.operation_id), operation=operation.operation_id)


def main():
    module = XapiModule(
        argument_spec={
            "operation": {"type": "str", "required": True},
            "parameters": {"type": "dict", "default": {}},
            "body": {"type": "raw"},
            "if_match": {"type": "str"},
            "all_pages": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        operation = get_operation(params["operation"])
        path, query, body = operation.prepare(params["parameters"], params["body"])
    except RequestError as error:
        module.fail_json(msg=str(error), operation=params["operation"], problems=error.problems)
    _check_options(module, operation)
    call = Call(module, operation, path, query, body)
    steps = {"update": call.update, "delete": call.delete, "create": call.act, "action": call.act}
    try:
        steps.get(operation.kind, call.read)()
    except XapiError as error:
        module.fail_xapi(error, **call.result)
    module.exit_json(**call.result)


if __name__ == "__main__":
    main()
