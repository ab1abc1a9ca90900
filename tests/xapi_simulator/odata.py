# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""OData query options evaluated over plain dicts: $filter, $orderby, $select, $expand, $search, $top, $skip.

odata-query parses $filter (and each $orderby expression) into an AST; ``_Compiler`` type-checks
that AST against the entity's properties and turns it into a Python function of one record.  Errors
carry the messages an ASP.NET Core OData service (which 3CX runs) gives for the same mistakes.

Property types are OData type names (see ``spec.edm_type``).  A property of an enumeration type compares
with string literals (``Type eq 'Extension'``), a complex one is read through (``DN/Type eq 'Extension'``).
"""

import datetime
import functools
import operator
import re

from dateutil.parser import isoparse
from odata_query import ast, exceptions
from odata_query.grammar import ODataLexer, ODataParser
from sly.lex import Token

INVALID_QUERY = "The query specified in the URI is not valid. "

BOOLEAN = "Edm.Boolean"
STRING = "Edm.String"
BYTE = "Edm.Byte"
INT32 = "Edm.Int32"
INT64 = "Edm.Int64"
DECIMAL = "Edm.Decimal"
SINGLE = "Edm.Single"
DOUBLE = "Edm.Double"
DATE = "Edm.Date"
DATETIME = "Edm.DateTimeOffset"
NUMERIC = (BYTE, INT32, INT64, DECIMAL, SINGLE, DOUBLE)  # each promotes to those after it

_LITERAL_TYPES = {
    ast.Boolean: BOOLEAN,
    ast.String: STRING,
    ast.Float: DOUBLE,
    ast.Date: DATE,
    ast.DateTime: DATETIME,
    ast.Time: "Edm.TimeOfDay",
    ast.Duration: "Edm.Duration",
    ast.GUID: "Edm.Guid",
    ast.Geography: "Edm.Geography",
}

_COMPARATORS = {
    ast.Eq: ("Equal", operator.eq),
    ast.NotEq: ("NotEqual", operator.ne),
    ast.Lt: ("LessThan", operator.lt),
    ast.LtE: ("LessThanOrEqual", operator.le),
    ast.Gt: ("GreaterThan", operator.gt),
    ast.GtE: ("GreaterThanOrEqual", operator.ge),
}


def _utc(value):
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


@functools.lru_cache(maxsize=2 ** 17)
def _property_datetime(text):
    """A DateTimeOffset property's value; remembered, as a filter or sort over many records reads each often."""
    return _utc(isoparse(text))


def _matches(text, pattern):
    try:
        return re.search(pattern, text) is not None
    except re.error as exc:
        raise _invalid(f"'{pattern}' is not a valid regular expression: {exc}.") from None


def _substring(text, start, length=None):
    start = max(start, 0)
    return text[start:] if length is None else text[start:start + max(length, 0)]


# Function name -> list of (argument types, result type, implementation).  Null arguments give null.
_FUNCTIONS = {
    "contains": [((STRING, STRING), BOOLEAN, lambda s, t: t in s)],
    "startswith": [((STRING, STRING), BOOLEAN, str.startswith)],
    "endswith": [((STRING, STRING), BOOLEAN, str.endswith)],
    "indexof": [((STRING, STRING), INT32, str.find)],
    "length": [((STRING,), INT32, len)],
    "substring": [((STRING, INT32), STRING, _substring), ((STRING, INT32, INT32), STRING, _substring)],
    "tolower": [((STRING,), STRING, str.lower)],
    "toupper": [((STRING,), STRING, str.upper)],
    "trim": [((STRING,), STRING, str.strip)],
    "concat": [((STRING, STRING), STRING, operator.add)],
    "matchesPattern": [((STRING, STRING), BOOLEAN, _matches)],
    "date": [((DATETIME,), DATE, datetime.datetime.date)],
    "year": [((DATETIME,), INT32, operator.attrgetter("year")), ((DATE,), INT32, operator.attrgetter("year"))],
    "month": [((DATETIME,), INT32, operator.attrgetter("month")), ((DATE,), INT32, operator.attrgetter("month"))],
    "day": [((DATETIME,), INT32, operator.attrgetter("day")), ((DATE,), INT32, operator.attrgetter("day"))],
    "hour": [((DATETIME,), INT32, operator.attrgetter("hour"))],
    "minute": [((DATETIME,), INT32, operator.attrgetter("minute"))],
    "second": [((DATETIME,), INT32, operator.attrgetter("second"))],
    "now": [((), DATETIME, lambda: datetime.datetime.now(datetime.timezone.utc))],
}


