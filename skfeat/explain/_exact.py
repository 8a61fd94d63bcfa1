"""Closed-form interventional SHAP (interaction) values for second-order models.

The model output is read through the :class:`~skfeat.models.Decomposition`
protocol: ``bias + sum_i g_i(x_i) + sum_{i<j} r_ij <e_i(x_i), e_j(x_j)>``.
For such a model the interventional game is 2-additive, so Shapley values and the
Shapley interaction index have closed forms in which the background enters only
through three moments (see ``MODELS_AND_EXPLAIN.md`` section 1.3):

* ``mu_i = E_b e_i(b_i)``, the mean embedding of field ``i``;
* ``gbar_i = E_b g_i(b_i)``, the mean first-order term;
* ``C_ij = E_b <e_i(b_i), e_j(b_j)>``, the joint second moment.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class BackgroundMoments:
    """Exact summary of a background for second-order models.

    Attributes
    ----------
    mu : ndarray of shape (n_fields, embed_dim)
    gbar : ndarray of shape (n_fields,)
    second_moment : ndarray of shape (n_fields, n_fields)
    n_samples : int
    """

    mu: np.ndarray
    gbar: np.ndarray
    second_moment: np.ndarray
    n_samples: int

    @property
    def covariance(self):
        """``C_ij - <mu_i, mu_j>``: trace of the fields' embedding cross-covariance."""
        return self.second_moment - self.mu @ self.mu.T


class _MomentAccumulator:
    """Streaming sums of (mu, gbar, C), so any background size fits in memory."""

    def __init__(self):
        self.n = 0
        self.sum_e = self.sum_g = self.sum_ee = None

    def update(self, linear, embeddings):
        # one (n, m, k) x (n, m, k) -> (m, m) contraction per chunk; einsum with
        # optimize picks a BLAS matmul over the flattened (n*k) axis
        e = np.ascontiguousarray(embeddings.transpose(1, 0, 2))  # (m, n, k)
        m = e.shape[0]
        flat = e.reshape(m, -1)
        ee = flat @ flat.T
        if self.sum_e is None:
            self.sum_e = embeddings.sum(axis=0)
            self.sum_g = linear.sum(axis=0)
            self.sum_ee = ee
        else:
            self.sum_e += embeddings.sum(axis=0)
            self.sum_g += linear.sum(axis=0)
            self.sum_ee += ee
        self.n += linear.shape[0]

    def result(self):
        return BackgroundMoments(
            mu=self.sum_e / self.n,
            gbar=self.sum_g / self.n,
            second_moment=self.sum_ee / self.n,
            n_samples=self.n,
        )


def background_moments(decompose, background, batch_size):
    """Moments of the background rows, decomposed ``batch_size`` rows at a time.

    Returns ``(moments, bias, pair_weights, feature_names, remainder_mean)``;
    ``remainder_mean`` is None when the decomposition has no remainder.
    """
    acc = _MomentAccumulator()
    n = 0
    bias = weights = names = None
    remainder_sum = None
    for part in _chunks(background, batch_size):
        n += part.shape[0]
        dec = decompose(part)
        acc.update(dec.linear, dec.embeddings)
        if dec.remainder is not None:
            remainder_sum = (remainder_sum or 0.0) + float(np.sum(dec.remainder))
        bias, weights, names = dec.bias, dec.pair_weights, dec.feature_names
    remainder_mean = None if remainder_sum is None else remainder_sum / n
    return (
        acc.result(),
        bias,
        np.asarray(weights, dtype=np.float64),
        list(names),
        remainder_mean,
    )


def _chunks(background, batch_size):
    """``batch_size`` rows at a time, from a table or streamed from a FileSource."""
    if hasattr(background, "iter_frames"):
        for frame, _ in background.iter_frames(with_target=False):
            for start in range(0, len(frame), batch_size):
                yield frame.iloc[start : start + batch_size]
        return
    for start in range(0, background.shape[0], batch_size):
        yield _rows(background, slice(start, start + batch_size))


def _rows(data, index):
    if hasattr(data, "iloc"):
        return data.iloc[index]
    return data[index]


def expected_value(moments, bias, weights):
    """``E_B f = w0 + sum_i gbar_i + sum_{i<j} r_ij C_ij``."""
    return float(
        bias + moments.gbar.sum() + 0.5 * (weights * moments.second_moment).sum()
    )


def exact_shap_values(linear, embeddings, moments, weights):
    """SHAP values of a second-order model, O(m^2 k) per row at most.

    ``phi_i = dg_i + <d_i, (R mu)_i + 1/2 (R D)_i> - 1/2 sum_j r_ij Cov_ij`` with
    ``d_i = e_i(x_i) - mu_i``, ``dg_i = g_i(x_i) - gbar_i`` and ``(R D)_i =
    sum_j r_ij d_j``. It equals the row sums of :func:`exact_interaction_values`.
    """
    d = embeddings - moments.mu
    r_mu = weights @ moments.mu  # (m, k)
    r_d = np.einsum("ij,njk->nik", weights, d, optimize=True)
    cov_rows = (weights * moments.covariance).sum(axis=1)
    return (
        (linear - moments.gbar)
        + np.einsum("nik,nik->ni", d, r_mu + 0.5 * r_d, optimize=True)
        - 0.5 * cov_rows
    )


def exact_interaction_values(linear, embeddings, moments, weights):
    """Lundberg's SHAP interaction matrix of a second-order model.

    Off the diagonal ``Phi_ij = 1/2 r_ij (<d_i, d_j> + Cov_ij)`` (half the Shapley
    interaction index); on it ``Phi_ii = v({i}) - v(empty)``, the pure main
    effect, so each row sums to the SHAP value.
    """
    m = linear.shape[1]
    d = embeddings - moments.mu
    cov = moments.covariance
    # batched (n, m, k) @ (n, k, m): the bulk of the cost, done by BLAS
    phi = np.matmul(d, d.transpose(0, 2, 1))
    phi += cov
    phi *= 0.5 * weights
    diag = (
        (linear - moments.gbar)
        + np.einsum("nik,ik->ni", d, weights @ moments.mu, optimize=True)
        - (weights * cov).sum(axis=1)
    )
    idx = np.arange(m)
    phi[:, idx, idx] = diag
    return phi
