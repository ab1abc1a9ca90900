# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the measurements say: per-record costs with min/median/max, ratios, the issue's targets, a table and a chart."""

import json
import os
import statistics

FLOOR = "requests"
URI = "uri"
START = "playbook-start"
MODULE_START = "module-start"
FIXED_COSTS = (START, MODULE_START)
COLLECTION_METHODS = ("role", "module-ids", "module-filter")
# The memory run whose peaks the target judges: device_info in check mode, holding only Ids (methods.MEMORY_LISTINGS).
MEMORY_LISTING = "device_info-check"
# 1,000 records: the module run against the floor plus one ansible-playbook start, and against the uri loop;
# with latency, the module's batch time (its first request to its last) against N x L / c; listing 50,000
# records against 5,000.
TARGET_N = 1000
FLOOR_FACTOR = 1.3
# 1,000 records, no latency: the module process's CPU per DELETE against the requests loop's, and requests per record.
CPU_FACTOR = 1.2
REQUESTS_PER_RECORD = 1.05
URI_FACTOR = 100
WAN_FACTOR = 1.5
WAN_LATENCY_MS = 20
MEMORY_SIZES = (5000, 50000)
MEMORY_FACTOR = 2
# Above this share of the wall time in CPU, the server rather than the client sets the pace.
SIMULATOR_BOUND = 0.8


def spread(values):
    """min, median and max of ``values``."""
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def scaled(summary, factor):
    return {name: value * factor for name, value in summary.items()}


def client_cpu(record, module_start_cpu):
    """The client's CPU seconds beyond its start: the module process's less the median module start's, or the requests
    loop process's less that of the same process with nothing to delete; None for the other methods."""
    start = record.get("client_start_cpu_seconds", module_start_cpu)
    if record["client_cpu_seconds"] is None or start is None or record["method"] not in COLLECTION_METHODS + (FLOOR,):
        return None
    return record["client_cpu_seconds"] - start


def summarize(measurements, methods, cells, slow_n, parallelism):
    """One row per method and (latency, N) cell: measured, or extrapolated per record from ``slow_n(latency)``.

    A method's label names c as ``{c}``; the rows name ``parallelism``.  The client's CPU per DELETE and per request
    are its CPU beyond its start (``client_cpu``) over the DELETEs and over all requests it sent.
    """
    runs = {}
    for record in measurements:
        if record["error"] is None and record["method"] not in FIXED_COSTS:
            runs.setdefault((record["method"], record["latency_ms"], record["n"]), []).append(record)
    module_start_cpu = fixed_cpu(measurements)
    rows = []
    for latency_ms, n in cells:
        for method in methods:
            measured_n = n if (method.key, latency_ms, n) in runs or not method.slow_at(latency_ms) else slow_n(latency_ms)
            done = runs.get((method.key, latency_ms, measured_n))
            if not done:
                continue
            seconds = spread([record["seconds"] for record in done])
            batches = [record["batch_seconds"] for record in done if record["batch_seconds"] is not None]
            rows.append({
                "method": method.key, "label": method.label.format(c=parallelism), "latency_ms": latency_ms, "n": n, "measured_n": measured_n,
                "extrapolated": measured_n != n, "runs": len(done),
                "seconds": scaled(seconds, n / measured_n),
                "batch_seconds": scaled(spread(batches), n / measured_n) if batches else None,
                "ms_per_record": scaled(seconds, 1000 / measured_n),
                "requests_per_record": statistics.median(sum(r["requests"].values()) / measured_n for r in done),
                "token_requests": statistics.median(r["requests"].get("token", 0) for r in done),
                "simulator_cpu_share": statistics.median(r["simulator_cpu_seconds"] / r["seconds"] for r in done),
                "client_cpu_seconds": median_of(r["client_cpu_seconds"] for r in done),
                "client_cpu_ms_per_delete": median_of(per(client_cpu(r, module_start_cpu), r["requests"].get("DeleteDeviceInfo")) for r in done),
                "client_cpu_ms_per_request": median_of(per(client_cpu(r, module_start_cpu), sum(r["requests"].values())) for r in done),
            })
    by_cell = {(row["method"], row["latency_ms"], row["n"]): row for row in rows}
    for row in rows:
        floor = by_cell.get((FLOOR, row["latency_ms"], row["n"]))
        uri = by_cell.get((URI, row["latency_ms"], row["n"]))
        cost = row["ms_per_record"]["median"]
        row["times_floor"] = cost / floor["ms_per_record"]["median"] if floor else None
        row["uri_per_this"] = uri["ms_per_record"]["median"] / cost if uri else None
        floor_cpu = floor and floor["client_cpu_ms_per_delete"]
        row["times_floor_cpu"] = row["client_cpu_ms_per_delete"] / floor_cpu if floor_cpu and row["client_cpu_ms_per_delete"] else None
    return rows


