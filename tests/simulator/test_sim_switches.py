# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Switches: set at start, from the environment, at run time, over the control endpoint and from the CLI; what
``max_top``/``over_top`` and ``token_issue_rate``/``token_cooldown`` do.  (Those of users and departments are tested
with what they switch: test_sim_numbers, test_sim_user_rules, test_sim_memberships, test_sim_departments.)"""

import os
import re
import time

import pytest
import requests

from sim_helpers import XapiClient
from xapi_simulator import Simulator
from xapi_simulator.__main__ import parse_args
from xapi_simulator.replies import ODATA_JSON
from xapi_simulator.switches import ENVIRONMENT, SWITCHES, assignments

DEFAULTS = {
    "max_top": 100, "over_top": "reject_400", "token_issue_rate": None, "token_cooldown": 180,
    "duplicate_number_across_types": "reject_already_in_use", "create_user_minimal": "accept_empty",
    "number_change": "reject_forbidden_change", "duplicate_email": "reject_already_in_use",
    "duplicate_group_name": "reject_already_in_use", "displayname_format": "last_first", "create_response": "full_entity",
    "membership_rights_omitted": "users", "user_groups_empty": "move_to_default", "group_members_patch": "replace_all_types",
    "primary_group_requires_membership": "reject", "favorites_groups": "on", "group_delete": "reject_with_members",
    "batch_param_case": "case_insensitive", "undeletable_users": (), "user_delete_cascade": "drop_phones_unassign_deviceinfos",
    "secrets_in_default_projection": "on",
    "backup_duration": 5, "backup_outcome": "ok", "can_create_backup_while_running": False,
    "backup_download_auth": "ticket_in_link",
}
TOP_LIMIT = ("The query specified in the URI is not valid. The limit of '{limit}' for Top query has been exceeded. "
             "The value from the incoming request is '{top}'.")


def logged_in(sim):
    client = XapiClient(sim)
    client.login()
    return client


def ids(items):
    return [item["Id"] for item in items]


def control(sim, method="POST", **kwargs):
    return requests.request(method, sim.url + "/_simulator/switches", timeout=10, **kwargs)


# The mechanism

def test_defaults(monkeypatch):
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    assert Simulator().switches == DEFAULTS


def test_switches_at_start_win_over_the_environment(monkeypatch):
    monkeypatch.setenv(ENVIRONMENT, "over_top=clamp, max_top=50 token_issue_rate=3/60")
    sim = Simulator(switches={"max_top": 20, "token_cooldown": "0.5"})
    assert sim.switches == dict(DEFAULTS, max_top=20, over_top="clamp", token_issue_rate=(3, 60), token_cooldown=0.5)


@pytest.mark.parametrize("switches, error", [
    ({"max_pages": 5}, "no switch 'max_pages'; the switches are max_top, over_top, token_issue_rate, token_cooldown"),
    ({"max_top": 0}, "switch max_top takes a positive integer, not 0"),
    ({"max_top": "many"}, "switch max_top takes a positive integer, not 'many'"),
    ({"max_top": True}, "switch max_top takes a positive integer, not True"),
    ({"over_top": "truncate"}, "switch over_top takes reject_400 or clamp, not 'truncate'"),
    ({"token_issue_rate": "5"}, "switch token_issue_rate takes off or N/SECONDS"),
    ({"token_issue_rate": "5/0"}, "not '5/0'"),
    ({"token_issue_rate": "0/60"}, "not '0/60'"),
    ({"token_issue_rate": [1, 60, 2]}, "not [1, 60, 2]"),
    ({"token_cooldown": -1}, "switch token_cooldown takes a number of seconds, not -1"),
])
def test_unknown_switches_and_values_are_refused(switches, error):
    with pytest.raises(ValueError, match=re.escape(error)):
        Simulator(switches=switches)


@pytest.mark.parametrize("text, error", [("over_top", "'over_top' is not name=value"), ("max_top=-3", "max_top")])
def test_a_bad_environment_is_refused(monkeypatch, text, error):
    monkeypatch.setenv(ENVIRONMENT, text)
    with pytest.raises(ValueError, match=f"^{ENVIRONMENT}: .*{error}"):
        Simulator()


def test_a_switch_set_at_run_time_holds_from_the_next_request(make_sim):
    sim = make_sim(switches={"over_top": "reject_400"})
    client = logged_in(sim)
    assert client.get("/DeviceInfos", **{"$top": 101}).status_code == 400
    sim.set_switch("over_top", "clamp")
    assert len(client.items(**{"$top": 101})) == 50
    sim.set_switch("max_top", "10")  # as text, as the CLI and the environment give it
    assert len(client.items()) == 10
    with pytest.raises(ValueError, match="switch over_top takes"):
        sim.set_switch("over_top", "ignore")
    with pytest.raises(ValueError, match="no switch 'colour'"):
        sim.set_switch("colour", "red")
    assert (sim.switches["max_top"], sim.switches["over_top"]) == (10, "clamp")


def test_control_endpoint_sets_switches(make_sim):
    sim = make_sim(switches={"over_top": "reject_400"})
    client = logged_in(sim)
    reply = control(sim, json={"over_top": "clamp", "token_issue_rate": "2/30"})
    assert reply.status_code == 200
    assert reply.json() == dict(sim.switches, token_issue_rate=[2, 30], undeletable_users=[])
    assert sim.switches["over_top"] == "clamp" and sim.switches["token_issue_rate"] == (2, 30)
    assert len(client.items(**{"$top": 101})) == 50
    assert control(sim, "GET").json() == reply.json()
    assert control(sim, json=reply.json()).json() == reply.json(), "what it answers it takes"
    assert [entry["operation"] for entry in sim.requests] == ["token", "ListDeviceInfo"], "control requests are not logged"


@pytest.mark.parametrize("body, error", [
    ({"over_top": "reject_400", "max_top": 0}, "switch max_top takes a positive integer, not 0"),
    ({"over_top": "reject_400", "colour": "red"}, "no switch 'colour'"),
    (["over_top", "reject_400"], "switches come as an object"),
    ("over_top=reject_400", "switches come as an object"),
])
def test_control_endpoint_refuses_bad_switches_and_sets_none(make_sim, body, error):
    sim = make_sim(switches={"over_top": "clamp"})
    reply = control(sim, **({"data": body} if isinstance(body, str) else {"json": body}))
    assert reply.status_code == 400
    assert error in reply.json()["error"]
    assert sim.switches["over_top"] == "clamp"


@pytest.mark.parametrize("given, held", [("none", ()), ("101", ("101",)), ("101;120", ("101", "120")), (["101"], ("101",)), ([], ())])
def test_a_list_of_numbers(given, held):
    sim = Simulator(switches={"undeletable_users": given})
    assert sim.switches["undeletable_users"] == held


@pytest.mark.parametrize("given", ["101;;120", "101; 120", "", [101], "101,120"])
def test_a_bad_list_of_numbers_is_refused(given):
    with pytest.raises(ValueError, match="switch undeletable_users takes none or extension numbers separated by ';'"):
        Simulator(switches={"undeletable_users": given})


def test_the_other_modes_run_gives_every_switch_another_value(monkeypatch):
    """The Makefile's OTHER_MODES (the oldest ansible-core's integration run) sets every switch to a value other than its
    default, and a simulator takes them all from the environment; but the scenarios that dedicated tests set up (token
    throttling, how long a backup takes and how it ends), which would fail every other test."""
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "Makefile"), encoding="utf-8") as handle:
        makefile = handle.read()
    text = re.search(r"^OTHER_MODES := ((?:.*\\\n)*.*)$", makefile, re.M).group(1).replace("\\\n", " ")
    other = assignments(text)
    assert sorted(other) == sorted(set(SWITCHES) - {"max_top", "token_issue_rate", "token_cooldown", "backup_duration", "backup_outcome"})
    monkeypatch.setenv(ENVIRONMENT, text)
    switches = Simulator().switches
    assert all(switches[name] != SWITCHES[name].default for name in other)


def test_cli_switches():
    args = parse_args(["--switch", "over_top=clamp", "--switch", "token_issue_rate=1/60,token_cooldown=0.5"])
    assert args.switches == {"over_top": "clamp", "token_issue_rate": (1, 60), "token_cooldown": 0.5}
    assert parse_args([]).switches == {}


@pytest.mark.parametrize("argv, error", [
    (["--switch", "colour=red"], "no switch 'colour'"),
    (["--switch", "over_top"], "'over_top' is not name=value"),
    (["--switch", "max_top=0"], "switch max_top takes a positive integer, not '0'"),
])
def test_cli_refuses_bad_switches(capsys, argv, error):
    with pytest.raises(SystemExit) as caught:
        parse_args(argv)
    assert caught.value.code == 2 and error in capsys.readouterr().err


def test_cli_refuses_a_bad_environment(capsys, monkeypatch):
    monkeypatch.setenv(ENVIRONMENT, "over_top=sometimes")
    with pytest.raises(SystemExit) as caught:
        parse_args([])
    assert caught.value.code == 2 and f"{ENVIRONMENT}: switch over_top takes" in capsys.readouterr().err


# max_top and over_top

def test_a_top_over_max_top_answers_400(make_sim):
    sim = make_sim(records=150, switches={"over_top": "reject_400"})
    client = logged_in(sim)
    reply = client.get("/DeviceInfos", **{"$top": 101, "$filter": "Id gt 0"})
    assert reply.status_code == 400
    assert reply.headers["Content-Type"] == ODATA_JSON
    assert reply.json() == {"error": {"code": "", "message": TOP_LIMIT.format(limit=100, top=101), "details": []}}
    assert sim.violations == [], "the spec allows the request: a PBX's answer, not a client's mistake"
    assert len(client.items(**{"$top": 100})) == 100


def test_clamp_cuts_a_page_to_max_top(make_sim):
    client = logged_in(make_sim(records=150, switches={"over_top": "clamp"}))
    body = client.get("/DeviceInfos", **{"$top": 101, "$count": "true", "$skip": 20}).json()
    assert ids(body["value"]) == list(range(21, 121))
    assert body["@odata.count"] == 150 and "@odata.nextLink" not in body


@pytest.mark.parametrize("over_top", ["reject_400", "clamp"])
def test_paging_by_max_top_reads_everything(make_sim, over_top):
    sim = make_sim(records=250, switches={"over_top": over_top})
    client = logged_in(sim)
    pages = [client.items(**{"$top": 100, "$skip": skip, "$orderby": "Id"}) for skip in (0, 100, 200)]
    assert [len(page) for page in pages] == [100, 100, 50]
    assert [record_id for page in pages for record_id in ids(page)] == sorted(sim.device_infos)
    assert ids(client.items()) == list(range(1, 101)), "without $top a page holds max_top records too"


@pytest.mark.parametrize("over_top", ["reject_400", "clamp"])
def test_a_smaller_max_top(make_sim, over_top):
    client = logged_in(make_sim(switches={"max_top": 10, "over_top": over_top}))
    assert client.get("/DeviceInfos", **{"$top": 11}).status_code == (400 if over_top == "reject_400" else 200)
    body = client.get("/DeviceInfos", **{"$top": 10, "$count": "true"}).json()
    assert set(body) == {"@odata.context", "@odata.count", "value"}
    assert len(body["value"]) == 10 and body["@odata.count"] == 50
    assert len(client.items()) == 10
    assert len(client.items(**{"$top": 3})) == 3
    assert ids(client.items(**{"$skip": 45})) == [46, 47, 48, 49, 50]


def test_navigation_and_expanded_collections_obey_max_top(make_sim):
    sim = make_sim(switches={"max_top": 1, "over_top": "reject_400"})
    client = logged_in(sim)
    assert client.get("/Groups(2)/Members", **{"$top": 2}).status_code == 400
    reply = client.get("/Groups(2)", **{"$expand": "Members($top=2)"})
    assert reply.status_code == 400 and reply.json()["error"]["message"] == TOP_LIMIT.format(limit=1, top=2)
    sim.set_switch("over_top", "clamp")
    assert len(client.items("Groups(2)/Members", **{"$top": 2})) == 1
    expanded = client.get("/Groups(2)", **{"$expand": "Members($top=2;$count=true)"}).json()
    assert len(expanded["Members"]) == 1 and expanded["Members@odata.count"] >= 2
    assert len(client.get("/Groups(2)", **{"$expand": "Members"}).json()["Members"]) == 1


# token_issue_rate and token_cooldown

def token_log(sim):
    return [(entry["operation"], entry["status"]) for entry in sim.requests]


def test_too_many_token_requests_are_refused_for_the_cooldown(make_sim):
    sim = make_sim(switches={"token_issue_rate": "2/60", "token_cooldown": 0.5})
    client = XapiClient(sim)
    replies = [client.token() for n in range(4)]
    assert [reply.status_code for reply in replies] == [200, 200, 403, 403]
    assert replies[2].content == b"" and replies[3].content == b""
    assert len(sim.issued_tokens) == 2
    client.session.headers["Authorization"] = "Bearer " + replies[1].json()["access_token"]
    assert client.get("/DeviceInfos(1)").status_code == 200, "a token issued before the refusals still works"
    time.sleep(0.5)
    assert client.token().status_code == 200, "after the cool-down tokens are issued again"
    assert token_log(sim) == [("token", 200)] * 2 + [("token", 403)] * 2 + [("GetDeviceInfo", 200), ("token", 200)]
    assert sim.violations == []


def test_throttling_counts_from_when_it_is_switched_on_and_every_answer_counts(make_sim):
    sim = make_sim()
    client = XapiClient(sim)
    assert [client.token().status_code for n in range(3)] == [200] * 3
    sim.set_switch("token_issue_rate", "1/60")
    assert client.token(client_secret="wrong").status_code == 401
    assert client.token().status_code == 403
    sim.set_switch("token_issue_rate", "off")
    assert client.token().status_code == 200
    assert [status for operation, status in token_log(sim)] == [200, 200, 200, 401, 403, 200]
