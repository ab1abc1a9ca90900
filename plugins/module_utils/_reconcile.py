# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The reconcile engine of the declarative modules. Private to the threecx.pbx collection: no stable API.

An entity is described once, by a :class:`Model` (see ``_models``): its entity set, its natural keys, and its
options, each an object that maps one module option to XAPI:

- :class:`Field`: a scalar option and its property (a snake_case choice may stand for a 3CX enumeration value);
  ``secret`` ones are write-only: never read, never shown, sent on create and, with ``update_password: always``,
  on every run;
- :class:`Reference`: an option that names another entity by its natural key; the property holds that entity's Id
  (or its key), resolved before anything is written, so an unknown name fails the task before any write;
- :class:`ItemList`: a list option of sub-records (a user's departments, a queue's agents), read with ``$expand``
  and written whole (3CX replaces a list property whole on PATCH); ``<option>_mode`` (``set``, ``add``, ``remove``)
  says whether the list given is the whole list or items to add or remove.

The engine reads the record by its natural key with an explicit ``$select`` (never a secret), turns it into option
names (the same shape a module takes, so what is read can be fed back), compares it with what the task asks for,
and writes only the properties that differ. Everything that can be checked (references, list rules, keys) is
checked before the first write.
"""

import copy

from ansible_collections.threecx.pbx.plugins.module_utils._entities import CHUNK_SIZE, EntitySet
from ansible_collections.threecx.pbx.plugins.module_utils._odata import chunks, entity_path, id_filter, quote_literal

SECRET_MASK = "********"
LIST_MODES = ("set", "add", "remove")


class ReconcileError(Exception):
    """A check that failed before anything was written, or a write the PBX refused; ``str()`` is the whole message."""


def _get_path(record, path):
    """The value at a dotted ``path`` (``Rights.RoleName``) of a record; None where any part is missing."""
    value = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _set_path(record, path, value):
    parts = path.split(".")
    for part in parts[:-1]:
        record = record.setdefault(part, {})
    record[parts[-1]] = value


class Field:
    """A scalar option ``option`` and the XAPI property ``prop`` it maps to.

    ``choices`` maps the option's values to 3CX's (``{"longest_waiting": "LongestWaiting"}``); ``secret``: write-only.
    """

    def __init__(self, option, prop, kind="str", choices=None, secret=False):
        self.option = option
        self.prop = prop
        self.kind = kind
        self.choices = choices
        self.secret = secret

    def argument(self):
        spec = {"type": self.kind}
        if self.choices:
            spec["choices"] = list(self.choices)
        if self.secret:
            spec["no_log"] = True
        return spec

    def read_props(self):
        return [] if self.secret else [self.prop]

    def from_xapi(self, record, resolver):
        value = record.get(self.prop)
        if self.choices and value is not None:
            return next((option for option, xapi in self.choices.items() if xapi == value), value)
        return value

    def to_xapi(self, value, resolver):
        return self.choices[value] if self.choices and value is not None else value


class Reference(Field):
    """An option naming an entity of ``target`` (a Model) by its natural key; the property holds that entity's Id."""

    def __init__(self, option, prop, target, member_of=None):
        super().__init__(option, prop)
        self.target = target
        # The name of an ItemList option whose items must include the one named here (a primary department).
        self.member_of = member_of

    def from_xapi(self, record, resolver):
        return resolver.key_of(self.target, record.get(self.prop))

    def to_xapi(self, value, resolver):
        return None if value is None else resolver.id_of(self.target, value)

    def references(self, value):
        return [] if value is None else [value]


class ItemField:
    """One field of the items of an ItemList: read at ``read_path`` of an item as the PBX lists it, written at
    ``write_path`` (default: the same). With ``reference`` (a Model), the value names an entity of it, and the Id of
    that entity is written."""

    def __init__(self, option, read_path, write_path=None, reference=None, default=None, choices=None, kind="str"):
        self.option = option
        self.read_path = read_path
        self.write_path = write_path or read_path
        self.reference = reference
        self.default = default
        self.choices = choices
        self.kind = kind

    def argument(self):
        spec = {"type": self.kind}
        if self.default is not None:
            spec["default"] = self.default
        if self.choices:
            spec["choices"] = list(self.choices)
        return spec


