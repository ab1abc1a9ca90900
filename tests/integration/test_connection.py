# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection options, TLS, the shared token, bad answers and secrets, through ansible-playbook."""

import os
import stat
import subprocess
import sys

import pytest

from .helpers import CLIENT_ID, SECRET, running_simulator, token_requests, xapi_requests


def delete(name="delete", **options):
    return {"name": name, "threecx.pbx.device_info": dict({"retry_max_delay": 0.2}, **options)}


def test_eight_concurrent_runs_with_one_client_share_one_token(run_playbook):
    with running_simulator(records=40) as sim:
        ids = sorted(sim.device_infos)[:16]
        hosts = {"pbx%d" % n: {"ansible_connection": "local", "my_ids": ids[2 * n:2 * n + 2]} for n in range(8)}
        tasks = [delete(ids="{{ my_ids }}", url=sim.url, client_id=CLIENT_ID, client_secret=SECRET)]
        run = run_playbook(tasks, inventory={"all": {"hosts": hosts}}, play={"hosts": "all"},
                           env={"ANSIBLE_FORKS": "8"})
        assert run.rc == 0, run.output
        for n in range(8):
            assert run.result("delete", "pbx%d" % n)["deleted"] == ids[2 * n:2 * n + 2]
        assert not set(ids) & set(sim.device_infos)
        assert len(token_requests(sim)) == 1
        assert all(e["status"] != 401 for e in sim.requests)


def test_two_runs_at_once_with_one_client(tmp_path, collections_path, run_playbook):
    """A playbook and an ad-hoc command at the same time, with the same API client, against one PBX."""
    with running_simulator(records=40) as sim:
        ids = sorted(sim.device_infos)[:20]
        cache = {"THREECX_TOKEN_CACHE_DIR": str(tmp_path / "shared-token-cache")}
        env = dict(os.environ, THREECX_URL=sim.url, THREECX_CLIENT_ID=CLIENT_ID, THREECX_CLIENT_SECRET=SECRET,
                   ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_PYTHON_INTERPRETER=sys.executable, **cache)
        ad_hoc = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-c", "local",
             "-m", "threecx.pbx.device_info", "-a", "ids=%s" % ",".join(str(i) for i in ids[10:])],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        run = run_playbook([delete(ids=ids[:10])], sim=sim, env=cache)
        output = ad_hoc.communicate(timeout=300)[0]
        assert run.rc == 0, run.output
        assert ad_hoc.returncode == 0, output
        assert not set(ids) & set(sim.device_infos)
        assert len(token_requests(sim)) == 1


def test_the_token_cache_holds_no_secret_and_only_its_owner_reads_it(simulator, run_playbook, tmp_path):
    cache_dir = tmp_path / "cache"
    run = run_playbook([delete(id=999999)], sim=simulator, env={"THREECX_TOKEN_CACHE_DIR": str(cache_dir)})
    assert run.rc == 0, run.output
    assert stat.S_IMODE(os.stat(cache_dir).st_mode) == 0o700
    files = list(cache_dir.iterdir())
    assert files
    for path in files:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert SECRET not in path.read_text()
    assert any(token in path.read_text() for path in files for token in simulator.issued_tokens)


def test_a_wrong_secret_never_rides_on_a_cached_token(simulator, run_playbook):
    assert run_playbook([delete(id=999999)], sim=simulator).rc == 0
    run = run_playbook([delete(id=sorted(simulator.device_infos)[0])], sim=simulator,
                       env={"THREECX_CLIENT_SECRET": "not-the-secret"})
    assert run.rc == 2 and "client_secret" in run.result("delete")["msg"]
    assert [e["status"] for e in token_requests(simulator)] == [200, 401]
    assert xapi_requests(simulator, "DELETE") == []


def test_tls_with_an_untrusted_certificate(run_playbook):
    with running_simulator(tls=True) as sim:
        record_id = sorted(sim.device_infos)[0]
        refused = run_playbook([delete(id=record_id)], sim=sim)
        assert refused.rc == 2
        msg = refused.result("delete")["msg"]
        assert "ca_path" in msg and "validate_certs" in msg and "certificate" in msg
        assert sim.requests == []

        trusted = run_playbook([delete(id=record_id, ca_path=sim.ca_path)], sim=sim)
        assert trusted.rc == 0, trusted.output
        assert record_id not in sim.device_infos

        unverified = run_playbook([delete(id=sorted(sim.device_infos)[0], validate_certs=False)], sim=sim)
        assert unverified.rc == 0, unverified.output
        assert "validate_certs is false" in unverified.output


