"""FinalNet classifier and regressor (Zhu et al., SIGIR 2023).

Most of its lines are the written-out docstrings and signatures of its two
public classes.
"""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin

from skfeat.models._base import FieldClassifierMixin, FieldRegressorMixin
from skfeat.models._deep import _DeepBase
from skfeat.nn._finalnet import FinalNet
from skfeat.utils._validation import PositiveIntSequence


class _FinalNetBase(_DeepBase):
    """Parameters and module of the FinalNet estimators."""

    _parameter_constraints = {
        **_DeepBase._parameter_constraints,
        "block2_hidden_units": [PositiveIntSequence(allow_empty=True), None],
        "field_gate": ["boolean"],
    }

    def __init__(
        self,
        *,
        block2_hidden_units,
        field_gate,
        **params,
    ):
        super().__init__(**params)
        self.block2_hidden_units = block2_hidden_units
        self.field_gate = field_gate

    def _check_architecture(self):
        super()._check_architecture()
        if self.block2_hidden_units is not None and not len(self.block2_hidden_units):
            raise ValueError(
                "block2_hidden_units must be None (one block) or a non-empty "
                "sequence of positive integers, got "
                f"{self.block2_hidden_units!r}."
            )

    def _build_module(self, schema, n_outputs):
        kwargs = self._mlp_kwargs()
        block1 = kwargs.pop("hidden_units")
        block2 = None
        if self.block2_hidden_units is not None:
            block2 = [int(u) for u in np.ravel(self.block2_hidden_units)]
        return FinalNet(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            block1,
            block2,
            n_outputs=n_outputs,
            field_gate=bool(self.field_gate),
            **kwargs,
        )


