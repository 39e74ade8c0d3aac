"""Every limit on what a problem or schedule file may hold, in one place (and the longest delay).

The limits keep one hostile or broken file from costing more than a bounded amount of memory, time
or storage, and keep every valid file storable (text limits match the database columns) and
writable as a workbook (every text fits a spreadsheet cell). Each is enforced where the file is
read: sizes before reading (`check_size`, `read_limited`, and the workbook's inflated size in
`scheduler.workbook`), list lengths and text lengths by the reader (`scheduler.interchange`).
docs/problem-format.md, docs/spreadsheets.md and docs/security.md list them for users.
"""

from __future__ import annotations

import os
import stat

# --- Files, checked before anything is read ------------------------------------------------------

# A problem or schedule file, JSON or .xlsx. The WSIS+20 sample is 0.5 MB as JSON; a 3,000-session
# event with a long abstract for every session, translated into two languages, and a biography for
# every speaker is 19.3 MB (bench/input_bench.py).
MAX_FILE_BYTES = 32 * 2**20
# What an .xlsx workbook (a zip archive) may unpack to, all its parts together, and how many parts
# it may have: a small file must not inflate into gigabytes while it is read.
MAX_INFLATED_BYTES = 150 * 2**20
MAX_WORKBOOK_PARTS = 1_000
# Rows of any one sheet below its header, blank ones included (Excel's own limit is 1,048,576).
MAX_SHEET_ROWS = 100_000

# --- Lists ---------------------------------------------------------------------------------------

MAX_SESSIONS = 10_000  # also the assignments, unscheduled sessions and conflicts of a schedule
MAX_SPEAKERS = 20_000
MAX_ROOMS = 1_000
MAX_DAYS = 366
# Every other list: a day's breaks, a session's speakers, tracks and preferences, a room's
# unavailable periods, `no_overlap` groups and their sessions, ...
MAX_ENTRIES = 1_000

# --- Text, in characters --------------------------------------------------------------------------

ID_LENGTH = 200
NAME_LENGTH = 300  # event name and venue, room and speaker names, organizers, affiliations
TITLE_LENGTH = 500  # session titles, translated or not
LABEL_LENGTH = 200  # break labels, features, interpretation codes, tracks
TYPE_LENGTH = 100  # session type, speaker role
GENDER_LENGTH = 50
REASON_LENGTH = 1_000  # why a room is unavailable, a no_overlap group's reason, an unscheduled reason
LONG_TEXT_LENGTH = 10_000  # abstracts, biographies and their translations, a conflict's message
URL_LENGTH = 2_000  # a speaker's photo
EMAIL_LENGTH = 254  # RFC 5321's longest forward path, less the angle brackets
# Any text in extension data (keys the format does not define), and any key.
EXTENSION_TEXT_LENGTH = 10_000

# --- Reading ---------------------------------------------------------------------------------------

# A file is read to the end and every problem listed, up to this many: then reading stops, so a
# broken file of any size is reported in bounded time and memory.
MAX_ISSUES = 1_000

# --- Numbers and nesting --------------------------------------------------------------------------

# Beyond this no count in an event makes sense, and the solver's integer model stays far from overflow.
MAX_WHOLE = 1_000_000_000
# Preference weights beyond this would swamp every other goal and strain the solver's integer model.
MAX_WEIGHT = 1_000_000
# Extension data nested deeper than this is refused, so nothing downstream can run out of stack on it.
MAX_DEPTH = 50


class FileTooLarge(ValueError):
    """A file is over the size limit; the message says how large it is and what the limit is."""


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def check_size(size: int, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse `size` bytes of file or upload over `limit`, before any of it is read."""
    if size > limit:
        raise FileTooLarge(f"the file is {_megabytes(size)}, more than the {_megabytes(limit)} allowed")


def read_limited(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, refused (`FileTooLarge`) before reading if it is larger than `limit`.

    What is not a regular file (a pipe, a device) has no size to check first: at most `limit + 1`
    bytes of it are read, and it is refused if there are more.
    """
    with open(path, "rb") as stream:
        status = os.fstat(stream.fileno())
        if stat.S_ISREG(status.st_mode):
            check_size(status.st_size, limit)
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"the file is more than the {_megabytes(limit)} allowed")
    return data


# --- The day's live changes -------------------------------------------------------------------------

# The longest delay the team can announce for a session (`scheduler live delay`, the console).
MAX_DELAY_MINUTES = 12 * 60
