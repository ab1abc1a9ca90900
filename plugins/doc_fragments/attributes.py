# -*- coding: utf-8 -*-
# Copyright: threecx.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Attributes of the threecx.pbx modules: this one for all, then CHANGES or INFO_MODULE by kind."""

    DOCUMENTATION = r"""
attributes:
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: full
  action_group:
    description: Use C(group/threecx.pbx.all) in C(module_defaults) to set the connection options once for all modules.
    support: full
    membership:
      - threecx.pbx.all
"""

    # For modules that change the PBX.
    CHANGES = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying the PBX.
    support: full
    details: In check mode the module only reads from the PBX; it never sends a write.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode) when in diff mode.
    support: full
"""

    # For read-only modules.
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying the PBX.
    support: full
    details: This module only reads; it runs the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode) when in diff mode.
    support: N/A
    details: This module never changes anything.
"""
