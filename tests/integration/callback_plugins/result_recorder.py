# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test-only callback: appends every task result as one JSON line to the file named by RESULT_RECORDER_FILE."""

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: result_recorder
type: aggregate
short_description: Record task results as JSON lines for the threecx.pbx integration tests
description:
  - Writes one JSON object per task result to the file named by the E(RESULT_RECORDER_FILE) environment variable.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "result_recorder"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        with open(os.environ["RESULT_RECORDER_FILE"], "a", encoding="utf-8") as stream:
            stream.write(json.dumps({
                "task": result.task_name,
                "host": result._host.get_name(),  # pylint: disable=protected-access
                "status": status,
                "result": result._result,  # pylint: disable=protected-access
            }, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")
