# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make demo``: the cleanup job against a simulated PBX, as an administrator would run it.

It builds and installs the collection, starts the XAPI simulator with a few hundred detected phones, and
runs ``ansible-playbook threecx.pbx.device_info_cleanup``: first ``--check --diff`` (what would go), then for
real, then once more to show that nothing is left to do (``changed=0``). The simulator is stopped whatever
happens.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
CLIENT_ID = "demo"
CLIENT_SECRET = "demo-api-key-3f9c2a7b51e84d06"
SELECTION = {  # the role's criteria: never-provisioned phones detected before 2026
    "device_info_cleanup_unassigned_only": True,
    "device_info_cleanup_detected_before": "2026-01-01",
    "device_info_cleanup_max_deletes": 500,
}


def banner(text):
    print("\n=== %s ===" % text, flush=True)


def install_collection(workdir):
    """Build the collection tarball and install it into a collections path of its own, as a user would."""
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", REPO, "--output-path", workdir, "--force"],
                   check=True, stdout=subprocess.DEVNULL)
    tarball = [name for name in os.listdir(workdir) if name.endswith(".tar.gz")][0]
    collections = os.path.join(workdir, "collections")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", os.path.join(workdir, tarball),
                    "-p", collections], check=True, stdout=subprocess.DEVNULL)
    return collections


def start_simulator():
    process = subprocess.Popen(
        [sys.executable, "-m", "xapi_simulator", "--port", "0", "--seed", "7", "--records", "300",
         "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET],
        env=dict(os.environ, PYTHONPATH=os.path.join(REPO, "tests")), stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if "listening on " not in line:
        process.kill()
        sys.exit("The simulator did not start: %r" % line)
    return process, line.rsplit("listening on ", 1)[1].strip()


def simulator_state(url, what):
    with urllib.request.urlopen("%s/_simulator/%s" % (url, what), timeout=10) as reply:
        return json.load(reply)


def write_inventory(workdir, url):
    """One PBX in the group the playbook runs on; the secret comes from the environment, as from an AWX credential."""
    path = os.path.join(workdir, "inventory.yml")
    with open(path, "w", encoding="utf-8") as stream:
        json.dump({"threecx_pbxs": {"hosts": {"demo-pbx": {
            "ansible_connection": "local", "device_info_cleanup_url": url}}}}, stream)
    return path


def run_cleanup(collections, inventory, *flags):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               THREECX_CLIENT_ID=CLIENT_ID, THREECX_CLIENT_SECRET=CLIENT_SECRET)
    command = [os.path.join(BIN, "ansible-playbook"), "threecx.pbx.device_info_cleanup", "-i", inventory,
               "-e", json.dumps(SELECTION)] + list(flags)
    print("$ ansible-playbook " + " ".join(command[1:]), flush=True)
    subprocess.run(command, env=env, check=True)


def main():
    with tempfile.TemporaryDirectory(prefix="threecx-pbx-demo-") as workdir:
        banner("Building and installing the threecx.pbx collection")
        collections = install_collection(workdir)
        simulator, url = start_simulator()
        try:
            inventory = write_inventory(workdir, url)
            before = simulator_state(url, "device_infos")
            stale = [r for r in before if not r["Assigned"] and r["DetectedAt"] < "2026-01-01"]
            print("XAPI simulator at %s with %d DeviceInfos, %d of them never provisioned and detected before 2026."
                  % (url, len(before), len(stale)))
            banner("Dry run: --check --diff lists what would be deleted, and deletes nothing")
            run_cleanup(collections, inventory, "--check", "--diff")
            banner("The cleanup")
            run_cleanup(collections, inventory)
            banner("Once more: nothing left to do (changed=0)")
            run_cleanup(collections, inventory)
            after = simulator_state(url, "device_infos")
            left = [r["Id"] for r in after if r["Id"] in {s["Id"] for s in stale}]
            calls = simulator_state(url, "requests")
            if left or len(before) - len(after) != len(stale):
                sys.exit("Unexpected end state: %d records left that should be gone" % len(left))
            deletes = sum(1 for call in calls if call["method"] == "DELETE")
            print("\nSummary: %d DeviceInfos before, %d after; %d deleted with %d DELETE requests; %d requests to the PBX "
                  "over three runs." % (len(before), len(after), len(stale), deletes, len(calls)))
        finally:
            simulator.terminate()
            simulator.wait(timeout=10)


if __name__ == "__main__":
    main()
