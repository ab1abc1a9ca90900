# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ways of deleting DeviceInfos that the benchmark compares, each deleting the Ids ``first`` to ``last``.

The collection's (the cleanup role, ``device_info`` with ``ids`` or a ``filter``) and ``ansible.builtin.uri`` in a
loop run through a real ``ansible-playbook``; the floors: a ``requests.Session`` loop in a process of its own
(``benchmarks.requests_loop``), curl with keep-alive in one curl process, and both with c requests in flight (the
threads here, ``curl --parallel``).  Each fetches its own token.  A label names c as ``{c}``.

Every module process runs under ``MODULE_CPU_WRAPPER``, which notes its CPU time: a module run's client CPU.

The memory runs (``MEMORY_LISTINGS``) list every record with a module of the collection instead, and note the
peak memory of the module process.  ``payloads`` builds each module's AnsiballZ payload and says what it carries.
"""

import base64
import concurrent.futures
import glob
import io
import json
import os
import re
import resource
import stat
import subprocess
import sys
import tempfile
import threading
import zipfile

import requests
import yaml

from .requests_loop import delete_url, new_session, requests_token
from .simulator import CLIENT_ID, CLIENT_SECRET, REPO

BIN = os.path.dirname(sys.executable)
TIMEOUT = 3600
# The Python of every module process: runs the module, then appends what bash's ``times`` says of it (user and system
# CPU time, with its threads, on the second line) to $BENCH_MODULE_CPU_FILE.  A shell, lighter than a Python wrapper.
MODULE_CPU_WRAPPER = f"""#!/bin/bash
{sys.executable!s} "$@"
status=$?
times >> "$BENCH_MODULE_CPU_FILE"
exit $status
"""
# A Python that runs the module and then notes its peak resident set size (KiB) in $BENCH_PEAK_RSS_FILE.
PEAK_RSS_WRAPPER = f"""#!{sys.executable}
import os, resource, subprocess, sys
status = subprocess.call([{sys.executable!r}] + sys.argv[1:])
with open(os.environ["BENCH_PEAK_RSS_FILE"], "a", encoding="ascii") as out:
    out.write("%d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(status)
"""


def bypass_proxies():
    """Have every client of this process and its children (requests, uri, curl) reach the simulator directly."""
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


class MethodFailed(Exception):
    """A method did not do what it should have; the message says what it printed."""


# What a method that fails raises: the benchmark notes it and goes on with the next.
FAILURES = (MethodFailed, requests.RequestException, subprocess.SubprocessError)


class Context:
    """What the methods share: a scratch directory, the collection on a collections path, and ``parallelism`` (c):
    what the collection is given and the concurrent floors use."""

    def __init__(self, workdir, parallelism=1):
        self.workdir = workdir
        self.parallelism = parallelism
        self.collections_path = os.path.join(workdir, "collections")
        namespace = os.path.join(self.collections_path, "ansible_collections", "threecx")
        os.makedirs(namespace, exist_ok=True)
        link = os.path.join(namespace, "pbx")
        if not os.path.islink(link):
            os.symlink(REPO, link, target_is_directory=True)
        self._files = 0
        self.python = executable(os.path.join(workdir, "module-cpu-python"), MODULE_CPU_WRAPPER)
        self._module_cpu_file = os.path.join(workdir, "module-cpu.txt")

    def write(self, name, data):
        """Write ``data`` as YAML to a new file in the scratch directory; returns its path."""
        self._files += 1
        path = os.path.join(self.workdir, f"{self._files}-{name}")
        with open(path, "w", encoding="utf-8") as stream:
            yaml.safe_dump(data, stream, sort_keys=False)
        return path

    def environment(self, sim=None):
        """The environment of ``ansible-playbook``: this checkout's collection, this Python (under MODULE_CPU_WRAPPER),
        ``sim``'s connection, a fresh token cache."""
        env = {name: value for name, value in os.environ.items() if not name.startswith(("ANSIBLE_", "THREECX_"))}
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": self.collections_path,
            "ANSIBLE_PYTHON_INTERPRETER": self.python,
            "BENCH_MODULE_CPU_FILE": self._module_cpu_file,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        })
        if sim is not None:
            env.update({"THREECX_URL": sim.url, "THREECX_CLIENT_ID": CLIENT_ID, "THREECX_CLIENT_SECRET": CLIENT_SECRET,
                        "THREECX_TOKEN_CACHE_DIR": tempfile.mkdtemp(prefix="tokens-", dir=self.workdir)})
        return env

    def module_cpu_seconds(self):
        """The CPU seconds of the module processes that ran since the last call (None if none did), and forget them."""
        try:
            with open(self._module_cpu_file, encoding="ascii") as stream:
                lines = stream.read().splitlines()
        except FileNotFoundError:
            return None
        os.remove(self._module_cpu_file)
        # bash's times: the shell's own user and system time, then its children's, as e.g. "0m1.234s 0m0.056s".
        return sum(int(minutes) * 60 + float(seconds) for line in lines[1::2] for minutes, seconds in re.findall(r"(\d+)m([\d.]+)s", line))


