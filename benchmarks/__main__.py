# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``python -m benchmarks``: run the delete benchmark (see the package docstring) and report."""

import argparse
import collections
import contextlib
import functools
import os
import platform
import random
import subprocess
import sys
import tempfile
import time

from . import report
from .methods import (DELETE_METHODS, FAILURES, FIXED_COSTS, MEMORY_LISTINGS, PLAYBOOK_START, Context, bypass_proxies,
                      children_cpu_seconds, default_parallelism, listed_peak_rss, payloads)
from .simulator import REPO, SERVERS, SimulatorFactory

DEFAULT_OUTPUT = os.path.join(REPO, "benchmarks", "results")


def sizes(text):
    return [int(value) for value in text.split(",") if value]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Measure deleting N DeviceInfos from a stand-in PBX.")
    parser.add_argument("--server", choices=sorted(SERVERS), default="lean",
                        help="the PBX: the lean server, which answers in as little CPU as it can so that the clients' costs show, or "
                        "the XAPI simulator, which checks every request against the spec but sets the pace (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="measurements of each method, latency and N (default %(default)s)")
    parser.add_argument("--sizes", type=sizes, default=[100, 1000, 5000], help="N without latency (default 100,1000,5000)")
    parser.add_argument("--latency-ms", type=int, default=report.WAN_LATENCY_MS,
                        help="the WAN latency per request in ms; 0 for none (default %(default)s)")
    parser.add_argument("--wan-sizes", type=sizes, default=[100, 1000], help="N with latency (default 100,1000)")
    parser.add_argument("--methods", type=lambda text: text.split(","), default=[method.key for method in DELETE_METHODS],
                        help="which methods, comma-separated (default all: %(default)s)")
    parser.add_argument("--parallelism", type=int, help="c (default: device_info's default parallelism)")
    parser.add_argument("--memory-sizes", type=sizes,
                        help="records that device_info lists in check mode (return_records: false), and device_info_info, "
                        "for the peak memory of the module process; '' for none (default 5000,50000; none with --quick)")
    parser.add_argument("--quick", action="store_true", help="one repeat at N = 100 and 1,000, no memory runs unless "
                        "--memory-sizes: a smoke test")
    parser.add_argument("--full", action="store_true", help="also N = 5,000 with latency, the uri loop with latency, the "
                        "concurrent floors without, and the memory of device_info_info returning only Ids")
    parser.add_argument("--seed", type=int, default=1, help="seed of the order of the measurements (default %(default)s)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="where the results go (default benchmarks/results)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.methods) - {method.key for method in DELETE_METHODS})
    if unknown:
        parser.error(f"unknown methods {', '.join(unknown)}")
    if args.memory_sizes is None:
        args.memory_sizes = [] if args.quick else list(report.MEMORY_SIZES)
    if args.quick:
        args.repeats, args.sizes, args.wan_sizes = 1, [100, 1000], [100, 1000]
    if args.full:
        args.wan_sizes = sorted(set(args.wan_sizes) | set(args.sizes))
    return args


