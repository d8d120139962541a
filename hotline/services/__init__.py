"""Hotline workflows, each taking who acts (an API key, or a user) and checking it itself.

`receive`: a work order in (`receive_work_order`), dispatch by hand from the 未能定位 queue
(`dispatch_work_order`). `answers`: the station's 签收/退回/延期申请/办结回复 and the district
centre's decision on an extension; the caller's satisfaction in. `hotline.callbacks`: the signed
answer written to the outbox.
"""

from hotline.services.answers import (  # noqa: F401
    decide_extension,
    record_satisfaction,
    reply_work_order,
    request_extension,
    return_work_order,
    sign_work_order,
)
from hotline.services.errors import OrderError  # noqa: F401
from hotline.services.receive import dispatch_work_order, receive_work_order  # noqa: F401
