# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Answers to the spec's operations by their kind (see ``model``), from the Inventory's records.

- An entity set lists (with every query option), reads one entity by key or alternate key (404 if none),
  creates (201 with the entity, a new Id for an integer key), updates (PATCH: 204; each property given is
  replaced whole, arrays and complex values too; the key is kept) and deletes (204; 404 if missing; in ETag
  mode 412 for a stale If-Match), as the set's rules (``rules``, ``directory``) say: they may refuse a request
  with a 400 that names the property and a ``WARNINGS.*`` code, as 3CX does.
- A singleton answers its object and takes PATCH like an entity.
- A navigation property (``/Groups(1)/Members``, ``/Defs/Codecs``) answers its collection, which ``$expand``
  also puts into the entity; 404 if the entity is missing.
- A function or action answers what its Result declares: nothing (204), an object, ``{"value": scalar}`` or
  a collection (``{"value": [...]}``), generated once per operation, or the bound entity set's own records
  where the collection is of its type; 404 if the entity it is bound to is missing.  A function's string
  argument must be a quoted literal (or ``null`` where nullable): a malformed one answers 404, as 3CX does.

Every collection in an answer, an ``$expand``ed one too, holds at most ``max_top`` items; a ``$top`` above it
answers 400 or is clamped (the switches ``max_top`` and ``over_top``).  An ``$expand`` may nest its own
``$select``, ``$filter``... and ``$expand`` (``Groups($select=GroupId;$expand=Rights)``): an item's navigation
properties are sent only when expanded.
"""

import dataclasses
import functools
from urllib.parse import quote

from werkzeug.http import parse_etags, quote_etag
from werkzeug.wrappers import Response

from . import spec
from .model import ACTION, COLLECTION, CREATE, DELETE, FUNCTION, GET, LIST, NAVIGATION, NOTHING, OBJECT, SINGLETON_GET, \
    SINGLETON_UPDATE, UPDATE, model
from .odata import EntityQuery, QueryError, key_string
from .replies import ODATA_JSON, Refusal, json_response, odata_error
from .spec import complex_properties, navigation_types
from .store import EntityStore, PreconditionFailed
from .switches import CLAMP


def xapi_warning(target, code, namespace="WARNINGS.XAPI"):
    """3CX's 400 for a refused value: ``<target>:`` and ``WARNINGS.XAPI.<code>`` (or another ``namespace``) on two lines,
    one detail naming the target."""
    return Refusal(target, f"{namespace}.{code}").response()


def missing(owner, key):
    """404 for a key segment naming no record; ``key`` as in ``Id 7`` or ``Number '101'``."""
    return odata_error(404, f"{owner.entity_type} with {key} was not found.")


def context_url(request, fragment):
    """The ``@odata.context`` of an answer: ``<base>/xapi/v1/$metadata#<fragment>``."""
    return f"{request.host_url.rstrip('/')}{spec.API_ROOT}/$metadata#{fragment}"


@functools.lru_cache(maxsize=None)
def item_query(type_name):
    """Query options over the items of a navigation property or a function's answer, of type ``type_name``."""
    properties = complex_properties(type_name) or {}
    return EntityQuery(type_name, properties, "Id" if "Id" in properties else None, navigation_types(type_name), complex_properties)


@dataclasses.dataclass(frozen=True)
class Expansion:
    """An ``$expand``ed navigation property: the query over its items, their ``$select``, the other options and the
    expansions of their own navigation properties."""

    query: EntityQuery
    select: list
    options: dict
    nested: dict


def expansions(query, items):
    """``$expand`` (``items``) over the type of ``query``: navigation property name -> Expansion; QueryError if bad."""
    expanded = {}
    for name, options in query.expand(items).items():
        inner = item_query(query.navigation[name])
        expanded[name] = Expansion(inner, inner.select(options.get("$select")), options, expansions(inner, options.get("$expand")))
    return expanded


def _columns(select, expanded=()):
    """The ``(Id,Name,Groups())`` a context URL gets for ``$select`` and ``$expand``."""
    columns = list(select or []) + [f"{name}()" for name in expanded]
    return f"({','.join(columns)})" if columns else ""


