"""Common-check settings for the deep models (class name -> params / xfails)."""

DEEP_PARAMS = {}
DEEP_XFAILS = {}
