"""Voting ensembles: the output explained, and the exact path for FM members.

A fitted ``VotingRegressor`` predicts the weighted mean of its members'
predictions, ``f = sum_k w_k f_k`` (``w`` normalised to sum to one). SHAP
values and interaction values are linear in the explained function (for one
background), so when every member is at most second order in the columns (FM,
FwFM, alone or at the end of a column-wise ``Pipeline``) the ensemble is too,
and its values are the weighted sum of the members' closed forms.

A soft ``VotingClassifier`` averages *probabilities*: ``p = sum_k w_k
sigmoid(z_k)``. Its log-odds ``logit(p)`` is not second order even when every
``z_k`` is, so no closed form holds for it; it is explained by the
model-agnostic estimators (``ensemble_output="mean_proba"``). What is second
order is the weighted mean of the members' logits, ``z = sum_k w_k z_k``, the
log-odds of the ensemble that averages logits instead of probabilities
(``ensemble_output="mean_logit"``): exact for FM-family members.

The weighted sum is written as one :class:`~skfeat.models.Decomposition`, so
the explainer's closed form and control variate apply unchanged. Each member
``k`` contributes its pair weights scaled by ``w_k``; these are folded into the
embeddings: with ``w_k R_k + s I = L L^T`` positive semi-definite, field ``i``
gets the embedding ``L[i] (x) e_i``, whose inner products are ``w_k r_ij <e_i,
e_j>`` for ``i != j`` (the shift ``s I`` only touches the diagonal, which a
decomposition ignores). The members' embeddings are then concatenated and the
pair weights are those of an FM.
"""

import numpy as np
from sklearn.ensemble import VotingClassifier, VotingRegressor

from skfeat.models import Decomposition

ENSEMBLE_OUTPUTS = ("mean_proba", "mean_logit")


def is_voting(model):
    """Whether ``model`` is a scikit-learn voting ensemble."""
    return isinstance(model, VotingClassifier | VotingRegressor)


def voting_members(model):
    """``[(fitted member, weight)]`` of a fitted voting ensemble, weights summing to 1.

    Dropped members (``"drop"``) are left out, as the ensemble leaves them out.
    """
    kept = [est for _, est in model.estimators if est != "drop"]
    if model.weights is None:
        weights = np.ones(len(kept))
    else:
        weights = np.asarray(
            [
                w
                for (_, est), w in zip(model.estimators, model.weights, strict=True)
                if est != "drop"
            ],
            dtype=np.float64,
        )
    return list(zip(model.estimators_, weights / weights.sum(), strict=True))


def check_voting(model, ensemble_output):
    """Raise for a voting ensemble the explainer cannot explain."""
    if ensemble_output not in ENSEMBLE_OUTPUTS:
        raise ValueError(
            f"ensemble_output must be one of {ENSEMBLE_OUTPUTS}, got "
            f"{ensemble_output!r}."
        )
    if isinstance(model, VotingClassifier) and model.voting != "soft":
        raise TypeError(
            "A VotingClassifier with voting='hard' outputs class labels, which "
            "have no log-odds to explain; use voting='soft'."
        )


def _log_odds(proba, output):
    """Log-odds of class 1 (binary) or log-probability of class ``output``."""
    proba = np.clip(np.asarray(proba, dtype=np.float64), 1e-300, None)
    if proba.shape[1] == 2:
        return np.log(proba[:, 1]) - np.log(proba[:, 0])
    if output is None:
        raise ValueError(
            f"the ensemble has {proba.shape[1]} classes; pass output= (the class "
            "column to explain)."
        )
    return np.log(proba[:, output])


def _member_logit(member, X, output):
    """A member's logit: its ``decision_function``, else its log-odds."""
    if hasattr(member, "decision_function"):
        out = np.asarray(member.decision_function(X), dtype=np.float64)
        if out.ndim == 2:
            if out.shape[1] == 1:
                return out[:, 0]
            if output is None:
                raise ValueError(
                    f"the members have {out.shape[1]} outputs (multiclass); pass "
                    "output= (the class column to explain)."
                )
            return out[:, output]
        return out
    return _log_odds(member.predict_proba(X), output)


