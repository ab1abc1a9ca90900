# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The OData service the spec describes, read from its paths: entity sets, singletons and what each operation is.

The spec was made from 3CX's OData model by Microsoft's OpenAPI.OData converter, so its paths follow OData's
URL conventions and ``x-ms-docs-operation-type`` tells functions and actions from the rest:

- ``/Groups`` answering a collection is an entity set (GET lists, POST creates); ``/Groups({Id})`` is one of its
  entities (GET, PATCH, DELETE) and ``/Users(Number={Number})`` one by an alternate key;
- ``/SystemStatus`` answering one object is a singleton (GET, PATCH);
- ``/Groups({Id})/Members`` and ``/Defs/Codecs`` are navigation properties of an entity or a singleton;
- ``.../Pbx.GetLogs(startDate={startDate},...)`` (GET) is a function and ``.../Pbx.Provision`` (POST) an action,
  bound to what the path names before them; ``/GetUpdates()`` and ``/PurgeCalls`` are unbound ones (imports).

Each operation becomes a ``Route``, which tells the simulator how to answer it (see ``generic``).
"""

import dataclasses
import functools
import re

from .spec import all_properties, edm_type, load_spec, resolve, schema_named

LIST, GET, CREATE, UPDATE, DELETE = "list", "get", "create", "update", "delete"
SINGLETON_GET, SINGLETON_UPDATE, NAVIGATION, FUNCTION, ACTION = "singleton-get", "singleton-update", "navigation", "function", "action"

# What an answer holds (``Result.kind``).
NOTHING, COLLECTION, OBJECT, SCALAR = "nothing", "collection", "object", "scalar"

# /Name, an optional key segment "(...)", then an optional navigation property or bound operation.
_PATH = re.compile(r"/(?P<name>[^/(]+)(?:\((?P<key>[^)]*)\))?(?:/(?P<rest>.+))?")
_ALTERNATE_KEY = re.compile(r"(\w+)=\{(\w+)\}")
_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclasses.dataclass(frozen=True)
class Result:
    """What an operation answers on success: ``status`` and a ``kind`` (NOTHING, COLLECTION, OBJECT, SCALAR) with the
    ``schema`` of the object, of the scalar or of a collection's items."""

    status: int
    kind: str
    schema: dict = None

    @property
    def type_name(self):
        """The OData type of the object, scalar or collection item: ``Pbx.AIResources``, ``Edm.String``..."""
        return edm_type(self.schema)


@dataclasses.dataclass(frozen=True)
class Route:
    """One operation: its ``kind`` (LIST, GET... FUNCTION, ACTION), the entity set or singleton it addresses
    (``target``, None for an unbound function or action), the path parameter holding the key (``key_parameter``;
    for an alternate key the property it names, ``alternate_key``), the navigation property (``navigation``),
    the function's arguments (path parameter name -> schema) and the Result."""

    operation_id: str
    kind: str
    target: str = None
    key_parameter: str = None
    alternate_key: str = None
    navigation: str = None
    arguments: tuple = ()
    result: Result = None


@dataclasses.dataclass(frozen=True)
class EntitySet:
    """An entity set: its entity type (a schema name), its key property (None if the spec never addresses one
    entity) and its alternate keys."""

    name: str
    type_name: str
    key: str = None
    alternate_keys: tuple = ()


@dataclasses.dataclass(frozen=True)
class Singleton:
    """A singleton (e.g. ``SystemStatus``) and its type (a schema name)."""

    name: str
    type_name: str


def _result(definition):
    """The Result an operation's first 2xx response declares."""
    code, response = next((code, resolve(r)) for code, r in definition["responses"].items() if code.startswith("2"))
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return Result(int(code), NOTHING)
    value = _collection_items(schema)
    if value is not None:
        return Result(int(code), COLLECTION, value)
    properties = resolve(schema).get("properties", {})
    if list(properties) == ["value"]:
        return Result(int(code), SCALAR, properties["value"])
    return Result(int(code), OBJECT, schema)