class FinalNetClassifier(FieldClassifierMixin, ClassifierMixin, _FinalNetBase):
    """FinalNet classifier: field-gated FINAL blocks (binary and multiclass).

    FinalNet (Zhu et al., SIGIR 2023) replaces the MLP by a FINAL block: a stack
    of factorized interaction layers. A layer computes the linear layer of an
    MLP, ``h = W_1 x + b_1``, a second, successive projection ``g = W_2 h + b_2``
    and their element-wise product, ``z = h + h * g`` (a factorised quadratic
    form of the layer's input, in the spirit of a factorization machine), then
    batch normalisation, activation and dropout as in an MLP layer; ``L`` layers
    reach polynomial degree ``2^L`` in the embeddings. The block reads the
    flattened field embeddings through a field-wise gate: each field's
    embedding is scaled by ``2 * sigmoid(w_i^T x + b_i)``, computed from all of
    the embeddings ``x``. With ``block2_hidden_units`` a second gated block runs
    beside the first (the paper's two-stream model) and the output is the mean
    of the two blocks' outputs.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The layer defaults are the
    other deep models' (three layers of 400, batch norm, dropout 0.2) and so is
    the training loop (FuxiCTR's: early stopping on validation ROC AUC for
    binary classifiers with patience 2, learning rate divided by 10 after each
    epoch without improvement, gradient norm clipped at 10) on a holdout of 5% of
    the training rows.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, as in the other deep models. A table
        costs ``n_ids x embed_dim`` floats, and Adam two more of the same size:
        pass a smaller value for very large vocabularies.
    hidden_units : sequence of int, default=(400, 400, 400)
        Widths of the first FINAL block's layers (non-empty, positive).
    block2_hidden_units : sequence of int or None, default=None
        Widths of a second FINAL block; ``None`` for the one-block model. On
        Frappe_x1 a second block of ``(400, 400, 400)`` changed the valid AUC
        by +0.0007, +0.0006 and -0.0004 at three seeds for 2-7 times the fit
        time (``docs/benchmarks.md``, "DCNv3 and FinalNet on Frappe_x1").
    field_gate : bool, default=True
        Scale each field's embedding by a learned gate before each block.
    activation : {"relu", "tanh", "sigmoid", "gelu", "leaky_relu", "identity"}, \
default="relu"
        Activation of the FINAL layers.
    dropout : float, default=0.2
        Dropout rate after each FINAL layer.
    batch_norm : bool, default=True
        Batch normalisation in each FINAL layer.
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables, applied to the
        *whole* tables at every step through the optimizer's weight decay: the
        semantics of FuxiCTR's ``embedding_regularizer``. With sparse gradients
        (``sparse_gradients``, automatic for tables of 100,000 rows or more) only
        the rows of a batch are penalised.
    net_alpha : float, default=0.0
        L2 penalty on the network's weights (not the biases), applied the same way
        (BARS's ``net_regularizer``).
    learning_rate : float, default=0.001
        Step size of the optimizer.
    optimizer : {"adam", "adamw", "adagrad", "sgd"}, default="adam"
        Optimizer.
    batch_size : int or "auto", default="auto"
        Rows per gradient step. ``"auto"`` uses ``min(4096, max(128, n // 64))``.
    max_epochs : int, default=100
        Most passes over the training data.
    early_stopping : bool or "auto", default="auto"
        Stop when the monitored validation value (see ``scoring``) has not improved
        by ``tol`` for ``n_iter_no_change`` epochs, and restore the best weights.
        The validation data is ``eval_set`` when given to ``fit``, else a
        ``validation_fraction`` split of the training data (stratified for
        classifiers). ``"auto"`` turns it on whenever there is validation data or a
        split leaves rows on both sides: the same rule at every data size, so the
        folds of a cross-validation and the final refit train alike.
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping.
    n_iter_no_change : int, default=2
        Patience of early stopping, in epochs. A fit never stops before epoch 5
        (with little data the validation value often stalls for a few epochs
        before the interactions are learnt).
    tol : float, default=1e-6
        Least improvement that counts: relative for ``scoring="loss"``, absolute
        for a scorer (as ``HistGradientBoostingClassifier``'s ``tol``).
    categorical_features : "from_dtype", "all", array-like or None, \
default="from_dtype"
        Which columns are categorical. ``"from_dtype"``: the columns of a DataFrame
        whose dtype is category, object, string or bool, and its integer columns
        whose distinct values repeat at least 10 times on average (ids as
        ``pd.read_csv`` gives them; see ``feature_kinds_``); arrays are then all
        numeric; ``"all"``: every column (e.g. after an ``OrdinalEncoder``);
        ``None``: none. Otherwise column names, indices or a boolean mask. Each
        categorical column reserves one id for missing values (NaN, None) and one
        for categories unseen in ``fit``. Numeric columns are standardised; a
        missing numeric value counts as the training mean.
    min_frequency : int, float or None, default=None
        Categories seen fewer times (or in a smaller share of rows) share one id.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split. Fits with
        the same integer give bit-identical results on CPU. torch's global RNG
        state is restored after ``fit``.
    verbose : int, default=0
        Print skorch's per-epoch table when positive.
    device : str, default="cpu"
        Torch device to train and predict on, e.g. ``"cuda"``.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (instances, or ``(name, instance)`` tuples). They
        are copied at every ``fit``, so the ones given are never modified.
    net_params : dict or None, default=None
        Further keyword arguments for the skorch ``NeuralNet`` (for example
        ``{"optimizer__betas": (0.9, 0.99)}``); they override skfeat's own.
    scoring : str or callable, default="auto"
        What early stopping (and ``lr_schedule``) monitors on the validation data,
        as in ``HistGradientBoostingClassifier``: ``"loss"`` (the model's own loss,
        lower is better), ``"auto"`` (``"roc_auc"`` for a binary classifier fitted
        without ``sample_weight`` whose validation rows hold at least 100 rows of
        each class, else ``"loss"``), a scikit-learn scorer name (``"roc_auc"``,
        ``"neg_log_loss"``, ``"accuracy"``, ``"r2"``...) or a callable
        ``scorer(estimator, X_val, y_val)`` (higher is better); the scorer sees
        this estimator and the validation rows as passed to ``fit``. The per-epoch
        values are kept in ``validation_score_``.
    lr_schedule : {"plateau"} or None, default="plateau"
        ``"plateau"``: divide the learning rate by 10 after every epoch whose
        monitored validation value does not improve by more than 1e-6, down to
        1e-6 (FuxiCTR's ``reduce_lr_on_plateau``, the loop of the BARS
        benchmarks); without validation data it watches the training loss.
    clip_grad_norm : float or None, default=10.0
        Clip the total gradient norm to this value before every step (FuxiCTR and
        BARS use 10).
    numeric_bins : int or None, default=None
        ``None``: numeric columns enter linearly (standardised value times an
        embedding). An int ``k``: each numeric column is cut at its training
        quantiles into at most ``k`` bins, and the bin is embedded like a
        category (NaN gets the missing id), so non-monotone effects can be fitted.
    sparse_gradients : bool or "auto", default="auto"
        Give the embedding tables sparse gradients and update only the rows each
        batch touches: lazy Adam for ``"adam"`` and ``"adamw"``, row-wise Adagrad
        (one accumulator per row) for ``"adagrad"``, plain SGD for ``"sgd"``. A
        step then costs time and memory in the batch, not in the table. ``alpha``
        then decays only the rows a batch touches (not the whole tables); the
        network's weights keep the dense update. ``"auto"`` turns it on for
        tables of at least 100,000 rows.
    categorical_encoding : {"vocabulary", "hash"}, default="vocabulary"
        ``"vocabulary"``: ids learned in ``fit`` (see ``categorical_features``).
        ``"hash"``: no vocabulary; each categorical value's id is its text's
        SipHash modulo ``hash_buckets`` (the same in every process and platform;
        see :func:`skfeat.models._fields.hash_categories`), so values first seen
        after ``fit`` (in ``partial_fit`` or in production) get trained ids of
        their own, and colliding values share one. ``min_frequency`` is ignored.
    hash_buckets : int, default=2**20
        Ids per categorical field with ``categorical_encoding="hash"``.
    vector_features : dict or None, default=None
        Vector fields: ``{field_name: [column, ...]}`` groups numeric columns
        (names or indices, e.g. the 384 columns of a sentence embedding computed
        elsewhere) into one field. Each column is standardised in ``fit``; the
        field's embedding is a learned linear projection of the whole vector to
        ``embed_dim``, and it interacts with the other fields like any field.
        The explainers treat a vector field as one player named ``field_name``.
        A column may belong to one vector field only and not be listed in
        ``categorical_features``. See :ref:`vector_fields`.
    multi_value_features : list, dict or None, default=None
        Multi-value and sequence columns, ``[column, ...]`` or ``{column: options}``:
        each cell holds several values of one vocabulary (a list, tuple or array, or a
        text joined by ``sep``), embedded and pooled into one field. Options: ``sep``
        (default ``"|"``), ``pooling`` (``"mean"`` (default), ``"sum"``, ``"max"``, or
        ``"attention"``: DIN's target attention), ``max_length`` (default: the longest
        bag in ``fit``; a longer bag keeps its last values) and ``target`` (a
        categorical column whose vocabulary and embedding rows the bag shares, as a
        viewing history shares the scored item's; needed by ``"attention"``). See
        :ref:`multi_value_fields`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module and
        ``net_.history`` the per-epoch record.
    n_iter_ : int
        Number of epochs run.
    do_early_stopping_ : bool
        Whether early stopping was used in ``fit``.
    validation_score_ : ndarray of shape (n_iter_,)
        The monitored validation value after each epoch, higher is better (the
        negated loss for ``scoring="loss"``); empty without validation data.
    is_categorical_ : ndarray of bool of shape (n_features_in_,)
        Which input columns were treated as categorical.
    feature_kinds_ : ndarray of str of shape (n_features_in_,)
        How each column entered: ``"categorical"``, ``"integer codes"``,
        ``"numeric"``, ``"binned numeric"`` (``numeric_bins``) or ``"vector"``
        (a column of a vector field).
    schema_ : FieldSchema
        Field layout (names, kinds, cardinalities).
    n_features_in_ : int
        Number of input columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit``, when X was a DataFrame.

    See Also
    --------
    FinalNetRegressor : The same network for regression.
    DNNClassifier : An MLP over the field embeddings.
    DCNv3Classifier : Linear and exponential cross networks.

    Notes
    -----
    The layer follows the paper's description (a linear layer extended by the
    product of successive linear projections); details the paper leaves open,
    such as where the gate's input comes from and how the second-order term
    joins the linear one, are this implementation's choices and are stated
    above. In eval mode (prediction) the network computes in float64, so a
    row's output does not depend on which rows share its batch.

    No closed-form decomposition: :class:`~skfeat.explain.InteractionExplainer`
    explains the model through its outputs (enumeration of coalitions within
    its budget, sampling beyond).

    References
    ----------
    .. [1] J. Zhu, Q. Jia, G. Cai, Q. Dai, J. Li, Z. Dong, R. Tang and R. Zhang,
       "FINAL: Factorized Interaction Layer for CTR Prediction", SIGIR 2023,
       https://doi.org/10.1145/3539618.3591988.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FinalNetClassifier
    >>> X, y, truth = make_interaction_classification(n_samples=1000, random_state=0)
    >>> clf = FinalNetClassifier(hidden_units=(32,), block2_hidden_units=(16,),
    ...                          max_epochs=3, random_state=0).fit(X, y)
    >>> clf.predict_proba(X.iloc[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        hidden_units=(400, 400, 400),
        block2_hidden_units=None,
        field_gate=True,
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            hidden_units=hidden_units,
            block2_hidden_units=block2_hidden_units,
            field_gate=field_gate,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
            learning_rate=learning_rate,
            optimizer=optimizer,
            batch_size=batch_size,
            max_epochs=max_epochs,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            categorical_features=categorical_features,
            min_frequency=min_frequency,
            random_state=random_state,
            verbose=verbose,
            device=device,
            callbacks=callbacks,
            net_params=net_params,
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )


class FinalNetRegressor(FieldRegressorMixin, RegressorMixin, _FinalNetBase):
    """FinalNet regressor: field-gated FINAL blocks.

    FinalNet (Zhu et al., SIGIR 2023) replaces the MLP by a FINAL block: a stack
    of factorized interaction layers. A layer computes the linear layer of an
    MLP, ``h = W_1 x + b_1``, a second, successive projection ``g = W_2 h + b_2``
    and their element-wise product, ``z = h + h * g`` (a factorised quadratic
    form of the layer's input, in the spirit of a factorization machine), then
    batch normalisation, activation and dropout as in an MLP layer; ``L`` layers
    reach polynomial degree ``2^L`` in the embeddings. The block reads the
    flattened field embeddings through a field-wise gate: each field's
    embedding is scaled by ``2 * sigmoid(w_i^T x + b_i)``, computed from all of
    the embeddings ``x``. With ``block2_hidden_units`` a second gated block runs
    beside the first (the paper's two-stream model) and the output is the mean
    of the two blocks' outputs.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The layer defaults are the
    other deep models' (three layers of 400, batch norm, dropout 0.2) and so is
    the training loop (FuxiCTR's: early stopping on validation ROC AUC for
    binary classifiers with patience 2, learning rate divided by 10 after each
    epoch without improvement, gradient norm clipped at 10) on a holdout of 5% of
    the training rows.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, as in the other deep models. A table
        costs ``n_ids x embed_dim`` floats, and Adam two more of the same size:
        pass a smaller value for very large vocabularies.
    hidden_units : sequence of int, default=(400, 400, 400)
        Widths of the first FINAL block's layers (non-empty, positive).
    block2_hidden_units : sequence of int or None, default=None
        Widths of a second FINAL block; ``None`` for the one-block model. On
        Frappe_x1 a second block of ``(400, 400, 400)`` changed the valid AUC
        by +0.0007, +0.0006 and -0.0004 at three seeds for 2-7 times the fit
        time (``docs/benchmarks.md``, "DCNv3 and FinalNet on Frappe_x1").
    field_gate : bool, default=True
        Scale each field's embedding by a learned gate before each block.
    activation : {"relu", "tanh", "sigmoid", "gelu", "leaky_relu", "identity"}, \
default="relu"
        Activation of the FINAL layers.
    dropout : float, default=0.2
        Dropout rate after each FINAL layer.
    batch_norm : bool, default=True
        Batch normalisation in each FINAL layer.
    alpha : float, default=0.05
        L2 penalty ``alpha / 2 * ||E||^2`` on the embedding tables, applied to the
        *whole* tables at every step through the optimizer's weight decay: the
        semantics of FuxiCTR's ``embedding_regularizer``. With sparse gradients
        (``sparse_gradients``, automatic for tables of 100,000 rows or more) only
        the rows of a batch are penalised.
    net_alpha : float, default=0.0
        L2 penalty on the network's weights (not the biases), applied the same way
        (BARS's ``net_regularizer``).
    learning_rate : float, default=0.001
        Step size of the optimizer.
    optimizer : {"adam", "adamw", "adagrad", "sgd"}, default="adam"
        Optimizer.
    batch_size : int or "auto", default="auto"
        Rows per gradient step. ``"auto"`` uses ``min(4096, max(128, n // 64))``.
    max_epochs : int, default=100
        Most passes over the training data.
    early_stopping : bool or "auto", default="auto"
        Stop when the monitored validation value (see ``scoring``) has not improved
        by ``tol`` for ``n_iter_no_change`` epochs, and restore the best weights.
        The validation data is ``eval_set`` when given to ``fit``, else a
        ``validation_fraction`` split of the training data (stratified for
        classifiers). ``"auto"`` turns it on whenever there is validation data or a
        split leaves rows on both sides: the same rule at every data size, so the
        folds of a cross-validation and the final refit train alike.
    validation_fraction : float, default=0.05
        Share of the training data held out for early stopping.
    n_iter_no_change : int, default=2
        Patience of early stopping, in epochs. A fit never stops before epoch 5
        (with little data the validation value often stalls for a few epochs
        before the interactions are learnt).
    tol : float, default=1e-6
        Least improvement that counts: relative for ``scoring="loss"``, absolute
        for a scorer (as ``HistGradientBoostingClassifier``'s ``tol``).
    categorical_features : "from_dtype", "all", array-like or None, \
default="from_dtype"
        Which columns are categorical. ``"from_dtype"``: the columns of a DataFrame
        whose dtype is category, object, string or bool, and its integer columns
        whose distinct values repeat at least 10 times on average (ids as
        ``pd.read_csv`` gives them; see ``feature_kinds_``); arrays are then all
        numeric; ``"all"``: every column (e.g. after an ``OrdinalEncoder``);
        ``None``: none. Otherwise column names, indices or a boolean mask. Each
        categorical column reserves one id for missing values (NaN, None) and one
        for categories unseen in ``fit``. Numeric columns are standardised; a
        missing numeric value counts as the training mean.
    min_frequency : int, float or None, default=None
        Categories seen fewer times (or in a smaller share of rows) share one id.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split. Fits with
        the same integer give bit-identical results on CPU. torch's global RNG
        state is restored after ``fit``.
    verbose : int, default=0
        Print skorch's per-epoch table when positive.
    device : str, default="cpu"
        Torch device to train and predict on, e.g. ``"cuda"``.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (instances, or ``(name, instance)`` tuples). They
        are copied at every ``fit``, so the ones given are never modified.
    net_params : dict or None, default=None
        Further keyword arguments for the skorch ``NeuralNet`` (for example
        ``{"optimizer__betas": (0.9, 0.99)}``); they override skfeat's own.
    scoring : str or callable, default="auto"
        What early stopping (and ``lr_schedule``) monitors on the validation data,
        as in ``HistGradientBoostingClassifier``: ``"loss"`` (the model's own loss,
        lower is better), ``"auto"`` (``"roc_auc"`` for a binary classifier fitted
        without ``sample_weight`` whose validation rows hold at least 100 rows of
        each class, else ``"loss"``), a scikit-learn scorer name (``"roc_auc"``,
        ``"neg_log_loss"``, ``"accuracy"``, ``"r2"``...) or a callable
        ``scorer(estimator, X_val, y_val)`` (higher is better); the scorer sees
        this estimator and the validation rows as passed to ``fit``. The per-epoch
        values are kept in ``validation_score_``.
    lr_schedule : {"plateau"} or None, default="plateau"
        ``"plateau"``: divide the learning rate by 10 after every epoch whose
        monitored validation value does not improve by more than 1e-6, down to
        1e-6 (FuxiCTR's ``reduce_lr_on_plateau``, the loop of the BARS
        benchmarks); without validation data it watches the training loss.
    clip_grad_norm : float or None, default=10.0
        Clip the total gradient norm to this value before every step (FuxiCTR and
        BARS use 10).
    numeric_bins : int or None, default=None
        ``None``: numeric columns enter linearly (standardised value times an
        embedding). An int ``k``: each numeric column is cut at its training
        quantiles into at most ``k`` bins, and the bin is embedded like a
        category (NaN gets the missing id), so non-monotone effects can be fitted.
    sparse_gradients : bool or "auto", default="auto"
        Give the embedding tables sparse gradients and update only the rows each
        batch touches: lazy Adam for ``"adam"`` and ``"adamw"``, row-wise Adagrad
        (one accumulator per row) for ``"adagrad"``, plain SGD for ``"sgd"``. A
        step then costs time and memory in the batch, not in the table. ``alpha``
        then decays only the rows a batch touches (not the whole tables); the
        network's weights keep the dense update. ``"auto"`` turns it on for
        tables of at least 100,000 rows.
    categorical_encoding : {"vocabulary", "hash"}, default="vocabulary"
        ``"vocabulary"``: ids learned in ``fit`` (see ``categorical_features``).
        ``"hash"``: no vocabulary; each categorical value's id is its text's
        SipHash modulo ``hash_buckets`` (the same in every process and platform;
        see :func:`skfeat.models._fields.hash_categories`), so values first seen
        after ``fit`` (in ``partial_fit`` or in production) get trained ids of
        their own, and colliding values share one. ``min_frequency`` is ignored.
    hash_buckets : int, default=2**20
        Ids per categorical field with ``categorical_encoding="hash"``.
    vector_features : dict or None, default=None
        Vector fields: ``{field_name: [column, ...]}`` groups numeric columns
        (names or indices, e.g. the 384 columns of a sentence embedding computed
        elsewhere) into one field. Each column is standardised in ``fit``; the
        field's embedding is a learned linear projection of the whole vector to
        ``embed_dim``, and it interacts with the other fields like any field.
        The explainers treat a vector field as one player named ``field_name``.
        A column may belong to one vector field only and not be listed in
        ``categorical_features``. See :ref:`vector_fields`.
    multi_value_features : list, dict or None, default=None
        Multi-value and sequence columns, ``[column, ...]`` or ``{column: options}``:
        each cell holds several values of one vocabulary (a list, tuple or array, or a
        text joined by ``sep``), embedded and pooled into one field. Options: ``sep``
        (default ``"|"``), ``pooling`` (``"mean"`` (default), ``"sum"``, ``"max"``, or
        ``"attention"``: DIN's target attention), ``max_length`` (default: the longest
        bag in ``fit``; a longer bag keeps its last values) and ``target`` (a
        categorical column whose vocabulary and embedding rows the bag shares, as a
        viewing history shares the scored item's; needed by ``"attention"``). See
        :ref:`multi_value_fields`.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module and
        ``net_.history`` the per-epoch record.
    n_iter_ : int
        Number of epochs run.
    do_early_stopping_ : bool
        Whether early stopping was used in ``fit``.
    validation_score_ : ndarray of shape (n_iter_,)
        The monitored validation value after each epoch, higher is better (the
        negated loss for ``scoring="loss"``); empty without validation data.
    is_categorical_ : ndarray of bool of shape (n_features_in_,)
        Which input columns were treated as categorical.
    feature_kinds_ : ndarray of str of shape (n_features_in_,)
        How each column entered: ``"categorical"``, ``"integer codes"``,
        ``"numeric"``, ``"binned numeric"`` (``numeric_bins``) or ``"vector"``
        (a column of a vector field).
    schema_ : FieldSchema
        Field layout (names, kinds, cardinalities).
    n_features_in_ : int
        Number of input columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit``, when X was a DataFrame.

    See Also
    --------
    FinalNetClassifier : The same network for classification.
    DNNRegressor : An MLP over the field embeddings.
    DCNv3Regressor : Linear and exponential cross networks.

    Notes
    -----
    The layer follows the paper's description (a linear layer extended by the
    product of successive linear projections); details the paper leaves open,
    such as where the gate's input comes from and how the second-order term
    joins the linear one, are this implementation's choices and are stated
    above. In eval mode (prediction) the network computes in float64, so a
    row's output does not depend on which rows share its batch.

    No closed-form decomposition: :class:`~skfeat.explain.InteractionExplainer`
    explains the model through its outputs (enumeration of coalitions within
    its budget, sampling beyond).

    References
    ----------
    .. [1] J. Zhu, Q. Jia, G. Cai, Q. Dai, J. Li, Z. Dong, R. Tang and R. Zhang,
       "FINAL: Factorized Interaction Layer for CTR Prediction", SIGIR 2023,
       https://doi.org/10.1145/3539618.3591988.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import FinalNetRegressor
    >>> X, y, truth = make_interaction_regression(n_samples=1000, random_state=0)
    >>> reg = FinalNetRegressor(hidden_units=(32,), max_epochs=3,
    ...                         random_state=0).fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        hidden_units=(400, 400, 400),
        block2_hidden_units=None,
        field_gate=True,
        activation="relu",
        dropout=0.2,
        batch_norm=True,
        alpha=0.05,
        net_alpha=0.0,
        learning_rate=1e-3,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.05,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        vector_features=None,
        multi_value_features=None,
    ):
        super().__init__(
            embed_dim=embed_dim,
            hidden_units=hidden_units,
            block2_hidden_units=block2_hidden_units,
            field_gate=field_gate,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            alpha=alpha,
            net_alpha=net_alpha,
            learning_rate=learning_rate,
            optimizer=optimizer,
            batch_size=batch_size,
            max_epochs=max_epochs,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            categorical_features=categorical_features,
            min_frequency=min_frequency,
            random_state=random_state,
            verbose=verbose,
            device=device,
            callbacks=callbacks,
            net_params=net_params,
            scoring=scoring,
            lr_schedule=lr_schedule,
            clip_grad_norm=clip_grad_norm,
            numeric_bins=numeric_bins,
            sparse_gradients=sparse_gradients,
            categorical_encoding=categorical_encoding,
            hash_buckets=hash_buckets,
            vector_features=vector_features,
            multi_value_features=multi_value_features,
        )
