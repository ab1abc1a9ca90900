# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cleanup as an AWX job: ansible-runner, AWX's engine, with the credential type of examples/awx/.

Each job is prepared as AWX's RunJob prepares one (awx/main/tasks/jobs.py): a fresh private data directory with
``project/`` (examples/awx/project), ``inventory/hosts`` (the script AWX writes), ``env/extravars`` (survey answers)
and ``env/cmdline`` (``--check`` for a job of type check, ``--diff`` for "Show changes"); the credential's injectors
rendered as AWX renders them (awx/main/models/credential) into the job's environment, files in ``env/`` and
``-e @file``; then ``ansible_runner.interface.run`` with that environment as ``envvars``. Where AWX runs this inside
the execution environment's container, the test runs it on this Python (process isolation off), with the
collection installed from its tarball. Unlike AWX, events and stdout are written to the artifacts too, so that the
search for secrets covers them.
"""

import json
import os
import re
import shutil
import stat
import tempfile
import types

import ansible_runner
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .conftest import BIN, REPO
from .helpers import CLIENT_ID, SECRET, running_simulator, token_requests, xapi_requests

AWX = os.path.join(REPO, "examples", "awx")
PLAYBOOK = "device_info_cleanup.yml"
JOB_ID = 42
HIDDEN = "**********"  # how AWX shows a secret in the job's stored environment
SURVEY = {"device_info_cleanup_detected_before": "2026-01-01"}  # the job template's survey answers
DELETE_TASK = "Delete the selected DeviceInfos"


def credential_type():
    with open(os.path.join(AWX, "credential_type.yml"), encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def inject_credential(ctype, inputs, private_data_dir, env, safe_env, args):
    """What AWX's ``CredentialType.inject_credential`` does for a custom type: env, file and extra_vars injectors."""
    fields = ctype["inputs"]["fields"]
    secrets = {field["id"] for field in fields if field.get("secret")}
    namespace, safe_namespace = {}, {}
    for name, value in inputs.items():
        if isinstance(value, bool) or value:
            namespace[name] = value
            safe_namespace[name] = HIDDEN if name in secrets else value
    for field in fields:
        if field.get("type") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = safe_namespace[field["id"]] = False
    tower = namespace["tower"] = safe_namespace["tower"] = types.SimpleNamespace(filename=types.SimpleNamespace())
    sandbox = ImmutableSandboxedEnvironment()
    injectors = ctype["injectors"]
    for label, template in injectors.get("file", {}).items():
        handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, "env"))
        with os.fdopen(handle, "w") as stream:
            stream.write(sandbox.from_string(template).render(**namespace))
        setattr(tower.filename, label.split(".", 1)[1], path)  # the credential type's file injectors: template.<name>
    for name, template in injectors.get("env", {}).items():
        env[name] = sandbox.from_string(template).render(**namespace)
        safe_env[name] = sandbox.from_string(template).render(**safe_namespace)
    extra_vars = {name: sandbox.from_string(template).render(**namespace)
                  for name, template in injectors.get("extra_vars", {}).items()}
    if extra_vars:
        handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, "env"))
        with os.fdopen(handle, "w") as stream:
            yaml.safe_dump(extra_vars, stream)
        args.extend(["-e", "@" + path])


def write_private(path, text, mode=stat.S_IRUSR | stat.S_IWUSR):
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.chmod(path, mode)


