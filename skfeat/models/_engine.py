"""The training engine: a skorch net fed by batch slices.

This module knows skorch; the estimators in ``_base.py`` only call
:func:`make_net`. Keeping the skorch specifics here means a skorch release that
changes a hook touches one file.
"""

import math
from copy import deepcopy

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping, LRScheduler
from skorch.helper import predefined_split
from skorch.utils import noop

from skfeat.exceptions import DivergenceError
from skfeat.models._optim import RowSparseOptimizer, coalesced
from skfeat.utils._batching import BatchIterator

#: FuxiCTR's plateau schedule (``reduce_lr_on_plateau``): after every epoch whose
#: monitored validation score does not improve by more than ``threshold``, the
#: learning rate is divided by 10, down to ``min_lr``.
PLATEAU_SCHEDULE = {"factor": 0.1, "patience": 0, "threshold": 1e-6, "min_lr": 1e-6}


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

    # --- scikit-learn scorers on the net (skorch's EpochScoring("roc_auc") etc.):
    # ``classes_`` (the encoded classes, set by make_net for classifiers) makes the
    # net a classifier for scikit-learn, which then takes the positive column of
    # predict_proba or the 1-d decision_function, as for any binary classifier.
    classes_ = None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.classes_ is not None:
            from sklearn.utils import ClassifierTags

            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags()
        return tags

    def decision_function(self, X):
        """Raw module output (logits) as numpy; 1-d for one output."""
        out = self.forward(X, training=False)
        out = out.double().cpu().numpy()
        return out.ravel() if out.ndim == 2 and out.shape[1] == 1 else out

    def predict(self, X):
        """Encoded class index for classifiers, the module output otherwise."""
        if self.classes_ is None:
            return self.decision_function(X)
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.int64) if scores.ndim == 1 else scores.argmax(1)
        return self.classes_[index]

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


class ValidScoring(Callback):
    """Record ``scorer(estimator, X_val, y_val)`` as ``valid_score`` every epoch.

    This is what ``scoring=`` (other than ``"loss"``) monitors: the scorer sees the
    scikit-learn estimator being fitted and the validation data as given (columns
    and labels as in ``fit``), as in ``HistGradientBoostingClassifier``. The
    references to the estimator and the data are dropped when training ends, so a
    fitted (pickled) model carries no validation data.
    """

    def __init__(self, scorer, estimator, X, y):
        self.scorer = scorer
        self.estimator = estimator
        self.X = X
        self.y = y

    def on_epoch_end(self, net, **kwargs):
        est = self.estimator
        missing = object()
        previous = est.__dict__.get("net_", missing)
        est.net_ = net  # the net being trained answers the scorer's predictions
        try:
            score = float(self.scorer(est, self.X, self.y))
        finally:
            if previous is missing:
                del est.net_
            else:
                est.net_ = previous
        net.history.record("valid_score", score)

    def on_train_end(self, net, **kwargs):
        self.estimator = self.X = self.y = None


#: Early stopping never ends a fit before this epoch. With little data an epoch
#: is a handful of steps, and the validation value often stalls for two or three
#: of them before the interactions are learnt: with patience 2, DNN, DeepFM,
#: Wide & Deep and DCN-v2 stopped after 3 epochs at AUC 0.52-0.60 in 9 of 24 fits
#: on 2,000 rows of ``make_vector_field_classification`` (0.82-0.86 when they ran
#: on; benchmarks/bench_small_data_stopping.py). A fit that stops at this epoch or
#: later is unchanged by the rule.
MIN_EPOCHS_BEFORE_STOP = 5


class _EarlyStopping(EarlyStopping):
    """skorch's EarlyStopping, not before epoch ``MIN_EPOCHS_BEFORE_STOP``.

    Also lets the table print the epoch it stops on: skorch's ``PrintLog`` runs
    after every other callback, so the stop (raised from ``on_epoch_end``) used
    to swallow the last epoch's row.
    """

    def on_epoch_end(self, net, **kwargs):
        try:
            self._count_and_stop(net)
        except KeyboardInterrupt:
            if net.verbose:
                print_log = dict(net.callbacks_).get("print_log")
                if print_log is not None:
                    print_log.on_epoch_end(net, **kwargs)
                print(self._stop_message(net))
            raise

    def _stop_message(self, net):
        # misses counted before MIN_EPOCHS_BEFORE_STOP can make the run of epochs
        # without improvement longer than n_iter_no_change: say why
        text = (
            f"Stopping since {self.monitor} has not improved in the last "
            f"{self.misses_} epochs"
        )
        if self.misses_ > self.patience:
            text += (
                f" (n_iter_no_change={self.patience}; early stopping waits for "
                f"epoch {MIN_EPOCHS_BEFORE_STOP})"
            )
        return text + "."

    def _count_and_stop(self, net):
        # skorch's rule, with ``>=`` so that misses counted before the minimum
        # epoch still stop the fit once it is reached
        current_score = net.history[-1, self.monitor]
        if not self._is_score_improved(current_score):
            self.misses_ += 1
        else:
            self.misses_ = 0
            self.dynamic_threshold_ = self._calc_new_threshold(current_score)
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.load_best:
                self.best_model_weights_ = deepcopy(net.module_.state_dict())
        epoch = net.history[-1, "epoch"]
        if self.misses_ >= self.patience and epoch >= MIN_EPOCHS_BEFORE_STOP:
            raise KeyboardInterrupt


