# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``python -m xapi_simulator`` as the demo runs it."""

import os
import re
import signal
import subprocess
import sys

import pytest
import requests

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start(*args, **env):
    environment = dict(os.environ, PYTHONPATH=TESTS_DIR, **env)
    process = subprocess.Popen([sys.executable, "-m", "xapi_simulator", "--port", "0", *args], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.fullmatch(r"XAPI simulator listening on (http://127\.0\.0\.1:\d+)\n", line)
    if not match:
        process.kill()
        pytest.fail(f"unexpected first line {line!r}: {process.communicate()[1]}")
    return process, match.group(1)


def token(url, client_id, secret):
    form = {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
    return requests.post(url + "/connect/token", data=form, timeout=10)


def test_cli_serves_until_sigterm():
    process, url = start("--records", "12", "--client-id", "demo", "--client-secret", "demo-secret", "--etag",
                         "--expires-in-unit", "minutes", "--max-page-size", "5")
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