class Bench:
    """The measurements of one run: ``cells`` are the (latency in ms, N) pairs, each measured once per repeat."""

    def __init__(self, args, ctx, factory):
        self.ctx = ctx
        self.factory = factory
        self.methods = [method for method in DELETE_METHODS if method.key in args.methods]
        self.cells = [(0, n) for n in args.sizes] + [(args.latency_ms, n) for n in args.wan_sizes if args.latency_ms]
        self.repeats = args.repeats
        self.full = args.full
        self.seed = args.seed
        self.measurements = []
        self._planned = None

    def slow_n(self, latency_ms):
        """The N at which slow methods run: the smallest with this latency."""
        return min(n for latency, n in self.cells if latency == latency_ms)

    def run(self):
        plans = [self._plan(cell) for cell in self.cells]
        self._planned = self.repeats * sum(len(plan) for plan in plans)
        for repeat in range(self.repeats):
            order = random.Random(f"{self.seed}:{repeat}")
            for (latency_ms, n), plan in order.sample(list(zip(self.cells, plans)), len(plans)):
                self._run_cell(repeat, latency_ms, n, order.sample(plan, len(plan)))
        return self.measurements

    def _plan(self, cell):
        latency_ms, n = cell
        runs = [method for method in self.methods if (n == self.slow_n(latency_ms) or not method.slow_at(latency_ms))
                and (self.full or not method.full_only(latency_ms))]
        return runs + list(FIXED_COSTS)

    def _run_cell(self, repeat, latency_ms, n, runs):
        """Measure ``runs`` in this order: methods that list on a server of their own, the others on one they share; the
        module's start on an empty server of its own, the playbook's without one."""
        shared = [method for method in runs if not method.lists and method not in FIXED_COSTS]
        with contextlib.ExitStack() as stack:
            shared_sim = stack.enter_context(self.factory.simulator(n * len(shared), latency_ms / 1000)) if shared else None
            for method in runs:
                if method is PLAYBOOK_START:
                    self._measure(repeat, method, latency_ms, None, 1, 0)
                elif method in FIXED_COSTS:
                    with self.factory.simulator(0, latency_ms / 1000) as sim:
                        self._measure(repeat, method, latency_ms, sim, 1, 0)
                elif method.lists:
                    with self.factory.simulator(n, latency_ms / 1000) as sim:
                        self._measure(repeat, method, latency_ms, sim, 1, n)
                else:
                    first = 1 + n * shared.index(method)
                    self._measure(repeat, method, latency_ms, shared_sim, first, first + n - 1)

    def _measure(self, repeat, method, latency_ms, sim, first, last):
        n = last - first + 1
        record = {"method": method.key, "latency_ms": latency_ms, "n": n or None, "repeat": repeat, "batch_seconds": None}
        sim_cpu = sim.cpu_seconds() if sim else 0.0
        total_cpu = children_cpu_seconds() + time.process_time()
        self.ctx.module_cpu_seconds()
        measured, record["seconds"], record["error"] = timed(functools.partial(method.run, self.ctx, sim, first, last))
        # Everything: the benchmark, ansible-playbook and their children.  The client's: its module processes, or what
        # the method measured (the requests loop's process).
        record["total_cpu_seconds"] = children_cpu_seconds() + time.process_time() - total_cpu
        record["client_cpu_seconds"] = self.ctx.module_cpu_seconds()
        record.update(measured or {})
        if sim:
            record["simulator_cpu_seconds"] = sim.cpu_seconds() - sim_cpu
            record.update(self._check(method, sim, first, last, record["error"]))
        self.measurements.append(record)
        self._progress(record)

    @staticmethod
    def _check(method, sim, first, last, error):
        """What the simulator saw: requests by operation, the module's batch time (``module_run`` methods), and an
        error if records are left or requests failed or were bad."""
        log, problems = simulator_findings(sim)
        left = [record_id for record_id in sim.remaining_ids() if first <= record_id <= last]
        if left:
            problems.insert(0, f"{len(left)} of the records are still there")
        return {"requests": dict(collections.Counter(entry["operation"] for entry in log)),
                "batch_seconds": batch_seconds(log, sim.latency) if method.module_run else None,
                "error": error or "; ".join(problems) or None}

    def _progress(self, record):
        cost = f"{record['seconds']:.2f} s"
        if record["n"]:
            cost += (f", {record['seconds'] * 1000 / record['n']:.2f} ms/record, {sum(record['requests'].values()) / record['n']:.3f} "
                     f"requests/record, server CPU {record['simulator_cpu_seconds'] / record['seconds']:.0%}")
        if record["client_cpu_seconds"] is not None:
            cost += f", client CPU {record['client_cpu_seconds']:.2f} s"
        print(f"[{len(self.measurements)}/{self._planned}] repeat {record['repeat'] + 1}, {record['latency_ms']} ms, "
              f"N={record['n'] or '-'}, {record['method']}: {cost}{'  FAILED: ' + record['error'] if record['error'] else ''}", flush=True)


def timed(run):
    """Call ``run()``; its result (None if it failed), the seconds it took, and what failed (None if nothing did)."""
    started = time.perf_counter()
    try:
        result, error = run(), None
    except FAILURES as exc:
        result, error = None, f"{type(exc).__name__}: {exc}"
    return result, time.perf_counter() - started, error


def simulator_findings(sim):
    """The request log since the last look (which it empties), and what no run may cause: failed requests, and
    requests a real 3CX would not understand."""
    log, violations = sim.request_log(), sim.violations()
    sim.reset_log()
    failed = [entry for entry in log if entry["status"] is None or entry["status"] >= 400]
    problems = [f"{len(failed)} requests failed, e.g. {failed[0]['method']} {failed[0]['path']}: {failed[0]['status']}" if failed else "",
                f"requests a real 3CX would not understand: {violations[:3]}" if violations else ""]
    return log, [problem for problem in problems if problem]