def median_of(values):
    """The median of the values that are not None; None if none is."""
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def per(cpu_seconds, count):
    """Milliseconds of ``cpu_seconds`` per one of ``count``; None if either is unknown."""
    return cpu_seconds * 1000 / count if cpu_seconds is not None and count else None


def fixed_cpu(measurements):
    """The median CPU seconds of the module process of a module run with nothing to delete: the module's start."""
    return median_of(record["client_cpu_seconds"] for record in measurements if record["method"] == MODULE_START and record["error"] is None)


def costs(rows):
    """Fixed cost and cost per further record of each method and latency, from the medians at its two smallest measured N."""
    measured = {}
    for row in rows:
        if not row["extrapolated"]:
            measured.setdefault((row["method"], row["label"], row["latency_ms"]), []).append(row)
    results = []
    for (key, label, latency_ms), points in measured.items():
        if len(points) < 2:
            continue
        small, large = sorted(points, key=lambda row: row["n"])[:2]
        per_record = (large["seconds"]["median"] - small["seconds"]["median"]) / (large["n"] - small["n"])
        results.append({"method": key, "label": label, "latency_ms": latency_ms, "from_n": [small["n"], large["n"]],
                        "fixed_seconds": small["seconds"]["median"] - small["n"] * per_record, "ms_per_further_record": per_record * 1000})
    return results


def costs_table(results):
    lines = ["| latency | method | fixed s | ms per further record | from N |", "| ---: | --- | ---: | ---: | --- |"]
    for result in results:
        lines.append(f"| {result['latency_ms']} ms | {result['label']} | {result['fixed_seconds']:.2f} "
                     f"| {result['ms_per_further_record']:.2f} | {' and '.join(f'{n:,}' for n in result['from_n'])} |")
    return "\n".join(lines)


def fixed_seconds(measurements, key):
    """min, median and max seconds of the ``key`` fixed-cost runs (START or MODULE_START); None if none ran."""
    starts = [record["seconds"] for record in measurements if record["method"] == key and record["error"] is None]
    return spread(starts) if starts else None