class QueryError(ValueError):
    """A query option the service rejects with 400 (a legitimate answer, not a spec violation)."""


def _invalid(message):
    return QueryError(INVALID_QUERY + message)


def _promotes(given, wanted):
    """Whether a value of type ``given`` (None: the null literal) may stand where ``wanted`` is expected."""
    if given is None or given == wanted:
        return True
    return given in NUMERIC and wanted in NUMERIC and NUMERIC.index(given) <= NUMERIC.index(wanted)


def _comparable(left, right):
    return _promotes(left, right) or _promotes(right, left)


class Expression:
    """A compiled expression: its Edm type (None for the null literal) and a function of a record.

    ``equals``, for ``Property eq constant`` and an ``or`` of such tests on one property: the property's name,
    the function that reads it and the set of constants, so that ``Id eq 1 or Id eq 2 or ...`` (how clients
    select records by Id) costs one set lookup per record, not one test per constant.
    """

    def __init__(self, edm_type, evaluate, equals=None):
        self.type = edm_type
        self.evaluate = evaluate
        self.equals = equals


def _no_types(type_name):
    return None


class _Compiler:
    """Compiles expressions over records of ``entity_type``; ``types(name)`` gives a complex type's properties (else None)."""

    def __init__(self, entity_type, properties, types=_no_types):
        self.entity_type = entity_type
        self.properties = properties
        self.types = types

    def compile(self, node):
        return getattr(self, "_" + type(node).__name__, self._unsupported)(node)

    @staticmethod
    def _unsupported(node):
        """Arithmetic, lambdas and the like: valid OData that the collection has no use for."""
        raise _invalid(f"The '{type(node).__name__}' expression is not supported by the simulator.")

    def _property(self, owner_type, properties, name, read):
        """The property ``name`` of a value of ``owner_type`` whose properties are ``properties``, which ``read`` reads."""
        edm_type = properties.get(name)
        if edm_type is None:
            raise _invalid(f"Could not find a property named '{name}' on type '{owner_type}'.")
        if edm_type == DATETIME:
            return Expression(edm_type, lambda record: _apply(_property_datetime, read(record)))
        if not edm_type.startswith(("Edm.", "Collection(")) and self.types(edm_type) is None:
            edm_type = STRING  # an enumeration member travels as its name
        return Expression(edm_type, read)

    def _Identifier(self, node):
        name = node.full_name()
        return self._property(self.entity_type, self.properties, name, lambda record: record.get(name))

    def _Attribute(self, node):
        owner = self.compile(node.owner)
        properties = self.types(owner.type) if owner.type else None
        if properties is None:
            raise _invalid(f"Could not find a property named '{node.attr}' on type '{owner.type}'.")
        name = node.attr
        return self._property(owner.type, properties, name, lambda record: _apply(lambda value: value.get(name), owner.evaluate(record)))

    def _Null(self, node):
        return Expression(None, lambda record: None)

    def _Integer(self, node):
        value = node.py_val
        return Expression(INT32 if -2 ** 31 <= value < 2 ** 31 else INT64, lambda record: value)

    def _literal(self, node):
        edm_type = _LITERAL_TYPES[type(node)]
        try:
            value = node.py_val
        except ValueError:
            raise _invalid(f"Unrecognized '{edm_type}' literal '{node.val}'.") from None
        if edm_type == DATETIME:
            value = _utc(value)
        return Expression(edm_type, lambda record: value)

    _Boolean = _String = _Float = _Date = _DateTime = _Time = _Duration = _GUID = _Geography = _literal

    def _Compare(self, node):
        left = self.compile(node.left)
        if isinstance(node.comparator, ast.In):
            return self._in(left, node.right)
        kind, compare = _COMPARATORS[type(node.comparator)]
        right = self.compile(node.right)
        self._check_binary(left, right, kind, _comparable(left.type, right.type))

        if isinstance(node.comparator, (ast.Eq, ast.NotEq)):
            equals = None
            if isinstance(node.comparator, ast.Eq) and isinstance(node.left, ast.Identifier) and _is_literal(node.right):
                equals = (node.left.full_name(), left.evaluate, frozenset([right.evaluate(None)]))
            return Expression(BOOLEAN, lambda record: compare(left.evaluate(record), right.evaluate(record)), equals)

        def ordered(record):
            lvalue, rvalue = left.evaluate(record), right.evaluate(record)
            return lvalue is not None and rvalue is not None and compare(lvalue, rvalue)
        return Expression(BOOLEAN, ordered)

    def _in(self, left, right_node):
        items = [self.compile(item) for item in right_node.val]
        for item in items:
            self._check_binary(left, item, "In", _comparable(left.type, item.type))
        return Expression(BOOLEAN, lambda record: left.evaluate(record) in [item.evaluate(record) for item in items])

    def _BoolOp(self, node):
        kind = "And" if isinstance(node.op, ast.And) else "Or"
        left, right = self.compile(node.left), self.compile(node.right)
        self._check_binary(left, right, kind, _promotes(left.type, BOOLEAN) and _promotes(right.type, BOOLEAN))
        if kind == "Or" and left.equals and right.equals and left.equals[0] == right.equals[0]:
            return _equals_any(*left.equals[:2], left.equals[2] | right.equals[2])
        # Three-valued logic: null and false is false, null or true is true, anything else with null is null.
        absorbing = kind == "Or"

        def evaluate(record):
            values = (left.evaluate(record), right.evaluate(record))
            if absorbing in values:
                return absorbing
            return None if None in values else not absorbing
        return Expression(BOOLEAN, evaluate)

    def _UnaryOp(self, node):
        if not isinstance(node.op, ast.Not):
            return self._unsupported(node)
        operand = self.compile(node.operand)
        if not _promotes(operand.type, BOOLEAN):
            raise _invalid("A unary operator with an incompatible type was detected. "
                           f"Found operand type '{operand.type}' for operator kind 'Not'.")
        return Expression(BOOLEAN, lambda record: _apply(operator.not_, operand.evaluate(record)))

    def _Call(self, node):
        name = node.func.full_name()
        signatures = _FUNCTIONS.get(name)
        if signatures is None:
            raise _invalid(f"The function '{name}' is not supported by the simulator.")
        args = [self.compile(arg) for arg in node.args]
        for arg_types, result_type, function in signatures:
            if len(arg_types) == len(args) and all(_promotes(a.type, t) for a, t in zip(args, arg_types)):
                return Expression(result_type, lambda record, f=function: _apply(f, *(a.evaluate(record) for a in args)))
        raise _no_signature(name)

    @staticmethod
    def _check_binary(left, right, kind, compatible):
        if not compatible:
            raise _invalid("A binary operator with incompatible types was detected. "
                           f"Found operand types '{left.type}' and '{right.type}' for operator kind '{kind}'.")


