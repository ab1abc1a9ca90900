# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The models of the entities the declarative modules manage (see ``_reconcile``). Private to the threecx.pbx
collection: no stable API.

Each model says, in one place, what ENTITIES.md says of its entity: its natural key, its options and their XAPI
properties, what the PBX computes, which properties are secrets, and the rules checked before a write.
"""

import json
import re

from ansible_collections.threecx.pbx.plugins.module_utils._client import XapiError
from ansible_collections.threecx.pbx.plugins.module_utils._entity_properties import ENTITY_PROPERTIES_JSON
from ansible_collections.threecx.pbx.plugins.module_utils._odata import quote_literal
from ansible_collections.threecx.pbx.plugins.module_utils._reconcile import (
    DeletePlan,
    Engine,
    Field,
    ItemField,
    ItemList,
    Model,
    ReconcileError,
    Reference,
)

ENTITY_PROPERTIES = json.loads(ENTITY_PROPERTIES_JSON)

# A property whose name says it holds a credential, a provisioning link or a key is never read nor written through
# ``properties`` (3CX's default projections return them in clear text).
_SECRET_NAME = re.compile(r"password|secret|provision|link|token|key|pin|authid|sipid", re.IGNORECASE)
_NOT_SECRET = frozenset(("PinProtected", "PinProtectTimeout"))
# What the PBX computes or fills in for every DN (ENTITIES.md §14): never written, ignored in comparisons.
_COMPUTED = ("Id", "Number", "DisplayName", "IsRegistered", "HasMembers", "LastLoginTime", "IsOnline", "CanDelete",
             "MemberName")
FAVOURITES_PREFIX = "___FAVORITES___"
ROLES = ("users", "managers", "receptionists", "group_admins", "group_owners", "system_admins", "system_owners")


# Every kind of DN shares one number space (ENTITIES.md §0.7): where a refused number may be in use, and by what.
# (entity set, its list operation, what admins call it, the property that names one, if any)
NUMBER_HOLDERS = (("Users", "ListUser", "user", "DisplayName"), ("Queues", "ListQueue", "queue", "Name"),
                  ("RingGroups", "ListRingGroup", "ring group", "Name"), ("Receptionists", "ListReceptionist", "IVR", "Name"),
                  ("Parkings", "ListParking", "parking", None), ("Fax", "ListFax", "fax", None), ("Trunks", "ListTrunk", "trunk", None))
_IN_USE = re.compile(r"\b(Number|EmailAddress): WARNINGS\.XAPI\.ALREADY_IN_USE")


def who_holds(client, error, body):
    """Which record holds the number or e-mail address a write was refused for (``ALREADY_IN_USE``), as a phrase such as
    "number '800' is queue 'Sales queue'"; "" when the refusal is of another kind or the holder cannot be found."""
    match = _IN_USE.search(error.message)
    if match is None or not body.get(match.group(1)):
        return ""
    prop, value = match.group(1), body[match.group(1)]
    holders = NUMBER_HOLDERS if prop == "Number" else NUMBER_HOLDERS[:1]
    for entity_set, operation, kind, label in holders:
        try:
            found = next(iter(client.iter_collection("/" + entity_set, operation, {
                "$filter": "%s eq %s" % (prop, quote_literal(value)), "$select": ["Number"] + ([label] if label else [])})), None)
        except XapiError:
            continue
        if found is not None:
            name = " (%s)" % found[label] if label and found.get(label) else ""
            return "%s %s is used by %s %s%s" % ("number" if prop == "Number" else "e-mail address", quote_literal(value),
                                                 kind, found.get("Number"), name)
    return ""


def is_secret_property(name):
    return name not in _NOT_SECRET and bool(_SECRET_NAME.search(name))


def property_problems(model, properties):
    """What is wrong with a task's ``properties`` (raw XAPI names) for ``model``: unknown, computed, secret, navigation,
    managed by an option, or of the wrong JSON type."""
    described = ENTITY_PROPERTIES[model.entity_type]
    types, navigation = described["types"], described["navigation"]
    by_option = dict((prop, field.option) for field in model.fields for prop in [getattr(field, "prop", None)] if prop)
    problems = []
    for name, value in sorted((properties or {}).items()):
        if name not in types:
            close = [known for known in types if known.lower() == name.lower()]
            problems.append("properties.%s: %s has no such property%s" % (
                name, model.entity_type, " (did you mean %s?)" % close[0] if close else ""))
        elif name in by_option:
            problems.append("properties.%s: set it with the option %s" % (name, by_option[name]))
        elif name in model.read_only or name in navigation:
            problems.append("properties.%s: read-only (the PBX sets it)" % name)
        elif is_secret_property(name):
            problems.append("properties.%s: a secret, which properties neither read nor write" % name)
        elif value is not None and not _json_type_matches(types[name], value):
            problems.append("properties.%s: must be of type %s, not %s" % (name, types[name], type(value).__name__))
    return problems


def _json_type_matches(json_type, value):
    if json_type == "boolean":
        return isinstance(value, bool)
    if json_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if json_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if json_type == "string":
        return isinstance(value, str)
    if json_type == "array":
        return isinstance(value, list)
    return isinstance(value, dict)


class DepartmentModel(Model):
    """3CX's departments (XAPI ``Groups``), keyed by name. The hidden ``___FAVORITES___<ext>`` departments (one per
    user) are out of scope; the default department (``IsDefault``) cannot be deleted."""

    renamable = True
    extra_arguments = {"force": {"type": "bool", "default": False}}

    def __init__(self):
        super().__init__(
            "department", "Groups", "Pbx.Group",
            keys=[Field("name", "Name")],
            options=[Field("language", "Language"), Field("timezone_id", "TimeZoneId")],
            read_only=_COMPUTED + ("IsDefault", "Members", "Rights", "OfficeHolidays"),
            scope="not startswith(Name,'%s')" % FAVOURITES_PREFIX,
            extra_select=("IsDefault",),
        )

    def prepare_delete(self, engine, record, params):
        name = record["Name"]
        if record.get("IsDefault"):
            raise ReconcileError("Department %s is the PBX's default department, which 3CX does not delete (make another "
                                 "department the default first); nothing was written." % quote_literal(name))
        # A member row's Name is the department's; MemberName is the member's own.
        members = list(engine.client.iter_collection(
            "%s/Members" % engine.model.entity_set.key_path(record["Id"]), "ListMembers", {"$select": ["Number", "MemberName", "Type"]}))
        users = [member["Number"] for member in members if member.get("Type") == "Extension"]
        others = [{"number": member["Number"], "name": member.get("MemberName"), "type": member.get("Type")}
                  for member in members if member.get("Type") != "Extension"]
        if members and not params.get("force"):
            raise ReconcileError("Department %s has members: %s. Move the users to other departments first (the "
                                 "threecx.pbx.user option departments), or set force: true to move them to the default "
                                 "department; nothing was written." % (quote_literal(name), _members_text(users, others)))
        return _DepartmentDeletePlan(engine, record, users, others)


def _members_text(users, others):
    parts = ["users %s" % ", ".join(users)] if users else []
    parts.extend("%s %s%s" % (other["type"], other["number"], " (%s)" % other["name"] if other["name"] else "") for other in others)
    return "; ".join(parts)


class _DepartmentDeletePlan(DeletePlan):
    """``force`` on a department with users: each user is moved to the default department (written on the user, never
    by rewriting the department's Members, which may drop its queues and IVRs), then the department is deleted."""

    def __init__(self, engine, record, users, others):
        self.department = record
        self.users = users
        self.others = others
        self.moved = []
        self.result = {"moved_users": [], "other_members": others}
        self.user_engine = Engine(engine.client, USERS, engine.resolver)
        self.default = None
        if users:
            defaults = engine.list("IsDefault eq true")
            if not defaults:
                raise ReconcileError("Department %s has users, and the PBX has no default department to move them to; "
                                     "nothing was written." % quote_literal(record["Name"]))
            self.default = defaults[0]
            self.result["moved_users"] = list(users)

    def run(self, engine, result):
        name, default_name = self.department["Name"], self.default["Name"] if self.default else None
        self.result["moved_users"] = result["moved_users"] = self.moved
        for number in self.users:
            user, = self.user_engine.find(USERS.key, number)
            options = self.user_engine.options_of(user)
            kept = [entry for entry in options["departments"] or [] if entry["name"] != name]
            if default_name not in [entry["name"] for entry in kept]:
                kept.append({"name": default_name, "role": "users"})
            desired = dict(options, departments=USERS.option("departments").canonical(kept))
            try:
                self.user_engine.update(user["Id"], self.user_engine.body(["departments"], desired, {}, {}))
                if options.get("primary_department") == name:
                    desired["primary_department"] = default_name
                    self.user_engine.update(user["Id"], self.user_engine.body(["primary_department"], desired, {}, {}))
            except XapiError as error:
                raise ReconcileError("Department %s was not deleted: moving user %s to %s failed: %s (users moved before: %s)."
                                     % (quote_literal(name), number, quote_literal(default_name), error.message,
                                        ", ".join(self.moved) or "none"))
            self.moved.append(number)

    def summary(self, check_mode):
        text = ""
        if self.users:
            text += " Users %s %s to the default department %s." % (
                ", ".join(self.users), "would be moved" if check_mode else "were moved", quote_literal(self.default["Name"]))
        if self.others:
            text += " Other members: %s." % _members_text([], self.others)
        return text

    def failure_hint(self):
        hint = " Users moved to the default department first: %s." % (", ".join(self.moved) or "none")
        if self.others:
            hint += " The department still has other members, which 3CX may keep it for: %s." % _members_text([], self.others)
        return hint


DEPARTMENTS = DepartmentModel()


class UserModel(Model):
    """3CX's users (extensions), keyed by number, or by e-mail where the number is not given."""

    renamable = False

    def __init__(self):
        super().__init__(
            "user", "Users", "Pbx.User",
            keys=[Field("number", "Number"), Field("email", "EmailAddress")],
            options=[
                Field("first_name", "FirstName"),
                Field("last_name", "LastName"),
                Field("mobile", "Mobile"),
                Field("outbound_caller_id", "OutboundCallerID"),
                Field("enabled", "Enabled", "bool"),
                Field("language", "Language"),
                Field("require_2fa", "Require2FA", "bool"),
                Field("vm_enabled", "VMEnabled", "bool"),
                Field("access_password", "AccessPassword", secret=True),
                Field("vm_pin", "VMPIN", secret=True),
                ItemList(
                    "departments", "Groups", key="name",
                    items=[ItemField("name", "Name", write_path="GroupId", reference=DEPARTMENTS),
                           ItemField("role", "Rights.RoleName", default="users", choices=ROLES)],
                    expand="Groups($select=GroupId,Name;$filter=%s;$expand=Rights($select=RoleName))" % DEPARTMENTS.scope,
                    min_items=1, min_items_reason="a user belongs to at least one department"),
                Reference("primary_department", "PrimaryGroupId", DEPARTMENTS, member_of="departments"),
            ],
            read_only=_COMPUTED + ("Phones", "Greetings", "Groups", "ForwardingProfiles", "ForwardingExceptions"),
            first_free=("/Users/Pbx.GetFirstAvailableExtensionNumber()", "GetFirstAvailableExtensionNumber"),
        )


USERS = UserModel()
