# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Injected faults: error statuses, late answers, connections closed unanswered, a PBX that is down."""

import http.client
import threading
import time

import pytest
import requests

from sim_helpers import wait_until


def outcomes(sim, operation=None):
    """(operation, status, fault) of each logged request, optionally of one operation."""
    return [(e["operation"], e["status"], e["fault"]) for e in sim.requests if operation in (None, e["operation"])]


def assert_hung_up(call):
    """The connection was closed without an answer, in an orderly way (not a reset)."""
    with pytest.raises(requests.ConnectionError) as caught:
        call()
    assert "RemoteDisconnected" in repr(caught.value)


# Error statuses

def test_a_status_fault_answers_without_processing(client, sim):
    fault = sim.fail_next(status=503, operation="DeleteDeviceInfo")
    reply = client.call("DELETE", "/DeviceInfos(3)")
    assert reply.status_code == 503 and 3 in sim.device_infos
    assert fault.remaining == 0
    assert client.call("DELETE", "/DeviceInfos(3)").status_code == 204
    assert outcomes(sim, "DeleteDeviceInfo") == [("DeleteDeviceInfo", 503, "status"), ("DeleteDeviceInfo", 204, None)]


@pytest.mark.parametrize("status, title", [(502, "502 Bad Gateway"), (503, "503 Service Temporarily Unavailable"),
                                           (504, "504 Gateway Time-out")])
def test_proxy_errors_come_as_nginx_pages(client, sim, status, title):
    sim.fail_next(status=status)
    reply = client.get("/DeviceInfos(1)")
    assert reply.status_code == status
    assert reply.headers["Content-Type"].startswith("text/html")
    assert f"<title>{title}</title>" in reply.text and "<center>nginx</center>" in reply.text
    assert "Retry-After" not in reply.headers


@pytest.mark.parametrize("status, message", [(429, "Too Many Requests."), (500, "Internal Server Error."), (403, "Forbidden.")])
def test_other_errors_come_as_odata_errors(client, sim, status, message):
    sim.fail_next(status=status, retry_after=7)
    reply = client.get("/DeviceInfos", **{"$top": 1})
    assert reply.status_code == status
    assert reply.headers["Content-Type"].startswith("application/json; odata.metadata=minimal")
    assert reply.json() == {"error": {"code": "", "message": message, "details": []}}
    assert reply.headers["Retry-After"] == "7"


@pytest.mark.parametrize("settings, content_type, text", [
    ({"status": 401, "body": ""}, "application/json", ""),
    ({"status": 200, "body": "<html><form>Login</form></html>", "content_type": "text/html"}, "text/html", "<html><form>Login</form></html>"),
    ({"status": 500, "body": {"message": "x"}, "content_type": "application/json"}, "application/json", '{"message": "x"}'),
    ({"status": 503, "body": "Down for maintenance", "retry_after": "Wed, 21 Oct 2065 07:28:00 GMT"}, "text/html", "Down for maintenance"),
])
def test_bodies_can_be_replaced(client, sim, settings, content_type, text):
    sim.fail_next(**settings)
    reply = client.session.get(sim.url + "/xapi/v1/DeviceInfos(1)", timeout=10)
    assert (reply.status_code, reply.text) == (settings["status"], text)
    assert reply.headers["Content-Type"].startswith(content_type)
    assert reply.headers.get("Retry-After") == settings.get("retry_after")


def test_faults_are_taken_in_arrival_order_and_counted_down(client, sim):
    first = sim.fail_next(2, status=503)
    second = sim.fail_next(status=500)
    assert [client.get("/DeviceInfos(1)").status_code for n in range(2)] == [503, 503]
    assert (first.remaining, second.remaining) == (0, 1)
    assert [client.get("/DeviceInfos(1)").status_code for n in range(2)] == [500, 200]
    assert [e["fault"] for e in sim.requests[1:]] == ["status", "status", "status", None]


