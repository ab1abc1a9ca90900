# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The PBX the benchmark talks to, in processes of their own, observed from outside: CPU time, request log, records left.

Two servers can play it (``SERVERS``): the lean server (``benchmarks.lean_server``, the default), which answers only
what the benchmark sends in as little CPU as it can, so that the clients' costs show; and the XAPI simulator
(``python -m xapi_simulator``), which checks every request against the spec but at a few thousand requests a
second sets the pace itself.  Both have the same command line and control endpoints.

A process of its own, so that it neither shares a GIL with the benchmark's requests loop nor hides its CPU
time among the benchmark's.  Most measurements want a fresh server, and ``python -m xapi_simulator`` takes
about two seconds to import its libraries and parse the spec, so a ``SimulatorFactory`` does that once and
forks a server off for each measurement (the server's ``main`` in all but the start-up).
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIENT_ID = "threecx-pbx-bench"
CLIENT_SECRET = "bench-api-key-5d0c8e2f7a9b4613"
TIMEOUT = 120
# Requests that make a new simulator load what it loads on first use (the spec's DeviceInfos paths, the
# checks of a DELETE and of a filtered list); answered 401 without a token, then dropped from the log.
WARM_UPS = (("DELETE", "/xapi/v1/DeviceInfos(2147483647)"),
            ("GET", "/xapi/v1/DeviceInfos?$filter=Id%20gt%200&$top=1&$skip=0&$count=true"))
# Control requests go straight to the simulator, whatever proxy the environment names.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# The servers: the module whose main() runs one, and what the factory loads once before forking them.
SERVERS = {"lean": ("benchmarks.lean_server", ""),
           "simulator": ("xapi_simulator.__main__", "from xapi_simulator.spec import load_spec\nload_spec()")}
# The factory: loads the server (the simulator: and the spec), then for each line "RECORDS LATENCY" on stdin forks
# a child that prints its process id and runs the server's main() (which prints its URL) until SIGTERM.
FACTORY = """
import os, signal, sys
from {module} import main
{preload}
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
for line in sys.stdin:
    records, latency = line.split()
    if os.fork() == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        print(os.getpid(), flush=True)
        status = main(["--port", "0", "--records", records, "--latency", latency,
                       "--client-id", {client_id!r}, "--client-secret", {client_secret!r}])
        sys.stdout.flush()
        os._exit(status)
"""


class SimulatorFactory:
    """Starts servers of one of the ``SERVERS`` quickly: ``factory.simulator(records, latency)`` is a ``SimulatorProcess``.
    A context manager."""

    def __init__(self, server="lean"):
        self.server = server
        self._process = None

    def __enter__(self):
        module, preload = SERVERS[self.server]
        script = FACTORY.format(module=module, preload=preload, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        self._process = subprocess.Popen([sys.executable, "-c", script], env=dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(REPO, "tests"), REPO])),
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        return self

    def __exit__(self, *exc_info):
        self._process.stdin.close()
        self._process.wait(timeout=TIMEOUT)
        self._process.stdout.close()

    def simulator(self, records, latency=0.0):
        return SimulatorProcess(self, records, latency)

    def fork(self, records, latency):
        """Start a server; its process id and URL."""
        self._process.stdin.write(f"{records} {latency!r}\n")
        pid_line, url_line = self._process.stdout.readline(), self._process.stdout.readline()
        if not pid_line.strip().isdigit() or "listening on " not in url_line:
            raise RuntimeError(f"the {self.server} did not start: {pid_line!r} {url_line!r}")
        return int(pid_line), url_line.rsplit("listening on ", 1)[1].strip()


class SimulatorProcess:
    """A server with ``records`` DeviceInfos (Ids 1 to ``records``) answering ``latency`` seconds late.

    A context manager: ``url`` is the PBX's base URL while it runs.
    """

    def __init__(self, factory, records, latency=0.0):
        self._factory = factory
        self.records = records
        self.latency = latency
        self.pid = None
        self.url = None

    def __enter__(self):
        self.pid, self.url = self._factory.fork(self.records, self.latency)
        for method, path in WARM_UPS:
            self._call(method, path, expect_error=True)
        self.reset_log()
        return self

    def __exit__(self, *exc_info):
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + TIMEOUT
        while os.path.exists(f"/proc/{self.pid}") and time.monotonic() < deadline:
            time.sleep(0.01)
        if os.path.exists(f"/proc/{self.pid}"):
            os.kill(self.pid, signal.SIGKILL)

    def _call(self, method, path, expect_error=False):
        request = urllib.request.Request(self.url + path, method=method, data=b"" if method == "POST" else None)
        try:
            with OPENER.open(request, timeout=TIMEOUT) as reply:
                return json.load(reply)
        except urllib.error.HTTPError as exc:
            exc.close()
            if not expect_error:
                raise
            return None

    def cpu_seconds(self):
        """The CPU time (user and system, all threads) the server has used so far."""
        with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        # utime and stime, fields 14 and 15 of proc(5), here counted from the state (field 3).
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def request_log(self):
        """The XAPI calls and token requests since the last ``reset_log``: dicts with method, path, operation, status..."""
        return self._call("GET", "/_simulator/requests")

    def violations(self):
        """The requests a real 3CX would not have understood, since the last ``reset_log``."""
        return self._call("GET", "/_simulator/violations")

    def reset_log(self):
        """Empty the request log and the violations."""
        self._call("POST", "/_simulator/reset")

    def remaining_ids(self):
        """The Ids of the DeviceInfos left."""
        return [record["Id"] for record in self._call("GET", "/_simulator/device_infos")]
