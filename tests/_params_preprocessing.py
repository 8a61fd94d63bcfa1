"""Common-check settings for the transformers (class name -> params / xfails)."""

PREPROCESSING_PARAMS = {}
PREPROCESSING_XFAILS = {}
