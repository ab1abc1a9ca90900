# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``latency`` setting: a WAN link's round trip on every XAPI answer, without holding up other connections."""

import threading
import time

import pytest
import requests

from sim_helpers import XapiClient
from xapi_simulator import Simulator
from xapi_simulator.__main__ import parse_args

LATENCY = 0.4


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_every_answer_and_token_reply_waits(make_sim):
    sim = make_sim(latency=LATENCY)
    client = XapiClient(sim)
    _token, login_seconds = timed(client.login)
    reply, seconds = timed(lambda: client.call("DELETE", "/DeviceInfos(3)"))
    assert reply.status_code == 204 and sim.latency == LATENCY
    assert login_seconds >= LATENCY and seconds >= LATENCY
    assert [(e["operation"], e["status"]) for e in sim.requests] == [("token", 200), ("DeleteDeviceInfo", 204)]


def test_waiting_answers_do_not_hold_up_other_connections(make_sim):
    sim = make_sim(latency=LATENCY)
    client = XapiClient(sim)
    client.login()
    # Eight GETs on eight connections at once; each notes how many GETs the simulator had received when its
    # answer came. One connection at a time, the first answer would come before the second GET was received.
    statuses, received_at_answer = [], []

    def get(record_id):
        with requests.Session() as session:
            session.headers.update(client.session.headers)
            reply = session.get(f"{sim.url}/xapi/v1/DeviceInfos({record_id})", timeout=30)
        received_at_answer.append(sum(e["operation"] == "GetDeviceInfo" for e in sim.requests))
        statuses.append(reply.status_code)

    threads = [threading.Thread(target=get, args=(record_id,)) for record_id in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert min(received_at_answer) > 1


@pytest.mark.parametrize("latency", [-0.1, float("inf"), "0.02", True])
def test_latency_must_be_a_number_of_seconds(latency):
    with pytest.raises(ValueError, match="latency must be a non-negative number of seconds"):
        Simulator(latency=latency)


def test_cli_takes_latency(capsys):
    assert parse_args(["--latency", "0.02"]).latency == 0.02
    assert parse_args([]).latency == 0.0
    with pytest.raises(SystemExit):
        parse_args(["--latency", "-1"])
    assert "--latency must be a non-negative number of seconds" in capsys.readouterr().err
