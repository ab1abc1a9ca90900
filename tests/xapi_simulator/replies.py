# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shapes of the PBX's JSON answers."""

import json

from werkzeug.wrappers import Response

ODATA_JSON = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"
# The warnings (members of the spec's Pbx.Warnings) that the simulator's refusals carry.
ALREADY_IN_USE = "WARNINGS.XAPI.ALREADY_IN_USE"
DUPLICATE = "WARNINGS.XAPI.DUPLICATE"
FORBIDDEN_CHANGE = "WARNINGS.XAPI.FORBIDDEN_CHANGE"
NOT_FOUND = "WARNINGS.XAPI.NOT_FOUND"
REQUIRED = "WARNINGS.XAPI.REQUIRED"
INVALID = "WARNINGS.INVALID"
GROUP_CANNOT_BE_DELETED = "WARNINGS.GROUP_CANNOT_BE_DELETED"
GROUP_WITH_MEMBERS_CANNOT_BE_DELETED = "WARNINGS.GROUP_WITH_MEMBERS_CANNOT_BE_DELETED"
USER_EXTENSION_CANNOT_BE_DELETED = "WARNINGS.USER_EXTENSION_CANNOT_BE_DELETED"


def json_response(body, status=200, headers=None, content_type="application/json; charset=utf-8"):
    return Response(json.dumps(body), status=status, headers=headers, content_type=content_type)


def odata_error_body(message, details=()):
    """An error in 3CX's OData shape (schema Pbx.ODataErrors.ODataError)."""
    return {"error": {"code": "", "message": message, "details": list(details)}}


def odata_error(status, message, details=(), headers=None):
    return json_response(odata_error_body(message, details), status, headers, ODATA_JSON)


def is_refusal(status, body):
    """Whether an answer (its status and JSON body) is a PBX's refusal of a value: 400, each detail a ``WARNINGS.*`` code
    with the property it is about."""
    details = body.get("error", {}).get("details") if isinstance(body, dict) else None
    return status == 400 and bool(details) and all(detail.get("message", "").startswith("WARNINGS.") and detail.get("target")
                                                   for detail in details)


class Refusal(ValueError):
    """A value the PBX refuses: answered 400 with ``<target>:`` and the warning ``code`` (a ``Pbx.Warnings`` member, e.g.
    ``WARNINGS.XAPI.ALREADY_IN_USE``) on two lines, one detail naming the target, as 3CX answers it."""

    def __init__(self, target, code, text=None):
        super().__init__(text or f"{target}:\n{code}")
        self.target = target
        self.code = code

    def response(self):
        return odata_error(400, f"{self.target}:\n{self.code}", [{"code": "", "message": self.code, "target": self.target}])
