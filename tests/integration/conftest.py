# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Integration tests: real ``ansible-playbook`` runs against the XAPI simulator, asserting on its state and log."""

import json
import os
import subprocess
import sys

import pytest
import yaml

from .helpers import CLIENT_ID, SECRET, running_simulator

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


@pytest.fixture(scope="session")
def collections_path(tmp_path_factory):
    """A collections path in which threecx.pbx is this checkout."""
    root = tmp_path_factory.mktemp("collections")
    namespace = root / "ansible_collections" / "threecx"
    namespace.mkdir(parents=True)
    (namespace / "pbx").symlink_to(REPO, target_is_directory=True)
    return str(root)


def env_without_collections(collections):
    """The environment with ``collections`` as the only collections path: not the checkout the tests use."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANSIBLE_COLLECTIONS_PATH")}
    env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)
    return env


def build_collection(source, output):
    """``ansible-galaxy collection build`` of the collection at ``source`` into ``output``; the tarball's path."""
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", str(source), "--output-path", str(output)],
                   check=True, capture_output=True)
    tarball, = output.glob("threecx-pbx-*.tar.gz")
    return tarball


@pytest.fixture(scope="session")
def collection_tarball(tmp_path_factory):
    """The collection as Galaxy would ship it: the checkout built."""
    return build_collection(REPO, tmp_path_factory.mktemp("tarball"))


@pytest.fixture(scope="session")
def installed_collection(tmp_path_factory, collection_tarball):
    """A collections path that holds only threecx.pbx, installed from the tarball as a user or an EE build would."""
    root = tmp_path_factory.mktemp("installed")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", str(collection_tarball), "-p", str(root)],
                   check=True, capture_output=True, env=env_without_collections(root), cwd=str(root))
    return str(root)


@pytest.fixture
def simulator_options():
    """Override in a test module, or parametrize indirectly, to start the simulator differently."""
    return {}


@pytest.fixture
def simulator(simulator_options):
    with running_simulator(**simulator_options) as sim:
        yield sim


@pytest.fixture(params=[False, True], ids=["no-etags", "etags"])
def etag_simulator(request):
    """The simulator in both ETag modes: current 3CX (no ETags) and a PBX that sends them."""
    with running_simulator(etag_mode=request.param) as sim:
        yield sim


class PlaybookRun:
    """What one ``ansible-playbook`` run printed and the result of each of its tasks."""

    def __init__(self, process, records):
        self.rc = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        self.results = records

    @property
    def output(self):
        return self.stdout + self.stderr

    def _record(self, task_name, host):
        matches = [record for record in self.results if record["task"] == task_name and host in (None, record["host"])]
        assert len(matches) == 1, "task %r: %d results in\n%s" % (task_name, len(matches), self.output)
        return matches[0]

    def result(self, task_name, host=None):
        """What the task returned on ``host`` (the only host, if None); its ``failed`` flag is in :meth:`status`."""
        return self._record(task_name, host)["result"]

    def status(self, task_name, host=None):
        """``ok``, ``failed`` or ``skipped``."""
        return self._record(task_name, host)["status"]


@pytest.fixture
def run_playbook(tmp_path, collections_path):
    """Run ansible-playbook and return a :class:`PlaybookRun`.

    Either ``tasks``, run as one play on localhost, or ``playbook``, a playbook of the collection such as
    ``threecx.pbx.device_info_cleanup`` run against ``inventory`` (a dict written as a YAML inventory).
    The connection reaches the modules through the THREECX_* environment of ``sim`` unless ``env`` overrides it.
    """
    counter = [0]

    def run(tasks=None, sim=None, check=False, diff=False, verbosity=0, env=None, play=None,
            playbook=None, inventory=None, extra_vars=None):
        counter[0] += 1
        results_file = tmp_path / ("results%d.jsonl" % counter[0])
        if playbook is None:
            playbook = tmp_path / ("play%d.yml" % counter[0])
            playbook.write_text(yaml.safe_dump([dict({"hosts": "localhost", "gather_facts": False, "tasks": tasks},
                                                     **(play or {}))], sort_keys=False))
        inventory_arg = "localhost,"
        if inventory is not None:
            inventory_arg = str(tmp_path / ("inventory%d.yml" % counter[0]))
            with open(inventory_arg, "w", encoding="utf-8") as stream:
                yaml.safe_dump(inventory, stream)
        environment = dict(os.environ)
        environment.update({
            "ANSIBLE_COLLECTIONS_PATH": collections_path,
            "ANSIBLE_CALLBACK_PLUGINS": os.path.join(os.path.dirname(__file__), "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "result_recorder",
            "RESULT_RECORDER_FILE": str(results_file),
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
            "THREECX_TOKEN_CACHE_DIR": str(tmp_path / "token-cache"),
        })
        for name in ("THREECX_URL", "THREECX_CLIENT_ID", "THREECX_CLIENT_SECRET", "THREECX_VALIDATE_CERTS"):
            environment.pop(name, None)
        if sim is not None:
            environment.update({"THREECX_URL": sim.url, "THREECX_CLIENT_ID": CLIENT_ID, "THREECX_CLIENT_SECRET": SECRET})
        environment.update(env or {})
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory_arg, str(playbook)]
        if inventory is None:
            command += ["-c", "local"]
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if verbosity:
            command.append("-" + "v" * verbosity)
        process = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600, check=False)
        records = []
        if results_file.exists():
            records = [json.loads(line) for line in results_file.read_text().splitlines()]
        return PlaybookRun(process, records)

    return run
