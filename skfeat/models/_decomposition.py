"""The explain protocol: a model's logit split into exactly explainable parts.

Models whose output is at most second order in the fields (FM, FwFM) implement
``decompose(X) -> Decomposition``; :mod:`skfeat.explain` reads models through this
method and ``decision_function``/``predict`` only.
"""

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted


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

    Parameters
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
        """Recompose the model output from the parts.

        Returns
        -------
        output : ndarray of shape (n_samples,)
            The sum of all parts for each row: the model's output.
        """
        pairs = 0.5 * np.einsum(
            "rik,ij,rjk->r", self.embeddings, self.pair_weights, self.embeddings
        )
        out = self.bias + self.linear.sum(axis=1) + pairs
        if self.remainder is not None:
            out = out + self.remainder
        return out


class _Decomposable:
    """``decompose(X)`` for models with a closed-form second-order part.

    A model supplies ``_module_terms(module, data, c)``, returning the per-field
    first-order terms, the embeddings, the pair weights, the bias and the deep
    remainder (``None`` when the model has no deep part) of output ``c``, with
    the module's field order (categorical fields first).
    """

    def decomposition_unavailable_reason(self):
        """Why :meth:`decompose` does not apply to this fitted model, or None.

        A bag field pooled by attention to a target field has an embedding that
        depends on the target's value, so the pairwise part is no longer a
        function of each field's own values.

        Returns
        -------
        reason : str or None
            None when :meth:`decompose` applies.
        """
        schema = getattr(self, "schema_", None)
        if schema is None or not schema.n_bags:
            return None
        if any(pooling == "attention" for _, pooling, _, _ in schema.bag_specs):
            return (
                "a multi-value field is pooled by attention to another field, so "
                "its embedding depends on that field's value"
            )
        return None

    def decompose(self, X, *, output=None):
        """Split the model output on ``X`` into exactly explainable parts.

        The bias, per-field and pair terms are exact. A model with a deep part
        returns that part's output per row as ``remainder``; :mod:`skfeat.explain`
        treats the second-order part in closed form and samples only the
        remainder. The output is the logit for classifiers and the prediction for
        regressors.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)
            Rows to decompose, with the columns seen in ``fit``.
        output : int or None, default=None
            Class index for multiclass classifiers (required there); ignored
            otherwise.

        Returns
        -------
        decomposition : Decomposition
            The parts, one row per row of ``X``; ``decomposition.output()`` is
            the model's output.
        """
        check_is_fitted(self)
        if self._input_kind_ == "sparse":
            raise TypeError(
                f"{type(self).__name__} was fitted on sparse input; decompose needs "
                "field-structured input (one column per field)."
            )
        why = self.decomposition_unavailable_reason()
        if why is not None:
            raise TypeError(f"{type(self).__name__} cannot be decomposed: {why}.")
        n_outputs = self._n_outputs()
        if n_outputs > 1:
            if output is None:
                raise ValueError(
                    "decompose needs output= (a class index) for a multiclass model."
                )
            if not 0 <= int(output) < n_outputs:
                raise ValueError(f"output must be in [0, {n_outputs}), got {output}.")
        c = 0 if n_outputs == 1 else int(output)
        Xc = self._check_X(X, reset=False)
        data = self._dataset(Xc, None, None).to("cpu").inputs
        module = self.net_.module_.to("cpu")
        module.eval()  # deep modules also switch to float64 here
        with torch.no_grad():
            linear, emb, weights, bias, rest = self._module_terms(module, data, c)
        # the module lists categorical fields first; the protocol uses column order
        inverse = np.argsort(self.schema_.order)
        scale, shift = self._output_scale()
        if str(self.device) != "cpu":
            self.net_.module_.to(self.device)
        return Decomposition(
            bias=float(bias.detach()) * scale + shift,
            linear=linear.double().numpy()[:, inverse] * scale,
            embeddings=emb.double().numpy()[:, inverse],
            pair_weights=weights.double().numpy()[np.ix_(inverse, inverse)] * scale,
            feature_names=list(self.schema_.names),
            remainder=None if rest is None else rest.double().numpy() * scale,
        )
