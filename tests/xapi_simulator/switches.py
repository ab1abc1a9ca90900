# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Switches: the simulator's choices where what a real PBX does is unknown.

A switch has a name, a default (the best reading of the evidence) and the values it takes; the collection
must work under every value.  The package docstring tells what each does.  A value comes as it is (from Python or
JSON) or as its text (from the CLI or ``XAPI_SIM_SWITCHES``), and is held converted.
"""

import collections
import os
import re
import threading

from .countdown import check, is_integer, is_seconds

# name=value items, separated by commas or spaces: the defaults of every Simulator in the process, so that a
# whole test suite can run under other values without editing a test.
ENVIRONMENT = "XAPI_SIM_SWITCHES"
REJECT_400 = "reject_400"
CLAMP = "clamp"
BACKUP_OK, BACKUP_FAIL, BACKUP_NEVER_APPEARS = "ok", "fail", "never_appears"
TICKET_IN_LINK, BEARER_REQUIRED = "ticket_in_link", "bearer_required"

Rate = collections.namedtuple("Rate", "count seconds")


def _positive_integer(value):
    value = int(value) if isinstance(value, str) else value
    if not (is_integer(value) and value >= 1):
        raise ValueError(value)
    return value


def _seconds(value):
    value = float(value) if isinstance(value, str) else value
    if not is_seconds(value):
        raise ValueError(value)
    return value


def _one_of(*choices):
    def convert(value):
        if value not in choices:
            raise ValueError(value)
        return value
    return convert


def _numbers(value):
    """A tuple of extension numbers: none for ``none``, else ``"101;120"`` or a list of strings."""
    if value == "none":
        return ()
    numbers = tuple(value.split(";") if isinstance(value, str) else value)
    if not all(isinstance(number, str) and re.fullmatch(r"[^\s,;]+", number) for number in numbers):
        raise ValueError(value)
    return numbers


def _boolean(value):
    """A bool, from itself or from ``true``/``false``."""
    value = {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value
    if not isinstance(value, bool):
        raise ValueError(value)
    return value


def _rate(value):
    """None for ``off``, else a Rate: ``"N/W"`` or ``[N, W]``, N a positive integer and W a positive number of seconds."""
    if value in (None, "off"):
        return None
    count, seconds = value.split("/") if isinstance(value, str) else value
    rate = Rate(_positive_integer(count), _seconds(seconds))
    if not rate.seconds:
        raise ValueError(value)
    return rate


class Switch:
    """One switch: ``takes`` says in words what ``convert`` accepts; ``default`` is given as text."""

    @classmethod
    def choice(cls, name, *values):
        """A switch that takes one of ``values``, the first being its default."""
        return cls(name, values[0], f"{', '.join(values[:-1])} or {values[-1]}", _one_of(*values))

    def __init__(self, name, default, takes, convert):
        self.name = name
        self.takes = takes
        self._convert = convert
        self.default_text = default
        self.default = self.value(default)

    def value(self, given):
        """``given``, or its text, as the switch holds it; ValueError if the switch takes no such value."""
        try:
            return self._convert(given)
        except (TypeError, ValueError):
            raise ValueError(f"switch {self.name} takes {self.takes}, not {given!r}") from None


SWITCHES = {switch.name: switch for switch in (
    Switch("max_top", "100", "a positive integer", _positive_integer),
    Switch.choice("over_top", REJECT_400, CLAMP),
    Switch("token_issue_rate", "off", "off or N/SECONDS, at most N token requests in any SECONDS", _rate),
    Switch("token_cooldown", "180", "a number of seconds", _seconds),
    # Users and departments (see directory): the package docstring tells what each value does.
    Switch.choice("duplicate_number_across_types", "reject_already_in_use", "allow"),
    Switch.choice("create_user_minimal", "accept_empty", "require_number"),
    Switch.choice("number_change", "reject_forbidden_change", "reject_already_in_use", "ignore"),
    Switch.choice("duplicate_email", "reject_already_in_use", "allow"),
    Switch.choice("duplicate_group_name", "reject_already_in_use", "reject_duplicate", "allow"),
    Switch.choice("displayname_format", "last_first", "first_last"),
    Switch.choice("create_response", "full_entity", "doc_subset"),
    Switch.choice("membership_rights_omitted", "users", "reject_required"),
    Switch.choice("user_groups_empty", "move_to_default", "no_department", "reject_required"),
    Switch.choice("group_members_patch", "replace_all_types", "replace_extensions_only"),
    Switch.choice("primary_group_requires_membership", "reject", "accept_and_add"),
    Switch.choice("favorites_groups", "on", "off"),
    Switch.choice("group_delete", "reject_with_members", "cascade", "move_members_to_default"),
    Switch.choice("batch_param_case", "case_insensitive", "strict_spec"),
    Switch("undeletable_users", "none", "none or extension numbers separated by ';'", _numbers),
    Switch.choice("user_delete_cascade", "drop_phones_unassign_deviceinfos", "keep_deviceinfo_assigned"),
    Switch.choice("secrets_in_default_projection", "on", "off"),
    Switch("backup_duration", "5", "a number of seconds", _seconds),
    Switch("backup_outcome", BACKUP_OK, f"{BACKUP_OK}, {BACKUP_FAIL} or {BACKUP_NEVER_APPEARS}",
           _one_of(BACKUP_OK, BACKUP_FAIL, BACKUP_NEVER_APPEARS)),
    Switch("can_create_backup_while_running", "false", "true or false", _boolean),
    Switch("backup_download_auth", TICKET_IN_LINK, f"{TICKET_IN_LINK} or {BEARER_REQUIRED}", _one_of(TICKET_IN_LINK, BEARER_REQUIRED)),
)}


def checked(values):
    """``values`` (switch name -> value or its text) converted; ValueError for an unknown name or a bad value."""
    check(isinstance(values, dict), f"switches come as an object of name: value, not {values!r}")
    unknown = sorted(set(values) - set(SWITCHES))
    check(not unknown, f"no switch {', '.join(map(repr, unknown))}; the switches are {', '.join(SWITCHES)}")
    return {name: SWITCHES[name].value(value) for name, value in values.items()}


def assignments(text):
    """``{name: text}`` of ``name=value`` items separated by commas or spaces (``XAPI_SIM_SWITCHES``, ``--switch``)."""
    values = {}
    for item in re.split(r"[,\s]+", text.strip()):
        if item:
            name, equals, value = item.partition("=")
            check(name and equals, f"{item!r} is not name=value")
            values[name] = value
    return values


def from_environment():
    """The switches ``XAPI_SIM_SWITCHES`` sets, converted; ValueError naming it if they are bad."""
    try:
        return checked(assignments(os.environ.get(ENVIRONMENT, "")))
    except ValueError as exc:
        raise ValueError(f"{ENVIRONMENT}: {exc}") from None


class Switches:
    """The value of every switch: the defaults, then ``XAPI_SIM_SWITCHES``, then ``values``.

    ``values`` is a dict that is replaced, never changed, so a reader that takes it once sees the switches of one moment.
    """

    def __init__(self, values=None):
        self._lock = threading.Lock()
        self._watchers = []
        self.values = {name: switch.default for name, switch in SWITCHES.items()}
        self.update(from_environment())
        self.update(values or {})

    def watch(self, callback):
        """Have ``callback(values)`` called after every update, with all the switches then."""
        self._watchers.append(callback)

    def __getitem__(self, name):
        return self.values[name]

    def update(self, values):
        """Set some switches, every one or (ValueError) none; returns all of them."""
        converted = checked(values)
        with self._lock:
            self.values = dict(self.values, **converted)
            for callback in self._watchers:
                callback(self.values)
            return self.values
