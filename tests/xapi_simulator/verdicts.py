# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Remembered openapi-core verdicts, so that checking a request against the spec costs little.

openapi-core spends most of a request resolving the spec's schemas again, so its verdict on a
request is remembered under a key made of everything it looks at: the operation (which, with the
path parameters, is the path, the spec's server URL being relative), every query option, the
operation's declared header and cookie parameters, the Content-Type and the body.  Only clean
verdicts are remembered: a request with any problem is always checked in full, so every violation
is found and worded by openapi-core itself.

Batch clients send requests that differ only in a key (``DELETE /DeviceInfos(7)``, ``(8)``, ...), an
ETag or a page offset.  So where a parameter's schema is one whose whole check is repeated here, its
value is left out of the key (a placeholder stands in) once it passes that check:

- an integer with a format of known range (int32, int64) and at most ``minimum``/``maximum``: the
  value must be written canonically (``7``, not ``07``, ``+7`` or `` 7``) and be within range;
- a plain string (no pattern, format, length or enum): any value but the empty one.

openapi-core would give the same verdict on any value that passes, so requests with the same key get
the same verdict; the stored parameters are handed out with the request's own values put back.
Anything else (a non-canonical number, an empty value, a ``$select`` list) is part of the key as sent.
"""

import re
import threading

from openapi_core.datatypes import Parameters

_INTEGER_RANGES = {"int32": (-2 ** 31, 2 ** 31 - 1), "int64": (-2 ** 63, 2 ** 63 - 1)}
_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]*")
_PLACEHOLDER = object()  # stands for a value left out of a key; unequal to anything a request can hold
_LOCATIONS = ("query", "header", "cookie", "path")


def _integer(low, high, raw):
    return int(raw) if _CANONICAL_INTEGER.fullmatch(raw) and low <= int(raw) <= high else None


def _plain_string(raw):
    return raw or None


def value_check(schema):
    """For a parameter schema whose whole check this module repeats, a function raw value -> the value
    openapi-core makes of it, or None where the value does not pass; None for any other schema."""
    keywords = set(schema) - {"nullable"}
    if schema.get("type") == "string" and keywords == {"type"}:
        return _plain_string
    if schema.get("type") == "integer" and schema.get("format") in _INTEGER_RANGES and keywords <= {"type", "format", "minimum", "maximum"}:
        low, high = _INTEGER_RANGES[schema["format"]]
        low, high = max(low, schema.get("minimum", low)), min(high, schema.get("maximum", high))
        return lambda raw: _integer(low, high, raw)
    return None


class VerdictCache:
    """Clean openapi-core verdicts (parameters, body) by request key; ``hits`` and ``misses`` count lookups.

    ``size`` bounds the number kept; the oldest goes first.
    """

    def __init__(self, size=4096):
        self.size = size
        self.hits = self.misses = 0
        self._lock = threading.Lock()
        self._verdicts = {}

    def check(self, operation, path_values, request, unmarshal):
        """(openapi-core's errors, parameters, body) for a werkzeug request to ``operation`` (a ``spec.Operation``);
        ``path_values`` are the raw path parameters, ``unmarshal()`` runs openapi-core on the request.

        The requests of one key share the parameters' values and the body: read them, do not change them.
        """
        key, values = _key(operation, path_values, request)
        with self._lock:
            verdict = self._verdicts.get(key)
            self.hits += verdict is not None
            self.misses += verdict is None
        if verdict is None:
            result = unmarshal()
            if not result.errors:
                with self._lock:
                    if len(self._verdicts) >= self.size:
                        del self._verdicts[next(iter(self._verdicts))]
                    self._verdicts[key] = (result.parameters, result.body)
            return result.errors, result.parameters, result.body
        parameters, body = verdict
        return [], Parameters(**{where: dict(getattr(parameters, where), **values.get(where, {})) for where in _LOCATIONS}), body

    def clear(self):
        with self._lock:
            self._verdicts.clear()
            self.hits = self.misses = 0


def _key(operation, path_values, request):
    """The request's key and, by location and name, the values its placeholders stand for."""
    values = {}

    def part(where, name, raw):
        check = operation.value_checks.get((where, name))
        value = None if check is None else check(raw)
        if value is None:
            return raw
        values.setdefault(where, {}).setdefault(name, value)
        return _PLACEHOLDER

    sources = {"header": request.headers, "cookie": request.cookies}
    key = (
        operation.operation_id,
        tuple((name, part("path", name, raw)) for name, raw in sorted(path_values.items())),
        tuple((name, tuple(part("query", name, raw) for raw in request.args.getlist(name))) for name in request.args),
        tuple((where, name, tuple(part(where, name, raw) for raw in sources[where].getlist(name)))
              for where, name in operation.value_checks if where in sources),
        request.content_type,
        request.get_data(),
    )
    return key, values
