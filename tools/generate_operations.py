# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Generate the XAPI operation table and its reference from 3CX's OpenAPI description.

Run it again when 3CX publishes a new spec version::

    python tools/generate_operations.py [--spec swagger-20.0.10.yaml] [--check]

It writes ``plugins/module_utils/_xapi_table.py`` (the data the ``threecx.pbx.xapi`` module works from:
every operation's method, path template, parameters, request body schema and answer type, and the
schemas that request bodies use), ``plugins/module_utils/_entity_properties.py`` (the properties of the
entity types the declarative modules manage, small enough for their payload) and ``docs/xapi_operations.md``
(every operation by tag).  With ``--check`` it writes nothing and exits 1 when a file is not what the spec gives.
"""

import argparse
import json
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SPEC = os.path.join(ROOT, "tests", "xapi_simulator", "swagger-20.0.10.yaml")
TABLE_PATH = os.path.join(ROOT, "plugins", "module_utils", "_xapi_table.py")
REFERENCE_PATH = os.path.join(ROOT, "docs", "xapi_operations.md")
PROPERTIES_PATH = os.path.join(ROOT, "plugins", "module_utils", "_entity_properties.py")
# The entity types of the declarative modules (``_models``), whose properties ``_entity_properties`` lists.
MANAGED_ENTITY_TYPES = ("Pbx.User", "Pbx.Group", "Pbx.Queue", "Pbx.RingGroup", "Pbx.Receptionist", "Pbx.Parking",
                        "Pbx.InboundRule", "Pbx.OutboundRule")
METHODS = ("get", "post", "patch", "delete")
# The generated table keeps its lines within the line length that ansible-test's pep8 check allows.
_CHUNK = 140
_SCHEMA_PREFIX = "#/components/schemas/"


class Spec:
    """The parts of the OpenAPI document the generator reads, with ``$ref`` resolution."""

    def __init__(self, document):
        self.document = document
        self.schemas = document["components"]["schemas"]

    def resolve(self, node):
        """``node``, or what its ``$ref`` points to (references may chain)."""
        while isinstance(node, dict) and "$ref" in node:
            target = self.document
            for part in node["$ref"].split("/")[1:]:
                target = target[part]
            node = target
        return node

    def operations(self):
        """(path, method, operation) for every operation, in the spec's order."""
        for path, item in self.document["paths"].items():
            for method in METHODS:
                if method in item:
                    yield path, method, item[method]

    def parameters(self, path, operation):
        """The operation's parameters (path-level ones first), resolved."""
        item = self.document["paths"][path]
        return [self.resolve(p) for p in item.get("parameters", []) + operation.get("parameters", [])]

    def body_schema(self, operation):
        """(schema node, required) of the JSON request body, or (None, False)."""
        body = self.resolve(operation.get("requestBody"))
        if not body:
            return None, False
        return body["content"]["application/json"]["schema"], bool(body.get("required"))

    def success_schema(self, operation):
        """(status, schema node or None) of the operation's one 2xx answer."""
        status, answer = next((code, reply) for code, reply in operation["responses"].items() if code.startswith("2"))
        content = self.resolve(answer).get("content", {})
        return int(status), (content.get("application/json") or {}).get("schema")


def _ref_name(node):
    ref = node.get("$ref", "") if isinstance(node, dict) else ""
    return ref[len(_SCHEMA_PREFIX):] if ref.startswith(_SCHEMA_PREFIX) else None


def _single_ref(node):
    """The schema name of ``{"$ref": X}`` or of ``{"allOf": [{"$ref": X}], ...}``, else None."""
    name = _ref_name(node)
    if name is None and len(node.get("allOf", [])) == 1:
        name = _ref_name(node["allOf"][0])
    return name


