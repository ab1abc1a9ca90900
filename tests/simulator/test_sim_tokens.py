# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The token endpoint and bearer checks."""

import base64
import collections
import json
import threading
import time

import pytest
import requests

from sim_helpers import CLIENT_ID, SECRET, XapiClient
from xapi_simulator import Simulator


def test_token_reply_shape(sim):
    reply = XapiClient(sim).token()
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {"token_type", "expires_in", "access_token", "refresh_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["refresh_token"] is None
    header, claims, signature = body["access_token"].split(".")
    assert json.loads(base64.urlsafe_b64decode(claims + "==").decode())["client_id"] == CLIENT_ID
    assert header and signature
    assert reply.headers["Cache-Control"] == "no-store"
    assert sim.issued_tokens == [body["access_token"]]


def test_token_accepts_multipart(sim):
    fields = {"client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": "client_credentials"}
    reply = requests.post(sim.url + "/connect/token", files={k: (None, v) for k, v in fields.items()}, timeout=10)
    assert reply.status_code == 200
    assert reply.json()["access_token"] in sim.issued_tokens


@pytest.mark.parametrize("form", [{"client_secret": "wrong"}, {"client_id": "nobody"}])
def test_bad_credentials_answer_401(sim, form):
    reply = XapiClient(sim).token(**form)
    assert reply.status_code == 401
    assert reply.json()["error"] == "unauthorized"
    assert SECRET not in reply.text and "wrong" not in reply.text
    assert sim.issued_tokens == []
    assert sim.violations == []


@pytest.mark.parametrize("form, error", [
    ({"grant_type": None}, "invalid_request"),
    ({"grant_type": "password"}, "unsupported_grant_type"),
    ({"client_id": None}, "invalid_request"),
    ({"client_secret": None}, "invalid_request"),
])
def test_malformed_token_requests_answer_400(sim, form, error):
    reply = XapiClient(sim).token(**form)
    assert reply.status_code == 400
    assert reply.json()["error"] == error
    assert reply.json()["error_description"]
    assert len(sim.violations) == 1


def test_token_endpoint_wants_a_form_post(sim):
    reply = requests.get(sim.url + "/connect/token", timeout=10)
    assert reply.status_code == 405
    assert reply.json()["error"] == "invalid_request"
    fields = {"client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": "client_credentials"}
    reply = requests.post(sim.url + "/connect/token", json=fields, timeout=10)
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_request"
    assert len(sim.violations) == 2


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer nonsense", "Basic YW5zaWJsZTpzM2NyM3Q=", "nonsense"])
def test_api_needs_a_live_bearer_token(sim, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    reply = requests.get(sim.url + "/xapi/v1/DeviceInfos", headers=headers, timeout=10)
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")


def test_new_token_supersedes_the_previous_one(sim):
    first, second = XapiClient(sim), XapiClient(sim)
    first.login()
    assert first.get("/DeviceInfos(1)").status_code == 200
    second.login()
    assert first.get("/DeviceInfos(1)").status_code == 401
    assert second.get("/DeviceInfos(1)").status_code == 200


def test_tokens_can_coexist_when_configured(make_sim):
    sim = make_sim(one_token_per_client=False)
    first, second = XapiClient(sim), XapiClient(sim)
    first.login()
    second.login()
    assert first.get("/DeviceInfos(1)").status_code == 200
    assert second.get("/DeviceInfos(1)").status_code == 200


def test_each_client_has_its_own_token(make_sim):
    sim = make_sim(clients={CLIENT_ID: SECRET, "other": "other-secret"})
    mine, theirs = XapiClient(sim), XapiClient(sim, "other", "other-secret")
    mine.login()
    theirs.login()
    assert mine.get("/DeviceInfos(1)").status_code == 200


def test_token_expires(make_sim):
    sim = make_sim(token_lifetime=0.3)
    client = XapiClient(sim)
    assert client.token().json()["expires_in"] == 1
    client.login()
    assert client.get("/DeviceInfos(1)").status_code == 200
    time.sleep(0.4)
    assert client.get("/DeviceInfos(1)").status_code == 401


@pytest.mark.parametrize("lifetime, expires_in", [(3600, 60), (90, 2)])
def test_expires_in_minutes(make_sim, lifetime, expires_in):
    sim = make_sim(expires_in_unit="minutes", token_lifetime=lifetime)
    assert XapiClient(sim).token().json()["expires_in"] == expires_in


def test_revoke_tokens(client):
    assert client.get("/DeviceInfos(1)").status_code == 200
    client.simulator.revoke_tokens()
    assert client.get("/DeviceInfos(1)").status_code == 401
    client.login()
    assert client.get("/DeviceInfos(1)").status_code == 200


def test_default_client(make_sim):
    sim = make_sim(clients=None)
    assert XapiClient(sim, "threecx-pbx-sim", "simulator-secret").token().status_code == 200


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        Simulator(expires_in_unit="hours")


def test_one_token_per_client_under_concurrency(make_sim):
    """8 workers of 2 clients log in at once: each client's newest token works, every other one answers 401."""
    sim = make_sim(clients={CLIENT_ID: SECRET, "other": "other-secret"})
    workers = [XapiClient(sim, *([CLIENT_ID, SECRET] if n % 2 else ["other", "other-secret"])) for n in range(8)]
    start = threading.Barrier(len(workers))

    def login(worker):
        start.wait()
        worker.login()
    threads = [threading.Thread(target=login, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    newest = {}
    for token in sim.issued_tokens:
        newest[json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "==").decode())["client_id"]] = token
    for worker in workers:
        token = worker.session.headers["Authorization"].split()[1]
        assert worker.get("/DeviceInfos(1)").status_code == (200 if newest[worker.client_id] == token else 401)
    assert len(sim.issued_tokens) == 8 and len(set(sim.issued_tokens)) == 8
    logins = collections.Counter(e["client_id"] for e in sim.requests if e["operation"] == "token")
    assert logins == {CLIENT_ID: 4, "other": 4}
    assert collections.Counter(e["status"] for e in sim.requests if e["operation"] == "GetDeviceInfo") == {200: 2, 401: 6}
