"""The explain protocol: a model's logit split into exactly explainable parts.

Models whose output is at most second order in the fields (FM, FwFM) implement
``decompose(X) -> Decomposition``; :mod:`skfeat.explain` reads models through this
method and ``decision_function``/``predict`` only.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class Decomposition:
    """Second-order decomposition of a model output for some rows.

    The output of row ``r`` is::

        bias + sum_i linear[r, i]
             + sum_{i<j} pair_weights[i, j] * <embeddings[r, i], embeddings[r, j]>
             + remainder[r]

    Field ``i`` is input column ``i`` of the estimator, or, for a model with
    vector fields (``vector_features``), its ``i``-th field (``schema_.names``):
    the columns of a vector field form one field.

    Attributes
    ----------
    bias : float
        Constant term.
    linear : ndarray of shape (n_samples, n_fields)
        First-order contribution of each field.
    embeddings : ndarray of shape (n_samples, n_fields, embed_dim)
        Each field's embedding (numeric fields: value times the field's vector).
    pair_weights : ndarray of shape (n_fields, n_fields)
        Symmetric weights of the pair terms with a zero diagonal: ones off the
        diagonal for an FM, learned ``r_ij`` for an FwFM.
    feature_names : list of str
        Names of the fields (input columns).
    remainder : ndarray of shape (n_samples,) or None
        Whatever the parts above do not hold (a deep component); ``None`` when the
        decomposition is the whole output.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import FMRegressor
    >>> X, y, _ = make_interaction_regression(n_samples=500, random_state=0)
    >>> reg = FMRegressor(embed_dim=4, max_epochs=2, random_state=0).fit(X, y)
    >>> d = reg.decompose(X.iloc[:3])
    >>> d.linear.shape, d.embeddings.shape, d.pair_weights.shape
    ((3, 8), (3, 8, 4), (8, 8))
    >>> bool(abs(d.output() - reg.predict(X.iloc[:3])).max() < 1e-4)
    True
    """

    bias: float
    linear: np.ndarray
    embeddings: np.ndarray
    pair_weights: np.ndarray
    feature_names: list
    remainder: np.ndarray | None = None

    def output(self):
        """Recompose the model output from the parts."""
        pairs = 0.5 * np.einsum(
            "rik,ij,rjk->r", self.embeddings, self.pair_weights, self.embeddings
        )
        out = self.bias + self.linear.sum(axis=1) + pairs
        if self.remainder is not None:
            out = out + self.remainder
        return out