def test_faults_match_operation_and_method(client, sim):
    sim.fail_next(status=500, operation="GetDeviceInfo")
    sim.fail_next(status=502, method="delete")
    sim.fail_next(status=503, operation="token")
    assert client.items(**{"$top": 1})
    assert client.call("DELETE", "/DeviceInfos(4)").status_code == 502
    assert client.get("/DeviceInfos(1)").status_code == 500
    assert client.token().status_code == 503
    assert client.token().status_code == 200
    assert [(op, status) for op, status, fault in outcomes(sim) if fault] == [("DeleteDeviceInfo", 502), ("GetDeviceInfo", 500), ("token", 503)]


def test_only_xapi_calls_and_token_requests_take_faults(client, sim):
    fault = sim.fail_next(status=503)
    assert requests.get(sim.url + "/favicon.ico", timeout=10).status_code == 404
    assert requests.get(sim.url + "/_simulator/users", timeout=10).status_code == 200
    assert fault.remaining == 1
    assert client.get("/Nope").status_code == 503


def test_a_request_against_the_spec_is_recorded_even_when_faulted(client, sim):
    sim.fail_next(status=503)
    assert client.get("/DeviceInfos(1)", **{"$top": 1}).status_code == 503
    assert len(sim.violations) == 1


@pytest.mark.parametrize("call, error", [
    (lambda sim: sim.fail_next(0), "count"),
    (lambda sim: sim.fail_next(True), "count"),
    (lambda sim: sim.fail_next(status=99), "status"),
    (lambda sim: sim.fail_next(status=204), "needs a body"),
    (lambda sim: sim.fail_next(status=599), "needs a body"),
    (lambda sim: sim.fail_next(retry_after=-1), "retry_after"),
    (lambda sim: sim.fail_next(body=42), "body"),
    (lambda sim: sim.fail_next(operation="ListDeviceInfos"), "operation"),
    (lambda sim: sim.fail_next(method="FETCH"), "method"),
    (lambda sim: sim.delay_next(seconds=-0.1), "seconds"),
    (lambda sim: sim.delay_next(after_processing="yes"), "after_processing"),
    (lambda sim: sim.reset_next(count=1.5), "count"),
    (lambda sim: sim.after_requests(0, print), "count"),
])
def test_bad_faults_are_refused(sim, call, error):
    with pytest.raises(ValueError, match=error):
        call(sim)


# Late answers

def test_a_late_answer(client, sim):
    sim.delay_next(seconds=0.2, operation="GetDeviceInfo")
    started = time.monotonic()
    assert client.get("/DeviceInfos(1)").status_code == 200
    assert time.monotonic() - started >= 0.2
    assert outcomes(sim, "GetDeviceInfo") == [("GetDeviceInfo", 200, "delay")]


def test_a_delayed_request_is_processed_late(client, sim):
    sim.delay_next(seconds=0.4, operation="DeleteDeviceInfo")
    with pytest.raises(requests.ReadTimeout):
        client.session.delete(sim.url + "/xapi/v1/DeviceInfos(5)", timeout=0.1)
    assert 5 in sim.device_infos
    assert outcomes(sim, "DeleteDeviceInfo") == [("DeleteDeviceInfo", None, "delay")], "logged on arrival"
    wait_until(lambda: sim.requests[-1]["status"] is not None)
    assert 5 not in sim.device_infos and sim.requests[-1]["status"] == 204


def test_with_after_processing_only_the_answer_is_late(client, sim):
    sim.delay_next(seconds=0.4, after_processing=True, operation="DeleteDeviceInfo")
    with pytest.raises(requests.ReadTimeout):
        client.session.delete(sim.url + "/xapi/v1/DeviceInfos(5)", timeout=0.1)
    assert 5 not in sim.device_infos
    assert client.call("DELETE", "/DeviceInfos(5)").status_code == 404
    assert outcomes(sim, "DeleteDeviceInfo") == [("DeleteDeviceInfo", 204, "delay"), ("DeleteDeviceInfo", 404, None)]


def test_stop_cuts_delays_short(make_sim):
    sim = make_sim()
    sim.delay_next(seconds=30)
    with pytest.raises(requests.ReadTimeout):
        requests.get(sim.url + "/xapi/v1/DeviceInfos(1)", timeout=0.1)
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 3


# Connections closed unanswered

