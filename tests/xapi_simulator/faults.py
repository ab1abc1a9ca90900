# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``python -m xapi_simulator.faults URL KIND [options]``: arm a fault in a running simulator through its
control endpoint ``POST /_simulator/faults`` (see the package docstring)."""

import argparse
import json
import ssl
import sys
import urllib.error
import urllib.request

from .injection import KINDS


def seconds_or_text(value):
    """A Retry-After value: whole seconds become a number, anything else (an HTTP date) is sent as is."""
    return int(value) if value.isdigit() else value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m xapi_simulator.faults", description="Arm a fault in a running XAPI simulator.")
    parser.add_argument("url", help="the simulator's base URL, e.g. http://127.0.0.1:8090")
    parser.add_argument("kind", choices=KINDS, help="status: answer an error; delay: answer late; reset: close the connection "
                        "unanswered; down/up: stop/resume answering; clear: disarm every fault and end a down time")
    parser.add_argument("--count", type=int, help="how many matching requests the fault takes (default 1)")
    parser.add_argument("--status", type=int, help="the status to answer (default 503)")
    parser.add_argument("--retry-after", type=seconds_or_text, help="a Retry-After header: seconds, or a text sent as is")
    parser.add_argument("--body", help="the body to answer instead of the status's usual one")
    parser.add_argument("--content-type", help="the Content-Type of --body")
    parser.add_argument("--seconds", type=float, help="how late to answer (default 1)")
    parser.add_argument("--after-processing", action="store_true", default=None,
                        help="process the request first: only its answer is late or lost")
    parser.add_argument("--after-bytes", type=int, help="reset: send the headers and this many bytes of the answer's body first")
    parser.add_argument("--operation", help="only requests of this operationId (token: token requests, backup_download: "
                        "backup downloads)")
    parser.add_argument("--method", help="only requests of this HTTP method")
    parser.add_argument("--cafile", help="the CA certificate to verify an HTTPS simulator with")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    settings = {name: value for name, value in vars(args).items() if value is not None and name not in ("url", "cafile")}
    request = urllib.request.Request(args.url.rstrip("/") + "/_simulator/faults", data=json.dumps(settings).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    context = ssl.create_default_context(cafile=args.cafile) if args.cafile else None
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as reply:
            print(reply.read().decode())
    except urllib.error.HTTPError as exc:
        sys.stderr.write(f"xapi_simulator.faults: {exc.code}: {exc.read().decode(errors='replace')}\n")
        return 1
    except urllib.error.URLError as exc:
        sys.stderr.write(f"xapi_simulator.faults: {exc.reason}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