def training_callbacks(
    *,
    early_stopping,
    monitor,
    n_iter_no_change,
    tol,
    lr_schedule,
    clip_grad_norm,
    has_validation,
):
    """The callbacks of skfeat's own training loop, in the order they run.

    ``monitor`` is ``"valid_loss"`` (lower is better, ``tol`` relative) or
    ``"valid_score"`` (a scorer's value, higher is better, ``tol`` absolute, as
    HistGradientBoosting's ``tol``). ``lr_schedule="plateau"`` divides the
    learning rate by 10 after each epoch whose monitored value does not improve
    (:data:`PLATEAU_SCHEDULE`; on the training loss without validation data);
    ``clip_grad_norm`` clips the gradients' total norm before every step.
    """
    callbacks = []
    higher_is_better = monitor == "valid_score"
    if lr_schedule == "plateau":
        # before early stopping, so that the epoch a fit stops on records its
        # learning rate too (the verbose table prints that row from the stop)
        plateau_monitor = monitor if has_validation else "train_loss"
        callbacks.append(("lr_schedule", _plateau_schedule(plateau_monitor)))
    if early_stopping:
        callbacks.append(
            (
                "early_stopping",
                _EarlyStopping(
                    monitor=monitor,
                    patience=n_iter_no_change,
                    threshold=tol,
                    threshold_mode="abs" if higher_is_better else "rel",
                    lower_is_better=not higher_is_better,
                    load_best=True,
                    sink=noop,
                ),
            )
        )
    if clip_grad_norm is not None:
        callbacks.append(
            (
                "clip_grad_norm",
                _SparseAwareGradientNormClipping(
                    gradient_clip_value=float(clip_grad_norm)
                ),
            )
        )
    return callbacks


def _plateau_schedule(monitor):
    return LRScheduler(
        policy="ReduceLROnPlateau",
        monitor=monitor,
        mode="max" if monitor == "valid_score" else "min",
        threshold_mode="abs",
        **PLATEAU_SCHEDULE,
    )


def forget_validation(net):
    """Drop the validation rows a trained net holds (in ``train_split``).

    A fitted model needs none of them to predict, and a pickled model should not
    carry them (``tests/test_training.py`` checks the pickle's size).
    """
    net.train_split = None


def continue_without_validation(net):
    """Give a net that ``fit`` trained the callbacks of one without validation data.

    ``partial_fit`` trains one epoch on the rows it is given: no early stopping,
    no validation score (their data is gone, see :func:`forget_validation`), and a
    plateau schedule, if any, watches the training loss from the current learning
    rate on, as in a net that ``partial_fit`` built. The user's callbacks stay.
    Does nothing to a net that already has no validation callbacks.
    """
    net.train_split = None
    names = {name for name, _ in net.callbacks_}
    schedule = dict(net.callbacks_).get("lr_schedule")
    on_validation = schedule is not None and schedule.monitor != "train_loss"
    if not (names & {"valid_score", "early_stopping"} or on_validation):
        return
    kept = [
        cb
        for cb in net.callbacks
        if not (isinstance(cb, tuple) and cb[0] in _VALIDATION_CALLBACKS)
    ]
    if schedule is not None:
        kept.append(("lr_schedule", _plateau_schedule("train_loss")))
    net.callbacks = kept
    net.initialize_callbacks()


#: the callbacks of skfeat's loop that read the validation data
_VALIDATION_CALLBACKS = ("valid_score", "early_stopping", "lr_schedule")


class _SparseAwareGradientNormClipping(GradientNormClipping):
    """skorch's gradient-norm clipping, also for sparse embedding gradients.

    ``torch.nn.utils.clip_grad_norm_`` has no sparse kernel; with
    ``sparse_gradients`` on, the norm of a sparse gradient is taken over its
    coalesced values and every gradient is scaled in place by the same factor
    (``max_norm / (total_norm + 1e-6)`` when below 1, as torch does). Dense
    gradients go through skorch's own callback unchanged.
    """

    def on_grad_computed(self, net, named_parameters, **kwargs):
        params = [p for _, p in named_parameters]
        grads = [p.grad for p in params if p.grad is not None]
        if not any(g.is_sparse for g in grads):
            return super().on_grad_computed(net, iter([(None, p) for p in params]))
        norms = [
            (coalesced(g).values() if g.is_sparse else g).detach().norm(2)
            for g in grads
        ]
        total = torch.linalg.vector_norm(torch.stack(norms), 2)
        coef = self.gradient_clip_value / (float(total) + 1e-6)
        if coef < 1.0:
            for g in grads:
                g.mul_(coef)
        return None


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
    scoring_callback=None,
    lr_schedule=None,
    clip_grad_norm=None,
    classes=None,
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
    if scoring_callback is not None and valid_dataset is not None:
        all_callbacks.append(("valid_score", scoring_callback))
    all_callbacks += training_callbacks(
        early_stopping=early_stopping,
        monitor="valid_loss" if scoring_callback is None else "valid_score",
        n_iter_no_change=n_iter_no_change,
        tol=tol,
        lr_schedule=lr_schedule,
        clip_grad_norm=clip_grad_norm,
        has_validation=valid_dataset is not None,
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
            # a bag's attention unit is a network inside the embedding module
            ("*embedding.attention.*", {"weight_decay": net_alpha}),
            ("*embedding.*", {"weight_decay": alpha}),
        ]
    if sparse:
        params["optimizer"] = RowSparseOptimizer
        params["optimizer__method"] = optimizer
    params.update(net_params or {})
    net = TrainingNet(**params)
    if classes is not None:
        net.classes_ = np.asarray(classes)
    return net
