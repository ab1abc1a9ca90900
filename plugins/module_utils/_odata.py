# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""OData v4 helpers for the 3CX XAPI. Private to the threecx.pbx collection: no stable API."""

import datetime
from urllib.parse import quote

INT32_MIN = -2147483648
INT32_MAX = 2147483647

# Characters left as they are in a query value. Everything else is percent-encoded, notably a space as
# %20 (3CX has been seen to misread '+'), '+' itself (a time zone offset), '&', '=' and '#'.
_QUERY_SAFE = "$'(),:/*@"


def quote_literal(value):
    """Return ``value`` as an OData string literal: single-quoted, each single quote doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def is_int32(value):
    """True for a Python int (not a bool) within the Edm.Int32 range."""
    return isinstance(value, int) and not isinstance(value, bool) and INT32_MIN <= value <= INT32_MAX


def entity_path(entity_set, key):
    """Path of one entity by its key: ``DeviceInfos(42)``, or ``Backups('a.zip')`` for a string key."""
    if isinstance(key, bool) or not isinstance(key, (int, str)):
        raise TypeError("An OData key must be an int or a str, not %s" % type(key).__name__)
    literal = str(key) if isinstance(key, int) else quote_literal(key)
    return "/%s(%s)" % (entity_set, literal)


def _query_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return str(value)


def encode_query(params):
    """Encode query options as 3CX expects them: ``$filter=Id%20eq%201&$top=100``.

    ``None`` values are left out, booleans become ``true``/``false`` and lists are joined with commas
    (the spec declares ``$select`` and ``$orderby`` with ``explode: false``).
    """
    parts = []
    for name, value in params.items():
        if value is None:
            continue
        parts.append("%s=%s" % (quote(name, safe="$"), quote(_query_value(value), safe=_QUERY_SAFE)))
    return "&".join(parts)


def alternate_key_path(entity_set, name, value):
    """Path of one entity by an alternate key: ``Users(Number='101')``."""
    return "/%s(%s=%s)" % (entity_set, name, quote_literal(value))


def id_filter(ids):
    """A ``$filter`` that matches exactly the entities with these integer ``Id`` keys."""
    return " or ".join("Id eq %d" % record_id for record_id in ids)


def chunks(items, size):
    """Consecutive slices of ``items`` of at most ``size`` elements."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def datetime_literal(value):
    """An OData ``Edm.DateTimeOffset`` literal in UTC (``2026-01-01T00:00:00Z``) from a date or date-time.

    Accepts ``date``/``datetime`` objects and ISO 8601 strings (a date alone means its midnight UTC, a date-time
    without an offset is taken as UTC). Anything else raises ValueError, so that no user input reaches a
    ``$filter`` unchecked: date-time literals are not quoted.
    """
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
