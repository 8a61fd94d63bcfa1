"""Safe persistence: :func:`save` and :func:`load` (safetensors + JSON, no pickle);
serving: :func:`export_onnx` (one ONNX graph from the raw columns)."""

from skfeat.io._onnx import export_onnx, onnx_inputs
from skfeat.io._safe import FORMAT_VERSION, load, save

__all__ = ["FORMAT_VERSION", "export_onnx", "load", "onnx_inputs", "save"]
