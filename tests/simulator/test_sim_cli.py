# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``python -m xapi_simulator`` as the demo runs it."""

import json
import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from xapi_simulator import faults as faults_cli
from xapi_simulator.__main__ import parse_args

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start(*args, **env):
    environment = dict(os.environ, PYTHONPATH=TESTS_DIR, **env)
    process = subprocess.Popen([sys.executable, "-m", "xapi_simulator", "--port", "0", *args], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.fullmatch(r"XAPI simulator listening on (https?://127\.0\.0\.1:\d+)\n", line)
    if not match:
        process.kill()
        pytest.fail(f"unexpected first line {line!r}: {process.communicate()[1]}")
    return process, match.group(1)


def stop(process):
    process.terminate()
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in err
    return out


def token(url, client_id, secret):
    form = {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
    return requests.post(url + "/connect/token", data=form, timeout=10)


def test_cli_serves_until_sigterm():
    process, url = start("--records", "12", "--client-id", "demo", "--client-secret", "demo-secret", "--etag",
                         "--expires-in-unit", "minutes", "--switch", "max_top=5")
    try:
        reply = token(url, "demo", "demo-secret")
        assert reply.json()["expires_in"] == 60
        headers = {"Authorization": "Bearer " + reply.json()["access_token"]}
        items = requests.get(url + "/xapi/v1/DeviceInfos", headers=headers, timeout=10).json()["value"]
        assert len(items) == 5 and "@odata.etag" in items[0]
        assert len(requests.get(url + "/_simulator/device_infos", timeout=10).json()) == 12
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert out == "" and "Traceback" not in err


def test_cli_takes_credentials_from_the_environment_and_stops_on_sigint():
    process, url = start(THREECX_CLIENT_ID="env-client", THREECX_CLIENT_SECRET="env-secret")
    try:
        assert token(url, "env-client", "env-secret").status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert out == "" and "Traceback" not in err


def test_faults_cli_over_https(capsys):
    process, url = start("--client-id", "demo", "--client-secret", "demo-secret", "--tls")
    ca_path = process.stdout.readline().rstrip("\n")
    tls = {"verify": ca_path, "timeout": 10}
    try:
        faults = subprocess.run([sys.executable, "-m", "xapi_simulator.faults", url, "status", "--status", "503", "--retry-after", "5",
                                 "--count", "2", "--operation", "token", "--cafile", ca_path], env=dict(os.environ, PYTHONPATH=TESTS_DIR),
                                capture_output=True, text=True, timeout=30, check=False)
        assert faults.returncode == 0, faults.stderr
        armed = json.loads(faults.stdout)
        assert {key: armed[key] for key in ("kind", "count", "status", "retry_after", "operation")} == {
            "kind": "status", "count": 2, "status": 503, "retry_after": 5, "operation": "token"}
        form = {"client_id": "demo", "client_secret": "demo-secret", "grant_type": "client_credentials"}
        replies = [requests.post(url + "/connect/token", data=form, **tls) for n in range(3)]
        assert [(r.status_code, r.headers.get("Retry-After")) for r in replies] == [(503, "5"), (503, "5"), (200, None)]
        headers = {"Authorization": "Bearer " + replies[2].json()["access_token"]}

        def arm(*args):
            assert faults_cli.main([url, *args, "--cafile", ca_path]) == 0
            return json.loads(capsys.readouterr().out)
        assert arm("reset", "--after-processing", "--method", "DELETE") == {
            "kind": "reset", "count": 1, "after_processing": True, "operation": None, "method": "DELETE", "after_bytes": None}
        with pytest.raises(requests.ConnectionError):
            requests.delete(url + "/xapi/v1/DeviceInfos(3)", headers=headers, **tls)
        assert requests.delete(url + "/xapi/v1/DeviceInfos(3)", headers=headers, **tls).status_code == 404
        assert arm("delay", "--seconds", "0.3", "--count", "2")["seconds"] == 0.3
        assert arm("down") == {"kind": "down"}
        with pytest.raises(requests.ConnectionError):
            requests.get(url + "/xapi/v1/DeviceInfos(1)", headers=headers, **tls)
        assert arm("clear") == {"kind": "clear"}
        assert requests.get(url + "/xapi/v1/DeviceInfos(1)", headers=headers, verify=ca_path, timeout=0.2).status_code == 200

        assert faults_cli.main([url, "status", "--seconds", "1", "--cafile", ca_path]) == 1
        assert capsys.readouterr().err == 'xapi_simulator.faults: 400: {"error": "status takes no seconds"}\n'
        log = requests.get(url + "/_simulator/requests", **tls).json()
        assert [(e["operation"], e["status"], e["fault"]) for e in log] == [
            ("token", 503, "status"), ("token", 503, "status"), ("token", 200, None), ("DeleteDeviceInfo", 204, "reset"),
            ("DeleteDeviceInfo", 404, None), ("GetDeviceInfo", None, "down"), ("GetDeviceInfo", 200, None)]
    finally:
        stop(process)
    assert not os.path.exists(ca_path), "removed on stop"
    assert faults_cli.main([url, "up"]) == 1
    assert capsys.readouterr().err.startswith("xapi_simulator.faults: ")


def test_cli_writes_the_ca_where_asked(tmp_path):
    ca_out = tmp_path / "ca.pem"
    process, url = start("--tls", "--ca-out", str(ca_out))
    try:
        assert url.startswith("https://")
        assert process.stdout.readline() == f"{ca_out}\n"
        assert requests.get(url + "/_simulator/violations", verify=str(ca_out), timeout=10).json() == []
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(url + "/_simulator/violations", timeout=10)
    finally:
        assert stop(process) == ""
    assert ca_out.read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_cli_wants_tls_for_a_ca(capsys):
    with pytest.raises(SystemExit) as caught:
        parse_args(["--ca-out", "ca.pem"])
    assert caught.value.code == 2 and "--ca-out needs --tls" in capsys.readouterr().err
