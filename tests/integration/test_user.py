# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""threecx.pbx.user and user_info through ansible-playbook against the simulator's users and departments."""

import pytest

from .helpers import CLIENT_ID, SECRET, xapi_requests

PASSWORD = "Initial-Pa55word-x9"
PIN = "4711"


def user(name="user", register=None, **options):
    task = {"name": name, "threecx.pbx.user": options}
    if register:
        task["register"] = register
    return task


def writes(sim):
    return [(entry["method"], entry["operation"], entry.get("body_properties")) for entry in xapi_requests(sim)
            if entry["method"] in ("POST", "PATCH", "DELETE")]


def assert_no_secret_was_read(sim):
    assert [entry for entry in xapi_requests(sim) if entry.get("secrets_sent")] == []


def test_onboarding_check_mode_then_for_real_then_nothing(simulator, run_playbook):
    sim = simulator
    task = user(number="150", first_name="Ada", last_name="Lovelace", email="ada.lovelace@example.com",
                departments=[{"name": "Sales"}, {"name": "Support", "role": "managers"}], primary_department="Support",
                access_password=PASSWORD, vm_pin=PIN)

    dry = run_playbook([task], sim=sim, check=True, diff=True)
    assert dry.rc == 0, dry.output
    assert dry.result("user")["changed"] is True and "would be created" in dry.result("user")["msg"]
    assert dry.result("user")["diff"]["after"]["access_password"] == "********"
    assert sim.user_by_number("150") is None and writes(sim) == []

    real = run_playbook([task], sim=sim, diff=True, verbosity=3)
    assert real.rc == 0, real.output
    result = real.result("user")
    assert result["changed"] is True
    assert result["user"]["number"] == "150" and result["user"]["first_name"] == "Ada"
    assert result["user"]["departments"] == [{"name": "Sales", "role": "users"}, {"name": "Support", "role": "managers"}]
    assert result["user"]["primary_department"] == "Support"
    assert "access_password" not in result["user"] and result["diff"]["after"]["vm_pin"] == "********"
    assert PASSWORD not in real.output and PIN not in real.output
    assert sim.user_departments("150") == [("Sales", "users"), ("Support", "managers")]
    assert sim.primary_department("150") == "Support"
    created = sim.user_by_number("150")
    assert created["AccessPassword"] == PASSWORD and created["VMPIN"] == PIN
    (method, operation, body), = writes(sim)
    assert (method, operation) == ("POST", "CreateUser")
    assert set(body) >= {"Number", "FirstName", "Groups", "PrimaryGroupId", "AccessPassword", "VMPIN"}

    sim.clear_requests()
    again = run_playbook([task], sim=sim)
    assert again.rc == 0, again.output
    assert again.result("user")["changed"] is False
    assert writes(sim) == []
    assert_no_secret_was_read(sim)


def test_only_what_differs_is_written_and_a_new_primary_waits_for_its_membership(simulator, run_playbook):
    sim = simulator
    sim.add_user(number="151", FirstName="Grace", LastName="Hopper", departments=(("Sales", "users"),), primary="Sales")
    run = run_playbook([
        user("rename", number="151", first_name="Amazing Grace", last_name="Hopper"),
        user("move", number="151", departments=[{"name": "Support"}], primary_department="Support"),
        user("add", number="151", departments=[{"name": "Accounts", "role": "managers"}], departments_mode="add"),
        user("remove", number="151", departments=[{"name": "Support"}], departments_mode="remove",
             primary_department="Accounts"),
    ], sim=sim, diff=True)
    assert run.rc == 0, run.output
    assert run.result("rename")["changes"] == ["first_name"]
    assert run.result("rename")["diff"]["before"]["first_name"] == "Grace"
    assert run.result("move")["changes"] == ["departments", "primary_department"]
    assert run.result("add")["user"]["departments"] == [{"name": "Accounts", "role": "managers"}, {"name": "Support", "role": "users"}]
    assert sim.user_departments("151") == [("Accounts", "managers")] and sim.primary_department("151") == "Accounts"
    assert [(method, body) for method, _operation, body in writes(sim)] == [
        ("PATCH", ["FirstName"]),
        ("PATCH", ["Groups"]), ("PATCH", ["PrimaryGroupId"]),  # 3CX refuses a primary department before the membership
        ("PATCH", ["Groups"]),
        ("PATCH", ["PrimaryGroupId"]), ("PATCH", ["Groups"]),  # the primary moves to Accounts before Support is left
    ]
    assert_no_secret_was_read(sim)


