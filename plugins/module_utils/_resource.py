# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The declarative modules' shell: a model's options as module arguments, ``state: present|absent`` on the engine.

Private to the threecx.pbx collection: no stable API. A module such as ``threecx.pbx.user`` is
``ResourceModule(USERS).run()``; what is particular to an entity lives in its model (``_models``).
"""

from ansible_collections.threecx.pbx.plugins.module_utils._client import XapiError
from ansible_collections.threecx.pbx.plugins.module_utils._models import property_problems, who_holds
from ansible_collections.threecx.pbx.plugins.module_utils._module import XapiModule
from ansible_collections.threecx.pbx.plugins.module_utils._odata import quote_literal
from ansible_collections.threecx.pbx.plugins.module_utils._reconcile import (
    LIST_MODES,
    Engine,
    ItemList,
    ReconcileError,
    masked,
)


def argument_spec(model):
    """The module arguments of ``model``: its keys and options, ``<list>_mode`` beside each list, ``update_password``
    when it has secrets, ``rename_from`` when it can be renamed, ``properties``, ``state`` and the model's own extras."""
    spec = {}
    for field in model.fields:
        spec[field.option] = field.argument()
        if isinstance(field, ItemList):
            spec[field.mode_option] = {"type": "str", "choices": list(LIST_MODES), "default": "set"}
    if len(model.keys) == 1:
        spec[model.key.option]["required"] = True
    if model.secrets:
        spec["update_password"] = {"type": "str", "choices": ["on_create", "always"], "default": "on_create", "no_log": False}
    if model.renamable:
        spec["rename_from"] = {"type": "str"}
    spec["properties"] = {"type": "dict"}
    spec["state"] = {"type": "str", "choices": ["present", "absent"], "default": "present"}
    spec.update(model.extra_arguments)
    return spec


