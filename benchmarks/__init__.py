# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The delete benchmark: what deleting N DeviceInfos costs with the collection, and with what users would write instead.

``make bench`` (or ``python -m benchmarks --help`` from the checkout, with ``tests/requirements.txt`` and
``benchmarks/requirements.txt`` installed) deletes N DeviceInfos from the XAPI simulator, run in processes of
its own, answering at once or 20 ms late (a WAN link):

- the collection through a real ``ansible-playbook``: the cleanup role, and ``device_info`` with ``ids`` or a
  ``filter`` in one task, given the module's default ``parallelism`` (c);
- ``ansible.builtin.uri`` in a loop, as users do without the collection;
- the floors: a ``requests.Session`` loop, one curl process with keep-alive, and both with c requests in flight.

Every repeat measures every method at every latency and N once, in an order of its own, so that what else the
machine does hits all alike.  Slow methods (the uri loop; with latency, the one-at-a-time floors) run at the
smallest N only and are extrapolated per record beyond it, marked so.  The report gives, with min/median/max
over repeats, the total and per-record cost, the requests per record and the token requests from the
simulator's log, the simulator's CPU share (it must not be the bottleneck), the ratios against the
``requests`` floor and against the uri loop, and whether the issue's targets are met.

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