@pytest.mark.parametrize("url, message", [
    ("http://pbx.example.com:5001", "allow_http"),
    ("https://pbx.example.com:5001/webclient", "without a path"),
    ("pbx.example.com:5001", "with its scheme"),
])
def test_bad_urls_fail_before_any_request(simulator, run_playbook, url, message):
    run = run_playbook([delete(id=1)], sim=simulator, env={"THREECX_URL": url})
    assert run.rc == 2 and message in run.result("delete")["msg"]
    assert simulator.requests == []


def test_a_url_ending_in_the_api_path_is_accepted_with_a_warning(simulator, run_playbook):
    record_id = sorted(simulator.device_infos)[0]
    run = run_playbook([delete(id=record_id)], sim=simulator, env={"THREECX_URL": simulator.url + "/xapi/v1/"})
    assert run.rc == 0, run.output
    assert "without /xapi/v1" in run.output
    assert record_id not in simulator.device_infos


@pytest.mark.parametrize("status, body, content_type, expected", [
    (403, '{"error": {"code": "", "message": "Forbidden"}}', "application/json", ["System Owner", "allow-list"]),
    (200, "<!DOCTYPE html><html><title>3CX Sign in</title></html>", "text/html",
     ["HTTP 200 (text/html) with an HTML page titled '3CX Sign in', not JSON", "not a portal or proxy"]),
    (200, "", "application/json", ["empty body"]),
    (500, '{"message": "Something broke"}', "application/json", ["HTTP 500", "Something broke"]),
])
def test_bad_answers_are_explained_in_one_line(simulator, run_playbook, status, body, content_type, expected):
    simulator.fail_next(1, status=status, body=body, content_type=content_type, operation="GetDeviceInfo")
    run = run_playbook([delete(id=sorted(simulator.device_infos)[0])], sim=simulator)
    assert run.rc == 2
    msg = run.result("delete")["msg"]
    assert "\n" not in msg and "Traceback" not in run.output
    for fragment in expected:
        assert fragment in msg
    assert xapi_requests(simulator, "DELETE") == []


@pytest.mark.parametrize("status, body, content_type, expected", [
    (200, "<html><head><title>Guest Wi-Fi: please sign in</title></head><body>form</body></html>", "text/html",
     ["the token endpoint", "answered HTTP 200 (text/html) with an HTML page titled 'Guest Wi-Fi: please sign in'",
      "Is url the PBX's address"]),
    (403, "", None, ["HTTP 403", "allow-list", "too many tokens", "about three minutes", "The token cache is on"]),
])
def test_token_endpoint_failures_say_what_came_back(simulator, run_playbook, status, body, content_type, expected):
    simulator.fail_next(1, status=status, body=body, content_type=content_type, operation="token")
    run = run_playbook([delete(id=sorted(simulator.device_infos)[0])], sim=simulator)
    assert run.rc == 2
    msg = run.result("delete")["msg"]
    assert "\n" not in msg and "Traceback" not in run.output and "<" not in msg
    for fragment in expected:
        assert fragment in msg
    assert len(token_requests(simulator)) == 1 and xapi_requests(simulator) == []


def test_filter_values_with_quotes_and_unicode(simulator, run_playbook):
    target = simulator.add_device_info(Vendor="Zoë's Phones ☎", Assigned=False)
    run = run_playbook([delete(filter="Vendor eq {{ vendor | threecx.pbx.odata_literal }}")], sim=simulator,
                       play={"vars": {"vendor": "Zoë's Phones ☎"}})
    assert run.rc == 0, run.output
    assert run.result("delete")["deleted"] == [target["Id"]]


def test_secrets_appear_nowhere_at_maximum_verbosity(simulator, run_playbook):
    """The secrets reach the tasks as a vaulted variable would, not written in the playbook's text."""
    simulator.fail_next(1, status=503, operation="DeleteDeviceInfo")
    ids = sorted(simulator.device_infos)[:2]
    tasks = [delete(ids=ids, client_secret="{{ lookup('ansible.builtin.env', 'GOOD_SECRET') }}"),
             delete(name="fail", id=ids[0], client_secret="{{ lookup('ansible.builtin.env', 'BAD_SECRET') }}")]
    run = run_playbook(tasks, sim=simulator, verbosity=4, diff=True, env={"GOOD_SECRET": SECRET, "BAD_SECRET": "wrong-" + SECRET})
    assert run.status("delete") == "ok" and run.result("delete")["retry_count"] == 1
    assert run.status("fail") == "failed"
    for secret in [SECRET, "wrong-" + SECRET] + simulator.issued_tokens:
        assert secret not in run.output
        assert secret not in str(run.results)
        assert secret not in str(simulator.requests)
