# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's metadata agrees with its content."""

import ast
import os

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_every_module_is_in_the_action_group():
    """A module missing from group/threecx.pbx.all would silently ignore module_defaults."""
    with open(os.path.join(REPO, "meta", "runtime.yml"), encoding="utf-8") as handle:
        group = yaml.safe_load(handle)["action_groups"]["all"]
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(REPO, "plugins", "modules"))
                     if name.endswith(".py") and not name.startswith("_"))
    assert modules and sorted(group) == modules


def _makefile_variable(name):
    with open(os.path.join(REPO, "Makefile"), encoding="utf-8") as handle:
        return next(line.split(":=")[1].strip() for line in handle if line.startswith(name + " :="))


def test_the_tested_ansible_core_versions_span_requires_ansible():
    """The integration tests run on the oldest ansible-core that requires_ansible admits and on the newest tested;
    the README's support matrix names both."""
    with open(os.path.join(REPO, "meta", "runtime.yml"), encoding="utf-8") as handle:
        requires = yaml.safe_load(handle)["requires_ansible"]
    oldest, newest = _makefile_variable("ANSIBLE_CORE_OLDEST"), _makefile_variable("ANSIBLE_CORE_NEWEST")
    assert requires == ">=%s.0" % ".".join(oldest.split(".")[:2])
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert "| %s |" % oldest in readme and "| %s |" % newest in readme


def _collection_imports(path, seen=None):
    """The module_utils of this collection that the Python file ``path`` imports, directly or through each other: what
    ansible-core puts into the module's AnsiballZ payload (and the module process compiles on every run)."""
    seen = set() if seen is None else seen
    prefix = "ansible_collections.threecx.pbx.plugins.module_utils."
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            # "from ...module_utils import _x" names modules; "from ...module_utils._x import y" names one.
            names = [prefix + alias.name for alias in node.names] if (node.module or "") + "." == prefix else [node.module]
        else:
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            if name.startswith(prefix) and name[len(prefix):] not in seen:
                seen.add(name[len(prefix):])
                _collection_imports(os.path.join(REPO, "plugins", "module_utils", name[len(prefix):] + ".py"), seen)
    return seen


def test_only_the_xapi_module_carries_the_generated_operation_table():
    """The table (and the operations built on it) would add over 300 KiB of source to every payload, compiled at each run."""
    generated = {"_xapi_table", "_xapi_operations"}
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(REPO, "plugins", "modules")) if name.endswith(".py"))
    assert {"device_info", "device_info_info", "xapi"} <= set(modules)
    for module in modules:
        imports = _collection_imports(os.path.join(REPO, "plugins", "modules", module + ".py"))
        assert "_client" in imports and (imports >= generated if module == "xapi" else not imports & generated), (module, sorted(imports))