def batch_seconds(log, latency):
    """A module's batch time: from its first request (the token request) to its last by the simulator's clock,
    plus one round trip for the last answer; none of ansible-playbook's or the module process's start."""
    received = [entry["received"] for entry in log]
    return max(received) - min(received) + latency if received else None


def measure_memory(ctx, factory, records, full):
    """The peak memory of the module process in each of the MEMORY_LISTINGS (``full_only`` ones with ``full``) of
    ``records`` records."""
    results = []
    for listing in MEMORY_LISTINGS:
        if listing.full_only and not full:
            continue
        entry = {"records": records, "listing": listing.key, "label": listing.label, "peak_rss_bytes": None, "listed": None,
                 "seconds": None, "requests": None, "requests_per_record": None, "error": None}
        with factory.simulator(records) as sim:
            measured, entry["seconds"], entry["error"] = timed(functools.partial(listed_peak_rss, ctx, sim, listing))
            entry["peak_rss_bytes"], entry["listed"] = measured or (None, None)
            entry.update(listing_findings(sim, listing, records, entry["listed"], entry["error"]))
        results.append(entry)
        outcome = ("not measured" if entry["peak_rss_bytes"] is None else
                   f"peak {entry['peak_rss_bytes'] / 2**20:.1f} MiB, {entry['seconds']:.1f} s, {entry['requests']} requests")
        print(f"memory: {records:,} records, {listing.label}: {outcome}{'  FAILED: ' + entry['error'] if entry['error'] else ''}", flush=True)
    return results


def listing_findings(sim, listing, records, listed, error):
    """Requests (in all and per record listed) and an error if the listing missed records, deleted any in check
    mode, or had requests fail or be bad."""
    log, problems = simulator_findings(sim)
    if listed is not None and listed != records:
        problems.insert(0, f"listed {listed:,} of {records:,} records")
    if listing.check_mode:
        deleted = records - len(sim.remaining_ids())
        if deleted:
            problems.insert(0, f"{deleted:,} records were deleted in check mode")
    return {"requests": len(log), "requests_per_record": len(log) / listed if listed else None,
            "error": error or "; ".join(problems) or None}


def machine():
    """What the numbers were measured on."""
    from ansible.release import __version__ as ansible_core
    curl = subprocess.run(["curl", "--version"], capture_output=True, text=True, check=False).stdout.split("\n", 1)[0]
    return {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "python": platform.python_version(),
            "platform": platform.platform(), "ansible_core": ansible_core, "curl": curl}


def main(argv=None):
    args = parse_args(argv)
    bypass_proxies()
    started = time.monotonic()
    before = machine()
    with tempfile.TemporaryDirectory(prefix="threecx-bench-") as workdir, SimulatorFactory(args.server) as factory:
        ctx = Context(workdir)
        default = default_parallelism(ctx)
        ctx.parallelism = args.parallelism or default
        print(f"server: {args.server}; parallelism: c = {ctx.parallelism} (device_info's default: {default})", flush=True)
        sizes_of_payloads = payloads(ctx)
        for payload in sizes_of_payloads:
            print(f"payload of {payload['module']}: {payload['file_bytes']:,} bytes, {payload['files']} files, "
                  f"{', '.join(payload['collection_files'])}", flush=True)
        bench = Bench(args, ctx, factory)
        measurements = bench.run()
        memory = [entry for records in args.memory_sizes for entry in measure_memory(ctx, factory, records, args.full)]
    settings = {"server": args.server, "repeats": args.repeats, "cells": bench.cells, "parallelism": ctx.parallelism, "full": args.full,
                "seed": args.seed}
    results = report.analyse(measurements, memory, sizes_of_payloads, bench.methods, bench.cells, bench.slow_n, settings)
    results.update(machine=dict(before, load_average_after=os.getloadavg()), minutes=(time.monotonic() - started) / 60)
    paths = report.write(args.output, results)
    print(f"\n{results['text']}\n\n{len(measurements)} measurements in {results['minutes']:.1f} min on {before['cpus']} CPUs; "
          f"written: {', '.join(os.path.relpath(path) for path in paths)}")
    failures = [record for record in measurements + memory if record["error"]]
    if failures:
        print(f"{len(failures)} measurements failed or were not measured; the first: {failures[0]['error']}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
