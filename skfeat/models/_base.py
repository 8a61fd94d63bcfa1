"""The one estimator base that every skfeat torch model reuses.

A skfeat model is a plain scikit-learn estimator: its constructor stores
hyper-parameters; ``fit`` validates them, encodes the input columns into fields
(:mod:`skfeat.models._fields`), builds a pure torch module (subclass hook
``_build_module``) and trains it with a skorch net kept as ``net_``.

The module is long because the base class holds the whole estimator API (fit,
partial_fit, predict, the public protocol for other packages) with its
docstrings; the data adapters, guards and mixins live in modules of their own.
"""

import copy
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split
from sklearn.utils import (
    _safe_indexing,
    column_or_1d,
)
from sklearn.utils.validation import check_array, check_is_fitted

from skfeat._fields import UNKNOWN_ID, FieldStatistics
from skfeat._fields._encoder import check_dense_array, check_field_input
from skfeat._fields._kinds import ColumnProfile, resolve_kinds
from skfeat.data._source import is_source
from skfeat.models._engine import (
    continue_without_validation,
    forget_validation,
    make_net,
)
from skfeat.models._guards import _DivergenceContext, _RestoreOnError, _SeededTorch
from skfeat.models._mixins import (  # noqa: F401 - the models import them from here
    FieldClassifierMixin,
    FieldRegressorMixin,
)
from skfeat.models._training_data import prediction_dataset, training_data
from skfeat.models._untrained import fill_untrained_rows, segment_cardinalities
from skfeat.models._variant import FitVariant
from skfeat.utils._allocator import keep_step_buffers_on_the_heap
from skfeat.utils._batching import FieldDataset
from skfeat.utils._sklearn_compat import (
    Interval,
    StrOptions,
    _fit_context,
    validate_data,
)
from skfeat.utils._validation import (
    MAX_ABS_MODEL_INPUT,
    check_device,
    check_float32_range,
    check_weight_shapes,
)


def _is_auto(scoring):
    return isinstance(scoring, str) and scoring == "auto"


#: ``scoring="auto"`` monitors ROC AUC only when the validation rows hold at least
#: this many rows of each class; below it the AUC moves in coarse steps and
#: saturates (1.0 on a separable toy set after one epoch, stopping a fit whose
#: loss still falls), and the loss is the smoother signal.
AUTO_SCORING_MIN_CLASS_ROWS = 100


def _rows(data, index):
    """``data[index]`` for any array-like (lists, DataFrames, array wrappers)."""
    try:
        return _safe_indexing(data, index)
    except (TypeError, KeyError, IndexError):
        return np.asarray(data)[index]


#: ``sparse_gradients="auto"`` turns sparse embedding gradients on for tables of at
#: least this many rows (where a dense optimizer step over the table costs more
#: than the batch's own work).
SPARSE_GRADIENTS_MIN_ROWS = 100_000


