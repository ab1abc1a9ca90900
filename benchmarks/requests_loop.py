# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``python -m benchmarks.requests_loop URL FIRST LAST``: the floor, a bare ``requests.Session`` loop, in a process of its own.

It fetches a token, deletes the DeviceInfos ``FIRST`` to ``LAST`` one after the other on one kept-alive
connection, and prints a JSON object: ``seconds`` (the token and the loop, not the process's start) and the
``statuses`` of the DELETEs.  With ``FIRST`` > ``LAST`` it sends nothing: the same process's start and imports, whose
CPU time the benchmark subtracts to get the loop's CPU per request, as it does with a module run that deletes
nothing.  A process of its own so that its CPU time is measured as the module process's is, from outside.
"""

import json
import sys
import time

import requests

from .simulator import CLIENT_ID, CLIENT_SECRET

TOKEN_FORM = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "client_credentials"}


def new_session(token=None):
    session = requests.Session()
    if token:
        session.headers["Authorization"] = "Bearer " + token
    return session


def requests_token(url):
    with new_session() as session:
        reply = session.post(url + "/connect/token", data=TOKEN_FORM, timeout=30)
        reply.raise_for_status()
        return reply.json()["access_token"]


def delete_url(url, record_id):
    return f"{url}/xapi/v1/DeviceInfos({record_id})"


def main(argv=None):
    url, first, last = (sys.argv[1:] if argv is None else argv)
    first, last = int(first), int(last)
    started = time.perf_counter()
    statuses = []
    if first <= last:
        with new_session(requests_token(url)) as session:
            statuses = [session.delete(delete_url(url, record_id), timeout=30).status_code for record_id in range(first, last + 1)]
    print(json.dumps({"seconds": time.perf_counter() - started, "statuses": statuses}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
