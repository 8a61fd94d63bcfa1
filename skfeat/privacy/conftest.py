"""Skip the doctests that need the optional Opacus dependency when it is missing."""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("opacus") else ["_dp.py"]
