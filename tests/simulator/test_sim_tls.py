# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTPS with a certificate from a throw-away CA."""

import http.client
import os
import ssl

import pytest
import requests

from sim_helpers import CLIENT_ID, SECRET
from xapi_simulator import Simulator

FORM = {"client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": "client_credentials"}


@pytest.fixture
def tls_sim(make_sim):
    return make_sim(tls=True)


def test_https_verified_with_the_ca(tls_sim):
    assert tls_sim.url.startswith("https://127.0.0.1:")
    # verify on each call: a session's verify gives way to $REQUESTS_CA_BUNDLE.
    token = requests.post(tls_sim.url + "/connect/token", data=FORM, verify=tls_sim.ca_path, timeout=10).json()["access_token"]
    reply = requests.get(tls_sim.url + "/xapi/v1/DeviceInfos(1)", headers={"Authorization": "Bearer " + token},
                         verify=tls_sim.ca_path, timeout=10)
    assert reply.status_code == 200
    assert reply.json()["@odata.context"].startswith(tls_sim.url + "/xapi/v1/$metadata#DeviceInfos")


@pytest.mark.parametrize("verify", [True, None])
def test_https_without_the_ca_fails(tls_sim, verify):
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(tls_sim.url + "/connect/token", data=FORM, verify=verify, timeout=10)
    assert tls_sim.requests == []


@pytest.mark.parametrize("host, name", [("127.0.0.1", "localhost"), ("::1", "[::1]")])
def test_the_certificate_names_every_loopback_address(host, name):
    sim = Simulator(tls=True)
    try:
        sim.start(host)
    except OSError:
        pytest.skip(f"no {host} here")
    with sim:
        assert sim.url.startswith(f"https://{host if ':' not in host else name}:")
        reply = requests.get(f"https://{name}:{sim.port}/_simulator/violations", verify=sim.ca_path, timeout=10)
        assert reply.json() == []


def test_keep_alive_over_tls(tls_sim):
    host, port = tls_sim.url[len("https://"):].split(":")
    connection = http.client.HTTPSConnection(host, int(port), timeout=10, context=ssl.create_default_context(cafile=tls_sim.ca_path))
    statuses, sockets = [], set()
    for path in ["/xapi/v1/DeviceInfos", "/xapi/v1/DeviceInfos(1)", "/connect/token"]:
        connection.request("GET", path)
        reply = connection.getresponse()
        reply.read()
        statuses.append(reply.status)
        sockets.add(id(connection.sock))
    assert statuses == [401, 401, 405]
    assert len(sockets) == 1, "one connection for every request"
    connection.close()


def test_a_reset_over_tls(tls_sim):
    tls_sim.reset_next()
    with pytest.raises(requests.ConnectionError) as caught:
        requests.post(tls_sim.url + "/connect/token", data=FORM, verify=tls_sim.ca_path, timeout=10)
    assert "RemoteDisconnected" in repr(caught.value)


def test_stop_removes_the_ca(make_sim):
    sim = make_sim(tls=True)
    path = sim.ca_path
    with open(path, encoding="ascii") as pem:
        assert pem.read().startswith("-----BEGIN CERTIFICATE-----")
    sim.stop()
    assert not os.path.exists(os.path.dirname(path))
    with pytest.raises(RuntimeError):
        assert sim.ca_path


def test_no_ca_without_tls(sim):
    assert sim.ca_path is None and sim.url.startswith("http://")