def voting_function(model, ensemble_output, output):
    """The function explained for a fitted voting ensemble, as float64."""
    members = voting_members(model)
    if isinstance(model, VotingRegressor):

        def f(X):
            return np.asarray(model.predict(X), dtype=np.float64)

    elif ensemble_output == "mean_proba":

        def f(X):
            return _log_odds(model.predict_proba(X), output)

    else:

        def f(X):
            return sum(w * _member_logit(est, X, output) for est, w in members)

    return f


def voting_decomposer(model, background, ensemble_output, decomposer_of):
    """``(decomposer, None)`` or ``(None, why the exact path does not apply)``.

    ``decomposer_of(member, background)`` finds each member's own decomposer.
    """
    if isinstance(model, VotingClassifier) and ensemble_output == "mean_proba":
        return None, (
            "a soft VotingClassifier averages probabilities, and the log-odds of a "
            "mean of probabilities is not second order in the columns (pass "
            "ensemble_output='mean_logit' to explain the mean of the members' "
            "logits, exactly for FM-family members)"
        )
    parts, reasons = [], []
    for est, w in voting_members(model):
        dec, why = decomposer_of(est, background)
        parts.append((est, w, dec))
        if dec is None:
            reasons.append(f"{type(est).__name__}: {why}")
    if all(dec is None for _, _, dec in parts):
        return None, "no member has a decomposition (" + "; ".join(reasons) + ")"
    return _VotingDecomposer(parts), None


class _VotingDecomposer:
    """The weighted sum of the members' decompositions, as one decomposition.

    A member without one (a DNN, a tree ensemble) counts as all remainder: its
    weighted output is added to the remainder, which the explainer estimates.
    """

    def __init__(self, parts):
        self.parts = parts
        self._factors = {}

    def decompose(self, X, *, output=None):
        bias, linear, blocks, remainder, names = 0.0, None, [], None, None
        rest = []
        for index, (est, w, decomposer) in enumerate(self.parts):
            if decomposer is None:
                rest.append(w * _member_logit(est, X, output))
                continue
            dec = decomposer.decompose(X, output=output)
            if names is None:
                names = list(dec.feature_names)
            elif list(dec.feature_names) != names:
                raise ValueError(
                    "the ensemble's members decompose into different fields "
                    f"({names} and {list(dec.feature_names)}); explain them one "
                    "by one."
                )
            bias += w * float(dec.bias)
            part = w * np.asarray(dec.linear, dtype=np.float64)
            linear = part if linear is None else linear + part
            blocks.append(self._lifted(index, dec, w))
            if dec.remainder is not None:
                rest.append(w * np.asarray(dec.remainder, dtype=np.float64))
        m = linear.shape[1]
        if rest:
            remainder = np.sum(rest, axis=0)
        weights = np.ones((m, m)) - np.eye(m)
        return Decomposition(
            bias=bias,
            linear=linear,
            embeddings=np.concatenate(blocks, axis=2),
            pair_weights=weights,
            feature_names=names,
            remainder=remainder,
        )

    def _lifted(self, index, dec, w):
        """Embeddings ``L[i] (x) e_i`` with ``L L^T = w R + s I`` (see module)."""
        pair = w * np.asarray(dec.pair_weights, dtype=np.float64)
        cached = self._factors.get(index)
        if cached is None or not np.array_equal(cached[0], pair):
            lam, vec = np.linalg.eigh(pair)
            lam = lam + max(0.0, -float(lam.min()))
            keep = lam > 1e-12 * max(1.0, float(lam.max()))
            cached = (pair, vec[:, keep] * np.sqrt(lam[keep]))
            self._factors[index] = cached
        factor = cached[1]  # (m, r)
        emb = np.asarray(dec.embeddings, dtype=np.float64)  # (n, m, k)
        n, m, k = emb.shape
        return np.einsum("nik,ir->nirk", emb, factor).reshape(n, m, -1)
