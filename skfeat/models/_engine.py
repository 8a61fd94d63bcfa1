"""The training engine: a skorch net fed by batch slices.

This module knows skorch; the estimators in ``_base.py`` only call
:func:`make_net`. Keeping the skorch specifics here means a skorch release that
changes a hook touches one file.
"""

import math

import torch
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping
from skorch.helper import predefined_split
from skorch.utils import noop

from skfeat.exceptions import DivergenceError
from skfeat.models._optim import RowSparseOptimizer
from skfeat.utils._batching import BatchIterator


def check_finite_parameters(module):
    """Raise :class:`DivergenceError` if any weight of ``module`` is not finite.

    One reduction per tensor and a single device sync, run once per ``fit`` or
    ``partial_fit`` call, never per batch.
    """
    # max and min propagate NaN, and are finite only when every entry is: two
    # reductions without the table-sized boolean mask ``isfinite`` would allocate
    flags = [
        torch.isfinite(torch.stack([p.detach().amax(), p.detach().amin()])).all()
        for p in module.parameters()
        if p.numel()
    ]
    if flags and not bool(torch.stack(flags).all()):
        raise DivergenceError("training left non-finite weights.")


class TrainingNet(NeuralNet):
    """A skorch ``NeuralNet`` whose batches are dicts of whole-tensor slices.

    Differences from ``NeuralNet``:

    * batches already hold tensors on the right device, so ``infer`` calls the
      module directly with them;
    * ``sample_weight``, when present in the batch, weights the per-sample loss
      (the criterion is built with ``reduction="none"``).
    """

    def infer(self, x, **fit_params):
        kwargs = {k: v for k, v in x.items() if k != "sample_weight"}
        kwargs.update(fit_params)
        return self.module_(**kwargs)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if y_pred.dtype == torch.float64 and y_true.dtype == torch.float32:
            # deep modules evaluate in float64 (batch-independent outputs); the
            # validation loss is compared in the targets' precision
            y_pred = y_pred.float()
        loss = self.criterion_(y_pred, y_true)
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        if weight is None:
            loss = loss.mean()
        else:
            if loss.dim() > 1:  # multi-output regression: average outputs first
                loss = loss.mean(dim=tuple(range(1, loss.dim())))
            loss = (loss * weight).sum() / weight.sum().clamp_min(1e-12)
        # a module may add a term of its own during training, e.g. a VAE's KL
        extra = getattr(self.module_, "extra_loss", None)
        if training and extra is not None:
            loss = loss + extra()
        return loss

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        # skorch's loop, with the batch size read from the targets: a sparse batch
        # is a dict of CSR arrays whose lengths differ, which skorch cannot measure.
        if iterator is None:
            return
        batch_count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            # .item() syncs once per batch already (skorch records the loss); the
            # finiteness check reads that value and adds no sync of its own
            loss = step["loss"].item()
            if not math.isfinite(loss):
                raise DivergenceError(
                    f"the {'training' if training else 'validation'} loss became "
                    f"{loss} in epoch {len(self.history)}, batch {batch_count + 1}."
                )
            self.history.record_batch(prefix + "_loss", loss)
            self.history.record_batch(prefix + "_batch_size", len(batch[1]))
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
        self.history.record(prefix + "_batch_count", batch_count)


_OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "adagrad": torch.optim.Adagrad,
    "sgd": torch.optim.SGD,
}


def make_net(
    module,
    criterion,
    *,
    optimizer,
    learning_rate,
    alpha,
    batch_size,
    max_epochs,
    valid_dataset,
    early_stopping,
    n_iter_no_change,
    tol,
    callbacks,
    verbose,
    device,
    net_params,
    net_alpha=None,
    sparse=False,
):
    """Build (not initialise) the skorch net that trains ``module``.

    ``alpha`` is an L2 penalty ``alpha / 2 * ||W||^2`` on every weight but the
    biases, applied through the optimiser's ``weight_decay`` (for Adam this is the
    same gradient as adding the penalty to each batch loss, the semantics of the
    ``embedding_regularizer`` in FuxiCTR/BARS configs).

    With ``net_alpha`` given, ``alpha`` applies to the embedding tables only
    (parameters under a submodule named ``embedding``) and ``net_alpha`` to the
    other weights, as BARS separates ``embedding_regularizer`` from
    ``net_regularizer``; biases are never penalised.

    With ``sparse=True`` the module's embedding tables give sparse gradients and
    :class:`~skfeat.models._optim.RowSparseOptimizer` applies ``optimizer``'s rule
    to the rows a batch touches only (lazy Adam, row-wise Adagrad).
    """
    all_callbacks = list(callbacks)
    if early_stopping:
        all_callbacks.append(
            (
                "early_stopping",
                EarlyStopping(
                    monitor="valid_loss",
                    patience=n_iter_no_change,
                    threshold=tol,
                    threshold_mode="rel",
                    lower_is_better=True,
                    load_best=True,
                    sink=print if verbose else noop,
                ),
            )
        )
    params = {
        "module": module,
        "criterion": criterion,
        "optimizer": _OPTIMIZERS[optimizer],
        "lr": learning_rate,
        "optimizer__weight_decay": alpha,
        "optimizer__param_groups": [("*bias", {"weight_decay": 0.0})],
        "batch_size": batch_size,
        "max_epochs": max_epochs,
        "iterator_train": BatchIterator,
        "iterator_valid": BatchIterator,
        "iterator_train__shuffle": True,
        "train_split": (
            predefined_split(valid_dataset) if valid_dataset is not None else None
        ),
        "callbacks": all_callbacks,
        "verbose": verbose,
        "device": device,
    }
    if net_alpha is not None:
        # skorch gives each parameter to the first group whose pattern matches
        params["optimizer__weight_decay"] = net_alpha
        params["optimizer__param_groups"] = [
            ("*bias", {"weight_decay": 0.0}),
            ("*embedding.*", {"weight_decay": alpha}),
        ]
    if sparse:
        params["optimizer"] = RowSparseOptimizer
        params["optimizer__method"] = optimizer
    params.update(net_params or {})
    return TrainingNet(**params)
