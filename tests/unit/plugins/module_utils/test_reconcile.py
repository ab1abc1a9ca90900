# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The engine's pure parts: list semantics, comparisons of raw properties, masks, and the models' property checks."""

import pytest

from ansible_collections.threecx.pbx.plugins.module_utils._models import DEPARTMENTS, USERS, is_secret_property, property_problems
from ansible_collections.threecx.pbx.plugins.module_utils._reconcile import SECRET_MASK, Resolver, _differs, _overlay, masked
from ansible_collections.threecx.pbx.plugins.module_utils._resource import argument_spec

DEPARTMENT_LIST = USERS.option("departments")
CURRENT = [{"name": "Sales", "role": "managers"}, {"name": "DEFAULT", "role": "users"}]


@pytest.mark.parametrize("mode, given, expected", [
    ("set", [{"name": "Support"}], [{"name": "Support", "role": "users"}]),
    ("add", [{"name": "Support"}, {"name": "Sales", "role": "users"}],
     [{"name": "DEFAULT", "role": "users"}, {"name": "Sales", "role": "users"}, {"name": "Support", "role": "users"}]),
    ("remove", [{"name": "Sales", "role": "system_owners"}], [{"name": "DEFAULT", "role": "users"}]),
    ("remove", [{"name": "Nowhere"}], [{"name": "DEFAULT", "role": "users"}, {"name": "Sales", "role": "managers"}]),
])
def test_list_modes(mode, given, expected):
    assert DEPARTMENT_LIST.desired(given, mode, DEPARTMENT_LIST.canonical(CURRENT)) == expected


def test_an_unordered_list_compares_whatever_the_order():
    assert DEPARTMENT_LIST.canonical(CURRENT) == DEPARTMENT_LIST.canonical(list(reversed(CURRENT)))


def test_items_read_note_the_ids_they_carry():
    resolver = Resolver(client=None)
    record = {"Groups": [{"GroupId": 7, "Name": "Sales", "Rights": {"RoleName": "managers"}}]}
    assert DEPARTMENT_LIST.from_xapi(record, resolver) == [{"name": "Sales", "role": "managers"}]
    assert resolver.id_of(DEPARTMENTS, "Sales") == 7 and resolver.key_of(DEPARTMENTS, 7) == "Sales"
    assert DEPARTMENT_LIST.to_xapi([{"name": "Sales", "role": "users"}], resolver) == [{"GroupId": 7, "Rights": {"RoleName": "users"}}]


@pytest.mark.parametrize("desired, current, differs", [
    ({"Type": "OfficeHours"}, {"Type": "OfficeHours", "Hours": [1]}, False),
    ({"Type": "AllHours"}, {"Type": "OfficeHours"}, True),
    ({"Route": {"To": "VoiceMail"}}, {"Route": {"To": "VoiceMail", "Number": "101"}}, False),
    ([1, 2], [2, 1], True),
    (True, None, True),
])
def test_raw_properties_compare_by_the_keys_given(desired, current, differs):
    assert _differs(desired, current) is differs


def test_a_complex_value_is_sent_whole_with_what_is_given_laid_over():
    current = {"Route": {"To": "Extension", "Number": "101"}, "IsPromptEnabled": False}
    assert _overlay(current, {"Route": {"To": "VoiceMail"}}) == {"Route": {"To": "VoiceMail", "Number": "101"}, "IsPromptEnabled": False}
    assert current["Route"]["To"] == "Extension"


def test_masks_hide_secrets():
    assert masked({"number": "101", "access_password": "x"}, ["access_password"]) == {"number": "101", "access_password": SECRET_MASK}


@pytest.mark.parametrize("name, secret", [
    ("AuthPassword", True), ("VMPIN", True), ("AccessPassword", True), ("ProvisioningLinkExt", True), ("AuthID", True),
    ("SIPID", True), ("PinProtected", False), ("PinProtectTimeout", False), ("FirstName", False), ("Hours", False),
])
def test_secret_property_names(name, secret):
    assert is_secret_property(name) is secret


@pytest.mark.parametrize("properties, problem", [
    ({"FistName": "x"}, "properties.FistName: Pbx.User has no such property"),
    ({"firstname": "x"}, "(did you mean FirstName?)"),
    ({"FirstName": "x"}, "properties.FirstName: set it with the option first_name"),
    ({"DisplayName": "x"}, "properties.DisplayName: read-only"),
    ({"Groups": []}, "properties.Groups: set it with the option departments"),
    ({"Phones": []}, "properties.Phones: read-only"),
    ({"AuthPassword": "x"}, "properties.AuthPassword: a secret"),
    ({"SendEmailMissedCalls": "yes"}, "properties.SendEmailMissedCalls: must be of type boolean, not str"),
    ({"PinProtectTimeout": True}, "must be of type integer, not bool"),
])
def test_property_problems(properties, problem):
    problems = property_problems(USERS, properties)
    assert len(problems) == 1 and problem in problems[0], problems


def test_good_properties_pass():
    assert property_problems(USERS, {"SendEmailMissedCalls": True, "Hours": {"Type": "OfficeHours"}, "PinProtectTimeout": 5}) == []
    assert property_problems(DEPARTMENTS, {"OfficeRoute": {"Route": {"To": "VoiceMail"}}}) == []


def test_every_model_property_exists_in_the_spec():
    from ansible_collections.threecx.pbx.plugins.module_utils._models import ENTITY_PROPERTIES
    for model in (USERS, DEPARTMENTS):
        types = ENTITY_PROPERTIES[model.entity_type]["types"]
        for field in model.fields:
            assert field.prop in types, (model.name, field.prop)
        assert set(model.select()) <= set(types)


def test_argument_specs():
    users = argument_spec(USERS)
    assert users["departments_mode"]["default"] == "set" and users["access_password"]["no_log"] is True
    assert users["update_password"]["default"] == "on_create" and "rename_from" not in users
    assert users["departments"]["options"]["role"]["default"] == "users"
    departments = argument_spec(DEPARTMENTS)
    assert departments["name"]["required"] is True and "rename_from" in departments and departments["force"]["default"] is False
