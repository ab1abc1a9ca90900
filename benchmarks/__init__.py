# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The delete benchmark: what deleting N DeviceInfos costs with the collection, and with what users would write instead.

``make bench`` (or ``python -m benchmarks --help`` from the checkout, with ansible-core, requests and PyYAML
installed) deletes N DeviceInfos from the XAPI simulator, each time a fresh one in a process of its own,
answering at once or 20 ms late (a WAN link):

- the collection through a real ``ansible-playbook``: the cleanup role, and ``device_info`` with ``ids`` or a
  ``filter`` in one task, given the module's default ``parallelism`` (c; 1 for a collection without that option);
- ``ansible.builtin.uri`` in a loop, as users do without the collection;
- the floors: a ``requests.Session`` loop, one curl process with keep-alive, and both with c requests in flight.

Every repeat measures every method at every latency and N once, in an order of its own, so that what else the
machine does hits all alike.  Slow methods (the uri loop; with latency, the one-at-a-time floors) run at the
smallest N only and are extrapolated per record beyond it, marked so.  The report gives, with min/median/max
over repeats, the total and per-record cost, the requests per record and the token requests from the
simulator's log, the simulator's CPU share (it must not be the bottleneck), the ratios against the
``requests`` floor and against the uri loop, the peak memory of the module process listing 5,000 and 50,000
records, and whether the issue's targets are met.  It writes ``results.json``, ``table.md`` and ``chart.png``
(with matplotlib, from ``benchmarks/requirements.txt``) into ``benchmarks/results/``.
"""
