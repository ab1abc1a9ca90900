# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``python -m benchmarks.lean_server``: a stand-in PBX that answers what the benchmark sends, in as little CPU as it can.

The simulator validates every request against the XAPI spec and serves the whole API; at a few thousand
requests a second it uses about two thirds of a core and sets the pace.  This server answers only the
benchmark's requests, so that the client's own cost shows:

- ``POST /connect/token`` (the benchmark's client id and secret);
- ``GET /xapi/v1/DeviceInfos`` with ``$filter`` (comparisons of ``Id`` with an integer, ``and``, ``or`` and
  parentheses: what the collection sends for ``ids``, for a filter on an Id range and for its chunk reads),
  ``$select``, ``$top``, ``$skip`` and ``$count``, Ids in ascending order;
- ``DELETE /xapi/v1/DeviceInfos(N)``: 204, or 404 for an Id that does not exist;
- the simulator's control endpoints that the benchmark reads: ``GET /_simulator/requests`` (the log, entries
  with ``method``, ``path``, ``operation``, ``status`` and ``received``), ``/_simulator/violations`` (here: the
  requests it does not serve), ``/_simulator/device_infos`` and ``POST /_simulator/reset``.

An API call without the bearer token it issued is answered 401.  Records are made up from their Id, with the
fields of a real DeviceInfo.  ``--latency`` delays every answer like a WAN link, without holding up other
connections.

