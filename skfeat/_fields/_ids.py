"""The reserved ids of every categorical field, defined once.

* id 0: missing (NaN or None),
* id 1: unknown (a value never seen in ``fit``),
* ids 2, 3, ...: the field's vocabulary (or hash buckets).
"""

MISSING_ID = 0
UNKNOWN_ID = 1
N_RESERVED_IDS = 2