class Job:
    """One AWX job of the cleanup template, prepared and run as AWX does; see the module's docstring."""

    def __init__(self, private_data_dir, collections, inputs, job_type="run", diff_mode=False):
        self.dir = str(private_data_dir)
        self.events = []
        self.job_env = None
        for sub in ("project", "inventory", "env"):
            os.makedirs(os.path.join(self.dir, sub))
        shutil.copytree(os.path.join(AWX, "project"), os.path.join(self.dir, "project"), dirs_exist_ok=True)
        write_private(os.path.join(self.dir, "env", "extravars"), yaml.safe_dump(dict(
            SURVEY, awx_job_id=JOB_ID, awx_job_template_name="3CX: clean up stale phones", awx_job_launch_type="manual")))
        args = (["--check"] if job_type == "check" else []) + ["-u", "root"] + (["--diff"] if diff_mode else [])
        # The job's environment: AWX's own variables, the execution environment's (here: this virtual environment and
        # the collection installed from its tarball, a token cache of the test's own), then the credential's.
        env = {"JOB_ID": str(JOB_ID), "INVENTORY_ID": "7", "AWX_PRIVATE_DATA_DIR": self.dir,
               "ANSIBLE_RETRY_FILES_ENABLED": "False", "ANSIBLE_COLLECTIONS_PATH": collections,
               "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
               "THREECX_TOKEN_CACHE_DIR": self.dir + "-token-cache"}
        self.safe_env = {}
        inject_credential(credential_type(), inputs, self.dir, env, self.safe_env, args)
        write_private(os.path.join(self.dir, "env", "cmdline"), ansible_runner.utils.args2cmdline(*args), stat.S_IRUSR)
        self.inventory = os.path.join(self.dir, "inventory", "hosts")
        script_data = {"all": {"children": ["threecx_pbxs"]},
                       "threecx_pbxs": {"hosts": ["pbx-london"], "vars": {"ansible_connection": "local"}},
                       "_meta": {"hostvars": {"pbx-london": {}}}}
        write_private(self.inventory, "#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(%r)\n"
                      % json.dumps(script_data), stat.S_IRUSR | stat.S_IWUSR | stat.S_IXUSR)
        self.result = ansible_runner.interface.run(
            ident=JOB_ID, private_data_dir=self.dir, playbook=PLAYBOOK, inventory=self.inventory, envvars=env,
            settings={"job_timeout": 300, "suppress_ansible_output": True}, fact_cache_type="",
            event_handler=self._event, status_handler=self._status)

    def _event(self, event):
        self.events.append(event)
        return True

    def _status(self, status, runner_config):
        if status["status"] == "starting":  # what AWX stores as the job's environment
            self.job_env = dict(runner_config.env, **{k: v for k, v in self.safe_env.items() if k in runner_config.env})

    @property
    def stdout(self):
        """The job's output as AWX shows it: the stdout of its events."""
        return "\n".join(event["stdout"] for event in self.events if event.get("stdout"))

    def task_result(self, task):
        results = [event["event_data"]["res"] for event in self.events
                   if event["event"] == "runner_on_ok" and event["event_data"]["task"] == task]
        assert len(results) == 1, self.stdout
        return results[0]

    def stats(self):
        stats, = [event["event_data"] for event in self.events if event["event"] == "playbook_on_stats"]
        return stats

    def environment_files(self):
        """Where ansible-runner keeps the job's environment, with the key as injected: readable by their owner only."""
        paths = [os.path.join("artifacts", str(JOB_ID), "command"), os.path.join("env", "envvars")]
        assert [stat.S_IMODE(os.stat(os.path.join(self.dir, path)).st_mode) for path in paths] == [0o600, 0o600]
        return paths

    def files_holding(self, text):
        """The files of the private data directory that contain ``text``."""
        found = []
        for root, _dirs, files in os.walk(self.dir):
            for name in files:
                with open(os.path.join(root, name), "rb") as stream:
                    if text.encode() in stream.read():
                        found.append(os.path.relpath(os.path.join(root, name), self.dir))
        return sorted(found)


def module_environment_variables():
    with open(os.path.join(REPO, "plugins", "module_utils", "_module.py"), encoding="utf-8") as stream:
        return set(re.findall(r'env_fallback, \["(THREECX_\w+)"\]', stream.read()))