class ItemList:
    """A list option of sub-records, read with ``$expand=<expand>`` and written whole to ``prop``.

    ``key`` is the item field that tells items apart (for ``add`` and ``remove``); ``ordered``: whether order
    counts; ``min_items``: fewer is refused before any write, with ``min_items_reason``.
    """

    def __init__(self, option, prop, items, key, expand, ordered=False, min_items=0, min_items_reason=None):
        self.option = option
        self.prop = prop
        self.items = items
        self.key = key
        self.expand = expand
        self.ordered = ordered
        self.min_items = min_items
        self.min_items_reason = min_items_reason
        self.secret = False

    @property
    def mode_option(self):
        return self.option + "_mode"

    def argument(self):
        options = dict((item.option, item.argument()) for item in self.items)
        options[self.key]["required"] = True  # an item that does not say which it is cannot be matched nor written
        return {"type": "list", "elements": "dict", "options": options}

    def read_props(self):
        return []

    def from_xapi(self, record, resolver):
        rows = record.get(self.prop)
        if rows is None:
            return None
        for row in rows:
            for item in self.items:
                if item.reference is not None and item.write_path != item.read_path:
                    # A row names its entity both ways (GroupId and Name): the Id need not be looked up again.
                    resolver.note(item.reference, _get_path(row, item.read_path), _get_path(row, item.write_path))
        return self.canonical([dict((item.option, _get_path(row, item.read_path)) for item in self.items) for row in rows])

    def to_xapi(self, value, resolver):
        written = []
        for entry in value:
            row = {}
            for item in self.items:
                item_value = entry.get(item.option)
                if item.reference is not None:
                    item_value = resolver.id_of(item.reference, item_value)
                _set_path(row, item.write_path, item_value)
            written.append(row)
        return written

    def canonical(self, entries):
        """``entries`` with defaults filled in, in the order that comparisons use."""
        filled = [dict((item.option, entry.get(item.option) if entry.get(item.option) is not None else item.default)
                       for item in self.items) for entry in entries]
        return filled if self.ordered else sorted(filled, key=lambda entry: str(entry[self.key]))

    def desired(self, given, mode, current):
        """The whole list the task asks for: ``given`` as it is (``set``), or added to or removed from ``current``."""
        given = self.canonical(given)
        if mode == "set":
            return given
        given_keys = [entry[self.key] for entry in given]
        kept = [entry for entry in current or [] if entry[self.key] not in given_keys]
        return self.canonical(kept + given) if mode == "add" else self.canonical(kept)

    def references(self, value):
        return [(item.reference, entry[item.option]) for entry in value or [] for item in self.items
                if item.reference is not None and entry.get(item.option) is not None]


class Model:
    """An entity the declarative modules manage; see the module docstring.

    ``keys`` are the natural-key Fields, the first the primary one (immutable on the PBX), the others alternates a
    record can be found by; ``options`` the other Fields, References and ItemLists; ``read_only`` the XAPI properties
    that the PBX computes or fills in, which ``properties`` may not set; ``scope`` a ``$filter`` every listing
    carries (records outside it, such as favourites departments, do not exist for the modules).
    """

    # Whether the module takes ``rename_from`` (the key of the record that is to get the key given).
    renamable = False
    # Module arguments particular to this entity (such as a department's ``force``).
    extra_arguments = {}

    def __init__(self, name, entity_set, entity_type, keys, options, read_only=(), scope=None, order_by=None,
                 extra_select=(), first_free=None):
        self.name = name
        self.entity_set = EntitySet(entity_set, entity_type.split(".")[-1])
        self.entity_type = entity_type
        self.keys = keys
        self.options = options
        self.read_only = frozenset(read_only)
        self.scope = scope
        self.order_by = order_by or keys[0].prop
        # Properties read for the model's own rules (a department's IsDefault), not options.
        self.extra_select = tuple(extra_select)
        # (path, operationId) of the function that answers the first free value of the primary key, when the PBX
        # assigns it: a record created without its key gets that one (3CX may refuse a create without it).
        self.first_free = first_free

    @property
    def key(self):
        return self.keys[0]

    @property
    def fields(self):
        return list(self.keys) + list(self.options)

    @property
    def secrets(self):
        return [field for field in self.options if field.secret]

    def option(self, name):
        return next(field for field in self.fields if field.option == name)

    def select(self, extra=()):
        """The ``$select`` of every read: the Id, the keys and the options' properties, never a secret."""
        props = ["Id"]
        for field in self.fields:
            props.extend(prop for prop in field.read_props() if prop not in props)
        props.extend(prop for prop in self.extra_select + tuple(extra) if prop not in props)
        return props

    def expand(self):
        lists = [field.expand for field in self.options if isinstance(field, ItemList)]
        return ",".join(lists) or None

    def scoped(self, expression):
        if self.scope is None:
            return expression
        return self.scope if expression is None else "(%s) and (%s)" % (self.scope, expression)

    def key_filter(self, field, values):
        return " or ".join("%s eq %s" % (field.prop, quote_literal(value)) for value in values)

    def to_options(self, record, resolver, properties=()):
        """A record as read, in the module's option names (no secret); ``properties`` adds those raw XAPI properties."""
        options = dict((field.option, field.from_xapi(record, resolver)) for field in self.fields if not field.secret)
        if properties:
            options["properties"] = dict((name, record.get(name)) for name in properties)
        return options

    def check(self, desired, current):
        """Entity rules to check before writing: a list of problems (none by default)."""
        return []

    def prepare_delete(self, engine, record, params):
        """What deleting ``record`` takes besides its DELETE, checked before anything is written: a DeletePlan."""
        return DeletePlan()