def test_a_reset_request_is_not_processed(client, sim):
    sim.reset_next(operation="DeleteDeviceInfo")
    assert_hung_up(lambda: client.call("DELETE", "/DeviceInfos(6)"))
    assert 6 in sim.device_infos
    assert client.call("DELETE", "/DeviceInfos(6)").status_code == 204
    assert outcomes(sim, "DeleteDeviceInfo") == [("DeleteDeviceInfo", None, "reset"), ("DeleteDeviceInfo", 204, None)]


def test_with_after_processing_only_the_answer_is_lost(client, sim):
    sim.reset_next(after_processing=True, operation="DeleteDeviceInfo")
    assert_hung_up(lambda: client.call("DELETE", "/DeviceInfos(6)"))
    assert 6 not in sim.device_infos
    assert client.call("DELETE", "/DeviceInfos(6)").status_code == 404
    assert outcomes(sim, "DeleteDeviceInfo") == [("DeleteDeviceInfo", 204, "reset"), ("DeleteDeviceInfo", 404, None)]


def test_requests_with_a_body_are_hung_up_on_in_order_too(client, sim):
    sim.reset_next(2, method="POST")
    assert_hung_up(client.token)
    assert_hung_up(lambda: client.call("POST", "/DeviceInfos(1)/Pbx.Provision", json={"userId": 1, "reprovision": True}))
    assert outcomes(sim)[1:] == [("token", None, "reset"), ("Provision", None, "reset")]


def test_a_reset_leaves_other_keep_alive_connections_alone(client, sim):
    host, port = sim.url.rsplit("/", 1)[1].split(":")
    mine, theirs = http.client.HTTPConnection(host, int(port), timeout=10), http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Authorization": client.session.headers["Authorization"]}

    def get(connection):
        connection.request("GET", "/xapi/v1/DeviceInfos(1)", headers=headers)
        reply = connection.getresponse()
        reply.read()
        return reply.status
    assert (get(mine), get(theirs)) == (200, 200)
    sockets = mine.sock, theirs.sock
    sim.reset_next()
    with pytest.raises(http.client.RemoteDisconnected):
        get(mine)
    assert [get(theirs) for n in range(3)] == [200, 200, 200]
    assert theirs.sock is sockets[1], "the other connection was kept alive"
    assert get(mine) == 200 and mine.sock is not sockets[0]
    mine.close()
    theirs.close()


# Down and up

def test_a_pbx_that_is_down_answers_nothing(client, sim):
    waiting = sim.fail_next(status=500)
    sim.down()
    assert_hung_up(client.token)
    assert_hung_up(lambda: client.call("DELETE", "/DeviceInfos(2)"))
    assert 2 in sim.device_infos and waiting.remaining == 1
    assert requests.get(sim.url + "/_simulator/requests", timeout=10).status_code == 200
    sim.up()
    assert client.call("DELETE", "/DeviceInfos(2)").status_code == 500
    assert client.call("DELETE", "/DeviceInfos(2)").status_code == 204
    assert outcomes(sim)[1:] == [("token", None, "down"), ("DeleteDeviceInfo", None, "down"),
                                 ("DeleteDeviceInfo", 500, "status"), ("DeleteDeviceInfo", 204, None)]


def test_clear_faults(client, sim):
    sim.fail_next(3)
    sim.delay_next(seconds=5)
    sim.down()
    sim.clear_faults()
    assert client.get("/DeviceInfos(1)").status_code == 200
    assert [e["fault"] for e in sim.requests] == [None, None]


# Callbacks after some requests

def test_after_requests_counts_every_answer_of_the_operation(client, sim):
    sim.after_requests(3, sim.down, operation="DeleteDeviceInfo")
    sim.fail_next(status=503, operation="DeleteDeviceInfo")
    assert client.call("DELETE", "/DeviceInfos(1)").status_code == 503
    assert client.items(**{"$top": 1})
    assert client.call("DELETE", "/DeviceInfos(999)").status_code == 404
    assert client.call("DELETE", "/DeviceInfos(1)").status_code == 204
    assert_hung_up(lambda: client.call("DELETE", "/DeviceInfos(2)"))
    assert_hung_up(lambda: client.items(**{"$top": 1}))
    assert 2 in sim.device_infos


