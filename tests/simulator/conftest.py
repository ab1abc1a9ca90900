# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures for the simulator's own tests: started simulators and logged-in clients."""

import pytest

from sim_helpers import CLIENT_ID, SECRET, XapiClient
from xapi_simulator import Simulator


@pytest.fixture
def make_sim():
    """Start simulators with any settings; all are stopped after the test."""
    started = []

    def make(**settings):
        settings.setdefault("clients", {CLIENT_ID: SECRET})
        simulator = Simulator(**settings).start()
        started.append(simulator)
        return simulator
    yield make
    for simulator in started:
        simulator.stop()


@pytest.fixture
def sim(make_sim):
    return make_sim()


@pytest.fixture
def client(sim):
    """A logged-in client of ``sim``."""
    xapi = XapiClient(sim)
    xapi.login()
    return xapi


@pytest.fixture
def etag_client(make_sim):
    """A logged-in client of a simulator in ETag mode (``etag_client.simulator``)."""
    client = XapiClient(make_sim(etag_mode=True))
    client.login()
    return client