def _is_literal(node):
    """Whether ``node`` is a constant whose value can go into a set."""
    if not isinstance(node, (ast.Null, ast.Integer, *_LITERAL_TYPES)):
        return False
    try:
        hash(node.py_val)
    except (TypeError, ValueError):  # an unhashable value, or a malformed literal (reported when compiled)
        return False
    return True


def _equals_any(name, read, values):
    """``name eq v1 or name eq v2 ...`` for the constants ``values``, each test being true or false (never null)."""
    def evaluate(record):
        value = read(record)
        try:
            return value in values
        except TypeError:  # an unhashable value (a list, an object) equals no constant
            return False
    return Expression(BOOLEAN, evaluate, (name, read, values))


def _apply(function, *values):
    """Call ``function`` unless a value is null (OData null propagation)."""
    return None if any(v is None for v in values) else function(*values)


def _no_signature(name):
    considered = ", ".join(f"{name}({', '.join(t + ' Nullable=true' for t in signature[0])})" for signature in _FUNCTIONS[name])
    return _invalid(f"No function signature for the function with name '{name}' matches the specified arguments. "
                    f"The function signatures considered are: {considered}.")


def _tokens(text):
    """odata-query's tokens for ``text``, adapted to its one departure from the OData grammar.

    odata-query wants a one-item list written ``Id in (1,)``; OData writes ``Id in (1)`` and knows
    no trailing comma.  So a comma goes into one-item lists after ``in``, and a trailing comma is an error.
    """
    tokens = list(ODataLexer().tokenize(text))
    adapted, lists, previous = [], [], None  # lists: per open parenthesis, [follows 'in', has a comma]
    for position, token in enumerate(tokens):
        if token.type == "(":
            lists.append([previous == "IN", False])
        elif token.type == "," and lists:
            lists[-1][1] = True
            following = [t for t in tokens[position + 1:] if t.type != "WS"][:1]
            if following and following[0].type == ")":
                raise exceptions.ParsingException(following[0])
        elif token.type == ")" and lists:
            after_in, has_comma = lists.pop()
            if after_in and not has_comma:
                comma = Token()
                comma.type, comma.value, comma.lineno, comma.index = ",", ",", token.lineno, token.index
                adapted.append(comma)
        adapted.append(token)
        previous = token.type if token.type != "WS" else previous
    return adapted


