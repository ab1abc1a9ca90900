# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The XAPI operations as the ``threecx.pbx.xapi`` module uses them. Private to the threecx.pbx collection: no stable API.

The data comes from ``_xapi_table`` (generated from 3CX's OpenAPI description by ``tools/generate_operations.py``).
Here it is checked against what a task gives: parameters become a request path and query options, a body
is checked against the operation's request schema, and what a PATCH would change is worked out.
Everything raises :class:`RequestError` with every problem found, before any request is sent.
"""

import difflib
import json
import re
from urllib.parse import quote

from ansible_collections.threecx.pbx.plugins.module_utils import _xapi_table
from ansible_collections.threecx.pbx.plugins.module_utils._odata import datetime_literal, quote_literal

INTEGER_RANGES = {"int32": (-2 ** 31, 2 ** 31 - 1), "int64": (-2 ** 63, 2 ** 63 - 1)}
# A number written as text; not "inf" or "nan", which are no JSON numbers (3CX takes them as the strings INF and NaN).
_DECIMAL = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Characters left as they are in a path segment; a '+' (a time zone offset), '/', '?', '#' and spaces are encoded.
_PATH_SAFE = "'(),=:@$*!-._~"
_TABLE = {}


def _table():
    """(operations, schemas), parsed on first use."""
    if not _TABLE:
        _TABLE["operations"] = json.loads(_xapi_table.OPERATIONS_JSON)
        _TABLE["schemas"] = json.loads(_xapi_table.SCHEMAS_JSON)
    return _TABLE["operations"], _TABLE["schemas"]


class RequestError(ValueError):
    """A task's request that does not fit the operation; ``problems`` lists each one."""

    def __init__(self, operation_id, problems):
        self.problems = list(problems)
        super().__init__("%s: %s" % (operation_id, "; ".join(self.problems)))


def operation_ids():
    """Every operationId of the table."""
    return list(_table()[0])


def get_operation(operation_id):
    """The :class:`Operation` named ``operation_id``; a RequestError naming the closest ones if there is none."""
    operations = _table()[0]
    entry = operations.get(operation_id)
    if entry is None:
        by_lower = dict((name.lower(), name) for name in operations)
        close = [by_lower[name] for name in difflib.get_close_matches(str(operation_id).lower(), by_lower, 5, 0.6)]
        hint = " Did you mean %s?" % " or ".join(close) if close else ""
        raise RequestError(operation_id, ["no such operation in the XAPI %s.%s See docs/xapi_operations.md for the list."
                                          % (_xapi_table.SPEC_VERSION, hint)])
    return Operation(operation_id, entry)


class Operation:
    """One operation of the table: ``method``, ``path`` template, ``kind``, parameters, body and answer."""

    def __init__(self, operation_id, entry):
        self.operation_id = operation_id
        self.method = entry["method"]
        self.path_template = entry["path"]
        # list, get, function (GETs); create, action (POSTs); update (PATCH); delete.
        self.kind = entry["kind"]
        self.parameters = dict((p["name"], p) for p in entry.get("parameters", []) if p["in"] != "header")
        self.takes_if_match = any(p["in"] == "header" and p["name"] == "If-Match" for p in entry.get("parameters", []))
        body = entry.get("body")
        self.body_schema = body["schema"] if body else None
        self.body_required = bool(body and body["required"])
        self.status = entry["status"]
        self.answer = entry.get("answer")
        self.read = entry.get("read")

    @property
    def pages(self):
        """Whether the operation answers a collection that can be read page by page ($top and $skip)."""
        return "$top" in self.parameters and "$skip" in self.parameters

    def prepare(self, given, body):
        """(path under /xapi/v1, query options, body to send) for a task's ``parameters`` and ``body``.

        Raises RequestError listing every problem with either.
        """
        problems = []
        path, query = self._request(given or {}, problems)
        body = self._check_body(body, problems)
        if problems:
            raise RequestError(self.operation_id, problems)
        return path, query, body

    def _request(self, given, problems):
        for name in given:
            if name not in self.parameters:
                problems.append(self._unknown(name))
        for name, parameter in self.parameters.items():
            if parameter.get("required") and name not in given:
                problems.append("parameter '%s' (%s) is required" % (name, _parameter_type(parameter)))
        path = self.path_template
        query = {}
        for name, value in given.items():
            parameter = self.parameters.get(name)
            if parameter is None:
                continue
            try:
                value = _convert(parameter, value)
            except ValueError as exc:
                problems.append("parameter '%s' must be %s, not %s" % (name, exc, _shown(value)))
                continue
            if parameter["in"] == "path":
                path = path.replace("{%s}" % name, quote(_path_literal(parameter, value), safe=_PATH_SAFE))
            elif value is not None:
                query[name] = value
        return path, query

    def key_filter(self, given, key):
        """``<key> eq <literal>``: a $filter that finds, in a list, the entity this operation's path names by ``key``."""
        parameter = self.parameters[key]
        return "%s eq %s" % (key, _path_literal(parameter, _convert(parameter, given[key])))

    def _unknown(self, name):
        if name == "If-Match":
            return "If-Match is not a parameter: use the option if_match"
        names = sorted(self.parameters)
        spelt = str(name).lstrip("$").lower()
        close = [n for n in names if n.lstrip("$").lower() == spelt] or difflib.get_close_matches(str(name), names, 1, 0.6)
        hint = " (did you mean '%s'?)" % close[0] if close else ""
        takes = "takes %s" % ", ".join(names) if names else "takes no parameters"
        return "unknown parameter '%s'%s: %s %s" % (name, hint, self.operation_id, takes)

    def _check_body(self, body, problems):
        """``body`` as it is to be sent: numbers and booleans given as text are converted."""
        if self.body_schema is None:
            if body is not None:
                problems.append("takes no body (%s %s)" % (self.method, self.path_template))
            return None
        if body is None:
            if self.body_required:
                problems.append("a body (%s) is required" % self.body_schema)
            return None
        return check_value(self.body_schema, body, "body", problems)


def _parameter_type(parameter):
    if parameter["type"] == "array":
        return "a list of %ss or a comma-separated string" % parameter.get("items", "string")
    return parameter.get("format") or parameter["type"]


def _shown(value):
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return "%s %s" % (type(value).__name__, text if len(text) < 80 else text[:77] + "...")


def _convert(parameter, value):
    """A parameter's value as the type the spec gives it; ValueError(what it must be) if it is not one."""
    if value is None:
        if parameter.get("nullable"):
            return None
        raise ValueError("a value (it is not nullable)")
    kind, fmt = parameter["type"], parameter.get("format")
    if kind == "array":
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(item, str) and item.strip() for item in items):
            raise ValueError(_parameter_type(parameter))
        return [item.strip() for item in items]
    if kind == "integer":
        number = _integer(value, fmt)
        if number is None or (parameter["name"] in ("$top", "$skip") and number < 0):
            raise ValueError("an integer (%s)%s" % (fmt or "integer", " of 0 or more" if parameter["name"].startswith("$") else ""))
        return number
    if kind == "boolean":
        flag = _boolean(value)
        if flag is None:
            raise ValueError("true or false")
        return flag
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("a string" if not fmt else "a %s string" % fmt)
    if fmt == "date-time":
        try:
            return datetime_literal(value)
        except ValueError:
            raise ValueError("a date-time such as 2026-01-31T00:00:00Z")
    if fmt == "uuid" and not _UUID.match(str(value)):
        raise ValueError("a UUID such as 0b4f7c3e-2b1a-4c6d-9e8f-1a2b3c4d5e6f")
    return str(value)


