"""DCNv3 classifier and regressor (Li et al., 2024).

Most of its lines are the written-out docstrings and signatures of its two
public classes.
"""

from numbers import Integral, Real

from sklearn.base import ClassifierMixin, RegressorMixin

from skfeat.models._base import (
    BaseFieldModel,
    FieldClassifierMixin,
    FieldRegressorMixin,
)
from skfeat.models._deep import _DeepBase
from skfeat.models._fields import UNKNOWN_ID
from skfeat.nn._dcnv3 import DCNv3, TriBCELoss
from skfeat.utils._sklearn_compat import Interval, StrOptions


class _DCNv3Base(_DeepBase):
    """Parameters and module of the DCNv3 estimators (no MLP)."""

    _parameter_constraints = {
        **BaseFieldModel._parameter_constraints,
        "embed_dim": [Interval(Integral, 1, None, closed="left")],
        "lcn_layers": [Interval(Integral, 1, None, closed="left")],
        "ecn_layers": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "net_alpha": [Interval(Real, 0, None, closed="left")],
        "sparse_gradients": ["boolean", StrOptions({"auto"})],
        "categorical_encoding": [StrOptions({"vocabulary", "hash"})],
        "hash_buckets": _DeepBase._parameter_constraints["hash_buckets"],
    }

    def __init__(
        self,
        *,
        lcn_layers,
        ecn_layers,
        dropout,
        batch_norm,
        net_alpha,
        scoring,
        lr_schedule,
        clip_grad_norm,
        numeric_bins,
        sparse_gradients,
        categorical_encoding,
        hash_buckets,
        **params,
    ):
        BaseFieldModel.__init__(self, **params)
        self.lcn_layers = lcn_layers
        self.ecn_layers = ecn_layers
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.net_alpha = net_alpha
        self.scoring = scoring
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm
        self.numeric_bins = numeric_bins
        self.sparse_gradients = sparse_gradients
        self.categorical_encoding = categorical_encoding
        self.hash_buckets = hash_buckets

    def _check_architecture(self):
        """No MLP: the constraints cover every setting."""

    def _uses_tri_bce(self):
        return self._is_classifier_model() and len(self.classes_) == 2

    def _build_module(self, schema, n_outputs):
        return DCNv3(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            lcn_layers=self.lcn_layers,
            ecn_layers=self.ecn_layers,
            dropout=float(self.dropout),
            batch_norm=bool(self.batch_norm),
            sub_logits_in_training=self._uses_tri_bce(),
            zero_ids=(UNKNOWN_ID,),
            sparse=getattr(self, "_sparse_gradients_", False),
            vector_dims=schema.vector_dims,
            bags=schema.bag_specs,
            bag_cardinalities=schema.own_bag_cardinalities,
        )