class SchemaCompactor:
    """Turns OpenAPI schemas into the compact descriptors of the table (see ``_xapi_schema``).

    A descriptor is a schema name (a string) or an object with some of ``type``, ``format``, ``enum``,
    ``flags``, ``nullable``, ``maxLength``, ``properties``, ``items``, ``additional``, ``anyOf``, ``ref`` (a
    schema name) and ``navigation``.
    ``allOf`` inheritance is flattened into one ``properties`` map.  Named schemas are collected as they
    are met, so the table holds just those that request bodies reach.
    """

    def __init__(self, spec):
        self.spec = spec
        self.named = {}

    def name(self, name, node):
        """Register a named schema (a component, or an inline body under its title); returns its name."""
        if name not in self.named:
            self.named[name] = None  # a placeholder first: schemas refer to themselves
            self.named[name] = self.compact(node, top=True)
        return name

    def compact(self, node, top=False):
        ref = _single_ref(node)
        if ref is not None and not top:
            self.name(ref, self.spec.schemas[ref])
            return {"ref": ref, "nullable": True} if node.get("nullable") else ref
        node = self.spec.resolve(node)
        if "anyOf" in node or "oneOf" in node:
            return {"anyOf": [self.compact(choice) for choice in node.get("anyOf") or node["oneOf"]]}
        properties = self.flattened_properties(node)
        kind = node.get("type") or ("object" if properties is not None else None)
        descriptor = {"type": kind} if kind else {}
        for key in ("format", "enum", "nullable", "maxLength"):
            if key in node:
                descriptor[key] = node[key]
        if node.get("x-ms-enum-flags"):
            descriptor["flags"] = True
        if kind == "array":
            descriptor["items"] = self.compact(node.get("items", {}))
        if properties is not None:
            descriptor["properties"] = {name: self._property(value) for name, value in properties.items()}
            if node.get("additionalProperties"):
                descriptor["additional"] = True
        return descriptor

    def _property(self, node):
        """A property's descriptor; a navigation property (which the service sends only when asked to expand it) is
        marked ``navigation``."""
        descriptor = self.compact(node)
        if node.get("x-ms-navigationProperty"):
            descriptor = dict({"ref": descriptor} if isinstance(descriptor, str) else descriptor, navigation=True)
        return descriptor

    def flattened_properties(self, node):
        """The properties of an object schema and of the schemas it derives from (``allOf``), or None."""
        if "properties" not in node and "allOf" not in node:
            return None
        properties = {}
        for part in node.get("allOf", []):
            properties.update(self.flattened_properties(self.spec.resolve(part)) or {})
        properties.update(node.get("properties", {}))
        return properties


def describe_answer(spec, schema):
    """A short text for what an operation answers: ``Pbx.User``, ``collection of Pbx.User``, ``string value``."""
    if schema is None:
        return None
    name = _single_ref(schema)
    resolved = spec.resolve(schema)
    parts = [spec.resolve(part) for part in resolved.get("allOf", [])] + [resolved]
    values = [part["properties"]["value"] for part in parts if "value" in part.get("properties", {})]
    if name and not values:
        return name
    if values:
        value = values[-1]
        if value.get("type") == "array":
            return "collection of %s" % _type_text(spec, value["items"])
        return "%s value" % _type_text(spec, value)
    return name or _type_text(spec, schema)


def _type_text(spec, node):
    name = _single_ref(node)
    if name:
        return name
    node = spec.resolve(node)
    if node.get("type") == "array":
        return "array of %s" % _type_text(spec, node.get("items", {}))
    return node.get("format") or node.get("type") or "any"


def classify(method, path, operation):
    """The operation's kind: list, get, create, update, delete, function or action."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if method == "get":
        if last.startswith("Pbx.") or operation.get("x-ms-docs-operation-type") in ("function", "functionImport"):
            return "function"
        pages = {"#/components/parameters/top", "$top"} & {p.get("$ref") or p.get("name") for p in operation.get("parameters", [])}
        return "list" if pages else "get"
    if method == "post":
        return "action" if last.startswith("Pbx.") or "/$ref" in path else "create"
    return {"patch": "update", "delete": "delete"}[method]


def _parameter(parameter):
    schema = parameter.get("schema", {})
    entry = {"name": parameter["name"], "in": parameter["in"], "type": schema.get("type", "string")}
    for key in ("format", "nullable"):
        if key in schema:
            entry[key] = schema[key]
    if schema.get("type") == "array":
        entry["items"] = schema.get("items", {}).get("type", "string")
    if parameter.get("required"):
        entry["required"] = True
    return entry


def _read_operation(paths_by_method, path, method):
    """How the module reads what a PATCH or DELETE would change: the GET on the same path, else the
    collection's list filtered on the key (``{"operation": ..., "key": ...}``), else None."""
    if method not in ("patch", "delete"):
        return None
    if (path, "get") in paths_by_method:
        return {"operation": paths_by_method[(path, "get")]}
    match = re.fullmatch(r"(.*)\(\{(\w+)\}\)", path)
    if match and (match.group(1), "get") in paths_by_method:
        return {"operation": paths_by_method[(match.group(1), "get")], "key": match.group(2)}
    return None


