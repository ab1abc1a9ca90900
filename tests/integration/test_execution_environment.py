# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The example execution environment, examples/execution-environment.yml, without a container engine.

``ansible-builder create`` writes the build context (the Containerfile and ``_build/``); then the two stages that
concern the collection are replayed here as the Containerfile runs them: the galaxy stage installs the collection
from the context, the builder stage introspects the installed collections for the requirements to install.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from .conftest import BIN, REPO, env_without_collections

EXAMPLE = os.path.join(REPO, "examples", "execution-environment.yml")
COLLECTIONS = "/usr/share/ansible/collections"  # where the galaxy stage installs them, and the builder stage looks


def read_yaml(path):
    with open(path, encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@pytest.fixture(scope="module")
def context(tmp_path_factory, collection_tarball):
    """The build context that ``ansible-builder create`` writes, with the tarball built next to the definition."""
    work = tmp_path_factory.mktemp("ee")
    shutil.copy(EXAMPLE, work)
    shutil.copy(collection_tarball, work)
    subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "context",
                    "--output-filename", "Containerfile"], cwd=str(work), check=True, capture_output=True)
    return work / "context"


def test_the_example_takes_the_tarball_the_build_makes_and_the_tested_ansible_core(collection_tarball):
    definition = read_yaml(EXAMPLE)
    assert definition["additional_build_files"] == [{"src": collection_tarball.name, "dest": "collections"}], (
        "examples/execution-environment.yml must name the tarball of galaxy.yml's version")
    assert definition["dependencies"]["galaxy"] == {
        "collections": [{"name": "collections/" + collection_tarball.name, "type": "file"}]}
    with open(os.path.join(REPO, "Makefile"), encoding="utf-8") as stream:
        newest = re.search(r"^ANSIBLE_CORE_NEWEST := (\S+)$", stream.read(), re.M).group(1)
    core = definition["dependencies"]["ansible_core"]["package_pip"]
    assert core.startswith("ansible-core") and newest in SpecifierSet(core[len("ansible-core"):])


def test_create_writes_the_containerfile_of_an_ee_with_the_collection(context, collection_tarball):
    containerfile = (context / "Containerfile").read_text().splitlines()
    steps = [
        'ARG EE_BASE_IMAGE="quay.io/fedora/fedora:42"',
        'ARG ANSIBLE_INSTALL_REFS="ansible-core~=2.19.0 ansible-runner~=2.4.0"',
        "FROM $EE_BASE_IMAGE AS base",
        "RUN $PYCMD -m pip install --no-cache-dir $ANSIBLE_INSTALL_REFS",
        "FROM base AS galaxy",
        "COPY _build /build",
        "WORKDIR /build",
        'RUN ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1 ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS '
        '-r requirements.yml --collections-path "%s"' % COLLECTIONS,
        "FROM base AS builder",
        "COPY --from=galaxy /usr/share/ansible /usr/share/ansible",
        "RUN $PYCMD /output/scripts/introspect.py introspect --write-bindep=/tmp/src/bindep.txt "
        "--write-pip=/tmp/src/requirements.txt",
        "RUN /output/scripts/assemble",
        "FROM base AS final",
        "RUN /output/scripts/check_ansible $PYCMD",
        "COPY --from=galaxy /usr/share/ansible /usr/share/ansible",
        "RUN /output/scripts/install-from-bindep && rm -rf /output/wheels",
        "LABEL ansible-execution-environment=true",
    ]
    rest = containerfile
    for step in steps:
        assert step in rest, "%r missing or out of order in\n%s" % (step, "\n".join(containerfile))
        rest = rest[rest.index(step) + 1:]
    build = context / "_build"
    assert read_yaml(build / "requirements.yml") == {
        "collections": [{"name": "collections/" + collection_tarball.name, "type": "file"}]}
    assert (build / "collections" / collection_tarball.name).read_bytes() == collection_tarball.read_bytes()
    assert not (build / "requirements.txt").exists() and not (build / "bindep.txt").exists()  # all from the collection


def test_the_image_gets_the_python_requirements_of_the_collection_metadata(context, tmp_path):
    collections = tmp_path / COLLECTIONS.lstrip("/")
    env = dict(env_without_collections(collections), ANSIBLE_GALAXY_DISABLE_GPG_VERIFY="1")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "-r", "requirements.yml",
                    "--collections-path", str(collections)], cwd=str(context / "_build"), env=env, check=True,
                   capture_output=True)
    assert (collections / "ansible_collections" / "threecx" / "pbx" / "meta" / "execution-environment.yml").is_file()

    src = tmp_path / "src"
    introspect = subprocess.run([sys.executable, str(context / "_build" / "scripts" / "introspect.py"), "introspect",
                                 str(collections), "--write-bindep=%s" % (src / "bindep.txt"),
                                 "--write-pip=%s" % (src / "requirements.txt")],
                                capture_output=True, text=True, check=True)
    assert yaml.safe_load(introspect.stdout) == {"python": ["requests  # from collection threecx.pbx"], "system": []}
    assert (src / "requirements.txt").read_text() == "requests  # from collection threecx.pbx\n"
    assert not (src / "bindep.txt").exists()  # no system packages: bindep.txt lists none