def test_awx_accepts_the_credential_type_and_it_sets_what_the_collection_reads():
    ctype = credential_type()
    assert ctype["kind"] in ("cloud", "net")  # the kinds AWX allows for a custom credential type
    fields = ctype["inputs"]["fields"]
    ids = [field["id"] for field in fields]
    assert len(set(ids)) == len(ids) and "tower" not in ids
    assert set(ctype["inputs"]["required"]) <= set(ids)
    for field in fields:
        assert set(field) <= {"id", "label", "type", "help_text", "secret", "multiline", "choices", "format",
                              "ask_at_runtime", "default"}, field
        assert field.get("type") == "string" or not {"secret", "multiline", "choices", "format"} & set(field), field
    assert [field["id"] for field in fields if field.get("secret")] == ["client_secret"]
    # AWX renders each injector with every field set, and refuses a name that is no field.
    injectors = ctype["injectors"]
    namespace = dict.fromkeys(ids, "EXAMPLE")
    namespace["tower"] = types.SimpleNamespace(filename=types.SimpleNamespace(
        **{label.split(".", 1)[1]: "EXAMPLE_FILENAME" for label in injectors.get("file", {})}))
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for injector in injectors.values():
        for template in injector.values():
            strict.from_string(template).render(namespace)
    assert set(injectors) <= {"env", "file", "extra_vars"}
    assert all(re.fullmatch(r"template(\.[a-zA-Z_]\w*)?", label) for label in injectors.get("file", {}))
    assert all(re.fullmatch(r"[a-zA-Z_]\w*", name) and not name.startswith("ANSIBLE_") and template.isascii()
               for name, template in injectors["env"].items())
    assert set(injectors["env"]) == module_environment_variables() - {"THREECX_TOKEN_CACHE_DIR"}
    with open(os.path.join(REPO, "roles", "device_info_cleanup", "meta", "argument_specs.yml"), encoding="utf-8") as stream:
        role_options = yaml.safe_load(stream)["argument_specs"]["main"]["options"]
    assert set(injectors["extra_vars"]) <= set(role_options)


def test_a_check_job_then_a_run_job_over_tls_trusting_the_credential_ca(tmp_path, installed_collection):
    with running_simulator(tls=True, seed=11) as sim:
        with open(sim.ca_path, encoding="utf-8") as stream:
            inputs = {"url": sim.url, "client_id": CLIENT_ID, "client_secret": SECRET, "ca_cert": stream.read()}
        before = dict(sim.device_infos)
        stale = sorted(i for i, r in before.items() if not r["Assigned"] and r["DetectedAt"] < "2026-01-01")
        assert 0 < len(stale) < len(before)

        check = Job(tmp_path / "job-check", installed_collection, inputs, job_type="check", diff_mode=True)
        assert (check.result.status, check.result.rc) == ("successful", 0), check.stdout
        assert sim.device_infos == before and xapi_requests(sim, "DELETE") == []
        assert sorted(check.task_result(DELETE_TASK)["deleted"]) == stale
        assert "pbx-london: matched %d, would delete %d, missing 0" % (len(stale), len(stale)) in check.stdout
        assert check.stats()["changed"] == {"pbx-london": 1}

        run = Job(tmp_path / "job-run", installed_collection, inputs)
        assert (run.result.status, run.result.rc) == ("successful", 0), run.stdout
        assert sorted(run.task_result(DELETE_TASK)["deleted"]) == stale
        assert set(sim.device_infos) == set(before) - set(stale)
        assert {entry["status"] for entry in xapi_requests(sim, "DELETE")} == {204}
        assert "pbx-london: matched %d, deleted %d, missing 0" % (len(stale), len(stale)) in run.stdout
        assert run.stats()["changed"] == {"pbx-london": 1} and run.stats()["failures"] == {}

        for job in (check, run):
            assert job.job_env["THREECX_VALIDATE_CERTS"] == "true" and "validate_certs is false" not in job.stdout
            assert job.files_holding(SECRET) == job.environment_files()
            for token in sim.issued_tokens:
                assert job.files_holding(token) == []


def test_a_refused_api_key_fails_the_job_and_stays_out_of_its_output(tmp_path, installed_collection, simulator):
    wrong = "Wrong-api-key-0123456789abcdef"
    before = dict(simulator.device_infos)
    job = Job(tmp_path / "job", installed_collection, {"url": simulator.url, "client_id": CLIENT_ID, "client_secret": wrong})
    assert (job.result.status, job.result.rc) == ("failed", 2)
    assert job.stats()["failures"] == {"pbx-london": 1}
    assert "client_id" in job.stdout and CLIENT_ID in job.stdout
    assert xapi_requests(simulator) == [] and simulator.device_infos == before
    assert [entry["status"] for entry in token_requests(simulator)] == [401]  # refused once, never retried
    assert job.files_holding(wrong) == job.environment_files()
