"""When a worker leaves: what she holds at a station, handed to a colleague in one step.

Each kind of work registers a part (`register_part`): residents its requests and visit plans, casework
its cases (as lead or co-worker) and open case tasks (residents imports no casework: the arrows point one
way). A part names its `label`, lists what `held(user_id, station_id)` (open items only: closed ones
stay as they were, history), and `hand_over(acting_user, leaving, to_user, items)` changes each one with
its version bumped, its audit entry and its own timeline's line. `residents.services.hand_over_open_work`
runs every part in one transaction and writes one audit entry with the counts.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HandoverPart:
    key: str
    label: str  # e.g. "未办结诉求"
    held: Callable  # (user_id, station_id) -> QuerySet, open items only
    hand_over: Callable  # (acting_user, leaving, to_user, items: list) -> None
    columns: Callable | None = None  # (item) -> (reference, what, state) for the handover page


_parts: dict[str, HandoverPart] = {}


def register_part(part: HandoverPart) -> None:
    _parts[part.key] = part


def parts() -> list[HandoverPart]:
    return list(_parts.values())
