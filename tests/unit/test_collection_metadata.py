# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's metadata agrees with its content."""

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
