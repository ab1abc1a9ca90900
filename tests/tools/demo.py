# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make demo``: the cleanup job and the users playbook against a simulated PBX, as an administrator would run them.

It builds and installs the collection, starts the XAPI simulator with a few hundred detected phones, and
runs ``ansible-playbook threecx.pbx.device_info_cleanup``: first ``--check --diff`` (what would go), then for
real, then once more to show that nothing is left to do (``changed=0``). Then the same three runs of
``threecx.pbx.users`` on-board two people into a new department, move one, disable one and off-board one. The
simulator is stopped whatever happens.
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
            "ansible_connection": "local", "device_info_cleanup_url": url, "threecx_url": url}}}}, stream)
    return path


PEOPLE = {  # the users playbook's input, as a people.yml would hold it
    "threecx_departments": [{"name": "Research", "language": "EN"}],
    "threecx_users": [
        {"number": "130", "first_name": "Ada", "last_name": "Lovelace", "email": "ada.lovelace@example.com",
         "departments": [{"name": "Research", "role": "managers"}], "primary_department": "Research"},
        {"number": "131", "first_name": "Alan", "last_name": "Turing", "email": "alan.turing@example.com",
         "departments": [{"name": "Research"}]},
        {"number": "101", "departments": [{"name": "Research"}], "departments_mode": "add"},
        {"number": "102", "enabled": False},
        {"number": "103", "state": "absent"},
    ],
}


def run_playbook(collections, inventory, playbook, variables, *flags):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               THREECX_CLIENT_ID=CLIENT_ID, THREECX_CLIENT_SECRET=CLIENT_SECRET)
    command = [os.path.join(BIN, "ansible-playbook"), playbook, "-i", inventory, "-e", json.dumps(variables)] + list(flags)
    print("$ ansible-playbook " + " ".join(command[1:]), flush=True)
    subprocess.run(command, env=env, check=True)


def three_runs(collections, inventory, playbook, variables, what):
    banner("Dry run: --check --diff shows what %s, and changes nothing" % what)
    run_playbook(collections, inventory, playbook, variables, "--check", "--diff")
    banner("For real")
    run_playbook(collections, inventory, playbook, variables)
    banner("Once more: nothing left to do (changed=0)")
    run_playbook(collections, inventory, playbook, variables)


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
            three_runs(collections, inventory, "threecx.pbx.device_info_cleanup", SELECTION, "would be deleted")
            after = simulator_state(url, "device_infos")
            left = [r["Id"] for r in after if r["Id"] in {s["Id"] for s in stale}]
            calls = simulator_state(url, "requests")
            if left or len(before) - len(after) != len(stale):
                sys.exit("Unexpected end state: %d records left that should be gone" % len(left))
            deletes = sum(1 for call in calls if call["method"] == "DELETE")
            print("\nSummary: %d DeviceInfos before, %d after; %d deleted with %d DELETE requests; %d requests to the PBX "
                  "over three runs." % (len(before), len(after), len(stale), deletes, len(calls)))
            three_runs(collections, inventory, "threecx.pbx.users", PEOPLE, "would change")
            users = {user["Number"]: user for user in simulator_state(url, "users")}
            if "130" not in users or "103" in users or users["102"]["Enabled"]:
                sys.exit("Unexpected end state of the users playbook")
            print("\nSummary: users 130 and 131 on-boarded into Research, 101 added to it, 102 disabled, 103 deleted.")
        finally:
            simulator.terminate()
            simulator.wait(timeout=10)


if __name__ == "__main__":
    main()