class ResourceModule(XapiModule):
    """One record of ``model``, made to be as the task says (``present``) or gone (``absent``)."""

    def __init__(self, model):
        keys = [key.option for key in model.keys]
        super().__init__(argument_spec=argument_spec(model), required_one_of=[keys] if len(keys) > 1 else None,
                         supports_check_mode=True)
        self.model = model
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            self._engine = Engine(self.client, self.model)
        return self._engine

    def run(self):
        params = self.params
        problems = property_problems(self.model, params["properties"])
        if problems:
            self.fail_json(msg="%s: %s; nothing was written." % (self.label(), "; ".join(problems)), changed=False)
        result = {"changed": False, self.model.name: {}}
        try:
            if params["state"] == "present":
                self.present(result)
            else:
                self.absent(result)
        except ReconcileError as error:
            self.fail_json(msg=str(error), **result)
        except XapiError as error:
            self.fail_json(msg="%s: %s" % (self.label(), error.message), **result)
        self.exit_json(**result)

    # -- finding the record ----------------------------------------------------------------------------------------

    def label(self, options=None):
        """How messages name the record: ``User '101'``, or by the key given when it has no number yet."""
        options = options or self.params
        key = next((key for key in self.model.keys if options.get(key.option) is not None), self.model.key)
        return "%s %s %s" % (self.model.name.capitalize(), key.option, quote_literal(options.get(key.option)))

    def properties_read(self):
        return sorted(self.params["properties"] or {})

    def locate(self):
        """The record the task is about (as read), or None; fails when the keys given name different records."""
        params, model = self.params, self.model
        for key in model.keys:
            if params.get(key.option) is None:
                continue
            found = self.engine.find(key, params[key.option], self.properties_read())
            if len(found) > 1:
                raise ReconcileError("%s matches %d %ss: %s. Name it by %s." % (
                    self.label(), len(found), model.name, ", ".join(
                        "%s %s" % (model.key.option, quote_literal(record.get(model.key.prop))) for record in found),
                    model.key.option))
            if not found:
                continue
            record = found[0]
            primary = params.get(model.key.option)
            if key is not model.key and primary is not None and record.get(model.key.prop) != primary:
                raise ReconcileError("%s is %s %s, not %s: a %s's %s cannot change on the PBX; nothing was written." % (
                    self.label(), model.key.option, quote_literal(record.get(model.key.prop)), quote_literal(primary),
                    model.name, model.key.option))
            return record
        return None

    def locate_renamed(self):
        """With ``rename_from``: the record named so, which becomes the record named by the key; fails if both exist."""
        record = self.locate()
        old_name = self.params.get("rename_from")
        if not old_name or old_name == self.params[self.model.key.option]:
            return record
        old = self.engine.find(self.model.key, old_name, self.properties_read())
        if record is not None and old:
            raise ReconcileError("Cannot rename %s %s to %s: both exist; nothing was written." % (
                self.model.name, quote_literal(old_name), quote_literal(self.params[self.model.key.option])))
        return record if record is not None else (old[0] if old else None)

    # -- present ---------------------------------------------------------------------------------------------------

    def present(self, result):
        params, model, engine = self.params, self.model, self.engine
        record = self.locate_renamed() if model.renamable else self.locate()
        current = None if record is None else engine.options_of(record, self.properties_read())
        desired = engine.desired(params, current)
        if record is None and desired.get(model.key.option) is None and model.first_free:
            desired[model.key.option] = engine.first_free_key()
        self.check(desired, current)
        changed, secrets, properties = engine.changes(desired, current, params, creating=record is None)
        shown = masked(desired, secrets)
        result[model.name] = dict(current or {})
        if not (changed or secrets or properties):
            result["msg"] = "%s is as asked: nothing to change." % self.label(current)
            return
        result.update(changed=True, changes=sorted(changed + secrets + list(properties)))
        if self._diff:
            result["diff"] = {"before": current or {}, "after": shown}
        if self.check_mode:
            result[model.name] = shown
            result["msg"] = "%s would be %s." % (self.label(desired), "created" if record is None else "updated")
            return
        if record is None:
            record_id = self.create(desired, changed, secrets, params, properties)
        else:
            record_id = record["Id"]
            self.update(record, current, desired, changed, secrets, params, properties)
        after = engine.read(record_id, self.properties_read())
        result[model.name] = engine.options_of(after, self.properties_read()) if after else {}
        if self._diff:
            result["diff"]["after"] = masked(result[model.name], secrets)
        result["msg"] = "%s %s." % (self.label(result[model.name] or desired), "created" if record is None else "updated")

    def check(self, desired, current):
        """Fail, before anything is written, on every rule ``desired`` breaks and every entity it names that does not exist.

        In check mode a missing entity is a warning: an earlier task of the same dry run (which creates nothing) may be
        the one that creates it.
        """
        unknown = self.engine.unknown_references(desired)
        problems = self.engine.rule_problems(desired, current)
        if unknown and self.check_mode:
            self.warn("%s: %s. The task would fail unless an earlier task creates it." % (self.label(desired), "; ".join(unknown)))
        elif unknown:
            problems = unknown + problems
        if problems:
            raise ReconcileError("%s: %s; nothing was written." % (self.label(desired), "; ".join(problems)))

    def create(self, desired, changed, secrets, params, properties):
        body = self.engine.body(changed + secrets, desired, params, properties)
        try:
            created = self.engine.create(body)
        except XapiError as error:
            raise ReconcileError("%s was not created: %s%s" % (self.label(desired), error.message, self.holder(error, body)))
        return created["Id"]

    def holder(self, error, body):
        holder = who_holds(self.client, error, body)
        return " (%s)." % holder if holder else ""

    def update(self, record, current, desired, changed, secrets, params, properties):
        """One PATCH, or up to three where an option must be written before or after a list it depends on."""
        phases = {"before": [], "with": [], "after": []}
        for name in changed + secrets:
            phases[self.phase(name, current, desired, changed)].append(name)
        done = []
        for names, extra in ((phases["before"], {}), (phases["with"], properties), (phases["after"], {})):
            if not (names or extra):
                continue
            body = self.engine.body(names, desired, params, extra, record)
            try:
                self.engine.update(record["Id"], body)
            except XapiError as error:
                raise ReconcileError("%s: %s%s%s" % (self.label(current), error.message, self.holder(error, body), (
                    " %s were written first; %s were not." % (", ".join(done), ", ".join(names + sorted(extra))))
                    if done else " Nothing was written."))
            done.extend(names + sorted(extra))

    def phase(self, name, current, desired, changed):
        """When option ``name`` is written relative to the list option its value must belong to (a primary department
        must be one of the user's departments, which 3CX checks): after the list when the value is new to it, before the
        list when the list drops the current value, else with everything else."""
        field = self.model.option(name)
        member_of = getattr(field, "member_of", None)
        if member_of is None or member_of not in changed:
            return "with"
        key = self.model.option(member_of).key
        if desired[name] not in [entry[key] for entry in current.get(member_of) or []]:
            return "after"
        if current.get(name) not in [entry[key] for entry in desired.get(member_of) or []]:
            return "before"
        return "with"

    # -- absent ----------------------------------------------------------------------------------------------------

    def absent(self, result):
        model, engine = self.model, self.engine
        record = self.locate()
        if record is None:
            result["msg"] = "%s does not exist." % self.label()
            return
        current = engine.options_of(record)
        result[model.name] = current
        plan = model.prepare_delete(engine, record, self.params)
        result.update(plan.result)
        result["changed"] = True
        if self._diff:
            result["diff"] = {"before": current, "after": {}}
        if self.check_mode:
            result["msg"] = "%s would be deleted.%s" % (self.label(current), plan.summary(check_mode=True))
            return
        plan.run(engine, result)
        try:
            engine.delete(record["Id"])
        except XapiError as error:
            raise ReconcileError("%s was not deleted: %s.%s" % (self.label(current), error.message, plan.failure_hint()))
        result["msg"] = "%s deleted.%s" % (self.label(current), plan.summary(check_mode=False))