One ``asyncio`` loop in one thread, HTTP/1.1 with keep-alive, parsed by hand: of the two candidates measured on
the project's machine with a ``requests.Session`` loop of 5,000 DELETEs (twice each, interleaved), it used 90 to
120 microseconds of CPU per DELETE, against 140 to 160 for ``http.server.ThreadingHTTPServer`` with
``protocol_version = "HTTP/1.1"`` answering only the token and the DELETEs; most of either is the system calls
of the loopback socket.  Against the client's 500 to 700, it is not the bottleneck.
"""

import argparse
import asyncio
import json
import operator
import re
import secrets
import signal
import sys
import time
from urllib.parse import parse_qsl

API = "/xapi/v1/DeviceInfos"
CONTROL = "/_simulator/"
OK = "200 OK"
NO_CONTENT = b"HTTP/1.1 204 No Content\r\nOData-Version: 4.0\r\n\r\n"
UNAUTHORIZED = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n"
KEY = re.compile(r"\((\d+)\)\Z")
TOKEN = re.compile(r"\s*(\(|\)|-?\d+|\w+)")
COMPARISONS = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}
VENDORS = (("Yealink", "SIP-T46U", "805ec0"), ("Fanvil", "X6U", "0c383e"), ("Htek", "UC926", "001fc1"), ("Snom", "D785", "000413"))


class Refused(Exception):
    """A request this server does not serve: answered 400 and noted as a violation."""


def device_info(record_id):
    """A made-up DeviceInfo with the fields of a real one."""
    vendor, model, oui = VENDORS[record_id % len(VENDORS)]
    address = "192.168.%d.%d" % (record_id // 250 % 250, record_id % 250 + 1)
    return {"Id": record_id, "Assigned": False, "AssignedUser": None, "DetectedAt": "2025-%02d-%02dT09:00:00Z" % (record_id % 12 + 1, record_id % 28 + 1),
            "FirmwareVersion": "1.%d.0" % (record_id % 90), "InterfaceLink": "http://" + address, "MAC": "%s%06x" % (oui, record_id),
            "Model": model, "NetworkAddress": address, "NetworkPath": "eth0", "Parameters": None, "SbcName": None,
            "TemplateName": vendor.lower() + ".ph.xml", "UserAgent": "%s %s" % (vendor, model), "Vendor": vendor, "ViaSBC": False}


class Selection:
    """A parsed ``$filter``: ``test(id)``; ``candidates``, a set of Ids that holds every match, or None for any Id."""

    def __init__(self, test, candidates=None):
        self.test = test
        self.candidates = candidates


def parse_filter(text):
    """A Selection from a ``$filter`` of ``Id`` comparisons with ``and``, ``or`` and parentheses; Refused otherwise."""
    tokens = TOKEN.findall(text)
    if "".join(tokens) != "".join(text.split()):
        raise Refused("$filter %r" % text)
    position = [0]

    def take(expected=None):
        token = tokens[position[0]] if position[0] < len(tokens) else None
        if token is None or (expected is not None and token != expected):
            raise Refused("$filter %r" % text)
        position[0] += 1
        return token

    def peek():
        return tokens[position[0]] if position[0] < len(tokens) else None

    def series(word, operand, combine):
        """``operand`` once, or several times joined by ``word`` and combined by ``combine``."""
        operands = [operand()]
        while peek() == word:
            take()
            operands.append(operand())
        return operands[0] if len(operands) == 1 else combine(operands)

    def disjunction():
        return series("or", conjunction, either)

    def conjunction():
        return series("and", factor, both)

    def factor():
        if peek() == "(":
            take()
            inner = disjunction()
            take(")")
            return inner
        take("Id")
        compare = COMPARISONS.get(take())
        value = take()
        if compare is None or not value.lstrip("-").isdigit():
            raise Refused("$filter %r" % text)
        value = int(value)
        if compare is operator.eq:
            return Selection(None, {value})
        return Selection(lambda record_id: compare(record_id, value))

    selection = disjunction()
    if peek() is not None:
        raise Refused("$filter %r" % text)
    return selection


def _test(selection):
    return selection.test or selection.candidates.__contains__


def either(terms):
    if all(term.test is None for term in terms):
        return Selection(None, set().union(*(term.candidates for term in terms)))
    tests = [_test(term) for term in terms]
    return Selection(lambda record_id: any(test(record_id) for test in tests))


def both(factors):
    finite = [factor.candidates for factor in factors if factor.test is None]
    tests = [factor.test for factor in factors if factor.test is not None]
    candidates = set.intersection(*finite) if finite else None
    if not tests:
        return Selection(None, candidates)
    return Selection(lambda record_id: all(test(record_id) for test in tests), candidates)


class LeanServer:
    """The state: the Ids that exist, the one token it issues, the request log and what it refused."""

    def __init__(self, records, client_id, client_secret, latency=0.0):
        self.ids = set(range(1, records + 1))
        self.form = {"client_id": client_id, "client_secret": client_secret, "grant_type": "client_credentials"}
        self.token = secrets.token_urlsafe(32)
        self.authorization = "Bearer " + self.token
        self.latency = latency
        self.log = []
        self.violations = []

    def answer(self, method, target, authorization, body):
        """The reply to one request, as bytes; logged unless it is a control request."""
        if target.startswith(CONTROL):
            return self._control(method, target[len(CONTROL):])
        received = time.monotonic()
        try:
            operation, reply = self._api(method, target, authorization, body)
        except Refused as refused:
            self.violations.append("%s %s: not served by the lean server (%s)" % (method, target, refused))
            operation, reply = None, json_reply("400 Bad Request", {"error": {"code": "", "message": str(refused)}})
        self.log.append((method, target, operation, int(reply[9:12]), received))
        return reply

    def _api(self, method, target, authorization, body):
        path, _sep, query = target.partition("?")
        if path == "/connect/token" and method == "POST":
            return "token", self._token(body)
        if not path.startswith(API):
            raise Refused("path")
        operation = "DeleteDeviceInfo" if method == "DELETE" else "ListDeviceInfo" if method == "GET" and path == API else None
        if operation is None:
            raise Refused("method or path")
        if authorization != self.authorization:
            return operation, UNAUTHORIZED
        if operation == "ListDeviceInfo":
            return operation, self._list(query)
        key = KEY.match(path, len(API))
        if key is None or query:
            raise Refused("key")
        record_id = int(key.group(1))
        if record_id not in self.ids:
            return operation, json_reply("404 Not Found", {"error": {"code": "", "message": "Pbx.DeviceInfo with Id %d was not found." % record_id}})
        self.ids.remove(record_id)
        return operation, NO_CONTENT

    def _token(self, body):
        if dict(parse_qsl(body.decode("utf-8"))) != self.form:
            return json_reply("400 Bad Request", {"error": "invalid_client", "error_description": "Invalid client credentials."})
        return json_reply(OK, {"token_type": "Bearer", "expires_in": 3600, "access_token": self.token}, "Cache-Control: no-store\r\n")

    def _list(self, query):
        if "+" in query:
            raise Refused("'+' in the query string")
        options = dict(parse_qsl(query, keep_blank_values=True))
        unknown = set(options) - {"$filter", "$select", "$top", "$skip", "$count"}
        if unknown:
            raise Refused("query options %s" % ", ".join(sorted(unknown)))
        try:
            top, skip = int(options.get("$top", 100)), int(options.get("$skip", 0))
        except ValueError:
            raise Refused("$top or $skip") from None
        if "$filter" in options:
            selection = parse_filter(options["$filter"])
            pool = self.ids if selection.candidates is None else selection.candidates & self.ids
            matches = sorted(pool) if selection.test is None else sorted(filter(selection.test, pool))
        else:
            matches = sorted(self.ids)
        fields = options["$select"].split(",") if "$select" in options else None
        page = []
        for record_id in matches[skip:skip + top]:
            record = device_info(record_id)
            page.append(record if fields is None else {field: record.get(field) for field in fields})
        body = {"@odata.context": "$metadata#DeviceInfos", "value": page}
        if options.get("$count") == "true":
            body["@odata.count"] = len(matches)
        return json_reply(OK, body)

    def _control(self, method, name):
        if (method, name) == ("GET", "requests"):
            return json_reply(OK, [{"method": method, "path": target, "operation": operation, "status": status, "received": received}
                                   for method, target, operation, status, received in self.log])
        if (method, name) == ("GET", "violations"):
            return json_reply(OK, self.violations)
        if (method, name) == ("GET", "device_infos"):
            return json_reply(OK, [{"Id": record_id} for record_id in sorted(self.ids)])
        if (method, name) == ("POST", "reset"):
            self.log, self.violations = [], []
            return json_reply(OK, {"reset": True})
        return json_reply("404 Not Found", {"error": {"code": "", "message": "no control endpoint %s %s" % (method, name)}})


def json_reply(status, body, headers=""):
    data = json.dumps(body).encode("utf-8")
    return ("HTTP/1.1 %s\r\nContent-Type: application/json; charset=utf-8\r\nOData-Version: 4.0\r\n%sContent-Length: %d\r\n\r\n"
            % (status, headers, len(data))).encode("ascii") + data


class Connection(asyncio.Protocol):
    """One kept-alive client connection: requests parsed as they come, answered in order."""

    def __init__(self, server, loop):
        self._server = server
        self._loop = loop
        self._transport = None
        self._buffer = b""

    def connection_made(self, transport):
        self._transport = transport

    def data_received(self, data):
        buffer = self._buffer + data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            lines = buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _sep, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", 0))
            if len(buffer) < end + 4 + length:
                break
            body, buffer = buffer[end + 4:end + 4 + length], buffer[end + 4 + length:]
            method, target, _version = lines[0].split(" ", 2)
            reply = self._server.answer(method, target, headers.get("authorization"), body)
            close = headers.get("connection", "").lower() == "close"
            if self._server.latency:
                self._loop.call_later(self._server.latency, self._send, reply, close)
            else:
                self._send(reply, close)
        self._buffer = buffer

    def _send(self, reply, close):
        if not self._transport.is_closing():
            self._transport.write(reply)
            if close:
                self._transport.close()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lean_server", description="A lean stand-in PBX for the benchmark.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on, 0 for any free one (default %(default)s)")
    parser.add_argument("--records", type=int, default=50, help="DeviceInfos, Ids 1 to this (default %(default)s)")
    parser.add_argument("--client-id", required=True, help="the API client id it accepts")
    parser.add_argument("--client-secret", required=True, help="the API client secret it accepts")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS", help="answer this much later (default %(default)s)")
    return parser.parse_args(argv)


async def serve(args):
    loop = asyncio.get_running_loop()
    state = LeanServer(args.records, args.client_id, args.client_secret, args.latency)
    server = await loop.create_server(lambda: Connection(state, loop), args.host, args.port)
    stopped = loop.create_future()
    for stop in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop, stopped.set_result, None)
    host, port = server.sockets[0].getsockname()[:2]
    print("lean XAPI server listening on http://%s:%d" % (host, port), flush=True)
    await stopped
    server.close()


def main(argv=None):
    asyncio.run(serve(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
