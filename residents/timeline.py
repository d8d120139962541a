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


def reported_by(reporter, channel_label, id_number="", resident=None):
    """A need reported by 居委会 staff or a volunteer reporter: who, and whether the ID number they gave
    matched a registered resident (the number itself is never written here)."""
    text = f"{channel_label}：{reporter}上报"
    if id_number:
        text += (
            "，已按身份证号关联登记居民" if resident is not None else "，所填身份证号未匹配到本社区登记居民"
        )
    return text


def transfer_proposed(from_station, to_station, reason_label, text=""):
    return f"提出转移：由{from_station}转至{to_station}（{reason_label}）" + (f"。{text}" if text else "")


def transfer_decided(to_station, accepted, note=""):
    verdict = "已接收" if accepted else "拒绝接收"
    return f"{to_station}{verdict}转移" + (f"：{note}" if note else "")


def transfer_cancelled(note=""):
    return "撤回转移申请" + (f"：{note}" if note else "")


def dispatched(by, from_station, to_station, note=""):
    """The district centre dispatched (派单) the request to a station."""
    return f"{by}派单：由{from_station}派至{to_station}" + (f"。{note}" if note else "")