@pytest.mark.parametrize("options, message", [
    ({"departments": [{"name": "Salse"}, {"name": "Suport"}]}, "unknown department 'Salse'; unknown department 'Suport'"),
    ({"departments": []}, "a user belongs to at least one department"),
    ({"departments": [{"name": "Sales"}], "primary_department": "Support"}, "primary_department 'Support' must be one of departments ('Sales')"),
    ({"properties": {"DisplayName": "Nope"}}, "properties.DisplayName: read-only"),
    ({"properties": {"FirstName": "Nope"}}, "set it with the option first_name"),
    ({"properties": {"AuthPassword": "Nope"}}, "properties.AuthPassword: a secret"),
])
def test_checks_before_any_write(simulator, run_playbook, options, message):
    run = run_playbook([user(number="101", **options), user("new", number="152", **options)], sim=simulator)
    assert run.rc == 2
    assert message in run.result("user")["msg"] and "nothing was written" in run.result("user")["msg"]
    assert writes(simulator) == []


def test_a_department_without_a_name_is_refused_by_the_argument_check(simulator, run_playbook):
    run = run_playbook([user(number="101", departments=[{"role": "managers"}])], sim=simulator)
    assert run.rc == 2 and "missing required arguments: name" in run.result("user")["msg"]
    assert "Traceback" not in run.output and xapi_requests(simulator) == []


def test_keyed_by_email(simulator, run_playbook):
    sim = simulator
    run = run_playbook([user("create", register="created", email="new.person@example.com", first_name="New",
                             departments=[{"name": "Sales"}]),
                        user("again", email="new.person@example.com", first_name="New")], sim=sim)
    assert run.rc == 0, run.output
    number = run.result("create")["user"]["number"]
    assert number and sim.user_by_number(number)["EmailAddress"] == "new.person@example.com"
    assert number in run.result("create")["msg"]
    assert run.result("again")["changed"] is False
    (method, _operation, body), = writes(sim)
    assert method == "POST" and "Number" in body  # the PBX's first free number, which it may want in the body
    assert [e["operation"] for e in xapi_requests(sim, "GET")].count("GetFirstAvailableExtensionNumber") == 1

    other = run_playbook([user(email="new.person@example.com", number="199")], sim=sim)
    assert other.rc == 2 and "is number '%s', not '199'" % number in other.result("user")["msg"]


def test_two_users_sharing_the_email_used_as_key_fail_naming_both(simulator, run_playbook):
    sim = simulator
    sim.set_switch("duplicate_email", "allow")
    sim.add_user(number="160", EmailAddress="shared@example.com")
    sim.add_user(number="161", EmailAddress="shared@example.com")
    run = run_playbook([user(email="shared@example.com", first_name="Who")], sim=sim)
    assert run.rc == 2
    assert "number '160'" in run.result("user")["msg"] and "number '161'" in run.result("user")["msg"]
    assert writes(sim) == []


def test_the_pbx_refusing_a_number_or_an_email_is_reported(simulator, run_playbook):
    sim = simulator
    sim.set_switch("duplicate_email", "reject_already_in_use")
    sim.set_switch("duplicate_number_across_types", "reject_already_in_use")
    taken = sim.user_by_number("101")["EmailAddress"]
    run = run_playbook([user("email", number="102", email=taken)], sim=sim)
    assert run.rc == 2
    msg = run.result("email")["msg"]
    assert "User number '102'" in msg and "EmailAddress" in msg and "ALREADY_IN_USE" in msg and "Nothing was written" in msg
    assert "e-mail address '%s' is used by user 101" % taken in msg

    queue = sim.records("Queues")[0]
    run = run_playbook([user("number", number=queue["Number"], first_name="Clash")], sim=sim)
    assert run.rc == 2
    msg = run.result("number")["msg"]
    assert "was not created" in msg and "number '%s' is used by queue %s" % (queue["Number"], queue["Number"]) in msg
    assert writes(sim)[-1][1] == "CreateUser"


def test_passwords_are_sent_on_create_or_always(simulator, run_playbook):
    sim = simulator
    sim.add_user(number="153")
    run = run_playbook([
        user("on create", number="153", access_password=PASSWORD),
        user("always", number="153", access_password=PASSWORD, update_password="always"),
    ], sim=sim, diff=True)
    assert run.rc == 0, run.output
    assert run.result("on create")["changed"] is False
    assert run.result("always")["changed"] is True and run.result("always")["changes"] == ["access_password"]
    assert [body for _method, _operation, body in writes(sim)] == [["AccessPassword"]]
    assert sim.user_by_number("153")["AccessPassword"] == PASSWORD
    assert PASSWORD not in run.output


def test_properties_write_only_what_differs(simulator, run_playbook):
    sim = simulator
    sim.add_user(number="154")
    task = user(number="154", properties={"SendEmailMissedCalls": False, "Hours": {"Type": "AllHours"}})
    run = run_playbook([dict(task, name="first"), dict(task, name="second")], sim=sim)
    assert run.rc == 0, run.output
    assert run.result("first")["changed"] is True and run.result("second")["changed"] is False
    assert [body for _method, _operation, body in writes(sim)] == [["Hours", "SendEmailMissedCalls"]]
    assert sim.user_by_number("154")["Hours"]["Type"] == "AllHours"


