"""Users' own references ("1.1", "SCAR001.10", "CF6 - 001"), sorted as people read them.

The database cannot sort "1.2" before "1.10" by itself, so every referenced model stores a
sort key made here: numbers are zero-padded so that a plain string sort is a natural sort.
"""

import re

from natsort import natsort_keygen

_NUMBER = re.compile(r"\d+")
_PAD = 10

natural_key = natsort_keygen()


def reference_sort_key(reference: str) -> str:
    """ "1.10" -> "0000000001.0000000010": sorts after "1.2" as text, as people expect."""
    text = " ".join(str(reference).split()).lower()
    return _NUMBER.sub(lambda match: match.group().zfill(_PAD)[-_PAD:], text)[:255]


def natural_sorted(items, key=lambda item: item):
    """Sort Python objects naturally by a reference (natsort), for lists merged in memory."""
    return sorted(items, key=lambda item: natural_key(key(item)))