def fixed_text(start, module_start, module_start_cpu, sizes):
    """The fixed costs: the starts of ansible-playbook and of a module run, and each module's payload."""
    lines = ["| module | AnsiballZ file | its zip | sources in the zip (compiled at each run) | files | files of the collection |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for payload in sizes:
        lines.append(f"| {payload['module']} | {payload['file_bytes'] / 1024:,.0f} KiB | {payload['zip_bytes'] / 1024:,.0f} KiB "
                     f"| {payload['source_bytes'] / 1024:,.0f} KiB | {payload['files']} | {', '.join(payload['collection_files'])} |")
    if start and module_start:
        lines += ["", f"ansible-playbook start (one debug task): {_seconds(start)} s; with one device_info task that has nothing to "
                  f"delete instead: {_seconds(module_start)} s, {module_start['median'] - start['median']:.2f} s more; its module "
                  f"process's CPU: {_number(module_start_cpu)} s."]
    return "\n".join(lines)


def targets(rows, start, memory, parallelism):
    """The issue's targets: each with what was measured, the limit and whether it is met (None: not measured)."""
    cell = {(row["method"], row["latency_ms"], row["n"]): row for row in rows}
    results = []
    floor, uri = cell.get((FLOOR, 0, TARGET_N)), cell.get((URI, 0, TARGET_N))
    for key in COLLECTION_METHODS:
        run = cell.get((key, 0, TARGET_N))
        limit = FLOOR_FACTOR * (floor["seconds"]["median"] + start["median"]) if run and floor and start else None
        results.append(_target(f"{key}, {TARGET_N:,} records, 0 ms: at most {FLOOR_FACTOR}x (requests loop + one ansible-playbook start)",
                               run and run["seconds"]["median"], limit, "s"))
        ratio = run and uri and uri["ms_per_record"]["median"] / run["ms_per_record"]["median"]
        results.append(_target(f"{key}, {TARGET_N:,} records, 0 ms: at least {URI_FACTOR}x less per record than the uri loop",
                               ratio, URI_FACTOR, "x", at_least=True))
        results.append(_target(f"{key}, {TARGET_N:,} records, 0 ms: client CPU per DELETE at most {CPU_FACTOR}x the requests loop's",
                               run and run["times_floor_cpu"], CPU_FACTOR, "x"))
        results.append(_target(f"{key}, {TARGET_N:,} records, 0 ms: at most {REQUESTS_PER_RECORD} requests per record",
                               run and run["requests_per_record"], REQUESTS_PER_RECORD, ""))
    ideal = TARGET_N * WAN_LATENCY_MS / 1000 / parallelism
    for key in COLLECTION_METHODS:
        run = cell.get((key, WAN_LATENCY_MS, TARGET_N))
        batch = run and run["batch_seconds"] and run["batch_seconds"]["median"]
        results.append(_target(f"{key}, {TARGET_N:,} records, {WAN_LATENCY_MS} ms: batch time, first to last request, within "
                               f"{WAN_FACTOR}x of N*L/c = {ideal:.1f} s (c = {parallelism})", batch, WAN_FACTOR * ideal, "s"))
    peaks = {entry["records"]: entry["peak_rss_bytes"] / 2**20 for entry in memory
             if entry["listing"] == MEMORY_LISTING and entry["error"] is None}
    small, large = MEMORY_SIZES
    results.append(_target(f"device_info --check, filter selecting every record, return_records: false, {large:,} records listed: "
                           f"peak memory of the module process under {MEMORY_FACTOR}x its peak at {small:,}",
                           peaks.get(large), MEMORY_FACTOR * peaks[small] if small in peaks else None, "MiB"))
    return results


def _target(text, value, limit, unit, at_least=False):
    met = None if value is None or limit is None else (value >= limit if at_least else value <= limit)
    return {"target": text, "value": value, "limit": limit, "unit": unit, "met": met}


def _number(value, digits=2):
    return "-" if value is None else f"{value:,.{digits}f}"


def _seconds(summary):
    return "-" if summary is None else f"{summary['median']:.2f} ({summary['min']:.2f}-{summary['max']:.2f})"


def table(rows, start):
    """The results as a Markdown table, extrapolated rows marked, and what the marks mean."""
    lines = ["| latency | N | method | total s, median (min-max) | batch s, median (min-max) | ms per record | requests per record "
             "| tokens | server CPU | x floor | uri loop / this |",
             "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        mark = " *" if row["extrapolated"] else ""
        lines.append(f"| {row['latency_ms']} ms | {row['n']:,} | {row['label']}{mark} | {_seconds(row['seconds'])}{mark} "
                     f"| {_seconds(row['batch_seconds'])} | {row['ms_per_record']['median']:.2f} | {row['requests_per_record']:.3f} "
                     f"| {row['token_requests']:g} | {row['simulator_cpu_share']:.0%} | {_number(row['times_floor'])} "
                     f"| {_number(row['uri_per_this'], 0)} |")
    notes = ["", "\\* extrapolated: the per-record cost measured at the smallest N, times N.",
             "batch s: the collection's module from its first request (the token) to its last, by the simulator's clock, plus "
             "one latency for the last answer: the total without the start of ansible-playbook and of the module process.",
             "x floor: ms per record against the requests.Session loop at the same latency and N; "
             "uri loop / this: how many times less per record than the ansible.builtin.uri loop."]
    if start:
        notes.append(f"ansible-playbook start (one debug task): {_seconds(start)} s.")
    return "\n".join(lines + notes)


def cpu_table(rows):
    """The client's CPU time, where it is known: the module process's (the collection), the loop process's (requests)."""
    lines = ["| latency | N | method | client CPU s | CPU ms per DELETE | CPU ms per request | x requests loop |",
             "| ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
    for row in rows:
        if row["client_cpu_ms_per_delete"] is not None and not row["extrapolated"]:
            lines.append(f"| {row['latency_ms']} ms | {row['n']:,} | {row['label']} | {row['client_cpu_seconds']:.2f} "
                         f"| {row['client_cpu_ms_per_delete']:.3f} | {row['client_cpu_ms_per_request']:.3f} | {_number(row['times_floor_cpu'])} |")
    notes = ["", "client CPU: user and system CPU time of the module process (the collection) or of the requests loop's process; "
             "per DELETE and per request: less that of the same process with nothing to delete (the module: device_info with "
             "ids: []; the loop: no request), over the DELETEs and over all requests (token and list reads too) it sent."]
    return "\n".join(lines + notes)


def memory_table(memory):
    """The memory runs as a Markdown table, and below it why a run has no verdict."""
    lines = ["| records | module run (filter: Id gt 0) | records listed | peak RSS of the module process | seconds | requests "
             "| requests per record listed |", "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    notes = []
    for entry in memory:
        failed = entry["error"] is not None
        peak = "not measured" if entry["peak_rss_bytes"] is None else f"{entry['peak_rss_bytes'] / 2**20:.1f} MiB" + (" (failed)" if failed else "")
        lines.append(f"| {entry['records']:,} | {entry['label']} | {_number(entry['listed'], 0)} | {peak} "
                     f"| {_number(entry['seconds'], 1)} | {_number(entry['requests'], 0)} | {_number(entry['requests_per_record'], 3)} |")
        if failed:
            notes.append(f"{entry['records']:,} records, {entry['label']}: {entry['error'].splitlines()[0][:300]}")
    return "\n".join(lines + ([""] + notes if notes else []))


def simulator_bound(rows):
    """A line naming the rows in which the server's CPU share was above SIMULATOR_BOUND."""
    bound = [f"{row['latency_ms']} ms N={row['n']:,} {row['label']} ({row['simulator_cpu_share']:.0%})"
             for row in rows if row["simulator_cpu_share"] > SIMULATOR_BOUND and not row["extrapolated"]]
    return (f"Server CPU share above {SIMULATOR_BOUND:.0%} (the server, not the client, sets the pace): "
            + ("; ".join(bound) if bound else "none") + ".")


def targets_text(results):
    verdicts = {True: "met", False: "NOT met", None: "not measured"}
    return "\n".join(f"- {verdicts[result['met']]}: {result['target']}: {_number(result['value'], 3)} {result['unit']}"
                     f" (limit {_number(result['limit'])} {result['unit']})" for result in results)


def chart(rows, path, parallelism):
    """Milliseconds per record against N, one panel per latency, extrapolated points hollow; False without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib import pyplot, ticker
    except ImportError:
        return False
    latencies = sorted({row["latency_ms"] for row in rows})
    figure, axes = pyplot.subplots(1, len(latencies), figsize=(5 * len(latencies), 4.8), squeeze=False, sharex=True, sharey=True)
    colors = dict(zip(dict.fromkeys(row["method"] for row in rows), pyplot.rcParams["axes.prop_cycle"].by_key()["color"] * 2))
    legend = {}
    for axis, latency in zip(axes[0], latencies):
        for key, color in colors.items():
            _plot(axis, [row for row in rows if row["method"] == key and row["latency_ms"] == latency], color, legend)
        if latency:
            ideal = latency / parallelism
            legend["N x L / c"] = axis.axhline(ideal, color="black", linestyle=":")
        axis.set(xscale="log", yscale="log", xlabel="records deleted (N)", title=f"{latency} ms per request")
        axis.set_xticks(sorted({row["n"] for row in rows}))
        for scale in (axis.xaxis, axis.yaxis):
            scale.set_major_formatter(ticker.FuncFormatter(lambda value, _position: f"{value:,g}"))
            scale.set_minor_formatter(ticker.NullFormatter())
        axis.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("ms per record (median, min-max)")
    figure.legend(legend.values(), legend.keys(), loc="lower center", ncol=4, fontsize=7, frameon=False)
    figure.suptitle(f"Deleting N DeviceInfos (hollow: extrapolated; c = {parallelism})", fontsize=10)
    figure.tight_layout(rect=(0, 0.12, 1, 1))
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return True


def _plot(axis, points, color, legend):
    """One method's line on one panel: medians joined, each point with its min-max; its line goes into ``legend``."""
    if not points:
        return
    line, = axis.plot([row["n"] for row in points], [row["ms_per_record"]["median"] for row in points], color=color,
                      linestyle="--" if points[-1]["extrapolated"] else "-")
    legend.setdefault(points[0]["label"], line)
    for row in points:
        cost = row["ms_per_record"]
        axis.errorbar(row["n"], cost["median"], yerr=[[cost["median"] - cost["min"]], [cost["max"] - cost["median"]]],
                      color=color, capsize=2, marker="o", markersize=4, markerfacecolor="white" if row["extrapolated"] else color)


def analyse(measurements, memory, sizes, methods, cells, slow_n, settings):
    """Everything the run says: summary rows, fixed and per-record costs, client CPU, payloads, targets, and the text to print."""
    summary = summarize(measurements, methods, cells, slow_n, settings["parallelism"])
    start, module_start = fixed_seconds(measurements, START), fixed_seconds(measurements, MODULE_START)
    fixed = costs(summary)
    verdicts = targets(summary, start, memory, settings["parallelism"])
    parts = [f"Server: {settings['server']}.", table(summary, start), simulator_bound(summary), cpu_table(summary),
             fixed_text(start, module_start, fixed_cpu(measurements), sizes), costs_table(fixed)]
    if memory:
        parts.append(memory_table(memory))
    parts.append(targets_text(verdicts))
    return {"settings": settings, "measurements": measurements, "summary": summary, "costs": fixed, "playbook_start": start,
            "module_start": module_start, "payloads": sizes, "memory": memory, "targets": verdicts, "text": "\n\n".join(parts)}


def write(output, results):
    """Write results.json, table.md and chart.png into ``output``; returns the paths written."""
    os.makedirs(output, exist_ok=True)
    paths = [os.path.join(output, "results.json"), os.path.join(output, "table.md")]
    with open(paths[0], "w", encoding="utf-8") as stream:
        json.dump(results, stream, indent=1)
    with open(paths[1], "w", encoding="utf-8") as stream:
        stream.write(results["text"] + "\n")
    png = os.path.join(output, "chart.png")
    if chart(results["summary"], png, results["settings"]["parallelism"]):
        paths.append(png)
    return paths