class DeletePlan:
    """Writes that must come before a DELETE (none here), what they add to the result, and how messages tell of them."""

    result = {}

    def run(self, engine, result):
        """Carry out the writes before the DELETE, noting what was done in ``result``."""

    def summary(self, check_mode):
        return ""

    def failure_hint(self):
        return ""


class Resolver:
    """Natural keys of referenced entities to Ids and back, read once per run and kept.

    ``id_of`` and ``key_of`` answer from what ``load`` (by keys) or ``remember`` put in; ``missing`` lists the keys that
    do not exist, so that every dangling reference of a task is reported at once.
    """

    def __init__(self, client):
        self.client = client
        self._ids = {}
        self._keys = {}

    def remember(self, model, record):
        self.note(model, record.get(model.key.prop), record["Id"])

    def note(self, model, key, record_id):
        if key is None or record_id is None:
            return
        self._ids.setdefault(model.name, {})[key] = record_id
        self._keys.setdefault(model.name, {})[record_id] = key

    def load(self, model, keys):
        """Read the records of ``model`` with these natural keys (those not known yet); returns the keys that do not exist."""
        known = self._ids.get(model.name, {})
        wanted = [key for key in dict.fromkeys(keys) if key not in known]
        for chunk in chunks(wanted, CHUNK_SIZE):
            for record in self.client.iter_collection(model.entity_set.path, model.entity_set.list_operation, {
                    "$filter": model.scoped(model.key_filter(model.key, chunk)), "$select": ["Id", model.key.prop]}):
                self.remember(model, record)
        known = self._ids.get(model.name, {})
        return [key for key in dict.fromkeys(keys) if key not in known]

    def load_ids(self, model, ids):
        unknown = [record_id for record_id in dict.fromkeys(ids) if record_id not in self._keys.get(model.name, {})]
        for chunk in chunks(unknown, CHUNK_SIZE):
            for record in self.client.iter_collection(model.entity_set.path, model.entity_set.list_operation, {
                    "$filter": id_filter(chunk), "$select": ["Id", model.key.prop]}):
                self.remember(model, record)

    def id_of(self, model, key):
        return self._ids[model.name][key]

    def key_of(self, model, record_id):
        if record_id is None:
            return None
        if record_id not in self._keys.get(model.name, {}):
            self.load_ids(model, [record_id])
        return self._keys.get(model.name, {}).get(record_id)


