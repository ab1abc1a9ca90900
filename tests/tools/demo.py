# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make demo``: build and install the collection, start the XAPI simulator, and delete a detected phone.

The playbook runs as a user would run it: first ``--check --diff`` (what would go), then for real, then
once more to show that a second run changes nothing. The simulator is stopped whatever happens.
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
CLIENT_SECRET = "demo-api-key-0123456789"


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
        [sys.executable, "-m", "xapi_simulator", "--port", "0", "--seed", "7", "--records", "25",
         "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET],
        env=dict(os.environ, PYTHONPATH=os.path.join(REPO, "tests")), stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if "listening on " not in line:
        process.kill()
        sys.exit("The simulator did not start: %r" % line)
    return process, line.rsplit("listening on ", 1)[1].strip()


def device_infos(url):
    with urllib.request.urlopen(url + "/_simulator/device_infos", timeout=10) as reply:
        return json.load(reply)


def run_playbook(collections, url, record_id, *flags):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
               THREECX_URL=url, THREECX_CLIENT_ID=CLIENT_ID, THREECX_CLIENT_SECRET=CLIENT_SECRET)
    command = [os.path.join(BIN, "ansible-playbook"), "threecx.pbx.delete_device_info",
               "-e", "device_info_id=%d" % record_id] + list(flags)
    print("$ ansible-playbook " + " ".join(command[1:]), flush=True)
    subprocess.run(command, env=env, check=True)


def main():
    with tempfile.TemporaryDirectory(prefix="threecx-pbx-demo-") as workdir:
        banner("Building and installing the threecx.pbx collection")
        collections = install_collection(workdir)
        simulator, url = start_simulator()
        try:
            print("XAPI simulator at %s" % url)
            records = device_infos(url)
            stale = next(record for record in records if not record["Assigned"])
            print("%d DeviceInfos; deleting Id %d: %s %s, MAC %s, detected %s"
                  % (len(records), stale["Id"], stale["Vendor"], stale["Model"], stale["MAC"], stale["DetectedAt"]))
            banner("Dry run: --check --diff shows what would be deleted")
            run_playbook(collections, url, stale["Id"], "--check", "--diff")
            banner("For real")
            run_playbook(collections, url, stale["Id"])
            banner("Once more: nothing left to do (changed=0)")
            run_playbook(collections, url, stale["Id"])
            after = device_infos(url)
            if any(record["Id"] == stale["Id"] for record in after):
                sys.exit("Id %d is still on the PBX" % stale["Id"])
            print("\nDeviceInfos on the PBX: %d before, %d after; Id %d is gone." % (len(records), len(after), stale["Id"]))
        finally:
            simulator.terminate()
            simulator.wait(timeout=10)


if __name__ == "__main__":
    main()