def _parse(text):
    """Parse an OData expression with odata-query; syntax errors become QueryError."""
    try:
        # Parser instances keep state while parsing, so each call gets its own (the server is threaded).
        return ODataParser().parse(iter(_tokens(text)))
    except exceptions.TokenizingException as exc:
        position, bad = exc.token.index, exc.token.value
        if bad.startswith("'"):
            raise _invalid(f"There is an unterminated string literal at position {position} in '{text}'.") from None
        raise _invalid(f"Syntax error: character '{bad[0]}' is not valid at position {position} in '{text}'.") from None
    except exceptions.ParsingException as exc:
        position = len(text) if exc.token is None else exc.token.index
        raise _invalid(f"Syntax error at position {position} in '{text}'.") from None
    except exceptions.UnknownFunctionException as exc:
        raise _invalid(f"An unknown function with name '{exc.function_name}' was found. This may also be a "
                       "function import or a key lookup on a navigation property, which is not allowed.") from None
    except exceptions.ArgumentCountException as exc:
        if exc.function_name in _FUNCTIONS:
            raise _no_signature(exc.function_name) from None
        raise _invalid(str(exc)) from None


def key_string(name, literal):
    """The string a key literal stands for, as the URL holds it: ``'O''Brien'`` -> ``O'Brien``; QueryError if malformed."""
    match = re.fullmatch(r"'((?:[^']|'')*)'", literal)
    if match is None:
        raise QueryError(f"The key value ({name}={literal}) from request is not valid. "
                         "The key value should be format of type 'Edm.String'.")
    return match.group(1).replace("''", "'")


def _non_empty(items):
    """An option given empty (``$orderby=``) is ignored, as if absent."""
    items = list(items or [])
    return [] if items == [""] else [item.strip() for item in items]


def _split(text, separator):
    """``text`` split at ``separator`` outside parentheses and string literals."""
    parts, depth, quoted, start = [], 0, False, 0
    for position, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and char == separator:
            parts.append(text[start:position])
            start = position + 1
    return parts + [text[start:]]


def _rejoined(items):
    """A comma-separated option's items as OData means them.

    The spec declares ``$orderby`` and ``$expand`` as comma-separated lists, so ``Groups($select=Id,Name)``
    reaches the simulator cut in two; its items are joined again and cut at the commas outside parentheses.
    """
    items = _non_empty(items)
    return [item.strip() for item in _split(",".join(items), ",")] if items else []


def _number(option, text):
    if not re.fullmatch(r"\s*[0-9]+\s*", text):
        raise _invalid(f"Invalid value '{text}' for {option} query option found.")
    return int(text)


def _boolean(option, text):
    if text.strip() not in ("true", "false"):
        raise _invalid(f"'{text}' is not a valid count option.")
    return text.strip() == "true"


# The query options $expand takes in parentheses, and how each is read (to what openapi-core makes of the top-level one).
_NESTED_OPTIONS = {
    "$select": lambda option, text: text.split(","),
    "$expand": lambda option, text: [text],
    "$orderby": lambda option, text: text.split(","),
    "$filter": lambda option, text: text,
    "$search": lambda option, text: text,
    "$top": _number,
    "$skip": _number,
    "$count": _boolean,
}


