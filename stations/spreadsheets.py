"""What may stand in a spreadsheet cell we write: the one rule against formula injection, for every app
that writes a workbook (sws.exports for the lists and reports, projects' volunteer register)."""

import re
import unicodedata

# What a spreadsheet program reads as the start of a formula (or of a command, for tab and CR).
FORMULA_STARTS = frozenset("=+-@\t\r")
# A figure written as text ("-3", "+12.5%", "-1,234.00") is no formula and keeps reading as a number.
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?%?")


def safe_text(text: str) -> str:
    """`text` as it may stand in a spreadsheet cell: prefixed with an apostrophe when a spreadsheet
    program would read it as a formula. The first character is compared in its NFKC form, so `＝` (full
    width), `﹦` and the like count as `=`. A plain number written as text ("-3", "-12.5%") is left as
    it is."""
    if text and unicodedata.normalize("NFKC", text[0])[:1] in FORMULA_STARTS:
        if PLAIN_NUMBER.fullmatch(text) and text.isascii():
            return text
        return "'" + text
    return text
