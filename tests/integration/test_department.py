# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""threecx.pbx.department and department_info through ansible-playbook against the simulator."""

from .helpers import xapi_requests
from .test_user import writes


def department(task_name="department", **options):
    return {"name": task_name, "threecx.pbx.department": options}


def names(sim):
    return sorted(entry["Name"] for entry in sim.departments())


def test_create_check_mode_real_again_update(simulator, run_playbook):
    sim = simulator
    task = department(name="Marketing", language="DE", timezone_id="51")
    dry = run_playbook([task], sim=sim, check=True, diff=True)
    assert dry.rc == 0, dry.output
    assert dry.result("department")["changed"] is True and "Marketing" not in names(sim) and writes(sim) == []

    run = run_playbook([dict(task, name="create"), dict(task, name="again"),
                        department("update", name="Marketing", language="EN")], sim=sim, diff=True)
    assert run.rc == 0, run.output
    assert run.result("create")["department"] == {"name": "Marketing", "language": "DE", "timezone_id": "51"}
    assert run.result("again")["changed"] is False
    assert run.result("update")["changes"] == ["language"]
    assert run.result("update")["diff"] == {"before": {"name": "Marketing", "language": "DE", "timezone_id": "51"},
                                            "after": {"name": "Marketing", "language": "EN", "timezone_id": "51"}}
    created, = [entry for entry in sim.departments() if entry["Name"] == "Marketing"]
    assert created["Language"] == "EN" and created["Number"].startswith("GRP")
    assert [(method, body) for method, _operation, body in writes(sim)] == [
        ("POST", ["Language", "Name", "TimeZoneId"]), ("PATCH", ["Language"])]


def test_rename(simulator, run_playbook):
    sim = simulator
    sim.add_department("Old name")
    task = department(name="New name", rename_from="Old name")
    run = run_playbook([dict(task, name="rename"), dict(task, name="again")], sim=sim)
    assert run.rc == 0, run.output
    assert run.result("rename")["changes"] == ["name"] and run.result("again")["changed"] is False
    assert "New name" in names(sim) and "Old name" not in names(sim)

    sim.add_department("Old name")
    both = run_playbook([task], sim=sim)
    assert both.rc == 2 and "both exist" in both.result("department")["msg"]


def test_deletes_refused_before_any_write(simulator, run_playbook):
    sim = simulator
    default, = [entry["Name"] for entry in sim.departments() if entry["IsDefault"]]
    run = run_playbook([department("default", name=default, state="absent", force=True)], sim=sim)
    assert run.rc == 2 and "default department" in run.result("default")["msg"]
    run = run_playbook([department("members", name="Sales", state="absent")], sim=sim)
    assert run.rc == 2
    msg = run.result("members")["msg"]
    members = sim.department_members("Sales")
    assert all(number in msg for number, _type in members) and "force: true" in msg
    assert writes(sim) == []
    assert default in names(sim) and "Sales" in names(sim)


def test_force_moves_the_users_then_reports_what_keeps_the_department(simulator, run_playbook):
    """Sales holds users, a queue and a parking: the users are moved (on the users), then 3CX refuses the delete
    because of the others, and the task says so, naming them and the users it moved."""
    sim = simulator
    sim.set_switch("group_delete", "reject_with_members")
    default, = [entry["Name"] for entry in sim.departments() if entry["IsDefault"]]
    users = [number for number, kind in sim.department_members("Sales") if kind == "Extension"]
    others = [number for number, kind in sim.department_members("Sales") if kind != "Extension"]
    assert users and others

    dry = run_playbook([department(name="Sales", state="absent", force=True)], sim=sim, check=True)
    assert dry.rc == 0, dry.output
    assert dry.result("department")["moved_users"] == users and writes(sim) == []

    run = run_playbook([department(name="Sales", state="absent", force=True)], sim=sim)
    assert run.rc == 2
    result = run.result("department")
    assert "was not deleted" in result["msg"] and all(number in result["msg"] for number in users + others)
    assert result["moved_users"] == users
    assert [member["number"] for member in result["other_members"]] == others
    queue = next(q for q in sim.records("Queues") if q["Number"] in others)
    assert {"number": queue["Number"], "name": queue["Name"], "type": "Queue"} in result["other_members"]  # its own name
    for number in users:
        assert "Sales" not in [name for name, _role in sim.user_departments(number)]
        assert default in [name for name, _role in sim.user_departments(number)]
    assert {operation for _method, operation, _body in writes(sim)} == {"UpdateUser", "DeleteGroup"}
    assert not [w for w in writes(sim) if w[1] == "UpdateGroup"]  # members are never rewritten on the department

    sim.set_switch("group_delete", "cascade")
    again = run_playbook([department(name="Sales", state="absent", force=True)], sim=sim)
    assert again.rc == 0, again.output
    assert "Sales" not in names(sim)


def test_department_info_and_the_hidden_favourites(simulator, run_playbook):
    sim = simulator
    run = run_playbook([
        {"name": "all", "threecx.pbx.department_info": {}, "register": "everything"},
        {"name": "some", "threecx.pbx.department_info": {"names": ["Support", "Sales", "Nowhere"]}},
        {"name": "favourites", "threecx.pbx.department": {"name": "___FAVORITES___101", "state": "absent"}},
        {"name": "fed back", "threecx.pbx.department": "{{ item }}", "loop": "{{ everything.departments }}",
         "loop_control": {"label": "{{ item.name }}"}},
    ], sim=sim)
    assert run.rc == 0, run.output
    listed = [entry["name"] for entry in run.result("all")["departments"]]
    assert listed == names(sim) and not any(name.startswith("___FAVORITES___") for name in listed)
    assert [entry["name"] for entry in run.result("some")["departments"]] == ["Sales", "Support"]
    assert run.result("favourites")["changed"] is False
    assert run.result("fed back")["changed"] is False
    assert writes(sim) == []
    assert all("___FAVORITES___" in (entry["query"].get("$filter") or "") for entry in xapi_requests(sim, "GET")
               if entry["operation"] == "ListGroup")