class DCNv3Classifier(FieldClassifierMixin, ClassifierMixin, _DCNv3Base):
    """DCNv3 classifier: linear and exponential cross networks (binary and multiclass).

    DCNv3 (Li et al., 2024) models feature crosses with two explicit cross
    networks over the concatenated field embeddings ``x_1``, and no MLP. The
    linear cross network (LCN) computes ``x_{l+1} = x_1 * [c_l || M(c_l)] + x_l``
    and reaches crosses of order ``lcn_layers + 1``; the exponential cross
    network (ECN) computes ``x_{2^l} = x_{2^(l-1)} * [c_l || M(c_l)] +
    x_{2^(l-1)}`` and reaches order ``2^ecn_layers``. In both, ``c_l = W_l x + b_l``
    has half the input's width and the self-mask ``M(c) = c * max(0,
    LayerNorm(c))`` keeps the entries of ``c`` above their row's mean, about half
    of them, and zeroes the rest. Each network has its own linear output layer;
    the model's output is the mean of the two.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The training loop is the
    other deep models' (FuxiCTR's: early stopping on validation ROC AUC for
    binary classifiers with patience 2, learning rate divided by 10 after each
    epoch without improvement, gradient norm clipped at 10) on a holdout of 5% of
    the training rows.

    A binary classifier trains on the paper's Tri-BCE loss
    ``L + w_lcn * L_lcn + w_ecn * L_ecn``, where ``L``, ``L_lcn`` and ``L_ecn`` are
    the batch's binary cross-entropies of the fused, LCN and ECN logits and each
    sub-network's weight is ``w = max(0, L_sub - L)``: a sub-network gets its own
    supervision while it predicts worse than the fused model. Tri-BCE is defined
    for binary labels only: a multiclass classifier trains on the plain
    cross-entropy of the fused logits (the mean of the two networks' logits).
    With ``sample_weight`` the loss terms are weighted means over the batch and
    the adaptive weights ``w`` come from the unweighted ones. The validation loss
    (``scoring="loss"``) is the cross-entropy of the fused logit.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, as in the other deep models. A table
        costs ``n_ids x embed_dim`` floats, and Adam two more of the same size:
        pass a smaller value for very large vocabularies.
    lcn_layers : int, default=3
        Layers of the linear cross network.
    ecn_layers : int, default=3
        Layers of the exponential cross network.
    dropout : float, default=0.0
        Dropout on the output of each cross layer, in training only (0.2 scored
        the same on Frappe_x1 at seed 0, 0.98366 against 0.98363, in 18 epochs
        instead of 12).
    batch_norm : bool, default=True
        Batch-normalise each cross layer's ``c_l = BN(W_l x + b_l)``. The
        embeddings start near zero (standard deviation 1e-4), so without it the
        cross terms start about 1e-4 times smaller than the linear ones and are
        slow to learn: on Frappe_x1 (seed 0, dropout 0.1) valid AUC 0.97445 after
        48 epochs without it, 0.98246 after 12 with it.
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
    DCNv3Regressor : The same network for regression.
    DCNClassifier : DCN-v2, one cross network beside an MLP.
    FinalNetClassifier : FINAL blocks, another MLP-free interaction model.

    Notes
    -----
    The paper's multi-head feature embedding (each field embedding split into
    heads that go through the cross networks separately) is not implemented:
    the networks read the whole embeddings. The batch normalisation of ``c_l``
    (``batch_norm``) is this implementation's addition, not the paper's. When
    ``W_l``'s input width is odd, ``c_l`` has ``ceil(width / 2)`` units and the
    last entry of the masked copy is dropped. In eval mode (prediction) the
    network computes in float64, so a row's output does not depend on which
    rows share its batch.

    No closed-form decomposition: :class:`~skfeat.explain.InteractionExplainer`
    explains the model through its outputs (enumeration of coalitions within
    its budget, sampling beyond).

    References
    ----------
    .. [1] H. Li et al., "DCNv3: Towards Next Generation Deep Cross Network for
       CTR Prediction", arXiv:2407.13349, 2024 (later versions titled "FCN:
       Fusing Exponential and Linear Cross Network for Click-Through Rate
       Prediction").

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import DCNv3Classifier
    >>> X, y, truth = make_interaction_classification(n_samples=1000, random_state=0)
    >>> clf = DCNv3Classifier(lcn_layers=2, ecn_layers=2, max_epochs=3,
    ...                       random_state=0).fit(X, y)
    >>> clf.predict_proba(X.iloc[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        lcn_layers=3,
        ecn_layers=3,
        dropout=0.0,
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
            lcn_layers=lcn_layers,
            ecn_layers=ecn_layers,
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

    def _criterion(self):
        if self._uses_tri_bce():
            return TriBCELoss(reduction="none")
        return super()._criterion()


class DCNv3Regressor(FieldRegressorMixin, RegressorMixin, _DCNv3Base):
    """DCNv3 regressor: linear and exponential cross networks.

    DCNv3 (Li et al., 2024) models feature crosses with two explicit cross
    networks over the concatenated field embeddings ``x_1``, and no MLP. The
    linear cross network (LCN) computes ``x_{l+1} = x_1 * [c_l || M(c_l)] + x_l``
    and reaches crosses of order ``lcn_layers + 1``; the exponential cross
    network (ECN) computes ``x_{2^l} = x_{2^(l-1)} * [c_l || M(c_l)] +
    x_{2^(l-1)}`` and reaches order ``2^ecn_layers``. In both, ``c_l = W_l x + b_l``
    has half the input's width and the self-mask ``M(c) = c * max(0,
    LayerNorm(c))`` keeps the entries of ``c`` above their row's mean, about half
    of them, and zeroes the rest. Each network has its own linear output layer;
    the model's output is the mean of the two.

    Input is a DataFrame or dense array with one column per field (categorical or
    numeric); sparse input raises a ``TypeError``. The training loop is the
    other deep models' (FuxiCTR's: early stopping on validation ROC AUC for
    binary classifiers with patience 2, learning rate divided by 10 after each
    epoch without improvement, gradient norm clipped at 10) on a holdout of 5% of
    the training rows.

    The regressor trains on the squared error of the fused output (the mean of
    the two networks' outputs). The paper's Tri-BCE loss, which also supervises
    each sub-network, is defined for binary labels and is used by
    :class:`DCNv3Classifier` only.

    Parameters
    ----------
    embed_dim : int, default=32
        Size of each field's embedding, as in the other deep models. A table
        costs ``n_ids x embed_dim`` floats, and Adam two more of the same size:
        pass a smaller value for very large vocabularies.
    lcn_layers : int, default=3
        Layers of the linear cross network.
    ecn_layers : int, default=3
        Layers of the exponential cross network.
    dropout : float, default=0.0
        Dropout on the output of each cross layer, in training only (0.2 scored
        the same on Frappe_x1 at seed 0, 0.98366 against 0.98363, in 18 epochs
        instead of 12).
    batch_norm : bool, default=True
        Batch-normalise each cross layer's ``c_l = BN(W_l x + b_l)``. The
        embeddings start near zero (standard deviation 1e-4), so without it the
        cross terms start about 1e-4 times smaller than the linear ones and are
        slow to learn: on Frappe_x1 (seed 0, dropout 0.1) valid AUC 0.97445 after
        48 epochs without it, 0.98246 after 12 with it.
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
    DCNv3Classifier : The same network for classification, with Tri-BCE.
    DCNRegressor : DCN-v2, one cross network beside an MLP.
    FinalNetRegressor : FINAL blocks, another MLP-free interaction model.

    Notes
    -----
    The paper's multi-head feature embedding (each field embedding split into
    heads that go through the cross networks separately) is not implemented:
    the networks read the whole embeddings. The batch normalisation of ``c_l``
    (``batch_norm``) is this implementation's addition, not the paper's. When
    ``W_l``'s input width is odd, ``c_l`` has ``ceil(width / 2)`` units and the
    last entry of the masked copy is dropped. In eval mode (prediction) the
    network computes in float64, so a row's output does not depend on which
    rows share its batch.

    No closed-form decomposition: :class:`~skfeat.explain.InteractionExplainer`
    explains the model through its outputs (enumeration of coalitions within
    its budget, sampling beyond).

    References
    ----------
    .. [1] H. Li et al., "DCNv3: Towards Next Generation Deep Cross Network for
       CTR Prediction", arXiv:2407.13349, 2024 (later versions titled "FCN:
       Fusing Exponential and Linear Cross Network for Click-Through Rate
       Prediction").

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import DCNv3Regressor
    >>> X, y, truth = make_interaction_regression(n_samples=1000, random_state=0)
    >>> reg = DCNv3Regressor(lcn_layers=2, ecn_layers=2, max_epochs=3,
    ...                      random_state=0).fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    """

    def __init__(
        self,
        embed_dim=32,
        *,
        lcn_layers=3,
        ecn_layers=3,
        dropout=0.0,
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
            lcn_layers=lcn_layers,
            ecn_layers=ecn_layers,
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
