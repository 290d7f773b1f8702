"""The capacity level of a commune, 1 to 4, from dated indicators. Pure: no Django.

The rule (documented for users on the commune's page and in docs/registry.md):

- Level 4, consolidated: level 3, and the commune bank operates, at least two productive
  units work, and the commune manages at least one public service.
- Level 3, organised: level 2, and the communal development plan is approved, at least one
  productive unit works, and at least half of its councils are active.
- Level 2, constituted: the founding charter is approved and the communal parliament meets.
- Level 1, forming: anything less.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicators:
    charter_approved: bool
    parliament_meeting: bool
    plan_approved: bool
    bank_operating: bool
    productive_units: int
    services_managed: int
    councils_active_share: int  # percent, 0-100


def capacity_level(ind: Indicators) -> int:
    if not (ind.charter_approved and ind.parliament_meeting):
        return 1
    if not (ind.plan_approved and ind.productive_units >= 1 and ind.councils_active_share >= 50):
        return 2
    if not (ind.bank_operating and ind.productive_units >= 2 and ind.services_managed >= 1):
        return 3
    return 4