def build_table(spec):
    """(operations, schemas) as the table stores them."""
    compactor = SchemaCompactor(spec)
    paths_by_method = {(path, method): op["operationId"] for path, method, op in spec.operations()}
    operations = {}
    for path, method, operation in spec.operations():
        entry = {"method": method.upper(), "path": path, "kind": classify(method, path, operation),
                 "tag": (operation.get("tags") or ["(none)"])[0]}
        parameters = [_parameter(p) for p in spec.parameters(path, operation)]
        if parameters:
            entry["parameters"] = parameters
        body, required = spec.body_schema(operation)
        if body is not None:
            name = _single_ref(body) or spec.resolve(body).get("title") or operation["operationId"] + "RequestBody"
            compactor.name(name, spec.schemas.get(name, body))
            entry["body"] = {"schema": name, "required": required}
        status, answer = spec.success_schema(operation)
        entry["status"] = status
        answer_text = describe_answer(spec, answer)
        if answer_text:
            entry["answer"] = answer_text
        read = _read_operation(paths_by_method, path, method)
        if read:
            entry["read"] = read
        operations[operation["operationId"]] = entry
    return operations, dict(sorted(compactor.named.items()))


def _python_string(name, data):
    """``name = (...)``: ``data`` as compact JSON in string literals of at most _CHUNK characters."""
    text = json.dumps(data, separators=(",", ":"), sort_keys=False, ensure_ascii=True)
    lines = []
    while text:
        lines.append("    %r" % text[:_CHUNK])
        text = text[_CHUNK:]
    return "%s = (\n%s\n)\n" % (name, "\n".join(lines))


def spec_version(path):
    """The XAPI version a spec file is of, from its name (``swagger-20.0.10.yaml``): the spec's own info.version is 1.0.0."""
    match = re.search(r"(\d+\.\d+\.\d+)", os.path.basename(path))
    if not match:
        raise SystemExit("Cannot tell the XAPI version from the file name %s; name it like swagger-20.0.10.yaml." % path)
    return match.group(1)


def render_table(version, operations, schemas):
    return (
        "# -*- coding: utf-8 -*-\n"
        "# Copyright: threecx.pbx contributors\n"
        "# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)\n"
        "# Generated by tools/generate_operations.py from the 3CX XAPI OpenAPI description; do not edit.\n\n"
        '"""The XAPI operation table (%d operations) and request body schemas (%d), as compact JSON.\n\n'
        'Private to the threecx.pbx collection: read it through ``_xapi_operations``."""\n\n'
        "SPEC_VERSION = %r\n\n%s\n%s" % (
            len(operations), len(schemas), version,
            _python_string("OPERATIONS_JSON", operations), _python_string("SCHEMAS_JSON", schemas)))


def entity_properties(spec):
    """For each managed entity type: its properties' JSON types, and which of them are navigation properties."""
    compactor = SchemaCompactor(spec)
    entities = {}
    for name in MANAGED_ENTITY_TYPES:
        properties = compactor.flattened_properties(spec.resolve(spec.schemas[name]))
        types = {}
        for property_name, node in sorted(properties.items()):
            resolved = spec.resolve(node)
            parts = [spec.resolve(part) for part in resolved.get("allOf", [])]
            types[property_name] = resolved.get("type") or next((part.get("type") for part in parts if part.get("type")), "object")
        entities[name] = {"types": types, "navigation": sorted(n for n, node in properties.items() if node.get("x-ms-navigationProperty"))}
    return entities


