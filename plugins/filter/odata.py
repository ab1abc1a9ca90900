# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that turn values into OData literals, so that playbooks build ``$filter`` expressions safely."""

from ansible.errors import AnsibleFilterError
from ansible_collections.threecx.pbx.plugins.module_utils._odata import datetime_literal, quote_literal


def odata_literal(value):
    return quote_literal(value)


def odata_datetime(value):
    try:
        return datetime_literal(value)
    except (TypeError, ValueError):
        raise AnsibleFilterError("threecx.pbx.odata_datetime: %r is not a date or an ISO 8601 date-time, such as "
                                 "2026-01-01 or 2026-01-01T08:00:00+01:00" % (value,))


class FilterModule:
    def filters(self):
        return {"odata_literal": odata_literal, "odata_datetime": odata_datetime}
