# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Users and departments (entity set ``Groups``) as a PBX keeps them (ENTITIES.md §1, §2), where the generic CRUD would
take anything: who is in which department, and what the PBX refuses or does by itself.

- A membership ties a DN (a user, or a queue, ring group, IVR, parking or fax) to a department with a role
  (``Rights.RoleName``).  A user's ``Groups`` and a department's ``Members`` are made of them (Pbx.UserGroup rows:
  GroupId, the member's Number and MemberName, the department's Name, the member's Type, the membership's Id; Rights
  only when ``$expand`` names it).  Each user has a hidden favourites department (``___FAVORITES___<ext>``, Number
  ``FGRP<ext>``) holding the user itself (switch ``favorites_groups``); the DNs a user marks as favourites are unknown.
- A user's memberships are written on the user (``Groups``: the whole list, favourites left alone) or on the
  department (``Members``: the whole list; switch ``group_members_patch``).  A user's ``PrimaryGroupId`` names one of its
  departments; when the user leaves that one, the PBX makes its oldest remaining membership the primary.  A user left in
  no department by a change on the department side (a Members PATCH, a department deleted) goes to the default one.
- A user's ``DisplayName`` is composed of its names, whatever a body says of it: 3CX computes it (ENTITIES.md §1, §14),
  and clients that send a record back as they read it must not be refused.
