# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Faults injected into the simulator's answers: error statuses, late answers, connections closed without an
answer, and a PBX that stops answering altogether."""

import inspect
import json
import threading
import time
from http import HTTPStatus

from werkzeug.wrappers import Response

from .countdown import Countdown, check, is_integer, is_seconds
from .replies import ODATA_JSON, odata_error_body

# What nginx, in front of a PBX, calls the errors it answers itself while the PBX is restarting or slow.
PROXY_PHRASES = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}
PROXY_PAGE = ("<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n<center><h1>{status} {phrase}</h1></center>\r\n"
              "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
PHRASES = {member.value: member.phrase for member in HTTPStatus}
# The control endpoint's kinds and the FaultPlan method that carries each out.
ACTIONS = {"status": "fail", "delay": "delay", "reset": "reset", "down": "down", "up": "up", "clear": "clear"}
KINDS = tuple(ACTIONS)


def default_body(status):
    """What comes with ``status`` unless a test says otherwise: nginx's page for 502, 503 and 504, else 3CX's OData error."""
    if status in PROXY_PHRASES:
        return PROXY_PAGE.format(status=status, phrase=PROXY_PHRASES[status])
    return json.dumps(odata_error_body(PHRASES[status] + "."))


def default_content_type(status):
    return "text/html" if status in PROXY_PHRASES else ODATA_JSON


def hang_up_at_once(response, environ, start_response, hang_up):
    """``send`` of a fault that sends nothing of an answer."""
    hang_up()
    return []


class Fault(Countdown):
    """A fault armed for the next ``count`` matching requests; ``hangs_up``: their connections are closed unanswered
    (or answered in part), and the fault has ``send(response, environ, start_response, hang_up)``, the WSGI body of
    what goes out of ``response`` (the answer, or None) before ``hang_up()`` closes the connection.

    Its public attributes are the arguments it was armed with, so that ``describe()`` can tell them.
    """

    kind = None
    hangs_up = False

    def answer(self, process, wait):
        """The reply to a request the fault took, or None; ``process()`` serves the request as usual, ``wait(seconds)`` sleeps
        (cut short when the simulator stops)."""
        raise NotImplementedError

    def describe(self):
        """The fault as armed, defaults filled in (the control endpoint's answer)."""
        described = dict(vars(self), kind=self.kind, count=self.remaining)
        del described["remaining"]
        return described


class StatusFault(Fault):
    """Answers ``status`` without processing the request."""

    kind = "status"

    def __init__(self, count, status, retry_after, body, content_type, operation, method):
        super().__init__(count, operation, method)
        check(is_integer(status) and 200 <= status <= 599, f"status must be an HTTP status from 200 to 599, not {status!r}")
        check(body is not None or (status >= 400 and status in PHRASES), f"status {status} needs a body")
        check(retry_after is None or (is_integer(retry_after) and retry_after >= 0) or (isinstance(retry_after, str) and retry_after),
              f"retry_after must be a number of seconds or a text to send as is (e.g. an HTTP date), not {retry_after!r}")
        check(body is None or isinstance(body, (str, dict, list)), f"body must be a text, or a JSON object or array, not {body!r}")
        check(content_type is None or isinstance(content_type, str), f"content_type must be a text, not {content_type!r}")
        if body is None:
            body = default_body(status)
        elif not isinstance(body, str):
            body = json.dumps(body)
        self.status = status
        self.retry_after = retry_after
        self.body = body
        self.content_type = content_type or default_content_type(status)

    def answer(self, process, wait):
        headers = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        return Response(self.body, self.status, headers, content_type=self.content_type)


class DelayFault(Fault):
    """Answers ``seconds`` late: the request waits before it is processed, or with ``after_processing`` only its answer waits."""

    kind = "delay"

    def __init__(self, count, seconds, after_processing, operation, method):
        super().__init__(count, operation, method)
        check(is_seconds(seconds), f"seconds must be a non-negative number, not {seconds!r}")
        check(isinstance(after_processing, bool), f"after_processing must be true or false, not {after_processing!r}")
        self.seconds = seconds
        self.after_processing = after_processing

    def answer(self, process, wait):
        if not self.after_processing:
            wait(self.seconds)
        response = process()
        if self.after_processing:
            wait(self.seconds)
        return response


class ResetFault(Fault):
    """Closes the connection without an answer; with ``after_processing`` once the request has been processed.

    With ``after_bytes`` the request is processed and its answer cut short: the headers and that many bytes of the
    body go out (the whole body if it is shorter), then the connection is closed, as a download broken off half-way.
    """

    kind = "reset"
    hangs_up = True

    def __init__(self, count, after_processing, operation, method, after_bytes=None):
        super().__init__(count, operation, method)
        check(isinstance(after_processing, bool), f"after_processing must be true or false, not {after_processing!r}")
        check(after_bytes is None or (is_integer(after_bytes) and after_bytes >= 1),
              f"after_bytes must be a positive number of bytes, not {after_bytes!r}")
        self.after_processing = after_processing
        self.after_bytes = after_bytes

    def answer(self, process, wait):
        return process() if self.after_processing or self.after_bytes else None

    def send(self, response, environ, start_response, hang_up):
        if not self.after_bytes:
            return hang_up_at_once(response, environ, start_response, hang_up)
        return self._cut(response(environ, start_response), hang_up)

    def _cut(self, body, hang_up):
        """The first ``after_bytes`` bytes of ``body``; then the connection is to be closed (once they are sent)."""
        left = self.after_bytes
        for chunk in body:
            if left <= 0:
                break
            yield chunk[:left]
            left -= len(chunk)
        hang_up()


class Down:
    """What every request meets while the PBX is down: its connection closed, unprocessed and unanswered."""

    kind = "down"
    hangs_up = True

    @staticmethod
    def answer(process, wait):
        return None

    @staticmethod
    def send(response, environ, start_response, hang_up):
        return hang_up_at_once(response, environ, start_response, hang_up)


class FaultPlan:
    """The armed faults, and whether the PBX is down.

    A request takes the first armed fault it matches (down overrides them all, and leaves them armed); only
    XAPI calls and token requests take faults.  ``stopping`` cuts delays short when the simulator stops.
    """

    def __init__(self, journal):
        self._journal = journal
        self._lock = threading.Lock()
        self._armed = []
        self._down = False
        self.stopping = threading.Event()

    def _arm(self, fault):
        with self._lock:
            self._armed.append(fault)
        return fault

    def fail(self, count=1, status=503, retry_after=None, body=None, content_type=None, operation=None, method=None):
        return self._arm(StatusFault(count, status, retry_after, body, content_type, operation, method))

    def delay(self, count=1, seconds=1.0, after_processing=False, operation=None, method=None):
        return self._arm(DelayFault(count, seconds, after_processing, operation, method))

    def reset(self, count=1, after_processing=False, operation=None, method=None, after_bytes=None):
        return self._arm(ResetFault(count, after_processing, operation, method, after_bytes))

    def down(self):
        with self._lock:
            self._down = True

    def up(self):
        with self._lock:
            self._down = False

    def clear(self):
        """Disarm every fault and end a down time."""
        with self._lock:
            self._armed = []
            self._down = False

    def admit(self, entry, faultable):
        """Log a request (its entry, stamped ``received``) and give it the fault it meets (None if none), in one step,
        so that the log shows the order in which requests took faults, and their ``received`` never decreases."""
        with self._lock:
            entry["received"] = time.monotonic()
            if not faultable:
                fault = None
            elif self._down:
                fault = Down
            else:
                fault = next((armed for armed in self._armed if armed.matches(entry)), None)
                if fault is not None:
                    fault.remaining -= 1
                    if not fault.remaining:
                        self._armed.remove(fault)
            entry["fault"] = None if fault is None else fault.kind
            self._journal.log(entry)
        return fault

    def command(self, settings):
        """Carry out the control endpoint's ``{"kind": KIND, ...arguments}``; returns what was armed.  ValueError for bad input."""
        check(isinstance(settings, dict) and settings.get("kind") in KINDS,
              f"expected a JSON object with a kind out of {', '.join(KINDS)} and its arguments")
        action = getattr(self, ACTIONS[settings["kind"]])
        arguments = {name: value for name, value in settings.items() if name != "kind"}
        unknown = sorted(set(arguments) - set(inspect.signature(action).parameters))
        check(not unknown, f"{settings['kind']} takes no {', '.join(unknown)}")
        fault = action(**arguments)
        return {"kind": settings["kind"]} if fault is None else fault.describe()
