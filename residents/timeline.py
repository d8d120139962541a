"""What the workflow writes on a request's timeline: the one copy of each event's text.

The services (residents.services) write these on every step; the demo seeder calls the same helpers for
the history it generates, so a seeded timeline reads exactly like a worked one. Labels come in as
strings (a choice's label), so callers that write in bulk can pass labels they have looked up once.
"""

RESUMED_AFTER_REFERRAL = "转介后继续办理"


def triaged(severity_label, urgency_label, priority, previous_priority):
    """Triage or re-prioritise: 轻重缓急, the priority it gives, and the priority before."""
    return f"{severity_label}{urgency_label}，P{priority}（原P{previous_priority}）"


def assigned(assignee, previous=None):
    return f"指派给{assignee}" + (f"（原承办：{previous}）" if previous else "")


def handed_over(assignee, leaving):
    """A leaving worker's open requests go to a colleague (离任移交)."""
    return f"离任移交：指派给{assignee}（原承办：{leaving}）"


def referred(organisation, reason):
    return f"转介至{organisation}：{reason}"


def referral_outcome(organisation, outcome_label, note=""):
    return f"{organisation}：{outcome_label}" + (f"。{note}" if note else "")


def followed_up(satisfaction_label, note=""):
    return f"回访：{satisfaction_label}" + (f"。{note}" if note else "")


def closed(kind_label, reason):
    """Withdrawn or rejected: the kind of reason, then the reason."""
    return f"{kind_label}：{reason}"