def _structural(owner, body):
    """The properties a request body gives: (structural ones, navigation ones); instance annotations are no properties."""
    fields = {name: value for name, value in body.items() if name in owner.properties}
    navigation = {name: value for name, value in body.items() if name in owner.navigation.schemas}
    return fields, navigation


class Answers:
    """Answers an operation's request from ``inventory``: ``answers(route, request, validation)``."""

    def __init__(self, inventory, switches, etag_mode=False):
        self.inventory = inventory
        self.switches = switches
        self.etag_mode = etag_mode
        self._kinds = {
            LIST: self._list, GET: self._get, CREATE: self._create, UPDATE: self._update, DELETE: self._delete,
            SINGLETON_GET: self._singleton_get, SINGLETON_UPDATE: self._singleton_update,
            NAVIGATION: self._navigation, FUNCTION: self._invoke, ACTION: self._invoke,
        }

    def __call__(self, route, request, validation):
        return self._kinds[route.kind](route, request, validation)

    # Finding the entity a key segment names

    def _locate(self, store, route, validation):
        """``(key, None)`` for the record of ``store`` that the path's key segment names, or ``(None, 404 response)``.

        Raises QueryError (400) for a string key that is not a quoted literal.
        """
        raw = validation.parameters.path[route.key_parameter]
        if route.alternate_key:
            name = route.alternate_key
            value = key_string(name, raw)
            with store.lock:
                key = next((key for key, record in store.records.items() if record.get(name) == value), None)
            label = f"{name} {raw}"
        else:
            key = raw if store.counts_keys else self._key_value(store, raw)
            key, label = (key if key in store.records else None), f"{store.key} {raw}"
        return key, (missing(store, label) if key is None else None)

    @staticmethod
    def _key_value(store, raw):
        # openapi-core has made a UUID of a uuid key (sent bare, as OData writes a Guid); any other string key is quoted.
        if store.properties[store.key] == "Edm.Guid":
            return str(raw)
        return key_string(store.key, raw)

    # Shaping entities

    def _shape(self, owner, record, key, select, expanded, etag=None):
        """The record as the service sends it: an @odata.etag (if given), the selected properties (without ``$select``
        those the owner does not leave out), the ``expanded`` navigation properties."""
        shaped = {} if etag is None else {"@odata.etag": quote_etag(etag, weak=True)}
        omitted = owner.omitted_by_default() if select is None else ()
        shaped.update((name, value) for name, value in record.items() if (name not in omitted if select is None else name in select))
        for name, expansion in expanded.items():
            self._expand(shaped, name, owner.navigation.get(key, name), expansion)
        return shaped

    def _expand(self, shaped, name, value, expansion):
        """Navigation property ``name`` put into ``shaped``, of ``value`` as ``expansion`` says (nothing for no value)."""
        if isinstance(value, list):
            count, page = self._evaluate(expansion.query, value, expansion.options)
            if expansion.options.get("$count"):
                shaped[f"{name}@odata.count"] = count
            shaped[name] = [self._item(item, expansion.select, expansion.nested, expansion.query) for item in page]
        elif value is not None:
            shaped[name] = self._item(value, expansion.select, expansion.nested, expansion.query)

    def _item(self, item, select, expanded, query):
        """An item of a navigation property or of a function's collection (of ``query``'s type): its selected
        properties, its navigation properties only if ``expanded``."""
        if not isinstance(item, dict):
            return item
        shaped = {name: value for name, value in item.items() if name not in query.navigation and (select is None or name in select)}
        for name, expansion in expanded.items():
            self._expand(shaped, name, item.get(name), expansion)
        return shaped

    def _etag(self, store, record):
        return store.etag(record) if self.etag_mode else None

    def _evaluate(self, query, items, options):
        """``query.evaluate`` of ``items``, a page at most ``max_top`` long, a larger ``$top`` refused or clamped (``over_top``)."""
        switches = self.switches.values
        return query.evaluate(items, options, switches["max_top"], switches["over_top"] == CLAMP)

    def _collection(self, request, fragment, query, items, options, shape=None):
        """A collection answer: ``items`` through the query ``options``, each item on the page shaped by
        ``shape(item, select, expanded)`` (by default as an item of ``query``'s type, see ``_item``)."""
        expanded = expansions(query, options.get("$expand"))
        select = query.select(options.get("$select"))
        shape = shape or functools.partial(self._item, query=query)
        body = {"@odata.context": context_url(request, fragment + _columns(select, expanded))}
        count, page = self._evaluate(query, items, options)
        if options.get("$count"):
            body["@odata.count"] = count
        body["value"] = [shape(item, select, expanded) for item in page]
        return json_response(body, content_type=ODATA_JSON)

    def _records(self, request, store, options):
        """A collection answer of the records of ``store``."""
        def shape(record, select, expanded):
            return self._shape(store, record, record.get(store.key), select, expanded, self._etag(store, record))
        # The live records, not copies: only the page is copied, as it is shaped (with 50,000 records that matters).
        with store.lock:
            return self._collection(request, store.name, store.query, store.records.values(), options, shape)

    # Entity sets

    def _list(self, route, request, validation):
        return self._records(request, self.inventory.entity_set(route.target), validation.parameters.query)

    def _get(self, route, request, validation):
        options = validation.parameters.query
        store = self.inventory.entity_set(route.target)
        select = store.query.select(options.get("$select"))
        expanded = expansions(store.query, options.get("$expand"))
        key, refusal = self._locate(store, route, validation)
        if refusal:
            return refusal
        with store.lock:
            return self._entity_response(request, store, key, select, expanded)

    def _entity_response(self, request, store, key, select=None, expanded=None, status=200, headers=None):
        """The entity ``key`` of ``store`` (whose lock the caller holds), with an ETag header in ETag mode."""
        record, expanded = store.records[key], expanded or {}
        body = {"@odata.context": context_url(request, f"{store.name}{_columns(select, expanded)}/$entity")}
        body.update(self._shape(store, record, key, select, expanded, self._etag(store, record)))
        headers = dict(headers or {}, **({"ETag": body["@odata.etag"]} if self.etag_mode else {}))
        return json_response(body, status, headers, ODATA_JSON)

    def _create(self, route, request, validation):
        store, rules = self.inventory.entity_set(route.target), self.inventory.rules(route.target)
        fields, navigation = _structural(store, request.get_json())
        if store.counts_keys:
            fields.pop(store.key, None)  # the PBX numbers its records
        with store.lock:
            try:
                key = rules.create(fields, navigation)[store.key]
            except Refusal as refusal:
                return refusal.response()
            literal = quote(_key_literal(store, key), safe="'")
            location = f"{request.host_url.rstrip('/')}{spec.API_ROOT}/{store.name}({literal})"
            return self._entity_response(request, store, key, rules.created_properties, status=201, headers={"Location": location})

    def _update(self, route, request, validation):
        store, rules = self.inventory.entity_set(route.target), self.inventory.rules(route.target)
        key, refusal = self._locate(store, route, validation)
        if refusal:
            return refusal
        fields, navigation = _structural(store, request.get_json())
        fields.pop(store.key, None)  # what 3CX makes of a new key is unknown: the record keeps its own
        with store.lock:
            try:
                rules.update(key, fields, navigation)
            except Refusal as refusal:
                return refusal.response()
        return Response(status=204)

    def _delete(self, route, request, validation):
        store = self.inventory.entity_set(route.target)
        key, refusal = self._locate(store, route, validation)
        if refusal:
            return refusal
        wanted = parse_etags(request.headers["If-Match"]) if self.etag_mode and "If-Match" in request.headers else None

        def precondition(record):
            return wanted is None or wanted.contains_weak(store.etag(record))
        try:
            deleted = self.inventory.rules(route.target).delete(key, precondition)
        except PreconditionFailed:
            return odata_error(412, f"The If-Match ETag does not match the current version of {store.entity_type} {key}.")
        except Refusal as refusal:
            return refusal.response()
        return Response(status=204) if deleted else missing(store, f"{store.key} {key}")

    # Singletons and navigation properties

    def _singleton_get(self, route, request, validation):
        singleton = self.inventory.singleton(route.target)
        options = validation.parameters.query
        select = singleton.query.select(options.get("$select"))
        expanded = expansions(singleton.query, options.get("$expand"))
        body = {"@odata.context": context_url(request, singleton.name + _columns(select, expanded))}
        with singleton.lock:
            body.update(self._shape(singleton, singleton.record, None, select, expanded))
        return json_response(body, content_type=ODATA_JSON)

    def _singleton_update(self, route, request, validation):
        singleton = self.inventory.singleton(route.target)
        fields, navigation = _structural(singleton, request.get_json(silent=True) or {})
        with singleton.lock:
            singleton.modify(**fields)
            for name, value in navigation.items():
                singleton.navigation.set(None, name, value)
        return Response(status=204)

    def _owner(self, route, validation):
        """(owner, key, None) for what a navigation property, function or action belongs to, or (.., .., a 404 response).

        The owner is an entity set's store (and the key of the entity a key segment names), a singleton or None
        (an unbound operation, or one bound to an entity set the spec lists no operation of, like ``ReportAuditLog``).
        """
        if route.target in model().singletons:
            return self.inventory.singleton(route.target), None, None
        if route.target not in model().entity_sets:
            return None, None, None
        store = self.inventory.entity_set(route.target)
        key, refusal = (None, None) if route.key_parameter is None else self._locate(store, route, validation)
        return store, key, refusal

    def _navigation(self, route, request, validation):
        owner, key, refusal = self._owner(route, validation)
        if refusal:
            return refusal
        segment = route.target if key is None else f"{route.target}({validation.parameters.path[route.key_parameter]})"
        query = item_query(owner.navigation.item_types[route.navigation])
        with owner.lock:
            items = owner.navigation.get(key, route.navigation)
            return self._collection(request, f"{segment}/{route.navigation}", query, items, validation.parameters.query)

    # Functions and actions

    def _invoke(self, route, request, validation):
        owner, key, refusal = self._owner(route, validation)
        if refusal:
            return refusal
        malformed = _malformed_argument(route, validation.parameters.path)
        if malformed:
            return odata_error(404, f"The argument {malformed} of {route.operation_id} is not a valid literal of its type.")
        result = route.result
        if result.kind == NOTHING:
            return Response(status=204)
        same_type = isinstance(owner, EntityStore) and result.type_name == owner.entity_type
        if result.kind == COLLECTION and same_type:
            return self._records(request, owner, validation.parameters.query)
        if result.kind == COLLECTION:
            fragment = f"Collection({result.type_name})"
            return self._collection(request, fragment, item_query(result.type_name), self.inventory.answer(route), validation.parameters.query)
        if result.kind == OBJECT and same_type and key is not None:
            with owner.lock:
                return self._entity_response(request, owner, key)
        answer = self.inventory.answer(route)
        if result.kind == OBJECT and not isinstance(answer, dict):
            return json_response(answer, content_type=ODATA_JSON)  # an enumeration member, bare as the spec has it
        body = {"@odata.context": context_url(request, result.type_name)}
        body.update(answer if result.kind == OBJECT else {"value": answer})
        return json_response(body, content_type=ODATA_JSON)


def _key_literal(store, key):
    """A record's key as a URL writes it: bare if a number or a GUID, else quoted, a quote doubled."""
    if store.counts_keys or store.properties[store.key] == "Edm.Guid":
        return str(key)
    return "'" + key.replace("'", "''") + "'"


def _malformed_argument(route, path):
    """``name=value`` of a function's first string argument that is neither a quoted literal nor a permitted null."""
    for name, schema in route.arguments:
        raw = path.get(name)
        if schema.get("type") != "string" or "format" in schema or not isinstance(raw, str):
            continue
        if raw == "null" and schema.get("nullable"):
            continue
        try:
            key_string(name, raw)
        except QueryError:
            return f"{name}={raw}"
    return None