def executable(path, text):
    """Write the script ``text`` to ``path``, executable; returns ``path``."""
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def default_parallelism(ctx):
    """The default of ``device_info``'s ``parallelism`` option, as ``ansible-doc`` tells it."""
    doc = json.loads(run_command([os.path.join(BIN, "ansible-doc"), "-j", "threecx.pbx.device_info"], env=ctx.environment()))
    return doc["threecx.pbx.device_info"]["doc"]["options"]["parallelism"]["default"]


def run_command(command, env=None, cwd=None):
    """Run ``command``; its stdout, or MethodFailed with what it printed."""
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if result.returncode != 0:
        raise MethodFailed(f"{' '.join(command[:3])}... exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def ansible_playbook(ctx, playbook, sim=None, env=None, inventory=None, extra_vars=None, check=False):
    """Run ``ansible-playbook`` on ``playbook`` (a path, or a playbook of the collection such as ``threecx.pbx.x``),
    in check mode if ``check``."""
    command = [os.path.join(BIN, "ansible-playbook"), playbook] + (["--check"] if check else [])
    if inventory is None:
        command += ["-i", "localhost,", "-c", "local"]
    else:
        command += ["-i", ctx.write("inventory.yml", inventory)]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    return run_command(command, env=dict(ctx.environment(sim), **(env or {})), cwd=ctx.workdir)


def local_play(name, *tasks):
    """A playbook of one play on localhost without facts."""
    return [{"name": name, "hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]


def id_filter(first, last):
    """The OData filter that selects Ids ``first`` to ``last``."""
    return f"Id ge {first} and Id le {last}"


class Method:
    """One way of deleting DeviceInfos.

    ``lists``: it reads lists, whose cost in the simulator grows with the records it holds, so it gets a simulator
    holding just its own records; the others share one.  ``module_run``: its requests come from one run of the
    module, so the simulator's log tells the module's batch time, and the module process's CPU time is the client's.
    ``slow``: measured at the smallest N only and extrapolated per record beyond; ``sequential`` methods count as slow
    when there is latency.  ``full_only``
    (a latency in ms -> bool): where the method runs only in a ``--full`` run.
    """

    key = ""
    label = ""
    lists = False
    module_run = False
    slow = False
    sequential = False

    def slow_at(self, latency_ms):
        return self.slow or (self.sequential and latency_ms > 0)

    def full_only(self, latency_ms):
        return False

    def run(self, ctx, sim, first, last):
        """Delete the Ids ``first`` to ``last``; None, or a dict of what the method measured itself (such as ``seconds``)."""
        raise NotImplementedError


class PlaybookStart(Method):
    """The fixed cost of any playbook: ``ansible-playbook`` with one ``ansible.builtin.debug`` task, no PBX."""

    key = "playbook-start"
    label = "ansible-playbook start (one debug task)"

    def run(self, ctx, sim, first, last):
        ansible_playbook(ctx, ctx.write("start.yml", local_play("Start", {"ansible.builtin.debug": {"msg": "started"}})))


class ModuleStart(Method):
    """The fixed cost of a module run: ``ansible-playbook`` with one ``device_info`` task that has nothing to delete
    (``ids: []``, no request); its module process's CPU time is the module's start."""

    key = "module-start"
    label = "device_info with ids: [] (module start)"

    def run(self, ctx, sim, first, last):
        task = {"name": "Nothing to delete", "threecx.pbx.device_info": {"ids": []}}
        ansible_playbook(ctx, ctx.write("module-start.yml", local_play("Module start", task)), sim)


class CleanupRole(Method):
    key = "role"
    label = "collection: cleanup role (filter)"
    lists = True
    module_run = True

    def run(self, ctx, sim, first, last):
        extra_vars = {"device_info_cleanup_filter": id_filter(first, last), "device_info_cleanup_max_deletes": last - first + 1,
                      "device_info_cleanup_parallelism": ctx.parallelism}
        # The role delegates its task to localhost: in the inventory, so that its module runs under ctx.python too.
        host = {"ansible_connection": "local", "ansible_python_interpreter": ctx.python}
        inventory = {"threecx_pbxs": {"hosts": {"pbx": host}}, "controller": {"hosts": {"localhost": host}}}
        ansible_playbook(ctx, "threecx.pbx.device_info_cleanup", sim, inventory=inventory, extra_vars=extra_vars)


class DeviceInfoTask(Method):
    """``threecx.pbx.device_info`` in one task, selecting the records by ``ids`` or by a ``filter``."""

    lists = True
    module_run = True

    def __init__(self, selection):
        self.selection = selection
        self.key = f"module-{selection}"
        self.label = f"collection: device_info {selection}"

    def run(self, ctx, sim, first, last):
        selected = {"ids": "{{ range(first, last + 1) | list }}"} if self.selection == "ids" else {"filter": id_filter(first, last)}
        task = {"name": "Delete", "threecx.pbx.device_info": dict(selected, parallelism=ctx.parallelism)}
        ansible_playbook(ctx, ctx.write(f"{self.key}.yml", local_play(f"Delete by {self.selection}", task)), sim,
                         extra_vars={"first": first, "last": last})


class UriLoop(Method):
    """What users write today: a token from ``ansible.builtin.uri``, then one uri task per Id (no keep-alive)."""

    key = "uri"
    label = "ansible.builtin.uri loop"
    slow = True

    def full_only(self, latency_ms):
        # About 0.6 s of CPU per item on the controller: a WAN round trip adds little but a minute per run.
        return latency_ms > 0

    def run(self, ctx, sim, first, last):
        token = {"name": "Token", "register": "token", "no_log": True, "ansible.builtin.uri": {
            "url": "{{ lookup('ansible.builtin.env', 'THREECX_URL') }}/connect/token", "method": "POST",
            "body_format": "form-urlencoded", "body": {
                "client_id": "{{ lookup('ansible.builtin.env', 'THREECX_CLIENT_ID') }}",
                "client_secret": "{{ lookup('ansible.builtin.env', 'THREECX_CLIENT_SECRET') }}",
                "grant_type": "client_credentials"}}}
        delete = {"name": "Delete", "loop": "{{ range(first, last + 1) | list }}", "ansible.builtin.uri": {
            "url": "{{ lookup('ansible.builtin.env', 'THREECX_URL') }}/xapi/v1/DeviceInfos({{ item }})", "method": "DELETE",
            "headers": {"Authorization": "Bearer {{ token.json.access_token }}"}, "status_code": [204, 404]}}
        ansible_playbook(ctx, ctx.write("uri.yml", local_play("Delete with uri", token, delete)), sim,
                         extra_vars={"first": first, "last": last})


def expect_deleted(statuses):
    wrong = [status for status in statuses if status != 204]
    if wrong:
        raise MethodFailed(f"{len(wrong)} DELETEs answered otherwise than 204, e.g. {wrong[:5]}")


class RequestsLoop(Method):
    """The practical floor of a Python client: one ``requests.Session``, one DELETE after the other, in a process of its
    own (``benchmarks.requests_loop``).  Its ``seconds`` are the token and the loop, as the process measures them; its
    client CPU is the process's, and its start's that of the same process with nothing to delete."""

    key = "requests"
    label = "requests.Session loop"
    sequential = True

    def run(self, ctx, sim, first, last):
        start_cpu, nothing = loop_process(sim, 1, 0)
        cpu, loop = loop_process(sim, first, last)
        expect_deleted(loop["statuses"])
        if nothing["statuses"]:
            raise MethodFailed(f"the loop with nothing to delete sent requests: {nothing['statuses']}")
        return {"seconds": loop["seconds"], "client_cpu_seconds": cpu, "client_start_cpu_seconds": start_cpu}


def loop_process(sim, first, last):
    """Run ``benchmarks.requests_loop`` on ``sim``: the CPU seconds of its process, and what it printed."""
    cpu = children_cpu_seconds()
    output = run_command([sys.executable, "-m", "benchmarks.requests_loop", sim.url, str(first), str(last)], cwd=REPO)
    return children_cpu_seconds() - cpu, json.loads(output)


class RequestsThreads(Method):
    """``parallelism`` threads with a ``requests.Session`` each, sharing one token."""

    key = "requests-c"
    label = "requests.Session, {c} threads"

    def full_only(self, latency_ms):
        return latency_ms == 0

    def run(self, ctx, sim, first, last):
        token = requests_token(sim.url)
        local = threading.local()
        sessions = []

        def delete(record_id):
            if not hasattr(local, "session"):
                local.session = new_session(token)
                sessions.append(local.session)
            return local.session.delete(delete_url(sim.url, record_id), timeout=30).status_code
        with concurrent.futures.ThreadPoolExecutor(ctx.parallelism) as pool:
            statuses = list(pool.map(delete, range(first, last + 1)))
        for session in sessions:
            session.close()
        expect_deleted(statuses)


class Curl(Method):
    """One curl process for all DELETEs, keeping its connection alive; the token from another curl."""

    key = "curl"
    label = "curl, keep-alive"
    sequential = True
    options = ()

    def run(self, ctx, sim, first, last):
        token_reply = run_command(["curl", "--silent", "--show-error", "--fail", "--noproxy", "*", "--data-urlencode",
                                   f"client_id={CLIENT_ID}", "--data-urlencode", f"client_secret={CLIENT_SECRET}",
                                   "--data", "grant_type=client_credentials", sim.url + "/connect/token"])
        lines = ["silent", "show-error", "globoff", 'noproxy = "*"', 'request = "DELETE"', r'write-out = "%{http_code}\n"',
                 f'header = "Authorization: Bearer {json.loads(token_reply)["access_token"]}"']
        for record_id in range(first, last + 1):
            lines += [f'url = "{delete_url(sim.url, record_id)}"', 'output = "/dev/null"']
        config = os.path.join(ctx.workdir, "curl.config")
        with open(config, "w", encoding="ascii") as stream:
            stream.write("\n".join(lines) + "\n")
        options = [option.replace("{c}", str(ctx.parallelism)) for option in self.options]
        expect_deleted([int(status) for status in run_command(["curl", "--config", config, *options]).split()])


class CurlParallel(Curl):
    key = "curl-c"
    label = "curl --parallel, {c} at once"
    sequential = False
    options = ("--parallel", "--parallel-max", "{c}")
    full_only = RequestsThreads.full_only


DELETE_METHODS = (CleanupRole(), DeviceInfoTask("ids"), DeviceInfoTask("filter"), UriLoop(), RequestsLoop(), RequestsThreads(), Curl(), CurlParallel())
PLAYBOOK_START = PlaybookStart()
MODULE_START = ModuleStart()
# Measured in every cell of every repeat: the fixed costs.
FIXED_COSTS = (PLAYBOOK_START, MODULE_START)


class Listing:
    """A module run listing every record (``filter: Id gt 0``) for the memory runs, with ``options`` besides the filter.

    ``counted``: the list in the module's result that holds one item per record listed.  ``check_mode``: run with
    ``--check``, for a module that would change the PBX.  ``full_only``: measured in a ``--full`` run only.
    """

    def __init__(self, key, module, options, counted, check_mode=False, full_only=False):
        self.key = key
        self.module = f"threecx.pbx.{module}"
        self.options = options
        self.counted = counted
        self.check_mode = check_mode
        self.full_only = full_only
        self.label = ", ".join([module + (" --check" if check_mode else "")] + [f"{name}: {json.dumps(value)}" for name, value in options.items()])


# The memory target's listing first (report.MEMORY_LISTING): device_info finding what it would delete, keeping
# only Ids; then what returning every record costs, and (--full) returning only their Ids.
MEMORY_LISTINGS = (Listing("device_info-check", "device_info", {"return_records": False}, "deleted", check_mode=True),
                   Listing("device_info_info", "device_info_info", {}, "device_infos"),
                   Listing("device_info_info-ids", "device_info_info", {"select": ["Id"]}, "device_infos", full_only=True))


def listed_peak_rss(ctx, sim, listing):
    """Run ``listing`` on ``sim``; the module process's peak RSS in bytes, and how many records it listed."""
    wrapper = executable(os.path.join(ctx.workdir, "peak-rss-python"), PEAK_RSS_WRAPPER)
    peaks = os.path.join(ctx.workdir, "peak-rss.txt")
    if os.path.exists(peaks):
        os.remove(peaks)
    task = {"name": "List", listing.module: dict({"filter": "Id gt 0"}, **listing.options), "register": "listed"}
    count = {"name": "Count", "ansible.builtin.debug": {"msg": f"listed={{{{ listed.{listing.counted} | length }}}}"}}
    output = ansible_playbook(ctx, ctx.write("list.yml", local_play("List", task, count)), sim, check=listing.check_mode,
                              env={"ANSIBLE_PYTHON_INTERPRETER": wrapper, "BENCH_PEAK_RSS_FILE": peaks})
    with open(peaks, encoding="ascii") as stream:
        peak_kib = max(int(line) for line in stream)
    listed = int(output.split("listed=", 1)[1].split('"', 1)[0])
    return peak_kib * 1024, listed


def children_cpu_seconds():
    """User and system CPU time of the waited-for child processes so far (ansible-playbook, curl and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# A task per module of the collection, for its payload: none needs a PBX (retries: 0 and ignore_errors, so that one
# that fails to connect fails at once and the play goes on).
PAYLOAD_TASKS = (("device_info", {"ids": []}), ("device_info_info", {"id": 1, "retries": 0}),
                 ("xapi", {"operation": "ListDeviceInfo", "retries": 0}))


def payloads(ctx):
    """Each module's AnsiballZ payload as ansible-core builds it for this checkout (kept with ANSIBLE_KEEP_REMOTE_FILES):
    the size of the file sent, of its zip and of the sources in it (which the module process compiles on every run:
    a zip import keeps no bytecode), and the files of the collection it carries."""
    remote_tmp = tempfile.mkdtemp(prefix="remote-tmp-", dir=ctx.workdir)
    tasks = [{"name": module, f"threecx.pbx.{module}": options, "ignore_errors": True} for module, options in PAYLOAD_TASKS]
    env = {"ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_REMOTE_TMP": remote_tmp, "THREECX_URL": "http://127.0.0.1:9",
           "THREECX_CLIENT_ID": CLIENT_ID, "THREECX_CLIENT_SECRET": CLIENT_SECRET}
    ansible_playbook(ctx, ctx.write("payloads.yml", local_play("Payloads", *tasks)), env=env)
    ctx.module_cpu_seconds()
    results = []
    for module, dummy in PAYLOAD_TASKS:
        path = glob.glob(os.path.join(remote_tmp, "*", f"AnsiballZ_{module}.py"))[0]
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
        archive = base64.b64decode(re.search(r"zip_data='([A-Za-z0-9+/=]+)'", text).group(1))
        members = zipfile.ZipFile(io.BytesIO(archive)).infolist()
        results.append({"module": module, "file_bytes": len(text), "zip_bytes": len(archive), "files": len(members),
                        "source_bytes": sum(member.file_size for member in members),
                        "collection_files": sorted(member.filename.split("/plugins/", 1)[1] for member in members
                                                   if member.filename.startswith("ansible_collections/threecx/pbx/plugins/")
                                                   and not member.filename.endswith("__init__.py"))})
    return results
