"""Skip the doctests that need the optional ONNX packages when they are missing."""

import importlib.util

_ONNX = ("onnx", "onnxscript", "onnxruntime")
collect_ignore = [] if all(importlib.util.find_spec(m) for m in _ONNX) else ["_onnx.py"]
