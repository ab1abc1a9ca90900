# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection as Galaxy would ship it: built from the checkout, installed into an empty collections path."""

import os
import subprocess
import sys
import tarfile

from .conftest import REPO

BIN = os.path.dirname(sys.executable)


def test_the_tarball_holds_the_collection_and_no_local_clutter(tmp_path):
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", REPO, "--output-path", str(tmp_path)],
                   check=True, capture_output=True)
    tarball, = tmp_path.glob("threecx-pbx-*.tar.gz")
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    for required in ("MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml", "plugins/modules/device_info.py",
                     "plugins/modules/device_info_info.py", "roles/device_info_cleanup/meta/argument_specs.yml",
                     "playbooks/device_info_cleanup.yml"):
        assert required in names
    for name in names:
        parts = name.split("/")
        assert not {".venv", "__pycache__", ".pytest_cache", "collections", ".git", ".ci"} & set(parts), name
        assert not name.startswith("tests/output"), name

    collections = tmp_path / "collections"
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANSIBLE_COLLECTIONS_PATH")}
    env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)  # only the empty path: not the checkout the tests use
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", str(tarball), "-p", str(collections)],
                   check=True, capture_output=True, env=env, cwd=str(tmp_path))
    doc = subprocess.run([os.path.join(BIN, "ansible-doc"), "threecx.pbx.device_info"], capture_output=True, text=True,
                         env=env, cwd=str(tmp_path), check=False)
    assert doc.returncode == 0 and "max_deletes" in doc.stdout, doc.stderr
