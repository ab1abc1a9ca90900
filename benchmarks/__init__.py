# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The delete benchmark: what deleting N DeviceInfos costs with the collection, and with what users would write instead.

``make bench`` (or ``python -m benchmarks --help`` from the checkout, with ``tests/requirements.txt`` and
``benchmarks/requirements.txt`` installed) deletes N DeviceInfos from a stand-in PBX in processes of its own,
answering at once or 20 ms late (a WAN link): the lean server (``benchmarks.lean_server``), which answers only
what the benchmark sends in as little CPU as it can, so that the clients' own costs show; or, with ``--server
simulator``, the XAPI simulator, which checks every request against the spec but at a few thousand requests a
second uses most of a core and sets the pace:

- the collection through a real ``ansible-playbook``: the cleanup role, and ``device_info`` with ``ids`` or a
  ``filter`` in one task, given the module's default ``parallelism`` (c);
- ``ansible.builtin.uri`` in a loop, as users do without the collection;
- the floors: a ``requests.Session`` loop (in a process of its own), one curl process with keep-alive, and both
  with c requests in flight.

Every repeat measures every method at every latency and N once, in an order of its own, so that what else the
machine does hits all alike.  Slow methods (the uri loop; with latency, the one-at-a-time floors) run at the
smallest N only and are extrapolated per record beyond it, marked so.  The report gives, with min/median/max
over repeats, the total and per-record cost, the requests per record and the token requests from the
server's log, the server's CPU share (it must not be the bottleneck), the ratios against the
``requests`` floor and against the uri loop, and whether the issue's targets are met.

The client's CPU time is measured from outside, as user and system time of its process: every module process runs
under a wrapper that notes it, and the ``requests`` loop runs in a process of its own.  Less that of the same process
with nothing to delete (``device_info`` with ``ids: []``, measured in every cell as the module's start; the loop
without a request), over the DELETEs sent, it gives the client CPU per DELETE, which no slow server can hide.  The
fixed costs are reported too: the start of ``ansible-playbook`` (one debug task), that of a module run that does
nothing, and each module's AnsiballZ payload (its size, the sources in it, the files of the collection it carries).

For the collection it also gives the batch time: from the module's first request (its token request) to its
last by the simulator's clock, plus one latency for the last answer.  The 20 ms target (N x L / c) judges
that, as the cleanup's own pace; the fixed costs of ansible-playbook and of the module process's start, which
no latency changes, are what the 0 ms targets judge.

The memory runs list every record of a simulator holding 5,000 and 50,000 with ``device_info`` in check mode
(``return_records: false``, so it holds only Ids; nothing is deleted, which is checked), on which the memory
target is judged, and with ``device_info_info`` returning every record, for what that costs; each with the
peak RSS of the module process and the requests per record listed.

It writes ``results.json``, ``table.md`` and ``chart.png`` (with matplotlib, from
``benchmarks/requirements.txt``) into ``benchmarks/results/``.
"""
