# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The 3CX XAPI OpenAPI description: loading it, reading its schemas and validating incoming requests against it.

openapi-core checks paths, methods, parameter types and request bodies (its clean verdicts are
remembered, see ``verdicts``).  It is lenient where a real 3CX is not, so a few checks are added
here: query options and If-Match headers the operation does not declare, repeated query options,
booleans other than ``true``/``false``, a ``+`` in the query string (3CX has been seen to misread
it; spaces must travel as ``%20``) and properties a JSON request body's schema does not declare
(ASP.NET OData refuses them; the spec's schemas do not say ``additionalProperties: false``).
"""

import functools
import os
import re
from urllib.parse import urljoin

import openapi_core
import yaml
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from openapi_core.templating.paths.exceptions import OperationNotFound, PathError
from openapi_core.validation.request.exceptions import ParameterValidationError
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.templating.paths.iterators import TemplatePathsIterator

from .verdicts import VerdictCache, value_check

SPEC_ENV = "THREECX_XAPI_SPEC"
SPEC_NAME = "swagger-20.0.10.yaml"
# 3CX's published spec, kept unchanged beside this file.
DEFAULT_SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), SPEC_NAME)
API_ROOT = "/xapi/v1"  # the spec's server URL
SPEC_VIOLATION = "Request does not match the XAPI specification: "
VERDICTS = VerdictCache()

_EDM_TYPES = {
    ("boolean", None): "Edm.Boolean",
    ("integer", "uint8"): "Edm.Byte",
    ("integer", "int32"): "Edm.Int32",
    ("integer", "int64"): "Edm.Int64",
    ("integer", "decimal"): "Edm.Decimal",
    ("number", None): "Edm.Double",
    ("number", "float"): "Edm.Single",
    ("number", "double"): "Edm.Double",
    ("string", None): "Edm.String",
    ("string", "date-time"): "Edm.DateTimeOffset",
    ("string", "duration"): "Edm.Duration",
    ("string", "time"): "Edm.TimeOfDay",
    ("string", "uuid"): "Edm.Guid",
}
SCHEMA_PREFIX = "#/components/schemas/"


def spec_path():
    """Where the spec is read from: ``$THREECX_XAPI_SPEC``, else the copy beside this file."""
    return os.path.normpath(os.environ.get(SPEC_ENV) or DEFAULT_SPEC)


class _Yaml12Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML's safe loader with YAML 1.2's booleans: only true and false.

    PyYAML follows YAML 1.1, where an unquoted ``No`` (a member of the spec's Pbx.AuthenticationType), ``Yes``,
    ``On`` or ``Off`` is a boolean; the spec means strings there, as YAML 1.2 and JSON do.
    """

    yaml_implicit_resolvers = {first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:bool"]
                               for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


_Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


@functools.lru_cache(maxsize=None)
def load_spec():
    """The spec as a dict, read once per process (parsing it takes over a second)."""
    path = spec_path()
    try:
        with open(path, "rb") as handle:
            return yaml.load(handle, Loader=_Yaml12Loader)
    except FileNotFoundError:
        raise FileNotFoundError(f"XAPI spec not found at {path}; set {SPEC_ENV} to its location") from None


class _ConcretePaths(TemplatePathsIterator):
    """openapi-core's path templates matching a path, the most concrete first: fewest variables, then most literal text.

    openapi-core stops at the fewest variables, in the spec's order, so ``/Queues(Number=828)`` would be taken for
    ``/Queues({Id})`` (Id ``Number=828``) rather than ``/Queues(Number={Number})``, which comes later in the spec.
    """

    def __call__(self, name, spec, base_url=None):
        def concreteness(path):
            result = path.path_result
            return len(result.variables or {}), -len(re.sub(r"\{[^}]*\}", "", result.pattern))
        return iter(sorted(super().__call__(name, spec, base_url), key=concreteness))


class _PathFinder(APICallPathFinder):
    paths_iterator = _ConcretePaths("paths")


def _as_meant(node):
    """``node`` rewritten for openapi-core to take what a real 3CX (ASP.NET OData) takes, where the two part ways:

    - ``allOf: [X], nullable: true`` becomes ``anyOf: [X, {enum: [null]}]``.  3CX's spec makes an enumeration or
      complex property nullable that way, meaning that it may be null; but OAS 3.0.3 lets ``nullable`` admit
      null only beside a ``type``, and openapi-core holds to that.
    - ``format: time`` goes where a pattern says what a time of day is: openapi-core checks that format with
      ``%H:%M:%S``, which refuses the fractions of a second that the pattern (and Edm.TimeOfDay) allow.
    """
    if isinstance(node, list):
        return [_as_meant(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {name: _as_meant(value) for name, value in node.items() if not (name == "format" and value == "time" and "pattern" in node)}
    if node.get("nullable") and "type" not in node and len(node.get("allOf", [])) == 1:
        rest = {name: value for name, value in node.items() if name not in ("allOf", "nullable")}
        return dict(rest, anyOf=[node["allOf"][0], {"enum": [None]}])
    return node


@functools.lru_cache(maxsize=None)
def _components():
    return _as_meant(load_spec()["components"])


def _build(spec):
    # The spec's only security scheme is OAuth2, which openapi-core cannot check (it warns on every
    # request); the simulator checks bearer tokens itself, so security is left out.
    config = openapi_core.Config(spec_validator_cls=None, path_finder_cls=_PathFinder)
    return openapi_core.OpenAPI.from_dict(dict(spec, security=[]), config=config)


@functools.lru_cache(maxsize=None)
def openapi(entity_set=None):
    """openapi-core over the spec as published, built once per process: what tests check answers with.

    With ``entity_set`` (see ``entity_set_of``) only over its paths, which makes checking much faster (see
    ``_openapi_for``).  The simulator's own data holds nothing that this strict reading refuses and ``_as_meant``
    admits (no null for an ``allOf`` property, times without fractions), so it conforms however a client reads
    the spec; what a client has stored is answered as it was sent.
    """
    return _build(load_spec() if entity_set is None else dict(load_spec(), paths=_paths_by_entity_set()[entity_set]))


def _entity_set(path):
    """The first segment's name: ``DeviceInfos`` for ``/DeviceInfos({Id})/Pbx.Provision``."""
    return re.match(r"/([^/(]*)", path).group(1)


def entity_set_of(url_path):
    """The name before the first ``/`` or ``(`` below /xapi/v1 in a URL path (an entity set, a singleton...), if
    the spec has a path for it; else None."""
    name = _entity_set(url_path[len(API_ROOT):]) if url_path.startswith(API_ROOT + "/") else None
    return name if name in _paths_by_entity_set() else None


@functools.lru_cache(maxsize=None)
def _paths_by_entity_set():
    groups = {}
    for path, item in load_spec()["paths"].items():
        groups.setdefault(_entity_set(path), {})[path] = item
    return groups


@functools.lru_cache(maxsize=None)
def _openapi_for(entity_set):
    """openapi-core over just the paths of one entity set, to check requests with (read as 3CX means it, see
    ``_as_meant``).

    openapi-core tries every one of the spec's 480 paths on each request, which is half the cost of
    validating it; the paths of one entity set are a handful.
    """
    return _build(dict(load_spec(), paths=_as_meant(_paths_by_entity_set()[entity_set]), components=_components()))


@functools.lru_cache(maxsize=None)
def operation_ids():
    """Every operationId of the spec."""
    return frozenset(operation["operationId"] for item in load_spec()["paths"].values()
                     for operation in item.values() if isinstance(operation, dict) and "operationId" in operation)


def all_properties(schema):
    """A schema's properties, those of its ``allOf`` parts first (3CX's entity types derive from one another)."""
    schema = resolve(schema)
    properties = {}
    for part in schema.get("allOf", []):
        properties.update(all_properties(part))
    properties.update(schema.get("properties", {}))
    return properties


def is_navigation(schema):
    """Whether a property's schema is a navigation property's (OData leaves those out unless ``$expand`` names them)."""
    return bool(schema.get("x-ms-navigationProperty"))


def structural_properties(schema):
    """A schema's properties without its navigation properties, in the spec's order."""
    return {name: prop for name, prop in all_properties(schema).items() if not is_navigation(prop)}


def navigation_schemas(type_name):
    """The navigation properties of type ``type_name`` (none for a type the spec lacks): name -> schema."""
    schema = load_spec()["components"]["schemas"].get(type_name, {})
    return {name: prop for name, prop in all_properties(schema).items() if is_navigation(prop)}


@functools.lru_cache(maxsize=None)
def navigation_types(type_name):
    """Navigation property name -> the type of its items (or of its entity, for a single-valued one), of type ``type_name``."""
    return {name: edm_type(prop).removeprefix("Collection(").removesuffix(")") for name, prop in navigation_schemas(type_name).items()}


def schema_named(name):
    """The component schema ``name``, e.g. ``Pbx.User``."""
    return load_spec()["components"]["schemas"][name]


def unwrap(schema):
    """The schema a property's ``allOf: [{$ref}], nullable: true`` wrapper stands for (as a ``$ref``), or ``schema``."""
    parts = schema.get("allOf", [])
    return parts[0] if len(parts) == 1 and "properties" not in schema else schema


def edm_type(schema):
    """The OData type name of a property schema: ``Edm.Int32``, ``Pbx.Schedule``, ``Collection(Pbx.Period)``...

    A ``$ref`` names an enumeration or complex type; the spec's ``oneOf`` (a number, or ``INF``/``NaN`` as a
    string) is the number it starts with.
    """
    schema = unwrap(schema)
    if "$ref" in schema:
        return schema["$ref"][len(SCHEMA_PREFIX):]
    if "oneOf" in schema:
        return edm_type(schema["oneOf"][0])
    if schema.get("type") == "array":
        return f"Collection({edm_type(schema['items'])})"
    return _EDM_TYPES.get((schema.get("type"), schema.get("format")), "Edm.Untyped")


@functools.lru_cache(maxsize=None)
def entity_properties(schema_name):
    """Property name -> OData type name (see ``edm_type``) of a schema's structural properties, in the spec's order.

    Navigation properties are left out: they are no part of an entity unless ``$expand`` names them.
    """
    return {name: edm_type(prop) for name, prop in structural_properties(schema_named(schema_name)).items()}


def complex_properties(type_name):
    """``entity_properties`` of a complex (or entity) type; None for an enumeration, a primitive or a collection type."""
    schema = load_spec()["components"]["schemas"].get(type_name)
    return None if schema is None or "enum" in schema else entity_properties(type_name)


class Operation:
    """What the spec declares for one method on one path."""

    def __init__(self, method, path_item):
        definition = path_item[method]
        params = [resolve(p) for p in path_item.get("parameters", []) + definition.get("parameters", [])]
        self.operation_id = definition["operationId"]
        self.query = {p["name"] for p in params if p["in"] == "query"}
        self.headers = {p["name"].lower() for p in params if p["in"] == "header"}
        self.boolean_query = {p["name"] for p in params if p["in"] == "query" and p.get("schema", {}).get("type") == "boolean"}
        # Every declared parameter, (location, name) -> verdicts.value_check of its schema.
        self.value_checks = {(p["in"], p["name"]): value_check(p.get("schema", {})) for p in params}
        body = resolve(definition.get("requestBody", {})).get("content", {}).get("application/json", {}).get("schema")
        declared = all_properties(body) if body else {}
        # The properties a JSON body may have; None: any (a free-form object, or not an object at all).
        self.body_properties = set(declared) if declared and not resolve(body).get("additionalProperties") else None
        # An action's body holds its parameters, which ASP.NET may bind whatever their case: lower-cased name -> the spec's.
        self.parameter_names = {name.lower(): name for name in self.body_properties or ()} \
            if definition.get("x-ms-docs-operation-type") in ("action", "actionImport") else {}


def resolve(node):
    """``node``, or what its ``$ref`` points to (``$ref`` within the spec, e.g. ``#/components/schemas/Pbx.User``)."""
    ref = node.get("$ref")
    if ref is None:
        return node
    node = load_spec()
    for part in ref.split("/")[1:]:
        node = node[part]
    return node


@functools.lru_cache(maxsize=None)
def _operation(method, template):
    return Operation(method, load_spec()["paths"][template])


class Validation:
    """Outcome of checking one request: the operation found (if any), parsed parameters and body,
    problems and the status to answer them with."""

    def __init__(self, operation_id=None, parameters=None, problems=(), status=400, body=None):
        self.operation_id = operation_id
        self.parameters = parameters
        self.problems = list(problems)
        self.status = status
        self.body = body


def validate(request, parameters_any_case=False):
    """Check a werkzeug request against the spec; returns a Validation.

    With ``parameters_any_case`` an action's parameter given in another case than the spec's (``Ids`` for ``ids``) is
    no violation, and the Validation's body names it as the spec does.
    """
    entity_set = entity_set_of(request.path)
    if entity_set is None:
        return Validation(problems=["the spec has no such path"], status=404)
    api = _openapi_for(entity_set)
    oreq = WerkzeugOpenAPIRequest(request)
    try:
        found = _PathFinder(api.spec).find(oreq.method, urljoin(oreq.host_url, oreq.path))
    except OperationNotFound:
        return Validation(problems=[f"the spec has no {request.method} operation on this path"], status=405)
    except PathError:
        return Validation(problems=["the spec has no such path"], status=404)
    operation = _operation(oreq.method, found.path_result.pattern)
    any_case = operation.parameter_names if parameters_any_case else {}
    problems = _extra_problems(request, operation, any_case)
    errors, parameters, body = VERDICTS.check(operation, found.path_result.variables, request, lambda: api.unmarshal_request(oreq))
    problems.extend(_describe(error) for error in errors)
    if any_case and isinstance(body, dict):
        body = {any_case.get(name.lower(), name): value for name, value in body.items()}
    return Validation(operation.operation_id, parameters, problems, body=body)


def _extra_problems(request, operation, any_case):
    problems = []
    if b"+" in request.query_string:
        problems.append("'+' in the query string (3CX may not read it as a space): encode a space as %20 and a plus as %2B")
    for name in request.args:
        values = request.args.getlist(name)
        if name not in operation.query:
            problems.append(f"query option '{name}' is not declared by {operation.operation_id}")
        elif len(values) > 1:
            problems.append(f"query option '{name}' is given {len(values)} times")
        elif name in operation.boolean_query and values[0] not in ("true", "false"):
            problems.append(f"query option '{name}' must be true or false, not '{values[0]}'")
    if "if-match" in request.headers and "if-match" not in operation.headers:
        problems.append(f"header If-Match is not declared by {operation.operation_id}")
    body = request.get_json(silent=True) if operation.body_properties is not None else None
    if isinstance(body, dict):
        # An instance annotation ("@odata.type", "Name@odata.type") is no property.
        undeclared = sorted(name for name in body if name not in operation.body_properties and "@" not in name and name.lower() not in any_case)
        problems.extend(f"request body property '{name}' is not declared by {operation.operation_id}" for name in undeclared)
    return problems


def _describe(error):
    """One readable line for an openapi-core error, with the schema's own messages where there are any."""
    cause = error.__cause__
    schema_errors = getattr(cause, "schema_errors", None)
    if schema_errors:
        subject = f"{error.location} parameter {error.name}" if isinstance(error, ParameterValidationError) else "request body"
        return f"{subject}: {'; '.join(e.message for e in schema_errors)}"
    if cause is not None and str(cause) not in str(error):
        return f"{error}: {cause}"
    return str(error)
