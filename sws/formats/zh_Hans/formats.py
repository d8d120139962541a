"""zh-hans formats with ISO first among the input formats (FORMAT_MODULE_PATH).

A form widget renders a date in the first of DATE_INPUT_FORMATS. Django's zh_Hans puts %Y/%m/%d first,
which <input type="date"> rejects: the browser then submitted the field empty and a resident's birth date
was erased on the next save. ISO first, for every date input of the project and the admin; the slashed
form is still accepted when typed. Dates shown as text keep Django's formats (1948年5月1日).
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2016-09-05', what <input type="date"> sends and accepts
    "%Y/%m/%d",  # '2016/09/05'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S.%f",
    "%Y/%m/%d",
]
