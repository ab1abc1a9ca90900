# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Counting the requests a fault or a scheduled callback is waiting for."""

import math

from .spec import operation_ids

TOKEN_OPERATION = "token"  # how the request log names a request to /connect/token
DOWNLOAD_OPERATION = "backup_download"  # and one to a backup's download link
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


def check(condition, message):
    """ValueError(message) unless ``condition``: the check of an argument a test or the control endpoint gave."""
    if not condition:
        raise ValueError(message)


def is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def is_seconds(value):
    """A finite, non-negative number of seconds (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < math.inf


class Countdown:
    """``remaining`` requests to go, counting those of ``operation`` (an operationId of the spec, ``token`` or
    ``backup_download``) and ``method``; either left None matches any."""

    def __init__(self, count, operation=None, method=None):
        check(is_integer(count) and count >= 1, f"count must be a positive integer, not {count!r}")
        check(operation in (None, TOKEN_OPERATION, DOWNLOAD_OPERATION) or (isinstance(operation, str) and operation in operation_ids()),
              f"the spec has no operation {operation!r}")
        check(method is None or (isinstance(method, str) and method.upper() in METHODS),
              f"method must be one of {', '.join(METHODS)}, not {method!r}")
        self.remaining = count
        self.operation = operation
        self.method = None if method is None else method.upper()

    def matches(self, entry):
        """Whether the request of log entry ``entry`` counts."""
        return self.operation in (None, entry["operation"]) and self.method in (None, entry["method"])
