"""Text that XML 1.0 can carry: what the schedule.xml and Atom writers put in their documents."""

from __future__ import annotations

import re

# Characters XML 1.0 cannot carry even escaped (and lone surrogates, which UTF-8 cannot encode):
# a hostile title must not make the whole document unreadable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold."""
    return _XML_ILLEGAL.sub("", text)
