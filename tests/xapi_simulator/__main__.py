# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``python -m xapi_simulator``: serve a simulated PBX until SIGTERM or SIGINT."""

import argparse
import os
import shutil
import signal
import sys

from .countdown import is_seconds
from .server import DEFAULT_CLIENTS, Simulator
from .switches import ENVIRONMENT, SWITCHES, assignments, checked, from_environment

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
SWITCH_HELP = "; ".join(f"{name}: {switch.takes} (default {switch.default_text})" for name, switch in SWITCHES.items())


def parse_args(argv=None):
    default_id, default_secret = next(iter(DEFAULT_CLIENTS.items()))
    parser = argparse.ArgumentParser(prog="python -m xapi_simulator", description="A simulated 3CX V20 XAPI (the whole of 20.0.10).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=8090, help="port to listen on, 0 for any free one (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data: records, singletons, function answers (default %(default)s)")
    parser.add_argument("--records", type=int, default=50, help="number of DeviceInfos (default %(default)s)")
    parser.add_argument("--client-id", default=os.environ.get("THREECX_CLIENT_ID") or default_id,
                        help="API client id (default $THREECX_CLIENT_ID or %(default)s)")
    parser.add_argument("--client-secret", default=os.environ.get("THREECX_CLIENT_SECRET") or default_secret,
                        help="API client secret (default $THREECX_CLIENT_SECRET or the simulator's)")
    parser.add_argument("--etag", action="store_true", help="send ETags and answer 412 to a stale If-Match")
    parser.add_argument("--expires-in-unit", choices=("seconds", "minutes"), default="seconds",
                        help="unit of expires_in in token replies (3CX <= 20.0.8 sent minutes)")
    parser.add_argument("--token-lifetime", type=int, default=3600, help="seconds a token lives (default %(default)s)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                        help="answer every XAPI call and token request this much later, like a WAN link (default %(default)s)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a certificate from a throw-away CA; "
                        "prints the path of the CA's certificate on a second line")
    parser.add_argument("--ca-out", metavar="PATH", help="with --tls, also write the CA's certificate (PEM) to PATH")
    parser.add_argument("--switch", action="append", default=[], metavar="NAME=VALUE",
                        help=f"set a switch, over the ${ENVIRONMENT} ones (repeatable): {SWITCH_HELP}")
    args = parser.parse_args(argv)
    if args.ca_out and not args.tls:
        parser.error("--ca-out needs --tls")
    if not is_seconds(args.latency):
        parser.error("--latency must be a non-negative number of seconds")
    try:
        from_environment()  # its mistakes told as the CLI's, not as a traceback
        args.switches = checked({name: value for item in args.switch for name, value in assignments(item).items()})
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv=None):
    args = parse_args(argv)
    simulator = Simulator(clients={args.client_id: args.client_secret}, seed=args.seed, records=args.records,
                          etag_mode=args.etag, expires_in_unit=args.expires_in_unit,
                          token_lifetime=args.token_lifetime, tls=args.tls, latency=args.latency, switches=args.switches)
    # Block the stop signals before the server threads start (they inherit the mask), then wait for one.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        simulator.start(args.host, args.port)
        if args.ca_out:
            shutil.copyfile(simulator.ca_path, args.ca_out)
    except OSError as exc:
        simulator.stop()
        sys.stderr.write(f"xapi_simulator: {exc}\n")
        return 1
    print(f"XAPI simulator listening on {simulator.url}", flush=True)
    if args.tls:
        print(os.path.abspath(args.ca_out or simulator.ca_path), flush=True)
    signal.sigwait(STOP_SIGNALS)
    simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
