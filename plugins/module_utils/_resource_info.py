# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The declarative modules' read-only companions (``user_info``, ``department_info``): every record of a model, or those
with the keys or ``$filter`` given, in the modules' own option names. Private to the threecx.pbx collection."""

from ansible_collections.threecx.pbx.plugins.module_utils._client import XapiError
from ansible_collections.threecx.pbx.plugins.module_utils._entities import CHUNK_SIZE, reject_bad_filter
from ansible_collections.threecx.pbx.plugins.module_utils._models import property_problems
from ansible_collections.threecx.pbx.plugins.module_utils._module import XapiModule
from ansible_collections.threecx.pbx.plugins.module_utils._odata import chunks
from ansible_collections.threecx.pbx.plugins.module_utils._reconcile import Engine


class ResourceInfoModule(XapiModule):
    """``<keys option>`` (a list of natural keys), ``filter`` and ``properties`` (raw XAPI names to add) over ``model``;
    returns ``<result>``: the records sorted by natural key."""

    def __init__(self, model, keys_option, result):
        super().__init__(argument_spec={
            keys_option: {"type": "list", "elements": "str"},
            "filter": {"type": "str"},
            "properties": {"type": "list", "elements": "str", "default": []},
        }, supports_check_mode=True)
        self.model = model
        self.keys_option = keys_option
        self.result_name = result

    def run(self):
        params, model = self.params, self.model
        problems = property_problems(model, dict.fromkeys(params["properties"]))
        if problems:
            self.fail_json(msg="; ".join(problems) + ".")
        engine = Engine(self.client, model)
        try:
            with reject_bad_filter(params["filter"]):
                records = self.read(engine)
        except XapiError as error:
            self.fail_json(msg=error.message)
        found = [engine.options_of(record, params["properties"]) for record in records]
        self.exit_json(changed=False, **{self.result_name: found})

    def read(self, engine):
        keys = self.params[self.keys_option]
        expression = self.params["filter"]
        if keys is None:
            return engine.list(expression, self.params["properties"])
        records = []
        for chunk in chunks(list(dict.fromkeys(keys)), CHUNK_SIZE):
            selection = self.model.key_filter(self.model.key, chunk)
            records.extend(engine.list(selection if expression is None else "(%s) and (%s)" % (selection, expression),
                                       self.params["properties"]))
        return sorted(records, key=lambda record: str(record.get(self.model.key.prop)))