def _auto_batch_size(n_samples):
    # about 64 steps per epoch, between 128 and 4096 rows (4096 is the CTR standard)
    return int(min(4096, max(128, n_samples // 64)))


#: the fitted state of a model's field encoding and targets, which a model
#: fitted on the same columns (a distilled student) takes over as it is
_FIELD_STATE = (
    "n_features_in_",
    "feature_names_in_",
    "_input_kind_",
    "is_categorical_",
    "feature_kinds_",
    "_in_vector",
    "_binned",
    "_binner",
    "encoder_",
    "schema_",
    "classes_",
    "_label_encoder",
    "_target_mean",
    "_target_scale",
)


class BaseFieldModel(BaseEstimator):
    """Base class of skfeat's torch models. Not for direct use.

    It stores the parameters that every model has. A model's public class
    writes out its own ``__init__`` signature with its defaults and passes
    these parameters to ``BaseFieldModel.__init__``. A subclass extends
    ``_parameter_constraints`` and implements ``_build_module(schema,
    n_outputs)`` (field input) and, when ``_accepts_sparse`` is true,
    ``_build_sparse_module(n_features, n_outputs)``. Classifier and regressor
    behaviour comes from :class:`FieldClassifierMixin` and
    :class:`FieldRegressorMixin`.

    Parameters
    ----------
    embed_dim : int
        Size of each field's embedding.
    alpha : float
        L2 penalty on the embedding tables, applied through the optimizer's
        weight decay.
    learning_rate : float
        Step size of the optimizer.
    optimizer : {"adam", "adamw", "adagrad", "sgd"}
        Optimizer of the gradient steps.
    batch_size : int or "auto"
        Rows per gradient step.
    max_epochs : int
        Largest number of passes over the training data.
    early_stopping : bool or "auto"
        Whether to stop when the validation value stops improving.
    validation_fraction : float
        Share of the training data held out for early stopping.
    n_iter_no_change : int
        Patience of early stopping, in epochs.
    tol : float
        Least improvement of the validation value that counts.
    categorical_features : "from_dtype", "all", array-like or None
        Which columns are categorical.
    min_frequency : int, float or None
        Categories rarer than this share one id.
    random_state : int, RandomState instance or None
        Seeds weight initialisation, shuffling and the validation split.
    verbose : int
        Print skorch's per-epoch table when positive.
    device : str or torch.device
        Torch device to train and predict on.
    callbacks : list of skorch callbacks or None
        Extra skorch callbacks.
    net_params : dict or None
        Further keyword arguments of the skorch ``NeuralNet``.
    vector_features : dict or None
        Vector fields, ``{field_name: [column, ...]}``.
    multi_value_features : list, dict or None, default=None
        Multi-value and sequence columns (see the models' documentation).

    See Also
    --------
    skfeat.models.FMClassifier : A model built on this base.

    Examples
    --------
    A new model needs only its parameters and its module:

    >>> from sklearn.base import ClassifierMixin
    >>> from skfeat.models import BaseFieldModel
    >>> from skfeat.models._mixins import FieldClassifierMixin
    >>> from skfeat.nn import FM
    >>> class TinyFM(FieldClassifierMixin, ClassifierMixin, BaseFieldModel):
    ...     def __init__(self, embed_dim=2, *, alpha=0.0, learning_rate=0.01,
    ...                  optimizer="adam", batch_size="auto", max_epochs=5,
    ...                  early_stopping=False, validation_fraction=0.1,
    ...                  n_iter_no_change=3, tol=1e-4,
    ...                  categorical_features="from_dtype", min_frequency=None,
    ...                  random_state=None, verbose=0, device="cpu",
    ...                  callbacks=None, net_params=None, vector_features=None):
    ...         super().__init__(
    ...             embed_dim=embed_dim, alpha=alpha, learning_rate=learning_rate,
    ...             optimizer=optimizer, batch_size=batch_size,
    ...             max_epochs=max_epochs, early_stopping=early_stopping,
    ...             validation_fraction=validation_fraction,
    ...             n_iter_no_change=n_iter_no_change, tol=tol,
    ...             categorical_features=categorical_features,
    ...             min_frequency=min_frequency, random_state=random_state,
    ...             verbose=verbose, device=device, callbacks=callbacks,
    ...             net_params=net_params, vector_features=vector_features)
    ...     def _build_module(self, schema, n_outputs):
    ...         return FM(schema.cardinalities, schema.n_numeric, self.embed_dim,
    ...                   n_outputs)
    >>> import numpy as np
    >>> X = np.random.RandomState(0).normal(size=(40, 3))
    >>> TinyFM(random_state=0).fit(X, X[:, 0] > 0).predict(X[:3]).shape
    (3,)
    """

    _accepts_sparse = False

    #: the fitted state :func:`skfeat.io.save` writes (with ``get_params()`` and
    #: the net's weights); subclasses with more fitted state extend it
    __skfeat_fitted_state__ = _FIELD_STATE + (
        "_seed_",
        "_sparse_gradients_",
        "_trained_ids",
        "n_iter_",
        "validation_score_",
        "do_early_stopping_",
        "epsilon_",
        "delta_",
        "noise_multiplier_",
        "sample_rate_",
        "pruned_fraction_",
    )

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions({"adam", "adamw", "adagrad", "sgd"})],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "categorical_features": ["array-like", StrOptions({"from_dtype", "all"}), None],
        "min_frequency": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
            None,
        ],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "device": [str, torch.device],
        "callbacks": [list, None],
        "net_params": [dict, None],
        "scoring": [str, callable],
        "lr_schedule": [StrOptions({"plateau"}), None],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "numeric_bins": [Interval(Integral, 2, None, closed="left"), None],
        "vector_features": [dict, None],
        "multi_value_features": [list, dict, None],
    }

    def __init__(
        self,
        *,
        embed_dim,
        alpha,
        learning_rate,
        optimizer,
        batch_size,
        max_epochs,
        early_stopping,
        validation_fraction,
        n_iter_no_change,
        tol,
        categorical_features,
        min_frequency,
        random_state,
        verbose,
        device,
        callbacks,
        net_params,
        vector_features,
        multi_value_features=None,
    ):
        self.embed_dim = embed_dim
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.categorical_features = categorical_features
        self.min_frequency = min_frequency
        self.random_state = random_state
        self.verbose = verbose
        self.device = device
        self.callbacks = callbacks
        self.net_params = net_params
        self.vector_features = vector_features
        self.multi_value_features = multi_value_features

    # ------------------------------------------------------------------ hooks
    def _build_module(self, schema, n_outputs):  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_sparse_module(self, n_features, n_outputs):  # pragma: no cover
        raise NotImplementedError

    # --------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None, eval_set=None):
        """Fit the model.

        Parameters
        ----------
        X : {DataFrame, array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, one column per field. See ``categorical_features``
            for which columns are categorical.
        y : array-like of shape (n_samples,)
            Target values (class labels for classifiers).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss.
        eval_set : tuple (X_val, y_val), default=None
            Validation data monitored every epoch. With ``early_stopping`` left at
            ``"auto"`` (or True) training stops when the validation loss stops
            improving, and the best weights are restored. When given,
            ``validation_fraction`` is ignored.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, eval_set=eval_set)

    def fit_variant(
        self, variant, X, y=None, *, sample_weight=None, eval_set=None, classes=None
    ):
        """Fit through the one fit path, with the hooks of a fit variant.

        This is how :func:`~skfeat.distributed.fit_distributed`,
        :func:`~skfeat.privacy.fit_private` and :func:`~skfeat.compress.distill`
        fit: each passes a :class:`~skfeat.models.FitVariant` that changes a few
        steps (where statistics come from, the targets, the training loop) and
        inherits the rest (checks, field encoding, seeding, divergence check,
        restore-on-error, fitted attributes).

        Parameters
        ----------
        variant : FitVariant
            The hooks.
        X : {DataFrame, array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, as in :meth:`fit`.
        y : array-like of shape (n_samples,) or None, default=None
            Target values; a variant that supplies its own targets may take None.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss.
        eval_set : tuple (X_val, y_val), default=None
            Validation data, as in :meth:`fit`.
        classes : array-like or None, default=None
            All class labels (classifiers), when ``y`` may lack some.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        self._validate_params()
        return self._fit(
            X, y, sample_weight=sample_weight, eval_set=eval_set, variant=variant,
            classes=classes,
        )  # fmt: skip

    def partial_fit(self, X, y=None, classes=None, sample_weight=None):
        """Train for one epoch on ``(X, y)``, continuing from the current state.

        The first call fits the field encoders on its data; later calls reuse them,
        so categories first seen in a later call map to the unknown id. No early
        stopping is done.

        With a :class:`~skfeat.data.FileSource` as ``X`` (and ``y=None``) each
        call is one shuffled epoch over all of its files; the first call builds
        the vocabulary, scaling and classes in a streaming pass over it, as
        ``fit`` does, so ``classes`` is optional there.

        Parameters
        ----------
        X : {DataFrame, array-like, sparse matrix} of shape (n_samples, n_features)
            or FileSource
        y : array-like of shape (n_samples,)
            Required unless ``X`` is a ``FileSource``.
        classes : array-like of shape (n_classes,), default=None
            All classes that can appear in ``y``. Required by classifiers on the
            first call (unless ``X`` is a ``FileSource``), ignored afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss.

        Returns
        -------
        self : object
            The estimator, trained for one more epoch.
        """
        if not hasattr(self, "net_"):
            self._validate_params()
        return self._fit(
            X, y, sample_weight=sample_weight, partial=True, classes=classes
        )

    def _fit(
        self, X, y, *, sample_weight=None, eval_set=None, partial=False,
        classes=None, variant=None,
    ):  # fmt: skip
        """The one fit path: prepare -> datasets -> train -> record.

        Every way of fitting goes through here: in memory or from files
        (:mod:`._training_data`), and the variants of :class:`FitVariant`. The
        whole call is atomic (:class:`_RestoreOnError`).
        """
        check_device(self.device)
        variant = FitVariant() if variant is None else variant
        with _RestoreOnError(self):
            data = training_data(self, X, y, sample_weight, variant)
            first_call = not (partial and hasattr(self, "net_"))
            # 1. prepare: checks, fields, targets, seed
            if first_call:
                self._check_architecture()
            data.prepare(
                first_call=first_call, classes=classes, partial=partial,
                eval_set=eval_set,
            )  # fmt: skip
            # 2. datasets: training rows and a validation holdout chosen once
            early_stopping = not partial and self._early_stopping_of(
                variant, data.n_rows, eval_set
            )
            train, valid, scoring = data.datasets(
                early_stopping=early_stopping, eval_set=eval_set, partial=partial
            )
            keep_step_buffers_on_the_heap()
            if partial:
                with self._divergence_context(train):
                    self._partial_fit_epoch(train, first_call)
                    self._fill_untrained_ids(
                        data.trained_id_counts(), variant, first_call
                    )
                if first_call:  # the fitted attributes every fit path sets
                    self._record_validation(False, None, None)
                return self
            # 3. train
            n_rows = variant.total_rows(data.n_rows)
            with self._seeded(self._seed_):
                module = self._new_module()
                self.net_ = self._new_net(
                    module,
                    batch_size=variant.batch_size(self._resolve_batch_size(n_rows)),
                    valid_dataset=valid,
                    early_stopping=bool(early_stopping) and valid is not None,
                    scoring_callback=scoring,
                    criterion=variant.criterion(self._criterion()),
                )
                # the checks on exit see the model as it is returned, filled
                with self._divergence_context(train):
                    variant.train(self.net_, train, valid)
                    self._fill_untrained_ids(data.trained_id_counts(), variant, True)
            # 4. record
            self.net_.criterion_ = self._criterion()  # partial_fit trains on labels
            self.n_iter_ = len(self.net_.history)
            self._record_validation(early_stopping, valid, scoring)
            forget_validation(self.net_)
            self.__dict__.pop("_valid_index", None)
            variant.finish(self)
        return self

    def _fill_untrained_ids(self, counts, variant, first_call):
        """Give every id no training row reached its field's mean row
        (:mod:`._untrained`); rows trained by earlier ``partial_fit`` calls stay."""
        counts = None if counts is None else variant.id_counts(counts)
        if counts is None:
            return
        before = None
        if not first_call and getattr(self, "_trained_ids", None) is not None:
            before = np.unpackbits(self._trained_ids, count=counts.size).astype(bool)
        trained = fill_untrained_rows(
            self.net_.module_, segment_cardinalities(self.schema_), counts, before
        )
        # one bit per id: what a later partial_fit call must not overwrite
        self._trained_ids = np.packbits(trained)

    def _check_architecture(self):
        """Raise clear errors for settings the constraints cannot express
        (subclasses extend it); runs before anything is fitted."""

    def _early_stopping_of(self, variant, n_samples, eval_set):
        """Whether this fit early-stops, refusing what ``variant`` cannot do."""
        if not variant.early_stopping:
            if self.early_stopping is True or eval_set is not None:
                raise ValueError(
                    f"{variant.name} trains for max_epochs epochs and does not "
                    "early-stop; pass an estimator with early_stopping=False (or "
                    "'auto') and no eval_set."
                )
            return False
        return bool(self._resolve_early_stopping(n_samples, eval_set))

    def _scoring_is_auto(self):
        return _is_auto(getattr(self, "scoring", "loss"))

    def _resolve_early_stopping(self, n_samples, eval_set):
        """``early_stopping`` as a bool: ``"auto"`` follows the same rule at every
        data size, on whenever validation data exists or can be split off (at
        least one row on each side), in memory, from files and in ``distill``."""
        if self.early_stopping != "auto":
            return self.early_stopping
        n_valid = int(np.ceil(self.validation_fraction * n_samples))
        return eval_set is not None or 1 <= n_valid < n_samples

    def _divergence_context(self, probe=None):
        return _DivergenceContext(self, probe)

    def _auto_scorer(self, y, eval_set, sample_weight):
        """``scoring="auto"``: ROC AUC for an unweighted binary classifier whose
        validation rows hold at least ``AUTO_SCORING_MIN_CLASS_ROWS`` rows of
        each class; None (the loss) otherwise."""
        if (
            sample_weight is not None
            or not self._is_classifier_model()
            or len(self.classes_) != 2
        ):
            return None
        if eval_set is not None:
            y_valid = self._encode_y(self._as_1d(eval_set[1], "y_val"), name="y_val")
        else:
            y_valid = np.asarray(y)[self._valid_index]
        counts = np.bincount(np.asarray(y_valid, dtype=np.int64), minlength=2)
        if counts.min() < AUTO_SCORING_MIN_CLASS_ROWS:
            return None
        return get_scorer("roc_auc")

    def _resolve_scorer(self):
        """The scorer of ``scoring``, or None for ``"loss"``."""
        scoring = getattr(self, "scoring", "loss")
        if callable(scoring):
            return scoring
        if scoring == "loss":
            return None
        if scoring == "auto":  # resolved in _fit, once the validation rows are known
            return None
        try:
            return get_scorer(scoring)
        except ValueError as exc:
            raise ValueError(
                f"scoring={scoring!r} is neither 'loss', 'auto', a scikit-learn "
                "scorer name (see sklearn.metrics.get_scorer_names()) nor a "
                "callable scorer(estimator, X, y)."
            ) from exc

    def _record_validation(self, early_stopping, valid_dataset, scoring_callback):
        """Fitted attributes in HistGradientBoosting's names."""
        history = self.net_.history
        self.do_early_stopping_ = bool(early_stopping) and valid_dataset is not None
        key = "valid_score" if scoring_callback is not None else "valid_loss"
        if valid_dataset is None:
            self.validation_score_ = np.array([])
        else:
            values = np.asarray(history[:, key], dtype=np.float64)
            # loss: higher is better, as for a scorer (HistGradientBoosting's sign)
            self.validation_score_ = -values if key == "valid_loss" else values

    def _partial_fit_epoch(self, dataset, first_call):
        if first_call:
            with self._seeded(self._seed_):
                module = self._new_module()
                self.net_ = self._new_net(
                    module,
                    batch_size=self._resolve_batch_size(len(dataset)),
                    valid_dataset=None,
                    early_stopping=False,
                )
                self.net_.initialize()
            self.n_iter_ = 0
        else:
            # a net trained by fit() carries the callbacks of its validation data
            continue_without_validation(self.net_)
        # a different, reproducible seed for every epoch
        with self._seeded(self._seed_ + self.n_iter_ + 1):
            net = self.net_
            net.notify("on_train_begin", X=dataset, y=None)
            try:
                net.fit_loop(dataset, None, epochs=1)
            finally:
                net.notify("on_train_end", X=dataset, y=None)
        self.n_iter_ += 1

    # ------------------------------------------- protocol for other packages
    # skfeat.explain, skfeat.compress and skfeat.io read a fitted model through
    # these methods only, never through its private attributes.
    @property
    def input_kind_(self):
        """Kind of input the model was fitted on.

        ``"fields"`` (a DataFrame or dense array, one column per field) or
        ``"sparse"`` (libFM-style rows).
        """
        check_is_fitted(self)
        return self._input_kind_

    def encode_inputs(self, X):
        """The torch module's inputs for ``X``: the fitted field encoding.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)

        Returns
        -------
        inputs : dict of str to Tensor
            ``"cat"``: int64 ids ``(n, n_categorical)``; ``"num"``: float32
            standardised values ``(n, n_numeric)``; with vector fields also
            ``"vec"``, with multi-value fields also ``"bag"`` (int64 ids, each
            bag padded to its length with ``-1``). Fields come in
            ``schema_.order``.
        """
        check_is_fitted(self)
        Xc = self._check_X(X, reset=False)
        if self._binner is not None:  # a model whose encoder does not bin
            Xc = self._binner.transform(Xc)
        return {k: torch.as_tensor(v) for k, v in self._encode(Xc).items()}

    def output_scale(self):
        """Return how module outputs map to the model's output units.

        ``prediction = scale * module output + shift``: ``(1.0, 0.0)`` for
        classifiers (the module outputs logits), a regressor's target
        standardisation otherwise.

        Returns
        -------
        scale : float
            Multiplies the module's output.
        shift : float
            Is added after scaling.
        """
        check_is_fitted(self)
        scale, shift = self._output_scale()
        return float(scale), float(shift)

    def remainder_of_inputs(self, inputs, output_index=0):
        """Evaluate the remainder of :meth:`decompose` on encoded inputs.

        The remainder is the part beyond the pairwise terms (e.g. DeepFM's
        network), in module output units (multiply by ``output_scale()[0]`` for
        prediction units).

        Parameters
        ----------
        inputs : dict of str to Tensor
            As returned by :meth:`encode_inputs`.
        output_index : int, default=0
            The output (class) for multiclass models.

        Returns
        -------
        remainder : Tensor of shape (n_samples,)
            The remainder's value for each row.
        """
        if not hasattr(self, "_module_terms"):
            raise TypeError(f"{type(self).__name__} has no decomposition.")
        return self._module_terms(self.net_.module_, inputs, output_index)[-1]

    def rebuild_net(self, weights, optimizer_state, batch_size, *, adapt_module=None):
        """Rebuild ``net_`` around saved weights (used by :func:`skfeat.io.load`).

        The shapes the fitted parameters declare (schema, ``embed_dim``, hidden
        units ...) are compared with the weights' on PyTorch's meta device first,
        so weights that do not fit are refused before any module is allocated.

        Parameters
        ----------
        weights : dict of str to Tensor
            The module's state dict.
        optimizer_state : dict or None
            The optimizer's state dict.
        batch_size : int
            The net's batch size.
        adapt_module : callable, default=None
            Takes the freshly built module and returns the module to hold, e.g.
            with compressed embedding tables in place; applied before the shape
            check and the weights are loaded.

        Returns
        -------
        self : object
            The estimator, holding the rebuilt net.

        Raises
        ------
        ValueError
            If the weights' names or shapes differ from the declared ones.
        """
        adapt = adapt_module if adapt_module is not None else _same_module
        check_weight_shapes(
            lambda: adapt(self._new_module()), weights, type(self).__name__
        )
        self._restore_net(weights, optimizer_state, batch_size, adapt)
        return self

    def _restore_net(self, weights, optimizer_state, batch_size, adapt):
        with self._seeded(self._seed_):
            module = adapt(self._new_module())
        self.net_ = self._new_net(
            module, batch_size=batch_size, valid_dataset=None, early_stopping=False
        )
        self.net_.initialize()
        self.net_.module_.load_state_dict(weights)
        if optimizer_state is not None:
            self.net_.optimizer_.load_state_dict(optimizer_state)

    def _resolve_sparse_gradients(self):
        option = getattr(self, "sparse_gradients", False)
        if isinstance(option, str):  # "auto"
            if self._input_kind_ == "sparse":
                rows = self.n_features_in_
            else:
                rows = sum(self.schema_.cardinalities)
            return bool(rows >= SPARSE_GRADIENTS_MIN_ROWS)
        return bool(option)

    def _resolve_batch_size(self, n_samples):
        if self.batch_size == "auto":
            return _auto_batch_size(n_samples)
        return int(self.batch_size)

    def _seeded(self, seed):
        """Seed torch inside a forked RNG state, leaving the caller's untouched."""
        return _SeededTorch(seed, self.device)

    def _new_module(self):
        if self._input_kind_ == "sparse":
            return self._build_sparse_module(self.n_features_in_, self._n_outputs())
        return self._build_module(self.schema_, self._n_outputs())

    def _new_net(
        self,
        module,
        *,
        batch_size,
        valid_dataset,
        early_stopping,
        scoring_callback=None,
        criterion=None,
    ):
        callbacks = [copy.deepcopy(cb) for cb in (self.callbacks or [])]
        return make_net(
            module,
            self._criterion() if criterion is None else criterion,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            alpha=self.alpha,
            batch_size=batch_size,
            max_epochs=self.max_epochs,
            valid_dataset=valid_dataset,
            early_stopping=early_stopping,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
            callbacks=callbacks,
            verbose=self.verbose,
            device=self.device,
            net_params=self.net_params,
            # models with a network separate its L2 from the embeddings' (alpha)
            net_alpha=getattr(self, "net_alpha", None),
            sparse=getattr(self, "_sparse_gradients_", False),
            scoring_callback=scoring_callback,
            lr_schedule=getattr(self, "lr_schedule", None),
            clip_grad_norm=getattr(self, "clip_grad_norm", None),
            classes=(
                np.arange(len(self.classes_)) if self._is_classifier_model() else None
            ),
        )

    def _split_validation(self, dataset, y):
        n = len(dataset)
        n_valid = int(np.ceil(self.validation_fraction * n))
        if n_valid < 1 or n - n_valid < 1:
            raise ValueError(
                f"early_stopping needs a validation split, but "
                f"validation_fraction={self.validation_fraction} of {n} samples "
                "leaves an empty training or validation set."
            )
        stratify = y if self._is_classifier_model() else None
        index = np.arange(n)
        try:
            train_idx, valid_idx = train_test_split(
                index, test_size=n_valid, stratify=stratify, random_state=self._seed_
            )
        except ValueError:  # a class too rare to stratify
            train_idx, valid_idx = train_test_split(
                index, test_size=n_valid, random_state=self._seed_
            )
        self._valid_index = np.sort(valid_idx)  # for scoring on the raw rows
        train_idx = torch.from_numpy(np.sort(train_idx))
        valid_idx = torch.from_numpy(np.sort(valid_idx))
        return dataset.take(train_idx), dataset.take(valid_idx)

    def _check_eval_set(self, eval_set):
        if not isinstance(eval_set, (tuple, list)) or len(eval_set) != 2:
            what = type(eval_set).__name__
            if isinstance(eval_set, (tuple, list)):
                what = f"a {what} of length {len(eval_set)}"
            raise ValueError(f"eval_set must be a tuple (X_val, y_val), got {what}.")

    def _eval_dataset(self, eval_set):
        self._check_eval_set(eval_set)
        X_val, y_val = eval_set
        X_val = self._check_X(X_val, reset=False)
        y_val = self._encode_y(self._as_1d(y_val, "y_val"), name="y_val")
        return self._dataset(X_val, y_val, None)

    def _is_classifier_model(self):
        return False

    # --------------------------------------------------------- input checks
    def _check_X(self, X, *, reset):
        """Validate X, keep DataFrames as they are, record n_features_in_."""
        name = type(self).__name__
        checked = check_field_input(
            X, allow_sparse=self._accepts_sparse, estimator_name=name
        )
        if checked is None:
            numeric = self._array_is_numeric(X, reset)
            checked = check_dense_array(X, numeric=numeric, estimator_name=name)
        elif sp.issparse(checked):
            checked = check_array(
                checked,
                accept_sparse="csr",
                dtype=np.float64,
                estimator=name,
                input_name="X",
            )
            checked.sort_indices()
        if reset or not self._same_columns(checked):
            validate_data(self, checked, reset=reset, skip_check_array=True)
        if not reset:
            kind = "sparse" if sp.issparse(checked) else "fields"
            if kind == "fields" and self._input_kind_ == "sparse":
                # libFM-style rows given densely: the same values, as CSR
                dense = check_array(
                    checked, dtype=np.float64, estimator=name, input_name="X"
                )
                checked = sp.csr_matrix(dense)
                checked.sort_indices()
                kind = "sparse"
            if kind != self._input_kind_:
                raise TypeError(
                    f"{name} was fitted on "
                    f"{'sparse' if self._input_kind_ == 'sparse' else 'dense'} input "
                    f"and cannot predict on {'sparse' if kind == 'sparse' else 'dense'}"
                    " input; pass the same kind of X as in fit."
                )
        return checked

    def _same_columns(self, X):
        """Whether ``X`` is a DataFrame with exactly the fitted column names.

        Then scikit-learn's checks of the names and their number have nothing
        to say, and a serving request skips their per-call cost.
        """
        names = getattr(self, "feature_names_in_", None)
        columns = getattr(X, "columns", None)
        return (
            names is not None
            and columns is not None
            and len(columns) == len(names)
            and columns.tolist() == names.tolist()
        )

    def _array_is_numeric(self, X, reset):
        if reset:
            cf = self.categorical_features
            if isinstance(cf, str) and cf == "all":
                return False
            if cf is None or isinstance(cf, str):
                return True
            return np.asarray(cf).size == 0 or (
                np.asarray(cf).dtype.kind == "b" and not np.asarray(cf).any()
            )
        return not self.is_categorical_.any()

    def _as_1d(self, y, name="y"):
        y = column_or_1d(y, warn=True)
        if len(y) == 0:
            raise ValueError(f"{name} is empty: found 0 samples.")
        return y

    def _fit_encoders(self, X, sample_weight=None):
        """Decide the column kinds of the in-memory ``X`` and fit the encoder."""
        if sp.issparse(X) and getattr(self, "vector_features", None):
            raise TypeError(
                f"{type(self).__name__} got sparse input with vector_features; "
                "vector fields need field-structured input (a DataFrame or a dense "
                "array, one column per value)."
            )
        if sp.issparse(X):
            self._input_kind_ = "sparse"
            self.is_categorical_ = np.zeros(X.shape[1], dtype=bool)
            self.schema_ = None
            return
        names = self._column_names(X.shape[1])
        profile = ColumnProfile.from_frame(
            X, names, getattr(self, "feature_names_in_", None)
        )
        kinds = self._resolve_column_kinds(profile)
        self.encoder_ = self._new_encoder(kinds, names).fit(X, sample_weight)
        self._set_fields(kinds)

    def _column_names(self, n_columns):
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return [f"x{j}" for j in range(n_columns)]

    def _resolve_column_kinds(self, profile):
        return resolve_kinds(
            profile,
            categorical_features=self.categorical_features,
            vector_features=getattr(self, "vector_features", None),
            numeric_bins=getattr(self, "numeric_bins", None),
            multi_value_features=getattr(self, "multi_value_features", None),
        )

    def _new_encoder(self, kinds, names):
        return kinds.new_encoder(
            names,
            min_frequency=self.min_frequency,
            encoding=getattr(self, "categorical_encoding", "vocabulary"),
            hash_buckets=getattr(self, "hash_buckets", None),
            n_bins=getattr(self, "numeric_bins", None),
        )

    def _set_fields(self, kinds):
        """The fitted attributes of the column kinds (the encoder is set)."""
        self._input_kind_ = "fields"
        self.is_categorical_ = kinds.categorical
        self.feature_kinds_ = kinds.feature_kinds
        self._in_vector = kinds.vector if kinds.groups else None
        self._binned = kinds.binned
        self._binner = None  # the encoder bins (its ``binner_``)
        self.schema_ = self.encoder_.schema_

    def _new_statistics(self, X):
        """Empty :class:`FieldStatistics` for columns laid out as ``X``."""
        if sp.issparse(X):
            names = [f"x{j}" for j in range(X.shape[1])]
            X = np.zeros((0, X.shape[1]))
        else:
            names = self._column_names(X.shape[1])
        return FieldStatistics.for_frame(
            X,
            names,
            getattr(self, "feature_names_in_", None),
            categorical_features=self.categorical_features,
            encoding=getattr(self, "categorical_encoding", "vocabulary"),
            numeric_bins=getattr(self, "numeric_bins", None),
            classifier=self._is_classifier_model(),
            seed=0,
            multi_value_features=getattr(self, "multi_value_features", None),
        )

    def _fit_fields_from_statistics(self, stats, X, classes, max_categories=None):
        """Fields and targets from the statistics of all rows (files, shards)."""
        if sp.issparse(X):
            self._input_kind_ = "sparse"
            self.is_categorical_ = np.zeros(X.shape[1], dtype=bool)
            self.schema_ = None
        else:
            kinds = self._resolve_column_kinds(stats.profile())
            self.encoder_ = stats.to_encoder(
                kinds,
                min_frequency=self.min_frequency,
                encoding=getattr(self, "categorical_encoding", "vocabulary"),
                hash_buckets=getattr(self, "hash_buckets", None),
                n_bins=getattr(self, "numeric_bins", None),
                max_categories=max_categories,
            )
            self._set_fields(kinds)
        if self._is_classifier_model():
            self._check_y(stats.classes(), reset=True, classes=classes)
        else:
            self._target_mean, self._target_scale = stats.target_scale()

    def _take_fields(self, fitted):
        """Take over a fitted model's field encoding and targets, as they are."""
        for name in _FIELD_STATE:
            if name in fitted.__dict__:
                setattr(self, name, copy.deepcopy(fitted.__dict__[name]))
            else:
                self.__dict__.pop(name, None)

    def _finish_fields(self):
        """What follows from the fields: sparse or dense gradients."""
        self._sparse_gradients_ = self._resolve_sparse_gradients()

    # set by _set_fields; class defaults keep models fitted before them working
    _in_vector = None
    _binner = None
    _binned = False

    def _encode(self, X):
        """The encoder's output (its lookups cost time in the rows, not the
        vocabulary, so one serving row is cheap)."""
        return self.encoder_.transform(X)

    def _dataset(self, X, y, sample_weight):
        yt = None if y is None else torch.from_numpy(np.ascontiguousarray(y))
        wt = (
            None
            if sample_weight is None
            else torch.from_numpy(np.asarray(sample_weight, dtype=np.float32))
        )
        if sp.issparse(X):
            check_float32_range(
                X.data,
                "Sparse X (values are fed to the model unscaled)",
                limit=MAX_ABS_MODEL_INPUT,
            )
            ds = FieldDataset.from_csr(X, yt, wt)
        else:
            if self._binner is not None:
                X = self._binner.transform(X)
            inputs = {k: torch.from_numpy(v) for k, v in self._encode(X).items()}
            ds = FieldDataset(inputs, yt, wt)
        if str(self.device) != "cpu":
            ds = ds.to(self.device)
        return ds

    # ------------------------------------------------------------ predicting
    def _raw_output(self, X):
        """Module output (logits for classifiers) as float64 numpy."""
        check_is_fitted(self)
        if is_source(X):
            dataset = prediction_dataset(self, X)
        else:
            X = self._check_X(X, reset=False)
            dataset = self._dataset(X, None, None)
        with torch.no_grad():
            if (
                not is_source(X)
                and self._input_kind_ == "fields"
                and len(dataset) <= self.net_.batch_size
            ):
                # one batch of whole tensors: skorch's data loader adds only
                # per-call overhead (a serving request), and the outputs are the
                # same (the modules evaluate rows independently of their batch)
                module = self.net_.module_
                if module.training:  # eval mode stays set between requests
                    module.eval()
                out = self.net_.infer(dataset.inputs)
            else:
                out = self.net_.forward(dataset, training=False)
        return out.double().cpu().numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = self._accepts_sparse
        return tags

    @property
    def unknown_id(self):
        """Id that unseen categories map to inside every categorical field."""
        return UNKNOWN_ID


def _num_samples(X):
    return X.shape[0]


def _same_module(module):
    return module