def _integer(value, fmt):
    """``value`` as an int within ``fmt``'s range (digits given as text too), else None."""
    if isinstance(value, str) and re.match(r"^\s*[-+]?\d+\s*$", value):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    low, high = INTEGER_RANGES.get(fmt, INTEGER_RANGES["int64"])
    return value if low <= value <= high else None


def _boolean(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _path_literal(parameter, value):
    """An OData literal for a path parameter: strings quoted, numbers, booleans, date-times and UUIDs bare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if parameter["type"] == "string" and parameter.get("format") not in ("date-time", "uuid"):
        return quote_literal(value)
    return str(value)


# -- request bodies ------------------------------------------------------------------------------------------

def _schema(descriptor):
    """(the descriptor a name or reference stands for, whether the reference allows null)."""
    schemas = _table()[1]
    if isinstance(descriptor, str):
        return schemas[descriptor], False
    if "ref" in descriptor:
        return schemas[descriptor["ref"]], bool(descriptor.get("nullable"))
    return descriptor, False


def schema_properties(descriptor):
    """The property descriptors of an object schema (or reference), else an empty dict."""
    return _schema(descriptor)[0].get("properties") or {}


def navigation_properties(descriptor, names):
    """Those of ``names`` that are navigation properties of the schema: the PBX sends them only when expanded."""
    properties = schema_properties(descriptor)
    return [name for name in names if isinstance(properties.get(name), dict) and properties[name].get("navigation")]


def check_value(descriptor, value, where, problems):
    """``value`` checked against a schema descriptor; each problem appended as ``<where>: <what>``.

    Returns the value as it is to be sent: text given for a number or a boolean (as templating in older
    ansible-core releases produces) is converted, as Ansible converts module options.
    """
    schema, nullable = _schema(descriptor)
    if "anyOf" in schema:
        return _check_any_of(schema["anyOf"], value, where, problems)
    if value is None:
        if not (nullable or schema.get("nullable") or not schema):
            problems.append("%s: must not be null" % where)
        return value
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    checker = _CHECKERS.get(kind)
    return value if checker is None else checker(schema, value, where, problems)


def _check_any_of(choices, value, where, problems):
    attempts = []
    for choice in choices:
        found = []
        checked = check_value(choice, value, where, found)
        if not found:
            return checked
        attempts.extend(found)
    problems.append("%s: matches none of its allowed forms (%s)" % (where, "; ".join(p.split(": ", 1)[-1] for p in attempts)))
    return value


def _check_object(schema, value, where, problems):
    if not isinstance(value, dict):
        problems.append("%s: must be an object (a dict), not %s" % (where, _shown(value)))
        return value
    properties = schema.get("properties") or {}
    checked = {}
    for name, item in value.items():
        if name in properties:
            checked[name] = check_value(properties[name], item, "%s.%s" % (where, name), problems)
        elif "@" in str(name) or schema.get("additional"):
            checked[name] = item  # an OData annotation such as @odata.type, or a free-form object
        else:
            close = difflib.get_close_matches(str(name), list(properties), 1, 0.6)
            problems.append("%s.%s: unknown property%s" % (where, name, " (did you mean '%s'?)" % close[0] if close else ""))
    return checked


def _check_array(schema, value, where, problems):
    if not isinstance(value, (list, tuple)):
        problems.append("%s: must be a list, not %s" % (where, _shown(value)))
        return value
    return [check_value(schema.get("items") or {}, item, "%s[%d]" % (where, index), problems)
            for index, item in enumerate(value)]


def _check_string(schema, value, where, problems):
    if not isinstance(value, str):
        problems.append("%s: must be a string, not %s" % (where, _shown(value)))
        return value
    enum = schema.get("enum")
    if enum:
        parts = [part.strip() for part in value.split(",")] if schema.get("flags") else [value]
        if not all(part in enum for part in parts):
            problems.append("%s: must be one of %s%s, not %r" % (
                where, ", ".join(str(e) for e in enum), " (or several, comma-separated)" if schema.get("flags") else "", value))
    fmt = schema.get("format")
    if fmt == "date-time":
        try:
            datetime_literal(value)
        except ValueError:
            problems.append("%s: must be a date-time such as 2026-01-31T00:00:00Z, not %r" % (where, value))
    elif fmt == "uuid" and not _UUID.match(value):
        problems.append("%s: must be a UUID, not %r" % (where, value))
    if schema.get("maxLength") is not None and len(value) > schema["maxLength"]:
        problems.append("%s: must be at most %d characters long, not %d" % (where, schema["maxLength"], len(value)))
    return value


def _check_integer(schema, value, where, problems):
    number = _integer(value, schema.get("format"))
    if number is None:
        problems.append("%s: must be an integer (%s), not %s" % (where, schema.get("format") or "integer", _shown(value)))
        return value
    return number


def _check_number(schema, value, where, problems):
    if isinstance(value, str) and _DECIMAL.match(value):
        value = float(value) if re.search(r"[.eE]", value) else int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append("%s: must be a number, not %s" % (where, _shown(value)))
    return value


def _check_boolean(schema, value, where, problems):
    flag = _boolean(value)
    if flag is None:
        problems.append("%s: must be true or false, not %s" % (where, _shown(value)))
        return value
    return flag


_CHECKERS = {"object": _check_object, "array": _check_array, "string": _check_string, "integer": _check_integer,
             "number": _check_number, "boolean": _check_boolean}


# -- PATCH --------------------------------------------------------------------------------------------------

def patch_changes(descriptor, current, desired):
    """The part of ``desired`` that differs from ``current`` (an entity as read): what a PATCH must send.

    A property the entity does not show (a password the PBX never returns) counts as different. A complex
    property that differs is sent whole, ``current`` updated with ``desired``, and a list whole (3CX replaces
    arrays), so the outcome is the same whether the PBX merges or replaces them.
    """
    properties = schema_properties(descriptor)
    changes = {}
    for name, value in desired.items():
        if name not in current or not same(properties.get(name), current[name], value):
            changes[name] = merged(current.get(name), value)
    return changes


def same(descriptor, current, desired):
    """Whether ``current`` (as read) already is ``desired``: objects compared on the properties ``desired`` names,
    lists item by item, date-times as moments, numbers by value."""
    if isinstance(desired, dict):
        properties = schema_properties(descriptor) if descriptor else {}
        return isinstance(current, dict) and all(
            name in current and same(properties.get(name), current[name], value) for name, value in desired.items())
    if isinstance(desired, (list, tuple)):
        items = _schema(descriptor)[0].get("items") if descriptor else None
        return isinstance(current, list) and len(current) == len(desired) and all(
            same(items, have, want) for have, want in zip(current, desired))
    if isinstance(desired, bool) or isinstance(current, bool):
        return current is desired
    if descriptor and _schema(descriptor)[0].get("format") == "date-time" and isinstance(current, str):
        return _moment(current) == _moment(desired)
    return current == desired


def _moment(text):
    try:
        return datetime_literal(text)
    except ValueError:
        return text


def merged(current, desired):
    """``desired`` laid over ``current``, recursively for objects."""
    if isinstance(desired, dict) and isinstance(current, dict):
        result = dict(current)
        for name, value in desired.items():
            result[name] = merged(current.get(name), value)
        return result
    return desired
