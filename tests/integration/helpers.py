# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the integration tests share besides fixtures: the API client they use and readers of the simulator's log."""

import contextlib

import requests
from xapi_simulator import Simulator

CLIENT_ID = "ansible-it"
SECRET = "It-s3cr3t-API-key-0123456789"


def xapi_requests(sim, method=None, operation=None):
    """The simulator's log of XAPI calls, without token requests, optionally of one method or operation."""
    return [entry for entry in sim.requests
            if entry["operation"] != "token"
            and method in (None, entry["method"]) and operation in (None, entry["operation"])]


def token_requests(sim):
    return [entry for entry in sim.requests if entry["operation"] == "token"]


def secrets_sent(sim):
    """``(operation, path, names)`` of each answer so far that carried a user's secrets (AuthPassword, VMPIN...) with a
    value: a module that reads users must never receive one (the simulator answers them to reads without ``$select``)."""
    return [(entry["operation"], entry["path"], entry["secrets_sent"]) for entry in sim.requests if entry["secrets_sent"]]


def read_over_http(sim, record_id):
    """Read a DeviceInfo as any XAPI client would, e.g. to hold an ETag that later goes stale."""
    token = requests.post(sim.url + "/connect/token", timeout=10, data={
        "client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": "client_credentials"}).json()["access_token"]
    response = requests.get("%s/xapi/v1/DeviceInfos(%d)" % (sim.url, record_id), timeout=10,
                            headers={"Authorization": "Bearer " + token})
    response.raise_for_status()
    return response.json()


@contextlib.contextmanager
def running_simulator(**options):
    """A simulator on a free loopback port. Any request it received that the XAPI spec does not allow fails the test."""
    options.setdefault("clients", {CLIENT_ID: SECRET})
    options.setdefault("records", 30)
    sim = Simulator(**options)
    sim.start(host="127.0.0.1", port=0)
    try:
        yield sim
    finally:
        sim.stop()
    assert sim.violations == [], "requests that a real 3CX would not understand: %s" % sim.violations
