"""Data larger than memory: lazy tables over files."""

from skfeat.data._source import FileSource

__all__ = ["FileSource"]
