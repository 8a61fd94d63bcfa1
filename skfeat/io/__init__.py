"""Safe persistence: :func:`save` and :func:`load` (safetensors + JSON, no pickle)."""

from skfeat.io._safe import FORMAT_VERSION, load, save

__all__ = ["FORMAT_VERSION", "load", "save"]
