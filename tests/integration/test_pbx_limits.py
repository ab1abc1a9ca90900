# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection against a real PBX's limits, as the simulator's switches set them: the cap of 100 on ``$top``
(whatever a larger one gets) and a token endpoint that refuses a client fetching tokens too often."""

import pytest
import requests

from .helpers import CLIENT_ID, SECRET, running_simulator, token_requests, xapi_requests

SELECTION = "Id gt 20"  # 230 of the 250 records: more than two pages


def task(name, module, **options):
    return {"name": name, module: options}


@pytest.mark.parametrize("over_top", ["reject_400", "clamp"])
def test_more_than_a_page_is_listed_and_deleted_whatever_a_larger_top_gets(run_playbook, over_top):
    with running_simulator(records=250, switches={"over_top": over_top}) as sim:
        selected = sorted(record_id for record_id in sim.device_infos if record_id > 20)
        run = run_playbook([task("list", "threecx.pbx.device_info_info", filter=SELECTION, select=["Id"]),
                            task("delete", "threecx.pbx.device_info", filter=SELECTION, max_deletes=250, return_records=False)],
                           sim=sim)
        assert run.rc == 0, run.output
        assert [record["Id"] for record in run.result("list")["device_infos"]] == selected
        assert sorted(run.result("delete")["deleted"]) == selected
        assert sorted(sim.device_infos) == list(range(1, 21))
        lists = xapi_requests(sim, "GET", "ListDeviceInfo")
        assert all(0 < int(entry["query"]["$top"]) <= 100 and entry["status"] == 200 for entry in lists), lists


def test_one_token_for_several_hosts_and_tasks_when_the_pbx_issues_one_an_hour(run_playbook):
    with running_simulator(records=40, switches={"token_issue_rate": "1/3600"}) as sim:
        ids = sorted(sim.device_infos)[:6]
        hosts = {f"pbx{n}": {"ansible_connection": "local", "my_ids": ids[2 * n:2 * n + 2]} for n in range(3)}
        listing = {"filter": f"Id le {ids[-1]}", "select": ["Id"]}
        tasks = [task("list", "threecx.pbx.device_info_info", **listing),
                 task("delete", "threecx.pbx.device_info", ids="{{ my_ids }}"),
                 task("list again", "threecx.pbx.device_info_info", **listing)]
        run = run_playbook(tasks, sim=sim, inventory={"all": {"hosts": hosts}}, play={"hosts": "all"}, env={"ANSIBLE_FORKS": "3"})
        assert run.rc == 0, run.output
        for n in range(3):
            host = f"pbx{n}"
            assert [record["Id"] for record in run.result("list", host)["device_infos"]] == ids
            assert run.result("delete", host)["deleted"] == ids[2 * n:2 * n + 2]
            assert run.result("list again", host)["device_infos"] == []
        assert [entry["status"] for entry in token_requests(sim)] == [200]
        another = requests.post(sim.url + "/connect/token", timeout=10, data={
            "client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": "client_credentials"})
        assert another.status_code == 403, "a second token would have been refused"