def render_properties(version, entities):
    return (
        "# -*- coding: utf-8 -*-\n"
        "# Copyright: threecx.pbx contributors\n"
        "# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)\n"
        "# Generated by tools/generate_operations.py from the 3CX XAPI OpenAPI description; do not edit.\n\n"
        '"""The properties of the entity types the declarative modules manage (%d), as compact JSON: for each, the JSON\n'
        "type of every property and the names of its navigation properties (sent only when expanded).\n\n"
        'Private to the threecx.pbx collection: read it through ``_models``."""\n\n'
        "SPEC_VERSION = %r\n\n%s" % (len(entities), version, _python_string("ENTITY_PROPERTIES_JSON", entities)))


def _parameter_text(parameter):
    kind = parameter.get("format") or parameter["type"]
    if parameter["type"] == "array":
        kind = "list of %s" % parameter["items"]
    flags = ", required" if parameter.get("required") else ""
    return "`%s` (%s, %s%s)" % (parameter["name"], parameter["in"], kind, flags)


def render_reference(spec, version, operations):
    """Markdown: every operation by tag, with its kind, method and path, parameters, body and answer."""
    summaries = {operation["operationId"]: operation.get("summary", "") for path, method, operation in spec.operations()}
    by_tag = {}
    for operation_id, entry in operations.items():
        by_tag.setdefault(entry["tag"], []).append(operation_id)
    lines = [
        "# XAPI operations",
        "",
        "Every operation of the 3CX XAPI %s, by tag, as `threecx.pbx.xapi` takes them in `operation`." % version,
        "Generated by `tools/generate_operations.py` from 3CX's OpenAPI description; do not edit.",
        "Path parameters and query options go in `parameters`, the request body in `body`.",
        "",
        "%d operations in %d tags: %s." % (len(operations), len(by_tag),
                                           ", ".join("[%s](#%s)" % (tag, tag.lower()) for tag in sorted(by_tag))),
    ]
    for tag in sorted(by_tag):
        lines += ["", "## %s" % tag, "", "| operation | kind | request | parameters | body | answer |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for operation_id in sorted(by_tag[tag]):
            entry = operations[operation_id]
            parameters = [p for p in entry.get("parameters", []) if p["in"] != "header"]
            body = entry.get("body")
            body_text = "`%s`%s" % (body["schema"], "" if body["required"] else " (optional)") if body else ""
            answer = entry.get("answer")
            answer_text = "%d `%s`" % (entry["status"], answer) if answer else str(entry["status"])
            lines.append("| `%s` | %s | `%s %s` | %s | %s | %s |" % (
                operation_id, entry["kind"], entry["method"], entry["path"].replace("|", "\\|"),
                ", ".join(_parameter_text(p) for p in parameters), body_text, answer_text))
            if summaries[operation_id]:
                lines[-1] = lines[-1].replace("| `%s` |" % operation_id, "| `%s`<br>%s |" % (
                    operation_id, summaries[operation_id].replace("|", "\\|")), 1)
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--spec", default=DEFAULT_SPEC, help="the XAPI OpenAPI description (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a generated file is stale")
    args = parser.parse_args(argv)
    with open(args.spec, "rb") as handle:
        spec = Spec(yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    version = spec_version(args.spec)
    operations, schemas = build_table(spec)
    outputs = {TABLE_PATH: render_table(version, operations, schemas),
               PROPERTIES_PATH: render_properties(version, entity_properties(spec)),
               REFERENCE_PATH: render_reference(spec, version, operations)}
    stale = []
    for path, text in outputs.items():
        current = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                current = handle.read()
        if current == text:
            continue
        stale.append(os.path.relpath(path, ROOT))
        if not args.check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
    if args.check and stale:
        print("Out of date with %s: %s. Run tools/generate_operations.py." % (args.spec, ", ".join(stale)))
        return 1
    print("%d operations, %d body schemas; %s" % (len(operations), len(schemas),
                                                  "updated " + ", ".join(stale) if stale else "up to date"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