- Deleting a user removes its memberships and its favourites department; deleting a department follows ``group_delete``.
"""

import functools

from . import seed
from .countdown import is_integer
from .generic import context_url
from .numbers import MEMBER_TYPES
from .replies import ALREADY_IN_USE, DUPLICATE, GROUP_CANNOT_BE_DELETED, GROUP_WITH_MEMBERS_CANNOT_BE_DELETED, INVALID, \
    NOT_FOUND, ODATA_JSON, REQUIRED, USER_EXTENSION_CANNOT_BE_DELETED, Refusal, json_response
from .rules import DnRules

# The non-user members of seeded departments, by department name: the first queue and the first parking are Sales'.
OTHER_MEMBERS = {"Sales": (("Queues", 1), ("Parkings", 1))}
# What a create answers with under create_response doc_subset: the properties of the examples of 3CX's documentation.
DOC_SUBSETS = {
    "Users": ("Id", "Number", "FirstName", "LastName", "EmailAddress", "Language", "Require2FA", "Enable2FA",
              "SendEmailMissedCalls", "VMEmailOptions", "PromptSet"),
    "Groups": ("Id", "Name", "Language", "TimeZoneId"),
}
# operationId -> the entity set whose first free number it answers (Pbx.FirstAvailableNumber).
FIRST_AVAILABLE = {"GetFirstAvailableExtensionNumber": "Users", "GetFirstAvailableQueueNumber": "Queues",
                   "GetFirstAvailableRingGroupNumber": "RingGroups", "GetFirstAvailableReceptionistNumber": "Receptionists",
                   "GetFirstAvailableTrunkNumber": "Trunks"}
DEPARTMENT_FIELDS = ("Id", "Name", "Number", "IsDefault", "Language", "TimeZoneId")


class Memberships:
    """Who is in which department: ``{"Id", "GroupId", "member": (entity set, key), "Rights"}``, in the order of their Ids."""

    def __init__(self):
        self._last_id = 0
        self._by_group = {}
        self._by_member = {}

    def add(self, group_id, member, rights):
        self._last_id += 1
        row = {"Id": self._last_id, "GroupId": group_id, "member": member, "Rights": rights}
        self._by_group.setdefault(group_id, {})[row["Id"]] = row
        self._by_member.setdefault(member, {})[row["Id"]] = row
        return row

    def remove(self, row):
        del self._by_group[row["GroupId"]][row["Id"]]
        del self._by_member[row["member"]][row["Id"]]

    def replace(self, current, wanted, add, kept=()):
        """Make the memberships ``current`` (a key, GroupId or member -> its membership) those of ``wanted`` (key ->
        Rights): one kept keeps its Id and takes the Rights wanted, one not wanted goes unless ``kept`` has its key,
        ``add(key, rights)`` adds one."""
        for key, row in current.items():
            if key not in wanted and key not in kept:
                self.remove(row)
        for key, rights in wanted.items():
            if key in current:
                current[key]["Rights"] = rights
            else:
                add(key, rights)

    def of_group(self, group_id):
        return list(self._by_group.get(group_id, {}).values())

    def of_member(self, member):
        return list(self._by_member.get(member, {}).values())


class Directory:
    """The users, the departments and the memberships of one PBX, kept consistent under ``lock`` (every DN store's).

    It is the rules of ``Users`` and ``Groups`` (``UserRules``, ``GroupRules``), the answer of a few of their operations
    (``handlers``) and what the test API reads.
    """

    def __init__(self, inventory, users, groups, device_infos, switches):
        self.lock = inventory.dn_lock
        self.inventory = inventory
        self.users = users
        self.groups = groups
        self.device_infos = device_infos
        self.switches = switches
        self.memberships = Memberships()
        self._favourites = {}  # favourites department Id -> the Id of its user
        users.navigation.computed["Groups"] = lambda key: self._rows(self.memberships.of_member(("Users", key)))
        groups.navigation.computed["Members"] = lambda key: self._rows(self.memberships.of_group(key))
        self.user_rules = UserRules(self, users)
        self.group_rules = GroupRules(self, groups)
        inventory.add(users, self.user_rules)
        inventory.add(groups, self.group_rules)
        with self.lock:
            self._seed()
        switches.watch(self._switched)

    def _seed(self):
        """The seeded memberships (a user's primary department is the first that lists it) and favourites departments."""
        by_number = {record["Number"]: key for key, record in self.users.records.items()}
        for group_id, (name, _number, _language, _time_zone, members) in enumerate(seed.DEPARTMENTS, 1):
            for number, role in seed.seeded_members(members):
                self._join(group_id, ("Users", by_number[number]), seed.rights(role))
            for member in OTHER_MEMBERS.get(name, ()):
                self._join(group_id, member, seed.rights("users"))
        for key in self.users.records:
            self._settle_primary(key)
        self._switched(self.switches.values)

    def _switched(self, values):
        """Follow the switches that change what is stored: DisplayName's format, the favourites departments."""
        with self.lock:
            self.users.rename_all()
            if values["favorites_groups"] == "on":
                for key in sorted(set(self.users.records) - set(self._favourites.values())):
                    self._add_favourites(key)
            else:
                for group_id in list(self._favourites):
                    self._drop_group(group_id)

    # Memberships

    def _rows(self, memberships):
        """The Pbx.UserGroup rows of ``memberships`` whose member still exists, with their Rights."""
        rows = []
        for membership in memberships:
            entity_set, key = membership["member"]
            member = self.inventory.entity_set(entity_set).records.get(key)
            if member is not None:
                rows.append({
                    "CanDelete": True, "GroupId": membership["GroupId"], "Id": membership["Id"],
                    "MemberName": member.get("DisplayName") or member.get("Name") or member["Number"],
                    "Name": self.groups.records[membership["GroupId"]]["Name"], "Number": member["Number"], "Tags": [],
                    "TranscriptionMode": member.get("TranscriptionMode") or "Nothing", "Type": MEMBER_TYPES[entity_set],
                    "Rights": dict(membership["Rights"]),
                })
        return rows

    def _join(self, group_id, member, rights):
        self.memberships.add(group_id, member, rights)
        self._mark(group_id)

    def _mark(self, *group_ids):
        """Bring the departments' ``HasMembers`` up to date."""
        for group_id in set(group_ids):
            has_members = bool(self.memberships.of_group(group_id))
            if group_id in self.groups.records and self.groups.records[group_id]["HasMembers"] != has_members:
                self.groups.modify(group_id, HasMembers=has_members)

    def _forget(self, member):
        """Remove every membership of ``member``."""
        rows = self.memberships.of_member(member)
        for row in rows:
            self.memberships.remove(row)
        self._mark(*(row["GroupId"] for row in rows))

    def _department_rows(self, user_key):
        """The user's memberships of departments (not of favourites ones)."""
        return [row for row in self.memberships.of_member(("Users", user_key)) if row["GroupId"] not in self._favourites]

    def _departments(self, user_key):
        """GroupId -> Rights of the user's departments."""
        return {row["GroupId"]: row["Rights"] for row in self._department_rows(user_key)}

    def default_department(self):
        """The Id of the default department (``IsDefault``), or None."""
        return next((key for key in sorted(self.groups.records) if self.groups.records[key]["IsDefault"] and key not in self._favourites), None)

    def _rights(self, given):
        """A membership's Rights given the body's ``given`` (or None): the role's flags, then those given; Refusal for an
        unknown role or for none given under ``membership_rights_omitted=reject_required``."""
        given = {name: value for name, value in (given or {}).items() if value is not None}
        role = given.get("RoleName")
        if role is None:
            if self.switches["membership_rights_omitted"] == "reject_required":
                raise Refusal("Rights", REQUIRED)
            role = "users"
        if role not in seed.ROLES:
            raise Refusal("RoleName", NOT_FOUND)
        return dict(seed.rights(role), **given)

    def _set_groups(self, user_key, wanted):
        """Make the user's departments those of ``wanted`` (GroupId -> Rights); a membership kept keeps its Id."""
        current = {row["GroupId"]: row for row in self._department_rows(user_key)}
        self.memberships.replace(current, wanted, lambda group_id, rights: self.memberships.add(group_id, ("Users", user_key), rights))
        self._mark(*current, *wanted)

    def _settle_primary(self, user_key):
        """A primary department the user is not in becomes its oldest remaining one (None if none)."""
        departments = [row["GroupId"] for row in self._department_rows(user_key)]
        if self.users.records[user_key]["PrimaryGroupId"] not in departments:
            self.users.modify(user_key, PrimaryGroupId=departments[0] if departments else None)

    def _rehome(self, user_keys):
        """After a change on the department side: users in no department go to the default one; primaries settled."""
        default = self.default_department()
        for key in sorted(set(user_keys)):
            if key in self.users.records:
                if not self._department_rows(key) and default is not None:
                    self._join(default, ("Users", key), seed.rights("users"))
                self._settle_primary(key)

    def _add_favourites(self, user_key):
        number = self.users.records[user_key]["Number"]
        group_id = self.groups.add(**seed.favourites(number))["Id"]
        self._favourites[group_id] = user_key
        self._join(group_id, ("Users", user_key), seed.rights("users"))

    def _drop_group(self, group_id, precondition=None):
        """Delete a department and its memberships: the memberships it had, or None if it was not there."""
        if not self.groups.delete(group_id, precondition):
            return None
        rows = self.memberships.of_group(group_id)
        for row in rows:
            self.memberships.remove(row)
        self._favourites.pop(group_id, None)
        return rows

    # Users

    def _check_email(self, email, user_key=None):
        """Refusal if another user has ``email`` (any case), unless ``duplicate_email=allow``."""
        if email and self.switches["duplicate_email"] == "reject_already_in_use":
            folded = email.casefold()
            if any((record["EmailAddress"] or "").casefold() == folded for key, record in self.users.records.items() if key != user_key):
                raise Refusal("EmailAddress", ALREADY_IN_USE)

    def _groups_after(self, navigation):
        """GroupId -> Rights of the departments a body's ``Groups`` lists (favourites departments left out), None if it
        has none; Refusal for an unknown department or role.  An empty list follows ``user_groups_empty``."""
        if "Groups" not in navigation:
            return None
        wanted = {}
        for entry in navigation["Groups"] or ():
            group_id = entry.get("GroupId")
            if group_id not in self.groups.records:
                raise Refusal("GroupId", NOT_FOUND)
            if group_id not in self._favourites:
                wanted[group_id] = self._rights(entry.get("Rights"))
        if wanted:
            return wanted
        empty = self.switches["user_groups_empty"]
        if empty == "reject_required":
            raise Refusal("Groups", REQUIRED)
        default = self.default_department()
        return {default: seed.rights("users")} if empty == "move_to_default" and default is not None else {}

    def _primary(self, group_id, wanted):
        """The PrimaryGroupId a body gives (None: none), checked against the departments ``wanted`` (GroupId -> Rights) the
        body leaves the user in; ``accept_and_add`` adds it to them, ``reject`` refuses it."""
        if group_id is None:
            return None
        if group_id not in self.groups.records or group_id in self._favourites:
            raise Refusal("PrimaryGroupId", NOT_FOUND)
        if group_id not in wanted:
            if self.switches["primary_group_requires_membership"] == "reject":
                raise Refusal("PrimaryGroupId", INVALID)
            wanted[group_id] = seed.rights("users")
        return group_id

    def create_user(self, fields, navigation):
        """A new user of ``fields`` (a Number given): in the departments the body names (the default one if it names
        none), with its favourites department and a primary department."""
        fields = {name: value for name, value in fields.items() if name != "DisplayName"}
        self._check_email(fields.get("EmailAddress"))
        wanted = self._groups_after(navigation)
        if wanted is None:
            default = self.default_department()
            wanted = {} if default is None else {default: seed.rights("users")}
        primary = self._primary(fields.pop("PrimaryGroupId", None), wanted)
        record = self.users.add(**fields)
        key = record["Id"]
        self.users.navigation.set(key, "Phones", [])
        self._write(key, primary, wanted, navigation)
        if self.switches["favorites_groups"] == "on":
            self._add_favourites(key)
        return record

    def update_user(self, key, fields, navigation):
        fields = {name: value for name, value in fields.items() if name != "DisplayName"}
        if "EmailAddress" in fields:
            self._check_email(fields["EmailAddress"], key)
        wanted = self._groups_after(navigation)
        if wanted is None:
            wanted = self._departments(key)
        primary = self._primary(fields.pop("PrimaryGroupId", None), wanted)
        self.users.modify(key, **fields)
        self._write(key, primary, wanted, navigation)

    def _write(self, key, primary, wanted, navigation):
        """A user's departments, primary department and other navigation properties, all of them checked."""
        for name, value in navigation.items():
            if name != "Groups":
                self.users.navigation.set(key, name, value)
        self._set_groups(key, wanted)
        if primary is not None:
            self.users.modify(key, PrimaryGroupId=primary)
        self._settle_primary(key)

    def delete_user(self, key, precondition=None):
        """Delete a user, its memberships and its favourites department; phones assigned to it are unassigned
        (``user_delete_cascade``).  Refusal for a number of ``undeletable_users``."""
        with self.lock:
            user = self.users.records.get(key)
            if user is None:
                return False
            if user["Number"] in self.switches["undeletable_users"]:
                raise Refusal("Id", USER_EXTENSION_CANNOT_BE_DELETED)
            if not self.users.delete(key, precondition):
                return False
            self._forget(("Users", key))
            for group_id in [group_id for group_id, owner in self._favourites.items() if owner == key]:
                self._drop_group(group_id)
        # After the directory's lock is let go: Provision takes the DeviceInfos' lock first, then this one.
        if self.switches["user_delete_cascade"] == "drop_phones_unassign_deviceinfos":
            self.device_infos.unassign(seed.user_label(user))
        return True

    def batch_delete(self, ids):
        """Delete the users ``ids`` names (unknown Ids are skipped); a Pbx.UserDeleteError for each one refused."""
        errors = []
        for key in ids:
            user = self.users.get(key)
            try:
                self.delete_user(key)
            except Refusal as refusal:
                errors.append({"ExtensionNumber": user["Number"], "Error": refusal.code})
        return errors

    # Departments

    def _check_name(self, name, group_id=None):
        """Refusal for no name, or for one another department has (``duplicate_group_name``)."""
        if not name:
            raise Refusal("Name", REQUIRED)
        duplicate = self.switches["duplicate_group_name"]
        if duplicate != "allow" and any(record["Name"] == name for key, record in self.groups.records.items() if key != group_id):
            raise Refusal("Name", ALREADY_IN_USE if duplicate == "reject_already_in_use" else DUPLICATE)

    def _members_wanted(self, entries):
        """Member -> Rights of the DNs a body's ``Members`` lists, by Number; Refusal for a number no member DN has.  Only a
        user's membership needs Rights (``membership_rights_omitted``)."""
        wanted = {}
        for entry in entries or ():
            member = self.inventory.numbers.holder(entry.get("Number"), MEMBER_TYPES) if entry.get("Number") else None
            if member is None:
                raise Refusal("Number", NOT_FOUND)
            rights = entry.get("Rights")
            wanted[member] = self._rights(rights if member[0] == "Users" else rights or {"RoleName": "users"})
        return wanted

    def _set_members(self, group_id, wanted):
        """Make the department's members those of ``wanted``; with ``replace_extensions_only`` only its users are replaced."""
        current = {row["member"]: row for row in self.memberships.of_group(group_id)}
        kept = () if self.switches["group_members_patch"] == "replace_all_types" else [member for member in current if member[0] != "Users"]
        self.memberships.replace(current, wanted, lambda member, rights: self.memberships.add(group_id, member, rights), kept)
        self._mark(group_id)
        self._rehome(key for entity_set, key in [*current, *wanted] if entity_set == "Users")

    def create_group(self, fields, navigation):
        """A new department of ``fields`` (numbered), with the members the body lists."""
        self._check_name(fields.get("Name"))
        wanted = self._members_wanted(navigation["Members"]) if "Members" in navigation else None
        record = self.groups.add(**{name: value for name, value in fields.items() if name != "HasMembers"})
        self._write_department(record["Id"], wanted, navigation)
        return record

    def update_group(self, key, fields, navigation):
        if "Name" in fields and fields["Name"] != self.groups.records[key]["Name"]:
            self._check_name(fields["Name"], key)
        wanted = self._members_wanted(navigation["Members"]) if "Members" in navigation else None
        self.groups.modify(key, **{name: value for name, value in fields.items() if name != "HasMembers"})
        self._write_department(key, wanted, navigation)

    def _write_department(self, key, wanted, navigation):
        for name, value in navigation.items():
            if name != "Members":
                self.groups.navigation.set(key, name, value)
        if wanted is not None:
            self._set_members(key, wanted)

    def delete_group(self, key, precondition=None):
        """Delete a department as ``group_delete`` says; Refusal for the default one, or one with members under
        ``reject_with_members``."""
        with self.lock:
            group = self.groups.records.get(key)
            if group is None:
                return False
            if group["IsDefault"]:
                raise Refusal("Id", GROUP_CANNOT_BE_DELETED)
            members = self._rows(self.memberships.of_group(key))
            deleting = self.switches["group_delete"]
            if members and deleting == "reject_with_members":
                raise Refusal("Id", GROUP_WITH_MEMBERS_CANNOT_BE_DELETED)
            rows = self._drop_group(key, precondition)
            if rows is None:
                return False
            default = self.default_department()
            if deleting == "move_members_to_default" and default is not None:
                kept = {row["member"] for row in self.memberships.of_group(default)}
                for row in rows:
                    if row["member"] not in kept:
                        self._join(default, row["member"], row["Rights"])
            self._rehome(member_key for entity_set, member_key in (row["member"] for row in rows) if entity_set == "Users")
            return True

    # Operations answered here, and the test API

    def handlers(self):
        """operationId -> the function answering it (request, validation), for those not answered by their kind."""
        handlers = {name: functools.partial(self._first_available, entity_set) for name, entity_set in FIRST_AVAILABLE.items()}
        handlers["BatchDelete"] = self._batch_delete
        return handlers

    def _first_available(self, entity_set, request, validation):
        with self.lock:
            number = self.inventory.numbers.first_free(entity_set)
        return json_response({"@odata.context": context_url(request, "Pbx.FirstAvailableNumber"), "Number": number},
                             content_type=ODATA_JSON)

    def _batch_delete(self, request, validation):
        ids = validation.body.get("ids")
        errors = self.batch_delete(key for key in ids if is_integer(key)) if isinstance(ids, list) else []
        return json_response({"@odata.context": context_url(request, "Collection(Pbx.UserDeleteError)"), "value": errors},
                             content_type=ODATA_JSON)

    def _user(self, number):
        key = next((key for key, record in self.users.records.items() if record["Number"] == number), None)
        if key is None:
            raise KeyError(f"no user has number {number!r}")
        return key

    def department_id(self, name):
        """The Id of the (first) department named ``name``; KeyError if there is none."""
        key = next((key for key in sorted(self.groups.records) if self.groups.records[key]["Name"] == name and key not in self._favourites), None)
        if key is None:
            raise KeyError(f"no department is named {name!r}")
        return key

    def departments(self):
        with self.lock:
            return [{name: record[name] for name in DEPARTMENT_FIELDS}
                    for key, record in sorted(self.groups.records.items()) if key not in self._favourites]

    def user_departments(self, number):
        with self.lock:
            return sorted((self.groups.records[group_id]["Name"], rights["RoleName"])
                          for group_id, rights in self._departments(self._user(number)).items())

    def primary_department(self, number):
        with self.lock:
            group_id = self.users.records[self._user(number)]["PrimaryGroupId"]
            return None if group_id is None else self.groups.records[group_id]["Name"]

    def department_members(self, name):
        with self.lock:
            return [(row["Number"], row["Type"]) for row in self._rows(self.memberships.of_group(self.department_id(name)))]

    def add_user(self, fields, departments, primary):
        """A user as an admin adds one (names, mailbox, mobile: ``seed.user``), through the rules of CreateUser."""
        with self.lock:
            number = fields.get("Number") or self.inventory.numbers.first_free("Users")
            first_name, last_name = fields.get("FirstName"), fields.get("LastName")
            if first_name is None and last_name is None:
                first_name, last_name = "User", number
            body = dict(seed.user(self.users.rng, number, first_name or "", last_name or ""), **fields)
            if primary is not None:
                body["PrimaryGroupId"] = self.department_id(primary)
            groups = [{"GroupId": self.department_id(name), "Rights": {"RoleName": role}} for name, role in departments]
            return self.user_rules.create(body, {"Groups": groups})

    def add_department(self, fields):
        """A department as CreateGroup makes one of ``fields``."""
        with self.lock:
            return self.group_rules.create(fields, {})

    def user_by_number(self, number):
        with self.lock:
            return next((dict(record) for record in self.users.records.values() if record["Number"] == number), None)


class _Rules(DnRules):
    """The rules of ``Users`` or ``Groups``: the directory's, with DOC's subset as the 201's body under ``create_response``."""

    def __init__(self, directory, store):
        super().__init__(store, directory.inventory.numbers, directory.switches)
        self.directory = directory

    @property
    def created_properties(self):
        return DOC_SUBSETS[self.store.name] if self.switches["create_response"] == "doc_subset" else None


class UserRules(_Rules):
    """A user's Number is the first free one unless given (``create_user_minimal``), and never changes."""

    def create(self, fields, navigation):
        if not fields.get("Number") and self.switches["create_user_minimal"] == "require_number":
            raise Refusal("Number", REQUIRED)
        return self.directory.create_user(self.numbered(fields), navigation)

    def update(self, key, fields, navigation):
        self.directory.update_user(key, self.kept_number(key, fields), navigation)

    def delete(self, key, precondition):
        return self.directory.delete_user(key, precondition)


class GroupRules(_Rules):
    """A department's Number is the PBX's (``GRP<n>``), never the body's, and never changes."""

    def create(self, fields, navigation):
        return self.directory.create_group(self.numbered({name: value for name, value in fields.items() if name != "Number"}), navigation)

    def update(self, key, fields, navigation):
        self.directory.update_group(key, self.kept_number(key, fields), navigation)

    def delete(self, key, precondition):
        return self.directory.delete_group(key, precondition)
