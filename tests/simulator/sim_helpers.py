# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Helpers for the simulator's tests: a small XAPI client that checks every answer against the spec."""

import threading
import time
from urllib.parse import quote, urlsplit

import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.templating.paths.exceptions import PathError

from xapi_simulator.spec import entity_set_of, openapi

CLIENT_ID = "ansible"
SECRET = "s3cr3t-api-key"


def encode_query(options):
    """A query string as a careful client writes it: every reserved character percent-encoded, spaces as %20."""
    return "&".join(f"{quote(name, safe='$')}={quote(str(value), safe='')}" for name, value in options.items())


def response_errors(reply):
    """openapi-core's objections to a requests reply from the XAPI against the spec as published (none for a
    request to no operation of the spec: it has no response to check).  Validated, not unmarshalled, which
    is many times faster with large answers."""
    api = openapi(entity_set_of(urlsplit(reply.request.url).path))
    errors = api.response_validator.iter_errors(RequestsOpenAPIRequest(reply.request), RequestsOpenAPIResponse(reply))
    return [error for error in errors if not isinstance(error, PathError)]


def assert_refused(reply, target, code):
    """``reply`` is 3CX's 400 refusing ``target`` with the warning ``code`` (e.g. ``WARNINGS.XAPI.ALREADY_IN_USE``)."""
    assert reply.status_code == 400, reply.text
    assert reply.json() == {"error": {"code": "", "message": f"{target}:\n{code}", "details": [{"code": "", "message": code, "target": target}]}}


def odata_string(value):
    """A string as an OData literal: single-quoted, a quote doubled (``'O''Brien'``)."""
    return "'" + value.replace("'", "''") + "'"


class XapiClient:
    """Talks to a simulator like the collection should, and (with ``check``) checks OData answers against the spec."""

    def __init__(self, simulator, client_id=CLIENT_ID, secret=SECRET, check=True):
        self.simulator = simulator
        self.check = check
        self.client_id = client_id
        self.secret = secret
        self.session = requests.Session()

    def token(self, **form):
        """A token request; a field given as None is left out."""
        fields = {"client_id": self.client_id, "client_secret": self.secret, "grant_type": "client_credentials"}
        fields.update(form)
        return self.session.post(self.simulator.url + "/connect/token", data={k: v for k, v in fields.items() if v is not None})

    def login(self):
        reply = self.token()
        assert reply.status_code == 200, reply.text
        self.session.headers["Authorization"] = "Bearer " + reply.json()["access_token"]
        return reply.json()["access_token"]

    def call(self, method, path, query=None, raw_query=None, **kwargs):
        """``path`` below /xapi/v1; ``query`` a dict (encoded with %20) or ``raw_query`` sent as is."""
        if query is not None:
            raw_query = encode_query(query)
        url = f"{self.simulator.url}/xapi/v1{path}{'?' + raw_query if raw_query else ''}"
        reply = self.session.request(method, url, **kwargs)
        if self.check and reply.status_code != 401 and reply.status_code < 500:
            errors = response_errors(reply)
            assert not errors, f"response does not match the spec: {errors!r}"
        return reply

    def get(self, path, **query):
        return self.call("GET", path, query)

    def items(self, entity_set="DeviceInfos", **query):
        """The ``value`` of a successful list of ``entity_set`` (ListDeviceInfo, ListUser)."""
        reply = self.get("/" + entity_set, **query)
        assert reply.status_code == 200, reply.text
        return reply.json()["value"]


def wait_until(condition, seconds=5):
    """Return once ``condition()`` is true; fail the test if it is not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def concurrent_gets(sim, client, workers=6, per_worker=8):
    """GET DeviceInfos 1..workers*per_worker from ``workers`` threads, each on its own session; the failed statuses."""
    failures = []

    def work(worker):
        session = requests.Session()
        session.headers.update(client.session.headers)
        for n in range(per_worker):
            reply = session.get(f"{sim.url}/xapi/v1/DeviceInfos({worker * per_worker + n + 1})", timeout=10)
            if reply.status_code != 200:
                failures.append(reply.status_code)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures
