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
    bag : ndarray of bool or None, default=None
        Whether each field is a multi-value (bag) field; ``None`` when there are
        none. Bag fields come last in module order.
    bags : tuple of tuple, default=()
        Per bag field, in module order: ``(length, pooling, segment,
        target_field)``. ``segment`` is the block of the embedding table its ids
        index (a categorical field's, for a bag sharing its target's vocabulary,
        else one after the categorical fields'), ``target_field`` the categorical
        field it attends to (``-1`` for none).
    bag_cardinalities : tuple of int, default=()
        Ids of each bag field with its own vocabulary, in segment order.

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
    bag: np.ndarray | None = None
    bags: tuple = ()
    bag_cardinalities: tuple = ()

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
            and (self.bag_mask is None) == (other.bag_mask is None)
            and (
                self.bag_mask is None or np.array_equal(self.bag_mask, other.bag_mask)
            )
            and tuple(self.bag_specs) == tuple(other.bag_specs)
            and tuple(self.own_bag_cardinalities)
            == tuple(other.own_bag_cardinalities)
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
        bag = self.bag_mask
        bag = np.zeros_like(vector) if bag is None else np.asarray(bag, dtype=bool)
        return np.concatenate(
            [
                np.flatnonzero(self.categorical),
                np.flatnonzero(~self.categorical & ~vector & ~bag),
                np.flatnonzero(vector),
                np.flatnonzero(bag),
            ]
        )

    # schemas of models saved before bag fields have no such attributes
    @property
    def bag_mask(self):
        """Whether each field is a bag field (None when none is)."""
        return self.__dict__.get("bag")

    @property
    def bag_specs(self):
        """Per bag field, ``(length, pooling, segment, target_field)``."""
        return tuple(self.__dict__.get("bags", ()))

    @property
    def own_bag_cardinalities(self):
        """Ids of each bag field with its own vocabulary."""
        return tuple(self.__dict__.get("bag_cardinalities", ()))

    @property
    def n_bags(self):
        """Number of bag fields."""
        return len(self.bag_specs)

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
