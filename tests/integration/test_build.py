# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection as Galaxy would ship it: built from the checkout, installed into an empty collections path."""

import os
import shutil
import subprocess
import sys
import tarfile

from .conftest import BIN, REPO, build_collection, env_without_collections

SHIPPED = ("MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml", "plugins/modules/device_info.py",
           "plugins/modules/device_info_info.py", "roles/device_info_cleanup/meta/argument_specs.yml",
           "playbooks/device_info_cleanup.yml",
           # what ansible-builder reads when it installs the collection into an execution environment
           "meta/execution-environment.yml", "requirements.txt", "bindep.txt")
# What a working copy collects besides the collection; none of it may end up in the tarball.
CLUTTER = (".venv/lib/python3.11/site-packages/requests/__init__.py", ".venv-oldest/bin/python",
           ".pytest_cache/v/cache/lastfailed", ".tox/py311/bin/python", ".mypy_cache/3.11/cache.db", ".cache/pip/wheel",
           ".ansible/collections/ansible_collections/threecx/pbx/galaxy.yml", "plugins/modules/__pycache__/xapi.pyc",
           "benchmarks/results/2026-01-01.json", "tests/output/junit/sanity.xml", "collections/ansible_collections/x/y",
           "build/lib/x.py", "threecx-pbx-0.0.1.tar.gz", "examples/threecx-pbx-0.0.1.tar.gz",
           "examples/context/Containerfile", "changelogs/.plugin-cache.yaml")

SHIPPED_DIRECTORIES = {"plugins", "plugins/modules", "examples", "changelogs", "tests", "benchmarks"}


def built_names(source, output):
    """The paths in the tarball built of ``source``."""
    with tarfile.open(build_collection(source, output)) as archive:
        return archive.getnames()


def test_the_tarball_holds_the_collection_and_its_ee_metadata(collection_tarball):
    with tarfile.open(collection_tarball) as archive:
        names = archive.getnames()
    assert set(SHIPPED) <= set(names)
    for name in names:
        assert not {".venv", "__pycache__", ".pytest_cache", "collections", ".git", ".ci"} & set(name.split("/")), name


def test_build_ignore_leaves_out_caches_virtual_environments_and_benchmark_output(tmp_path):
    source = tmp_path / "checkout"
    shutil.copytree(REPO, source, symlinks=True, ignore=shutil.ignore_patterns(".git", ".venv*"))
    for path in CLUTTER:
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        (source / path).write_text("clutter\n")
    (tmp_path / "out").mkdir()
    names = built_names(source, tmp_path / "out")
    assert set(SHIPPED) <= set(names)
    parents = {"/".join(path.split("/")[:depth]) for path in CLUTTER for depth in range(1, path.count("/") + 2)}
    assert sorted(parents.intersection(names) - SHIPPED_DIRECTORIES) == []


def test_the_installed_tarball_documents_its_modules(installed_collection, tmp_path):
    doc = subprocess.run([os.path.join(BIN, "ansible-doc"), "threecx.pbx.device_info"], capture_output=True, text=True,
                         env=env_without_collections(installed_collection), cwd=str(tmp_path), check=False)
    assert doc.returncode == 0 and "max_deletes" in doc.stdout, doc.stderr


def test_the_demo_runs_against_the_collection_built_and_installed_from_its_tarball():
    """``make demo``: builds and installs the tarball into an empty collections path, then cleans up a simulated PBX."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANSIBLE_COLLECTIONS_PATH")}
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    demo = subprocess.run([sys.executable, os.path.join(REPO, "tests", "tools", "demo.py")], capture_output=True,
                          text=True, env=env, timeout=600, check=False)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "Summary: 300 DeviceInfos before" in demo.stdout
    assert demo.stdout.rstrip().split("PLAY RECAP")[-1].count("changed=0") == 1