def _collection_items(schema):
    """The item schema of a collection answer (``{"value": [...]}`` beside ``@odata.count``), or None."""
    parts = resolve(schema).get("allOf", [])
    if len(parts) == 2 and parts[0].get("$ref", "").endswith("/BaseCollectionPaginationCountResponse"):
        return resolve(parts[1])["properties"]["value"]["items"]
    return None


class Model:
    """Every operation's Route by operationId, every entity set and every singleton by name."""

    def __init__(self, paths):
        self.routes = {}
        for path, item in paths.items():
            for method, definition in item.items():
                if isinstance(definition, dict):
                    route = _route(path, method, definition)
                    self.routes[route.operation_id] = route
        routes = self.routes.values()
        # Entity type by entity set or singleton name, from the answers of reads.
        types = {}
        for route in routes:
            if route.kind in (LIST, GET, SINGLETON_GET):
                types.setdefault(route.target, route.result.type_name)
        keys = {r.target: r.key_parameter for r in routes if r.key_parameter and not r.alternate_key}
        alternate_keys = {}
        for route in routes:
            if route.alternate_key:
                alternate_keys.setdefault(route.target, set()).add(route.alternate_key)
        # An entity set is addressed by key or answers a collection (/CallHistoryView has no key path).
        sets = set(keys) | set(alternate_keys) | {r.target for r in routes if r.kind in (LIST, CREATE)}
        self.entity_sets = {name: EntitySet(name, types[name], keys.get(name, _default_key(types[name])),
                                            tuple(sorted(alternate_keys.get(name, ()))))
                            for name in sorted(sets)}
        self.singletons = {name: Singleton(name, type_name) for name, type_name in sorted(types.items()) if name not in sets}


def _default_key(type_name):
    """The key of an entity set that no path addresses by key: ``Id`` if its type has one."""
    return "Id" if "Id" in all_properties(schema_named(type_name)) else None


def _route(path, method, definition):
    match = _PATH.fullmatch(path)
    name, key, rest = match.group("name", "key", "rest")
    operation_type = definition.get("x-ms-docs-operation-type")
    parameters = [resolve(p) for p in definition.get("parameters", [])]
    fields = {"operation_id": definition["operationId"], "result": _result(definition)}
    if operation_type in ("functionImport", "actionImport"):
        return Route(kind=FUNCTION if method == "get" else ACTION, arguments=_arguments(parameters, path), **fields)
    if key:
        alternate = _ALTERNATE_KEY.fullmatch(key)
        fields["key_parameter"] = alternate.group(2) if alternate else _PARAMETER.fullmatch(key).group(1)
        fields["alternate_key"] = alternate.group(1) if alternate else None
    if operation_type in ("function", "action"):
        kind = FUNCTION if operation_type == "function" else ACTION
        return Route(kind=kind, target=name, arguments=_arguments(parameters, rest), **fields)
    if rest:
        return Route(kind=NAVIGATION, target=name, navigation=rest, **fields)
    if key:
        return Route(kind={"get": GET, "patch": UPDATE, "delete": DELETE}[method], target=name, **fields)
    if method == "get":
        return Route(kind=LIST if fields["result"].kind == COLLECTION else SINGLETON_GET, target=name, **fields)
    return Route(kind={"patch": SINGLETON_UPDATE, "post": CREATE}[method], target=name, **fields)


def _arguments(parameters, segment):
    """A function's arguments (those of its parameters that its path segment names): tuple of (name, schema)."""
    named = set(_PARAMETER.findall(segment or ""))
    return tuple((p["name"], p["schema"]) for p in parameters if p["in"] == "path" and p["name"] in named)


@functools.lru_cache(maxsize=None)
def model():
    """The Model of the spec, read once per process."""
    return Model(load_spec()["paths"])