def test_after_requests_counts_requests_while_down(client, sim):
    calls = []
    sim.down()
    sim.after_requests(2, sim.up)
    sim.after_requests(3, lambda: calls.append(len(sim.requests)), method="GET")
    assert_hung_up(lambda: client.get("/DeviceInfos(1)"))
    assert_hung_up(lambda: client.get("/DeviceInfos(1)"))
    assert client.get("/DeviceInfos(1)").status_code == 200
    assert client.get("/DeviceInfos(1)").status_code == 200
    assert calls == [4], "once, while the third GET was answered"


def test_callbacks_may_arm_faults(client, sim):
    sim.after_requests(1, lambda: sim.fail_next(status=429, retry_after=1), operation="token")
    assert client.get("/DeviceInfos(1)").status_code == 200
    client.login()
    assert client.get("/DeviceInfos(1)").status_code == 429


# Concurrency and the control endpoint

def test_faults_are_taken_once_under_concurrency(client, sim):
    sim.fail_next(10, status=503)
    statuses = []

    def work(worker):
        session = requests.Session()
        session.headers.update(client.session.headers)
        for n in range(8):
            statuses.append(session.get(f"{sim.url}/xapi/v1/DeviceInfos({worker * 8 + n + 1})", timeout=10).status_code)
    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 38 + [503] * 10
    assert [e["fault"] for e in sim.requests[1:]] == ["status"] * 10 + [None] * 38, "the log shows the order faults were taken in"


def control(sim, **settings):
    return requests.post(sim.url + "/_simulator/faults", json=settings, timeout=10)


def test_control_endpoint_arms_faults(client, sim):
    reply = control(sim, kind="status", status=429, retry_after=2, count=2, operation="GetDeviceInfo")
    assert reply.status_code == 200
    assert reply.json() == {"kind": "status", "count": 2, "status": 429, "retry_after": 2, "operation": "GetDeviceInfo", "method": None,
                            "body": '{"error": {"code": "", "message": "Too Many Requests.", "details": []}}',
                            "content_type": "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"}
    assert control(sim, kind="delay", seconds=0.1, after_processing=True).json() == {
        "kind": "delay", "count": 1, "seconds": 0.1, "after_processing": True, "operation": None, "method": None}
    assert control(sim, kind="reset", method="delete").json() == {
        "kind": "reset", "count": 1, "after_processing": False, "operation": None, "method": "DELETE", "after_bytes": None}
    assert [client.get("/DeviceInfos(1)").status_code for n in range(3)] == [429, 429, 200]
    assert_hung_up(lambda: client.call("DELETE", "/DeviceInfos(1)"))
    assert [e["fault"] for e in sim.requests[1:]] == ["status", "status", "delay", "reset"]
    assert control(sim, kind="down").json() == {"kind": "down"}
    assert_hung_up(lambda: client.get("/DeviceInfos(1)"))
    assert control(sim, kind="up").json() == {"kind": "up"}
    control(sim, kind="status")
    assert control(sim, kind="clear").json() == {"kind": "clear"}
    assert client.get("/DeviceInfos(1)").status_code == 200


@pytest.mark.parametrize("body, error", [
    ({"kind": "explode"}, "kind out of status, delay, reset, down, up, clear"),
    ({"status": 503}, "kind"),
    ([{"kind": "down"}], "kind"),
    ("not json", "kind"),
    ({"kind": "status", "seconds": 2, "colour": "red"}, "status takes no colour, seconds"),
    ({"kind": "down", "count": 2}, "down takes no count"),
    ({"kind": "delay", "seconds": "2"}, "seconds"),
    ({"kind": "status", "count": "2"}, "count"),
    ({"kind": "status", "operation": ["token"]}, "operation"),
])
def test_control_endpoint_refuses_bad_input(sim, body, error):
    if isinstance(body, str):
        reply = requests.post(sim.url + "/_simulator/faults", data=body, timeout=10)
    else:
        reply = requests.post(sim.url + "/_simulator/faults", json=body, timeout=10)
    assert reply.status_code == 400
    assert error in reply.json()["error"]
    assert sim.requests == []