def test_offboarding_disable_then_delete(simulator, run_playbook):
    sim = simulator
    sim.add_user(number="155", departments=(("Sales", "users"),))
    run = run_playbook([
        user("disable", number="155", enabled=False),
        user("delete", number="155", state="absent"),
        user("gone", number="155", state="absent"),
    ], sim=sim)
    assert run.rc == 0, run.output
    assert run.result("disable")["user"]["enabled"] is False
    assert run.result("delete")["changed"] is True and run.result("delete")["user"]["number"] == "155"
    assert run.result("gone")["changed"] is False
    assert sim.user_by_number("155") is None
    assert [(method, body) for method, _operation, body in writes(sim)] == [("PATCH", ["Enabled"]), ("DELETE", None)]


def test_user_info_reads_what_the_module_takes_back(simulator, run_playbook):
    sim = simulator
    run = run_playbook([
        {"name": "all", "threecx.pbx.user_info": {}, "register": "everyone"},
        {"name": "two", "threecx.pbx.user_info": {"numbers": ["102", "101", "999"], "properties": ["SendEmailMissedCalls"]}},
        {"name": "filtered", "threecx.pbx.user_info": {"filter": "startswith(Number,'10')"}},
        {"name": "fed back", "threecx.pbx.user": "{{ item }}", "loop": "{{ everyone.users }}", "loop_control": {"label": "{{ item.number }}"}},
    ], sim=sim)
    assert run.rc == 0, run.output
    users = run.result("all")["users"]
    assert [entry["number"] for entry in users] == sorted(entry["Number"] for entry in sim.records("Users"))
    assert all("access_password" not in entry and entry["departments"] for entry in users)
    assert [entry["number"] for entry in run.result("two")["users"]] == ["101", "102"]
    assert set(run.result("two")["users"][0]["properties"]) == {"SendEmailMissedCalls"}
    assert {entry["number"] for entry in run.result("filtered")["users"]} == {n for n in (e["number"] for e in users) if n.startswith("10")}
    assert run.result("fed back")["changed"] is False
    assert writes(sim) == []
    assert_no_secret_was_read(sim)
    assert all(entry["query"].get("$top") in (None, "100") for entry in xapi_requests(sim))


def test_two_hundred_users_from_yaml_converge(simulator, run_playbook):
    """A list of 200 users applied with the module in a loop; the second run sends no write."""
    sim = simulator
    people = [{"number": str(3000 + index), "first_name": "First%d" % index, "last_name": "Last%d" % index,
               "email": "person%d@example.com" % index,
               "departments": [{"name": ("Sales", "Support", "Accounts")[index % 3]}]} for index in range(200)]
    task = {"name": "users", "threecx.pbx.user": "{{ item }}", "loop": "{{ people }}", "loop_control": {"label": "{{ item.number }}"}}
    first = run_playbook([task], sim=sim, play={"vars": {"people": people}})
    assert first.rc == 0, first.output
    assert len([w for w in writes(sim) if w[0] == "POST"]) == 200
    assert sim.user_departments("3004") == [("Support", "users")]
    sim.clear_requests()
    second = run_playbook([task], sim=sim, play={"vars": {"people": people}})
    assert second.rc == 0, second.output
    assert second.result("users")["changed"] is False
    assert writes(sim) == []


def test_the_users_playbook_dry_run_real_and_again(simulator, run_playbook):
    sim = simulator
    sim.add_user(number="170", departments=(("Sales", "users"),))
    sim.add_user(number="171", departments=(("Sales", "users"),))
    people = {
        "threecx_departments": [{"name": "Research", "language": "EN"}],
        "threecx_users": [
            {"number": "172", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
             "departments": [{"name": "Research"}], "primary_department": "Research"},
            {"number": "170", "departments": [{"name": "Research", "role": "managers"}], "primary_department": "Research"},
            {"number": "171", "state": "absent"},
        ],
        "threecx_user_passwords": {"172": PASSWORD},
    }
    hosts = {"threecx_pbxs": {"hosts": {"pbx": {"ansible_connection": "local", "threecx_url": sim.url,
                                                "threecx_client_id": CLIENT_ID, "threecx_client_secret": SECRET}}}}
    dry = run_playbook(playbook="threecx.pbx.users", inventory=hosts, extra_vars=people, check=True, diff=True)
    assert dry.rc == 0, dry.output
    assert "changed=2" in dry.output and writes(sim) == []
    assert "unknown department 'Research'. The task would fail unless an earlier task creates it" in " ".join(dry.output.split())
    real = run_playbook(playbook="threecx.pbx.users", inventory=hosts, extra_vars=people, verbosity=3)
    assert real.rc == 0, real.output
    assert PASSWORD not in real.output and sim.user_by_number("172")["AccessPassword"] == PASSWORD
    assert sim.user_departments("172") == [("Research", "users")] and sim.user_departments("170") == [("Research", "managers")]
    assert sim.user_by_number("171") is None
    sim.clear_requests()
    again = run_playbook(playbook="threecx.pbx.users", inventory=hosts, extra_vars=people)
    assert again.rc == 0, again.output
    assert "changed=0" in again.output and writes(sim) == []
