# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Values for any of the spec's schemas, drawn from a ``random.Random``: what the simulator answers with where
it has no hand-made data (everything but DeviceInfos and Users).

A value always validates against its schema as openapi-core reads OAS 3.0.3: formats and patterns are
honoured (date-times, durations, times of day, UUIDs, integer ranges, maxLength), an enumeration gives one
of its members, and a property written ``allOf: [{$ref}], nullable: true`` is never null, because
``nullable`` without a ``type`` beside it does not let null through.  Strings and numbers look like what a
PBX holds, picked by the property's name (an ``EmailAddress`` is an address, a ``MacAddress`` a MAC, a
``Port`` a SIP port...).  Navigation properties are left out, as OData leaves them out of an entity.
"""

import datetime
import functools
import re
import string
import uuid

from .seed import EPOCH, SPAN_SECONDS, VENDORS, iso_utc
from .spec import resolve, structural_properties, unwrap

FIRST_NAMES = ("Olivia", "Liam", "Amelia", "Noah", "Isla", "Oliver", "Ava", "George", "Mia", "Arthur", "Sophie", "Leo")
LAST_NAMES = ("Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Green", "Hall", "Clarke")
NAMES = ("Sales", "Support", "Accounts", "Reception", "Warehouse", "Marketing", "Engineering", "Head Office",
         "Night Service", "Customer Care", "Front Desk", "IT Helpdesk", "London", "Leeds", "Lyon", "Dublin")
PHRASES = ("Main line", "Out of hours", "Weekend routing", "Holiday greeting", "Overflow to mobile",
           "Sales queue", "Support hotline", "Branch office", "Reception desk", "Emergency route")
LANGUAGES = ("EN", "DE", "FR", "ES", "IT", "NL")
TIME_ZONES = ("Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York", "Australia/Sydney")
EXTENSIONS = ("wav", "zip", "pdf", "xml", "mp3")
MAX_DEPTH = 4  # objects nested deeper are empty, arrays there hold nothing (the spec's types refer to one another)
NULL_CHANCE = 0.1  # of a nullable primitive property


def _person(rng):
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _token(rng, length=16):
    return "".join(rng.choice(string.ascii_letters + string.digits) for _index in range(length))


def _phone_number(rng):
    return f"+44 20 7946 0{rng.randrange(1000):03d}"  # Ofcom's range for drama


def _ip_address(rng):
    return f"192.168.{rng.choice((1, 10, 20))}.{rng.randrange(2, 250)}"


def _vendor_model(rng):
    return rng.choice(VENDORS[rng.choice(sorted(VENDORS))][1])[0]


# (pattern on the lower-cased property name, maker of a string), the first that matches wins.
_STRINGS = (
    (r"e-?mail", lambda rng: f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}@example.com".lower()),
    (r"firstname", lambda rng: rng.choice(FIRST_NAMES)),
    (r"lastname|surname", lambda rng: rng.choice(LAST_NAMES)),
    (r"useragent", lambda rng: f"{rng.choice(sorted(VENDORS))} {_vendor_model(rng)} {rng.randrange(80, 130)}.86.0.{rng.randrange(10, 99)}"),
    (r"displayname|fullname|contactname|username|agent|owner|createdby|user$", _person),
    (r"mac", lambda rng: f"{rng.choice(VENDORS['Yealink'][0])}{rng.randrange(16 ** 6):06x}"),
    (r"fqdn|domain|hostname|server$|host$", lambda rng: rng.choice(("pbx", "sip", "mail")) + ".example.com"),
    (r"^link$", lambda rng: f"{rng.choice(FIRST_NAMES)}{rng.choice(LAST_NAMES)}".lower()),  # a click-to-talk link's name
    (r"url|uri$|link|website|endpoint|webhook", lambda rng: f"https://example.com/{rng.choice(NAMES).lower().replace(' ', '-')}"),
    (r"(^|[^a-z])ip|address|gateway|subnet|network", _ip_address),
    (r"vendor|brand|manufacturer", lambda rng: rng.choice(sorted(VENDORS))),
    (r"model", _vendor_model),
    (r"password|secret|token|apikey|key$|hash", _token),
    (r"pin$", lambda rng: f"{rng.randrange(10000):04d}"),
    (r"version|firmware", lambda rng: f"20.0.{rng.randrange(1, 11)}.{rng.randrange(100, 999)}"),
    (r"language|culture|locale", lambda rng: rng.choice(LANGUAGES)),
    (r"timezone", lambda rng: rng.choice(TIME_ZONES)),
    (r"country", lambda rng: rng.choice(("GB", "DE", "FR", "US", "AU"))),
    (r"currency", lambda rng: rng.choice(("GBP", "EUR", "USD"))),
    (r"phone$|phonenumber|mobile|fax$|callerid|did|outbound|telephone|cli$", _phone_number),
    (r"number|extension|^dn$|dnnumber|^dn|exten", lambda rng: str(rng.randrange(100, 900))),
    (r"file|path|template|prompt|logo", lambda rng: f"{rng.choice(NAMES).lower().replace(' ', '_')}.{rng.choice(EXTENSIONS)}"),
    (r"colou?r", lambda rng: f"#{rng.randrange(16 ** 6):06x}"),
    (r"description|comment|note|message|text|reason|subject|body|summary|details", lambda rng: rng.choice(PHRASES)),
    (r"id$|guid|code$", lambda rng: f"{rng.randrange(16 ** 8):08x}"),
)

# (pattern on the lower-cased property name, (low, high)), the first that matches wins; clipped to the schema's range.
_INTEGERS = (
    (r"port", (5060, 5100)),
    (r"year", (2024, 2027)),
    (r"month", (1, 13)),
    (r"day", (1, 29)),
    (r"hour", (0, 24)),
    (r"minute", (0, 60)),
    (r"size|bytes|space|memory|disk", (1024, 50_000_000)),
    (r"timeout|seconds|interval|delay|duration|time|after|period|ttl", (5, 301)),
    (r"percent|quality|volume|level", (0, 101)),
    (r"id$", (1, 200)),
)
_INTEGER_RANGES = {"uint8": (0, 256), "int32": (-2 ** 31, 2 ** 31), "int64": (-2 ** 63, 2 ** 63)}


def _default_string(rng):
    return rng.choice(NAMES)


@functools.lru_cache(maxsize=None)
def _string_maker(name):
    """The maker of a string for a property called ``name`` (remembered: matching the patterns is what takes time)."""
    lowered = name.lower()
    return next((make for pattern, make in _STRINGS if re.search(pattern, lowered)), _default_string)


@functools.lru_cache(maxsize=None)
def _integer_bounds(name):
    lowered = name.lower()
    return next((bounds for pattern, bounds in _INTEGERS if re.search(pattern, lowered)), (0, 100))


def default(schema):
    """The value a property has when a new entity is given none: an enumeration's first member, null where the
    spec lets it be null (beside a type), else an empty or zero value of its type."""
    target = resolve(unwrap(schema))
    if "enum" in target:
        return target["enum"][0]
    if "oneOf" in target:
        return 0  # the spec's oneOf is a number, a string or INF/NaN: null would match two of them
    if target.get("nullable") and "type" in target:
        return None
    return {"array": [], "string": "", "integer": 0, "number": 0, "boolean": False}.get(target.get("type"), {})


def plain_default(schema):
    """``default``, but false or zero rather than null for a boolean or an integer: what a PBX holds for a setting never set."""
    value = default(schema)
    if value is None and resolve(unwrap(schema)).get("type") in ("boolean", "integer"):
        return {"boolean": False, "integer": 0}[resolve(unwrap(schema))["type"]]
    return value


class Generator:
    """Values for the spec's schemas from ``rng``: ``value(schema, name)`` for one property, ``entity(schema)`` for
    an entity or complex type's structural properties."""

    def __init__(self, rng):
        self.rng = rng

    def entity(self, schema, depth=0):
        """Every structural property of an object schema (a component schema or a ``$ref``)."""
        if depth >= MAX_DEPTH:
            return {}
        return {name: self.value(prop, name, depth + 1) for name, prop in structural_properties(schema).items()}

    def value(self, schema, name="", depth=0):
        schema = unwrap(schema)  # a nullable allOf wrapper: its value, never null (see the module docstring)
        target = resolve(schema)
        if "oneOf" in target:
            # The spec's oneOf is a number, a string or INF/NaN: a number matches the first alone, null two of them.
            return self._number(target["oneOf"][0], name)
        if "enum" in target:
            return self.rng.choice(target["enum"])
        kind = target.get("type")
        if kind == "array":
            count = self.rng.randrange(4) if depth < MAX_DEPTH - 1 else 0
            return [self.value(target["items"], name, depth + 1) for _index in range(count)]
        if kind == "object" or "properties" in target or "allOf" in target:
            return self.entity(schema, depth)
        if target.get("nullable") and self.rng.random() < NULL_CHANCE:
            return None
        maker = {"string": self._string, "integer": self._integer, "number": self._number, "boolean": self._boolean}.get(kind)
        return {} if maker is None else maker(target, name)

    def _string(self, schema, name):
        rng = self.rng
        kind = schema.get("format")
        if kind == "date-time":
            return iso_utc(EPOCH + datetime.timedelta(seconds=rng.randrange(SPAN_SECONDS)))
        if kind == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if kind == "duration":
            return f"PT{rng.randrange(24)}H{rng.randrange(60)}M"
        if kind == "time":
            return f"{rng.randrange(24):02d}:{rng.choice((0, 15, 30, 45)):02d}:00"
        text = _string_maker(name)(rng)
        return text[:schema["maxLength"]] if "maxLength" in schema else text

    def _integer(self, schema, name):
        low, high = _INTEGER_RANGES.get(schema.get("format"), _INTEGER_RANGES["int64"])
        low, high = max(low, schema.get("minimum", low)), min(high, schema.get("maximum", high - 1) + 1)
        wanted = _integer_bounds(name)
        start, stop = max(low, wanted[0]), min(high, wanted[1])
        if start >= stop:  # what the name suggests is out of the schema's range
            start, stop = low, min(high, low + 100)
        return self.rng.randrange(start, stop)

    def _number(self, schema, name):
        return round(self.rng.uniform(0, 100), 2)

    def _boolean(self, schema, name):
        return self.rng.random() < 0.5
