"""What the torch modules are built from: :class:`FieldSchema`."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FieldSchema:
    """What the module needs to know about the fields.

    Parameters
    ----------
    names : list of str
        One name per field, in input column order.
    categorical : ndarray of bool
        Whether each field (input column) is categorical.
    cardinalities : list of int
        Number of ids of each categorical field, reserved ids included, in the order
        the categorical fields appear among the input columns.
    n_numeric : int
        Number of numeric fields.
    vector : ndarray of bool or None, default=None
        Whether each field is a vector field; ``None`` when there are none. With
        vector fields, ``names`` and ``categorical`` describe the fields: one per
        input column outside the vector fields, and one per vector field at the
        position of its first column.
    vector_dims : tuple of int, default=()
        Length of each vector field, in module order (the order of the fields).
    columns : tuple of tuple of int or None, default=None
        The input columns of each field; ``None`` when field ``i`` is column
        ``i``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skfeat.models import FMClassifier
    >>> X = pd.DataFrame({"age": [31.0, 45.0, 27.0, 52.0],
    ...                   "city": pd.Categorical(["a", "b", "a", "c"])})
    >>> clf = FMClassifier(max_epochs=1, random_state=0).fit(X, [0, 1, 0, 1])
    >>> clf.schema_.cardinalities  # 3 cities + the missing and unknown ids
    [5]
    >>> clf.schema_.order.tolist()  # module fields: categorical first
    [1, 0]
    """

    names: list
    categorical: np.ndarray
    cardinalities: list
    n_numeric: int
    vector: np.ndarray | None = None
    vector_dims: tuple = ()
    columns: tuple | None = None

    def __eq__(self, other):
        if not isinstance(other, FieldSchema):
            return NotImplemented
        return (
            list(self.names) == list(other.names)
            and np.array_equal(self.categorical, other.categorical)
            and list(self.cardinalities) == list(other.cardinalities)
            and int(self.n_numeric) == int(other.n_numeric)
            and (self.vector is None) == (other.vector is None)
            and (self.vector is None or np.array_equal(self.vector, other.vector))
            and tuple(self.vector_dims) == tuple(other.vector_dims)
            and self.columns == other.columns
        )

    __hash__ = None  # holds arrays

    @property
    def n_fields(self):
        """Number of fields."""
        return len(self.names)

    @property
    def order(self):
        """Field of each module field: ndarray of int.

        ``order[j]`` is the field (input column, without vector fields) of the
        ``j``-th field of the module, whose fields come as all categorical
        fields, then all numeric ones, then all vector ones.
        """
        if self.vector is None:
            return np.concatenate(
                [np.flatnonzero(self.categorical), np.flatnonzero(~self.categorical)]
            )
        vector = np.asarray(self.vector, dtype=bool)
        return np.concatenate(
            [
                np.flatnonzero(self.categorical),
                np.flatnonzero(~self.categorical & ~vector),
                np.flatnonzero(vector),
            ]
        )

    def field_of_column(self, n_columns):
        """Return the field each input column belongs to.

        Parameters
        ----------
        n_columns : int
            Number of input columns.

        Returns
        -------
        owner : ndarray of int of shape (n_columns,)
            The field of each input column.
        """
        if self.columns is None:
            return np.arange(n_columns)
        owner = np.empty(n_columns, dtype=np.int64)
        for i, cols in enumerate(self.columns):
            owner[list(cols)] = i
        return owner
