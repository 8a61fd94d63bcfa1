"""Differentially private training (DP-SGD) of skfeat models through Opacus."""

import contextlib
import math
import warnings
from numbers import Real

import numpy as np
import torch
from scipy import sparse

from skfeat.models import FitVariant

_OPACUS_HINT = (
    "fit_private needs Opacus: pip install skfeat[privacy] "
    "(install it together with your torch version pinned, e.g. "
    "pip install 'skfeat[privacy]' torch==<your version>)."
)


@contextlib.contextmanager
def _rdp_order_warning_ignored():
    """Ignore Opacus' "Optimal order is the largest alpha" warning.

    Opacus' RDP accountant minimises epsilon over a fixed grid of orders and
    warns when the best one is the grid's largest: with few noisy steps (a
    small job, or a large ``target_epsilon``) that is every call. The epsilon it
    returns is still a valid upper bound (a tighter one may exist beyond the
    grid), so the warning says nothing about the guarantee ``fit_private``
    reports; other warnings pass.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="Optimal order is the largest alpha",
            category=UserWarning,
            module=r"opacus\.accountants",
        )
        yield


def _import_opacus():
    try:
        from opacus.accountants import RDPAccountant
        from opacus.accountants.utils import get_noise_multiplier
        from opacus.optimizers import DPOptimizer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_OPACUS_HINT) from exc
    return RDPAccountant, get_noise_multiplier, DPOptimizer


def fit_private(
    estimator,
    X,
    y,
    *,
    target_epsilon=None,
    noise_multiplier=None,
    delta=1e-5,
    max_grad_norm=1.0,
    classes=None,
):
    """Fit a skfeat model with DP-SGD and report the privacy spent.

    Trains ``estimator`` as its ``fit`` would (same module, optimizer, learning
    rate, ``alpha``, ``batch_size`` and ``max_epochs``, no early stopping), but
    with differentially private SGD (Abadi et al., 2016): each step draws a Poisson
    sample of the rows (each row with probability ``batch_size / n``), computes
    every row's gradient (with ``torch.func``; embedding tables get dense
    per-row gradients), clips each to L2 norm ``max_grad_norm``, and adds Gaussian
    noise of standard deviation ``noise_multiplier * max_grad_norm`` to their sum
    (Opacus' ``DPOptimizer``). Opacus' RDP accountant gives the spent ``epsilon``
    for ``delta``. The estimator is fitted in place and is an ordinary fitted
    estimator afterwards.

    The guarantee covers this fit only: a later ``partial_fit`` continues with the
    ordinary optimizer (no clipping, no noise), and a later ``fit`` replaces the
    model, leaving ``epsilon_`` stale.

    What is protected: the contribution of each training row to the weights. Not
    protected: the list of categories the field encoder learns from ``X`` (which
    categories exist) and the numeric columns' means and scales; fit the model on a
    public vocabulary, or use ``min_frequency``, where that matters.

    Parameters
    ----------
    estimator : BaseFieldModel
        An skfeat model taking field input (e.g. ``FMClassifier``); models with
        ``batch_norm=True`` are refused (batch statistics mix rows).
    X : {DataFrame, array-like} of shape (n_samples, n_features)
        Training data, one column per field.
    y : array-like of shape (n_samples,)
        Target values.
    target_epsilon : float or None, default=None
        Privacy budget to reach after ``max_epochs`` epochs; the noise multiplier
        is solved for it. ``np.inf`` trains with clipping but no noise. Give this
        or ``noise_multiplier``.
    noise_multiplier : float or None, default=None
        Noise standard deviation relative to ``max_grad_norm``, when
        ``target_epsilon`` is not given.
    delta : float in (0, 1), default=1e-5
        The delta of (epsilon, delta)-DP; keep it below ``1 / n_samples``.
    max_grad_norm : float > 0, default=1.0
        Per-row gradient clipping norm.
    classes : array-like or None, default=None
        All class labels (classifiers), when ``y`` may lack some.

    Returns
    -------
    estimator : BaseFieldModel
        The fitted estimator, with ``epsilon_`` (the spent epsilon at
        ``delta_``; ``inf`` without noise), ``delta_``, ``noise_multiplier_``
        (the noise multiplier used) and ``sample_rate_`` (the Poisson sampling
        rate) added.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FMClassifier
    >>> from skfeat.privacy import fit_private
    >>> X, y, _ = make_interaction_classification(2000, 6, random_state=0)
    >>> fm = FMClassifier(embed_dim=4, batch_size=200, max_epochs=2,
    ...                   learning_rate=0.05, random_state=0)
    >>> fm = fit_private(fm, X, y, target_epsilon=3.0, delta=1e-4)
    >>> round(fm.epsilon_, 1)
    3.0
    >>> fm.predict_proba(X[:2]).shape
    (2, 2)
    """
    _import_opacus()
    from skfeat.models import BaseFieldModel

    if not isinstance(estimator, BaseFieldModel):
        raise TypeError(
            "fit_private needs a skfeat model (a BaseFieldModel such as "
            f"FMClassifier), got {type(estimator).__name__}."
        )
    if (target_epsilon is None) == (noise_multiplier is None):
        raise ValueError("Give exactly one of target_epsilon and noise_multiplier.")
    _check_positive(target_epsilon, "target_epsilon", allow_none=True)
    _check_positive(noise_multiplier, "noise_multiplier", allow_none=True, zero=True)
    _check_positive(max_grad_norm, "max_grad_norm")
    _check_positive(delta, "delta")
    if delta >= 1:
        raise ValueError(f"delta must be in (0, 1), got {delta}.")

    if y is None:
        raise ValueError("fit_private requires y to be passed, but y is None.")
    if sparse.issparse(X):
        raise TypeError(
            "fit_private needs field input (a DataFrame or dense array), not a "
            "sparse matrix."
        )
    variant = _PrivateTraining(
        target_epsilon=target_epsilon,
        noise_multiplier=noise_multiplier,
        delta=float(delta),
        max_grad_norm=float(max_grad_norm),
        max_epochs=int(estimator.get_params()["max_epochs"]),
    )
    return estimator.fit_variant(variant, X, y, classes=classes)


class _PrivateTraining(FitVariant):
    """DP-SGD as a fit variant: Poisson-sampled steps of clipped, noised
    per-row gradients replace the training loop; every other fit step (checks,
    field encoding, seed, divergence check, restore-on-error) is the model's."""

    name = "fit_private"
    early_stopping = False
    from_statistics = False

    def __init__(self, *, target_epsilon, noise_multiplier, delta, max_grad_norm,
                 max_epochs):  # fmt: skip
        self.target_epsilon = target_epsilon
        self.noise_multiplier = noise_multiplier
        self.delta = delta
        self.max_grad_norm = max_grad_norm
        self.max_epochs = max_epochs
        self.n_rows = None

    def id_counts(self, counts):
        # per-id counts are not protected by the privacy accounting: untrained
        # rows keep their initial values, as the guarantee requires
        return None

    def total_rows(self, n_rows):
        self.n_rows = int(n_rows)
        return n_rows

    def batch_size(self, batch_size):
        self.expected_batch = min(int(batch_size), self.n_rows)
        return self.expected_batch

    def train(self, net, train, valid):
        RDPAccountant, get_noise_multiplier, DPOptimizer = _import_opacus()
        n = len(train)
        batch_size = self.expected_batch
        sample_rate = batch_size / n
        steps_per_epoch = max(1, round(1 / sample_rate))
        n_steps = steps_per_epoch * self.max_epochs
        noise_multiplier = self.noise_multiplier
        if noise_multiplier is None:
            if math.isinf(self.target_epsilon):
                noise_multiplier = 0.0
            else:
                with _rdp_order_warning_ignored():
                    noise_multiplier = float(
                        get_noise_multiplier(
                            target_epsilon=float(self.target_epsilon),
                            target_delta=self.delta,
                            sample_rate=sample_rate,
                            steps=n_steps,
                            accountant="rdp",
                        )
                    )
        if hasattr(net.module, "extra_loss"):
            raise TypeError(
                f"fit_private cannot train {type(net.module).__name__}: its loss has "
                "a term over the whole batch (a KL term with a warm-up counter), "
                "not a sum of per-row losses, so per-row gradients and their "
                "clipping are undefined. Use a model without one (FM, DeepFM, ...)."
            )
        net.initialize()
        if any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
               for m in net.module_.modules()):  # fmt: skip
            raise ValueError(
                "fit_private cannot train a model with batch_norm=True: batch "
                "normalisation mixes rows, so per-row gradients are undefined."
            )
        optimizer = DPOptimizer(
            net.optimizer_,
            noise_multiplier=noise_multiplier,
            max_grad_norm=self.max_grad_norm,
            expected_batch_size=batch_size,
        )
        accountant = RDPAccountant()
        # per-row gradients (torch.func) of a table are dense: its lookups give
        # dense gradients while DP-SGD trains, and sparse ones again after
        sparse_tables = [m for m in net.module_.modules()
                         if isinstance(m, torch.nn.Embedding) and m.sparse]  # fmt: skip
        for table in sparse_tables:
            table.sparse = False
        per_sample_grads = _per_sample_grad_fn(net.module_, net.criterion_)
        params = [p for g in optimizer.param_groups for p in g["params"]]
        names = {id(p): name for name, p in net.module_.named_parameters()}
        net.module_.train()
        try:
            for _ in range(n_steps):
                index = torch.nonzero(torch.rand(n) < sample_rate).squeeze(1)
                X_batch, y_batch = train.take(index.to(train.y.device)).slice(
                    0, len(index)
                )
                optimizer.zero_grad(set_to_none=True)
                if len(index):
                    grads = per_sample_grads(X_batch, y_batch)
                    for p in params:
                        p.grad_sample = grads[names[id(p)]].detach()
                else:
                    for p in params:
                        p.grad_sample = p.new_zeros((0, *p.shape))
                optimizer.step()
                if noise_multiplier > 0:
                    accountant.step(noise_multiplier=noise_multiplier,
                                    sample_rate=sample_rate)  # fmt: skip
        finally:
            for p in params:
                p.grad_sample = None
                p.summed_grad = None
            for table in sparse_tables:
                table.sparse = True
            net.module_.eval()
        # leave a plain optimizer on the net (partial_fit continues without DP)
        net.initialize_optimizer()
        if noise_multiplier > 0:
            with _rdp_order_warning_ignored():
                self.epsilon = float(accountant.get_epsilon(self.delta))
        else:
            self.epsilon = math.inf
        self.noise = float(noise_multiplier)
        self.sample_rate = float(sample_rate)

    def finish(self, estimator):
        estimator.n_iter_ = self.max_epochs
        estimator.epsilon_ = self.epsilon
        estimator.delta_ = self.delta
        estimator.noise_multiplier_ = self.noise
        estimator.sample_rate_ = self.sample_rate


def _per_sample_grad_fn(module, criterion):
    """``f(X_batch, y_batch) -> {name: (n, *shape)}`` per-row gradients via vmap."""
    from torch.func import functional_call, grad, vmap

    params = {k: v for k, v in module.named_parameters() if v.requires_grad}
    buffers = dict(module.named_buffers())

    def row_loss(p, inputs, target):
        inputs = {k: v.unsqueeze(0) for k, v in inputs.items()}
        out = functional_call(module, (p, buffers), args=(), kwargs=inputs)
        return criterion(out, target.unsqueeze(0)).sum()

    row_grad = vmap(grad(row_loss), in_dims=(None, 0, 0), randomness="different")

    def compute(X_batch, y_batch):
        detached = {k: v.detach() for k, v in params.items()}
        return row_grad(detached, X_batch, y_batch)

    return compute


def _check_positive(value, name, *, allow_none=False, zero=False):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    if value < 0 or (value == 0 and not zero) or np.isnan(value):
        raise ValueError(f"{name} must be positive, got {value}.")