class Engine:
    """Reads, compares and writes the records of one model through ``client``."""

    def __init__(self, client, model, resolver=None):
        self.client = client
        self.model = model
        self.resolver = resolver or Resolver(client)

    # -- reading ---------------------------------------------------------------------------------------------------

    def list(self, expression=None, properties=(), order_by=None):
        """The records (as read) in scope that match ``expression``, a page of 100 at a time, in a stable order."""
        model = self.model
        query = {"$filter": model.scoped(expression), "$select": model.select(properties), "$expand": model.expand(),
                 "$orderby": [order_by or model.order_by]}
        records = list(self.client.iter_collection(model.entity_set.path, model.entity_set.list_operation, query))
        for record in records:
            self.resolver.remember(model, record)
        return records

    def find(self, field, value, properties=()):
        """The records whose ``field`` is ``value`` (a list: an alternate key such as an e-mail may be shared)."""
        return self.list(self.model.key_filter(field, [value]), properties)

    def read(self, record_id, properties=()):
        """One record by Id, as the PBX holds it now; None if it is gone."""
        records = self.list(id_filter([record_id]), properties)
        return records[0] if records else None

    def options_of(self, record, properties=()):
        return self.model.to_options(record, self.resolver, properties)

    # -- deciding --------------------------------------------------------------------------------------------------

    def desired(self, params, current):
        """The options the task asks for, in the shape of ``options_of``: what is not given keeps its current value."""
        desired = dict(current or {})
        for field in self.model.fields:
            value = params.get(field.option)
            if isinstance(field, ItemList):
                if value is not None:
                    desired[field.option] = field.desired(value, params.get(field.mode_option) or "set",
                                                          (current or {}).get(field.option))
            elif value is not None and not field.secret:
                desired[field.option] = value
        if params.get("properties"):
            desired["properties"] = dict((current or {}).get("properties") or {}, **params["properties"])
        return desired

    def unknown_references(self, desired):
        """Load every entity ``desired`` names; the problems, one per name that does not exist (all of them at once)."""
        wanted = {}
        for field in self.model.options:
            if isinstance(field, Reference):
                wanted.setdefault(field.target.name, (field.target, []))[1].extend(field.references(desired.get(field.option)))
            elif isinstance(field, ItemList):
                for target, key in field.references(desired.get(field.option)):
                    wanted.setdefault(target.name, (target, []))[1].append(key)
        problems = []
        for target, keys in wanted.values():
            problems.extend("unknown %s %s" % (target.name, quote_literal(key)) for key in self.resolver.load(target, keys))
        return problems

    def rule_problems(self, desired, current):
        """What ``desired`` breaks of the model's rules (list sizes, members, the model's own checks)."""
        problems = []
        for field in self.model.options:
            value = desired.get(field.option)
            if isinstance(field, ItemList) and value is not None and len(value) < field.min_items:
                problems.append(field.min_items_reason or "%s needs at least %d items" % (field.option, field.min_items))
            if isinstance(field, Reference) and field.member_of and value is not None:
                members = [entry[self.model.option(field.member_of).key] for entry in desired.get(field.member_of) or []]
                if value not in members:
                    problems.append("%s %s must be one of %s (%s)" % (
                        field.option, quote_literal(value), field.member_of, ", ".join(quote_literal(m) for m in members) or "none"))
        problems.extend(self.model.check(desired, current))
        return problems

    def changes(self, desired, current, params, creating):
        """The options whose value differs (all that are given, on create), and the secrets to send."""
        changed = [field.option for field in self.model.fields if not field.secret and field.option in desired
                   and (creating or desired.get(field.option) != (current or {}).get(field.option))
                   and desired.get(field.option) is not None]
        secrets = [field.option for field in self.model.secrets if params.get(field.option) is not None
                   and (creating or params.get("update_password") == "always")]
        properties = dict((name, value) for name, value in (params.get("properties") or {}).items()
                          if creating or _differs(value, ((current or {}).get("properties") or {}).get(name)))
        return changed, secrets, properties

    def body(self, options, desired, params, properties, current_record=None):
        """The XAPI body that writes ``options`` (names) with their desired values, the secrets of ``params`` and ``properties``."""
        body = {}
        for name in options:
            field = self.model.option(name)
            value = params[name] if field.secret else desired[name]
            body[field.prop] = field.to_xapi(value, self.resolver)
        for name, value in properties.items():
            current_value = (current_record or {}).get(name)
            # A complex value is sent whole, what is given laid over what is read: the same result whether the PBX
            # merges a nested object or replaces it.
            body[name] = _overlay(current_value, value) if isinstance(value, dict) else value
        return body

    def first_free_key(self):
        """The PBX's first free value of the primary key (``{"Number": "102"}`` answers ``"102"``)."""
        path, operation = self.model.first_free
        return self.client.get(path, operation).data.get(self.model.key.prop)

    # -- writing ---------------------------------------------------------------------------------------------------

    def create(self, body):
        return self.client.request("POST", self.model.entity_set.path, "Create" + self.model.entity_set.entity, json=body).data

    def update(self, record_id, body):
        self.client.request("PATCH", self.model.entity_set.key_path(record_id), "Update" + self.model.entity_set.entity, json=body)

    def delete(self, record_id):
        self.client.delete(entity_path(self.model.entity_set.name, record_id), self.model.entity_set.delete_operation)


def _differs(desired, current):
    """Whether ``desired`` (as given in ``properties``) differs from ``current``: a dict only by the keys it gives."""
    if isinstance(desired, dict) and isinstance(current, dict):
        return any(_differs(value, current.get(name)) for name, value in desired.items())
    return desired != current


def _overlay(current, desired):
    merged = copy.deepcopy(current) if isinstance(current, dict) else {}
    for name, value in desired.items():
        merged[name] = _overlay(merged.get(name), value) if isinstance(value, dict) else value
    return merged


def masked(options, secrets):
    """``options`` with each of ``secrets`` (option names) shown as ``********``: for diffs, which never carry a secret."""
    shown = dict(options)
    shown.update((name, SECRET_MASK) for name in secrets)
    return shown