class EntityQuery:
    """Query options over the records of one entity type, e.g. ``EntityQuery('Pbx.DeviceInfo', props)``.

    ``key`` breaks ties in ``$orderby`` (None: keep the records' order); ``navigation`` maps each navigation
    property to its item type, what ``$expand`` may name; ``types`` gives the properties of a complex type.
    """

    def __init__(self, entity_type, properties, key="Id", navigation=None, types=_no_types):
        self.entity_type = entity_type
        self.properties = properties
        self.key = key
        self.navigation = navigation or {}
        self._compiler = _Compiler(entity_type, properties, types)

    def filter(self, text):
        """A predicate for ``$filter``; raises QueryError."""
        expression = self._compiler.compile(_parse(text))
        if expression.type not in (BOOLEAN, None):
            raise _invalid("The $filter expression must evaluate to a single boolean value.")
        return lambda record: expression.evaluate(record) is True

    def search(self, text):
        """A predicate for ``$search``: case-insensitive substring of any string property."""
        needle = text.strip().strip('"').lower()
        names = [name for name, edm_type in self.properties.items() if edm_type == STRING]
        return lambda record: any(needle in (record.get(name) or "").lower() for name in names)

    def order(self, items):
        """A function sorting a list of records for ``$orderby`` (then by key, as ASP.NET OData does)."""
        keys = []
        for item in _rejoined(items):
            match = re.fullmatch(r"(.*?)(?:\s+(asc|desc))?", item, re.S)
            expression = self._compiler.compile(_parse(match.group(1)))
            keys.append((expression, match.group(2) == "desc"))

        def sort(records):
            records = sorted(records, key=lambda r: _null_first(r.get(self.key))) if self.key else list(records)
            for expression, descending in reversed(keys):
                records.sort(key=lambda r, e=expression: _null_first(e.evaluate(r)), reverse=descending)
            return records
        return sort

    def evaluate(self, records, options, max_top=None, clamp=False):
        """``(count, page)``: how many of ``records`` ``$filter`` and ``$search`` keep, and those of them that
        ``$orderby``, ``$skip`` and ``$top`` put on the page, in order.

        A page holds at most ``max_top`` records (None: any number), with or without ``$top``; a larger ``$top``
        is a QueryError, unless ``clamp``.
        """
        top = options.get("$top")
        if top is not None and max_top is not None and top > max_top and not clamp:
            raise _invalid(f"The limit of '{max_top}' for Top query has been exceeded. The value from the incoming request is '{top}'.")
        keep = self.filter(options["$filter"]) if "$filter" in options else None
        found = self.search(options["$search"]) if "$search" in options else None
        sort = self.order(options.get("$orderby"))
        matched = [r for r in records if (keep is None or keep(r)) and (found is None or found(r))]
        limit = min((n for n in (top, max_top) if n is not None), default=None)
        return len(matched), sort(matched)[options.get("$skip", 0):][:limit]

    def select(self, items):
        """The property names kept by ``$select`` (None: all of them)."""
        names = _non_empty(items)
        if not names or "*" in names:
            return None
        for name in names:
            if name not in self.properties:
                raise _invalid(f"Could not find a property named '{name}' on type '{self.entity_type}'.")
        return names

    def expand(self, items):
        """``$expand``: navigation property name -> its nested query options (``*``: every navigation property, none)."""
        expansions = {}
        for item in _rejoined(items):
            if item == "*":
                expansions.update((name, {}) for name in self.navigation if name not in expansions)
                continue
            match = re.fullmatch(r"([^(/]*)(.*)", item, re.S)
            name, rest = match.group(1).strip(), match.group(2).strip()
            if name not in self.navigation:
                if name not in self.properties:
                    raise _invalid(f"Could not find a property named '{name}' on type '{self.entity_type}'.")
                raise _invalid(f"Property '{name}' on type '{self.entity_type}' is not a navigation property or complex property. "
                               "Only navigation properties can be expanded.")
            expansions[name] = self._nested(name, rest)
        return expansions

    @staticmethod
    def _nested(name, rest):
        """The options in ``($select=...;$top=...)`` after a navigation property's name."""
        if not rest:
            return {}
        if not (rest.startswith("(") and rest.endswith(")")):
            raise _invalid(f"'{name}{rest}' in $expand is not supported by the simulator: expand a navigation property, "
                           "optionally with query options in parentheses.")
        options = {}
        for part in _split(rest[1:-1], ";"):
            option, _equals, text = part.partition("=")
            option = option.strip()
            if option not in _NESTED_OPTIONS:
                raise _invalid(f"The query option '{option}' in $expand is not supported by the simulator.")
            options[option] = _NESTED_OPTIONS[option](option, text)
        return options


def _null_first(value):
    return (value is not None, value)
