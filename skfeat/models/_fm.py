"""Factorization machines: FM and field-weighted FM, as classifiers and regressors."""

from numbers import Integral

import numpy as np
import torch
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from skfeat.models._base import (
    BaseFieldModel,
    FieldClassifierMixin,
    FieldRegressorMixin,
)
from skfeat.models._decomposition import Decomposition
from skfeat.models._fields import UNKNOWN_ID
from skfeat.nn import FM, FwFM, SparseFM
from skfeat.utils._sklearn_compat import Interval, StrOptions

_SPARSE_GRADIENTS_DOC = """
    sparse_gradients : bool or "auto", default="auto"
        Give the embedding (and, for sparse input, weight) tables sparse gradients
        and update only the rows each batch touches: lazy Adam for ``"adam"`` and
        ``"adamw"``, row-wise Adagrad (one accumulator per row) for ``"adagrad"``,
        plain SGD for ``"sgd"``. A step then costs time and memory in the batch, not
        in the table: a 2^24-wide hashed input trains in seconds instead of minutes.
        ``alpha`` then decays only the rows a batch touches. ``"auto"`` turns it on
        for tables of at least 1,000,000 rows.
    categorical_encoding : {"vocabulary", "hash"}, default="vocabulary"
        ``"vocabulary"``: ids learned in ``fit`` (see ``categorical_features``).
        ``"hash"``: no vocabulary; each categorical value's id is its text's
        SipHash modulo ``hash_buckets`` (the same in every process and platform;
        see :func:`skfeat.models._fields.hash_categories`), so values first seen
        after ``fit`` (in ``partial_fit`` or in production) get trained ids of
        their own, and colliding values share one. ``min_frequency`` is ignored.
    hash_buckets : int, default=2**20
        Ids per categorical field with ``categorical_encoding="hash"``.
"""

_COMMON_PARAMS_DOC = """
    learning_rate : float, default=0.01
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
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    n_iter_no_change : int, default=3
        Patience of early stopping, in epochs. A fit never stops before epoch 5
        (with little data the validation value often stalls for a few epochs
        before the interactions are learnt).
    tol : float, default=1e-4
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
        categorical column reserves one id for missing values (NaN, None) and one for
        categories unseen in ``fit``. Numeric columns are standardised; a missing
        numeric value counts as the training mean.
    min_frequency : int, float or None, default=None
        Categories seen fewer times (or in a smaller share of rows) share one id.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split. Fits with the
        same integer give bit-identical results on CPU. torch's global RNG state is
        restored after ``fit``.
    verbose : int, default=0
        Print skorch's per-epoch table when positive.
    device : str, default="cpu"
        Torch device to train and predict on, e.g. ``"cuda"``.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (instances, or ``(name, instance)`` tuples). They are
        copied at every ``fit``, so the ones given are never modified.
    net_params : dict or None, default=None
        Further keyword arguments for the skorch ``NeuralNet`` (for example
        ``{"optimizer__betas": (0.9, 0.99)}``); they override skfeat's own.
    scoring : str or callable, default="loss"
        What early stopping (and ``lr_schedule``) monitors on the validation data,
        as in ``HistGradientBoostingClassifier``: ``"loss"`` (the model's own loss,
        lower is better), ``"auto"`` (``"roc_auc"`` for a binary classifier fitted
        without ``sample_weight`` whose validation rows hold at least 100 rows of
        each class, else ``"loss"``), a scikit-learn scorer name (``"roc_auc"``,
        ``"neg_log_loss"``, ``"accuracy"``, ``"r2"``...) or a callable
        ``scorer(estimator, X_val, y_val)`` (higher is better); the scorer sees
        this estimator and the validation rows as passed to ``fit``. The per-epoch
        values are kept in ``validation_score_``.
    lr_schedule : {"plateau"} or None, default=None
        ``"plateau"``: divide the learning rate by 10 after every epoch whose
        monitored validation value does not improve by more than 1e-6, down to
        1e-6 (FuxiCTR's ``reduce_lr_on_plateau``, the loop of the BARS
        benchmarks); without validation data it watches the training loss.
    clip_grad_norm : float or None, default=None
        Clip the total gradient norm to this value before every step (FuxiCTR and
        BARS use 10).
    numeric_bins : int or None, default=None
        ``None``: numeric columns enter linearly (standardised value times an
        embedding, plus a weight). An int ``k``: each numeric column is cut at its
        training quantiles into at most ``k`` bins, and the bin is embedded like a
        category (NaN gets the missing id), so non-monotone effects can be fitted.
    vector_features : dict or None, default=None
        Vector fields: ``{field_name: [column, ...]}`` groups numeric columns
        (names or indices, e.g. the 384 columns of a sentence embedding computed
        elsewhere) into one field. Each column is standardised in ``fit`` (per
        dimension, as numeric columns are; a NaN counts as the training mean);
        the field's embedding is a learned linear projection of the whole vector
        to ``embed_dim``, plus a first-order term linear in the vector where the
        model has first-order terms, and it interacts with the other fields like
        any field. The explainers treat a vector field as one player named
        ``field_name``. ``schema_.names`` lists the fields: a vector field sits at
        the position of its first column. A column may belong to one vector field
        only and not be listed in ``categorical_features``. See
        :ref:`vector_fields`.
"""


def _with_bars_loop(doc):
    """The shared parameter text with FuxiCTR's loop as the defaults (issue 13)."""
    for old, new in [
        ("n_iter_no_change : int, default=3", "n_iter_no_change : int, default=2"),
        ("tol : float, default=1e-4", "tol : float, default=1e-6"),
        (
            'scoring : str or callable, default="loss"',
            'scoring : str or callable, default="auto"',
        ),
        (
            'lr_schedule : {"plateau"} or None, default=None',
            'lr_schedule : {"plateau"} or None, default="plateau"',
        ),
        (
            "clip_grad_norm : float or None, default=None",
            "clip_grad_norm : float or None, default=10.0",
        ),
    ]:
        if old not in doc:
            raise AssertionError(f"parameter text changed: {old!r}")
        doc = doc.replace(old, new)
    return doc


_COMMON_ATTRS_DOC = """
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
        How each column entered: ``"categorical"``, ``"integer codes"`` (an
        integer column made categorical by the ``"from_dtype"`` rule),
        ``"numeric"``, ``"binned numeric"`` (``numeric_bins``) or ``"vector"``
        (a column of a vector field). Not set for sparse input.
    schema_ : FieldSchema or None
        Field layout (names, kinds, cardinalities); ``None`` for sparse input.
    n_features_in_ : int
        Number of input columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit``, when X was a DataFrame.
"""


class _FMFamily(BaseFieldModel):
    """Shared parameters, decomposition and module building of FM and FwFM."""

    _parameter_constraints = {
        **BaseFieldModel._parameter_constraints,
        "embed_dim": [Interval(Integral, 1, None, closed="left")],
        "sparse_gradients": ["boolean", StrOptions({"auto"})],
        "categorical_encoding": [StrOptions({"vocabulary", "hash"})],
        "hash_buckets": [Interval(Integral, 1, None, closed="left")],
    }

    def decompose(self, X, *, output=None):
        """Split the model output on ``X`` into bias, per-field and pair terms.

        This is the protocol :mod:`skfeat.explain` uses for exact SHAP values.
        The output is the logit for classifiers and the prediction for regressors.

        Parameters
        ----------
        X : {DataFrame, array-like} of shape (n_samples, n_features)
        output : int or None, default=None
            Class index for multiclass classifiers (required there); ignored
            otherwise.

        Returns
        -------
        decomposition : Decomposition
        """
        check_is_fitted(self)
        if self._input_kind_ == "sparse":
            raise TypeError(
                f"{type(self).__name__} was fitted on sparse input; decompose needs "
                "field-structured input (one column per field)."
            )
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
        module.eval()
        with torch.no_grad():
            linear, emb, weights, bias = self._module_terms(module, data, c)
        # the module lists categorical fields first; the protocol uses column order
        inverse = np.argsort(self.schema_.order)
        linear = linear.double().numpy()[:, inverse]
        emb = emb.double().numpy()[:, inverse]
        weights = weights.double().numpy()[np.ix_(inverse, inverse)]
        bias = float(bias.detach())
        scale, shift = self._output_scale()
        if str(self.device) != "cpu":
            self.net_.module_.to(self.device)
        return Decomposition(
            bias=bias * scale + shift,
            linear=linear * scale,
            embeddings=emb,
            pair_weights=weights * scale,
            feature_names=list(self.schema_.names),
        )

    def _output_scale(self):
        if hasattr(self, "_target_scale"):
            return self._target_scale, self._target_mean
        return 1.0, 0.0


class _FMBase(_FMFamily):
    _accepts_sparse = True

    def __init__(
        self,
        embed_dim=10,
        *,
        alpha=1e-6,
        learning_rate=0.01,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        vector_features=None,
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
        self.sparse_gradients = sparse_gradients
        self.categorical_encoding = categorical_encoding
        self.hash_buckets = hash_buckets
        self.scoring = scoring
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm
        self.numeric_bins = numeric_bins
        self.vector_features = vector_features

    def _build_module(self, schema, n_outputs):
        return FM(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            zero_ids=(UNKNOWN_ID,),
            vector_dims=schema.vector_dims,
            sparse=getattr(self, "_sparse_gradients_", False),
        )

    def _build_sparse_module(self, n_features, n_outputs):
        return SparseFM(
            n_features,
            self.embed_dim,
            n_outputs=n_outputs,
            sparse=getattr(self, "_sparse_gradients_", False),
        )

    def _module_terms(self, module, data, c):
        linear, emb = module.field_terms(data["cat"], data["num"], data.get("vec"))
        m = linear.shape[1]
        weights = torch.ones(m, m) - torch.eye(m)
        return linear[:, :, c], emb[:, :, c, :], weights, module.bias[c]


class _FwFMBase(_FMFamily):
    _parameter_constraints = {
        **_FMFamily._parameter_constraints,
        "linear_terms": [StrOptions({"embedded", "per_feature", "per_field"})],
    }

    def __init__(
        self,
        embed_dim=10,
        *,
        linear_terms="embedded",
        alpha=1e-5,
        learning_rate=0.01,
        optimizer="adam",
        batch_size="auto",
        max_epochs=100,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=2,
        tol=1e-6,
        categorical_features="from_dtype",
        min_frequency=None,
        random_state=None,
        verbose=0,
        device="cpu",
        callbacks=None,
        net_params=None,
        sparse_gradients="auto",
        categorical_encoding="vocabulary",
        hash_buckets=2**20,
        scoring="auto",
        lr_schedule="plateau",
        clip_grad_norm=10.0,
        numeric_bins=None,
        vector_features=None,
    ):
        self.embed_dim = embed_dim
        self.linear_terms = linear_terms
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
        self.sparse_gradients = sparse_gradients
        self.categorical_encoding = categorical_encoding
        self.hash_buckets = hash_buckets
        self.scoring = scoring
        self.lr_schedule = lr_schedule
        self.clip_grad_norm = clip_grad_norm
        self.numeric_bins = numeric_bins
        self.vector_features = vector_features

    def _build_module(self, schema, n_outputs):
        return FwFM(
            schema.cardinalities,
            schema.n_numeric,
            self.embed_dim,
            n_outputs=n_outputs,
            linear_terms=self.linear_terms,
            zero_ids=(UNKNOWN_ID,),
            vector_dims=schema.vector_dims,
            sparse=getattr(self, "_sparse_gradients_", False),
        )

    def _module_terms(self, module, data, c):
        linear, emb = module.field_terms(data["cat"], data["num"], data.get("vec"))
        weights = module.pair_weight_matrix()[c]
        return linear[:, :, c], emb, weights, module.bias[c]


_FM_DOC = """{summary}

    The model is ``{formula}`` (Rendle, ICDM 2010): a bias, a first-order weight per
    feature and a rank-``embed_dim`` factorised weight for every pair of fields,
    computed in O(fields x embed_dim) per row.

    Input can be a DataFrame or array with one column per field (categorical or
    numeric), or a scipy sparse matrix of libFM-style rows where every column is a
    feature with a value (not standardised).

    Parameters
    ----------
    embed_dim : int, default=10
        Size of the factors (embeddings).
    alpha : float, default=1e-6
        L2 penalty ``alpha / 2 * ||W||^2`` on the embedding and weight tables,
        applied as the optimizer's weight decay (the whole table every step, as
        FuxiCTR's ``embedding_regularizer``).
{common}
    Attributes
    ----------
{extra_attrs}{attrs}
    See Also
    --------
    {see_also}

    Notes
    -----
    ``decompose(X)`` returns the model's exact second-order decomposition, which
    :mod:`skfeat.explain` turns into exact SHAP and SHAP interaction values.

    Examples
    --------
{example}
"""

_FWFM_DOC = """{summary}

    The model is ``{formula}`` (Pan et al., WWW 2018): an FM whose pair terms
    ``<v_i, v_j>`` are weighted by a learned ``r_ij`` per *pair of fields*. It reaches
    FFM-level accuracy at FM cost. It needs field-structured input (a DataFrame or
    dense array, one column per field); sparse input raises a ``TypeError``.

    Parameters
    ----------
    embed_dim : int, default=10
        Size of the embeddings.
    linear_terms : {{"embedded", "per_feature", "per_field"}}, default="embedded"
        First-order terms: ``"embedded"`` is ``<w_id, v_id>`` with a learned vector
        per id (the paper's FeLV, used by the BARS records); ``"per_feature"`` a
        scalar weight per id (LW); ``"per_field"`` ``<w_field, v_id>`` (FiLV).
    alpha : float, default=1e-5
        L2 penalty ``alpha / 2 * ||W||^2`` on all weights but the bias, applied as
        the optimizer's weight decay. 1e-5 with FuxiCTR's loop (the default
        since the seventh session, with ``alpha`` 1e-6 and the loss-monitoring
        loop before): over three seeds +0.0038 valid AUC on Frappe_x1, -0.0005
        on Adult and -0.0007 on MovieLens-100K (``docs/benchmarks_archive.md``).
{common}
    Attributes
    ----------
{extra_attrs}{attrs}
    See Also
    --------
    {see_also}

    Examples
    --------
{example}
"""

_CLF_ATTRS = """    classes_ : ndarray of shape (n_classes,)
        Class labels.
"""


class FMClassifier(FieldClassifierMixin, ClassifierMixin, _FMBase):
    pass


class FMRegressor(FieldRegressorMixin, RegressorMixin, _FMBase):
    pass


class FwFMClassifier(FieldClassifierMixin, ClassifierMixin, _FwFMBase):
    pass


class FwFMRegressor(FieldRegressorMixin, RegressorMixin, _FwFMBase):
    pass


FMClassifier.__doc__ = _FM_DOC.format(
    summary="Factorization machine classifier (binary and multiclass).",
    formula="logit = b + sum_i w(x_i) + sum_{i<j} <v(x_i), v(x_j)>",
    common=_with_bars_loop(_COMMON_PARAMS_DOC) + _SPARSE_GRADIENTS_DOC,
    extra_attrs=_CLF_ATTRS,
    attrs=_COMMON_ATTRS_DOC,
    see_also="FMRegressor, FwFMClassifier",
    example="""    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FMClassifier
    >>> X, y, truth = make_interaction_classification(n_samples=2000, random_state=0)
    >>> clf = FMClassifier(embed_dim=8, max_epochs=10, random_state=0).fit(X, y)
    >>> clf.predict_proba(X.iloc[:2]).shape
    (2, 2)
    >>> round(clf.score(X, y), 2) > 0.6
    True

    A vector field (say a text embedding in columns ``text_0``, ``text_1``...)
    is one field of the model and one player of its explanations:

    >>> from skfeat.datasets import make_vector_field_classification
    >>> X, y, truth = make_vector_field_classification(
    ...     n_samples=2000, vector_dim=8, random_state=0)
    >>> truth.vector_features["text"][:3]
    ['text_0', 'text_1', 'text_2']
    >>> clf = FMClassifier(embed_dim=8, max_epochs=10, random_state=0,
    ...                    vector_features=truth.vector_features).fit(X, y)
    >>> clf.schema_.names
    ['category', 'f0', 'f1', 'f2', 'text']""",
)
FMRegressor.__doc__ = _FM_DOC.format(
    summary="Factorization machine regressor.",
    formula="y = b + sum_i w(x_i) + sum_{i<j} <v(x_i), v(x_j)>",
    common=_with_bars_loop(_COMMON_PARAMS_DOC) + _SPARSE_GRADIENTS_DOC,
    extra_attrs="",
    attrs=_COMMON_ATTRS_DOC,
    see_also="FMClassifier, FwFMRegressor",
    example="""    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import FMRegressor
    >>> X, y, truth = make_interaction_regression(n_samples=2000, random_state=0)
    >>> reg = FMRegressor(embed_dim=8, max_epochs=20, random_state=0).fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)
    >>> reg.score(X, y) > 0.5
    True""",
)
FwFMClassifier.__doc__ = _FWFM_DOC.format(
    summary="Field-weighted factorization machine classifier.",
    formula="logit = b + sum_i g(x_i) + sum_{i<j} r_ij <v(x_i), v(x_j)>",
    common=_with_bars_loop(_COMMON_PARAMS_DOC) + _SPARSE_GRADIENTS_DOC,
    extra_attrs=_CLF_ATTRS,
    attrs=_COMMON_ATTRS_DOC,
    see_also="FMClassifier, FwFMRegressor",
    example="""    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import FwFMClassifier
    >>> X, y, truth = make_interaction_classification(n_samples=2000, random_state=0)
    >>> clf = FwFMClassifier(max_epochs=10, random_state=0).fit(X, y)
    >>> clf.decompose(X.iloc[:5]).pair_weights.shape
    (8, 8)""",
)
FwFMRegressor.__doc__ = _FWFM_DOC.format(
    summary="Field-weighted factorization machine regressor.",
    formula="y = b + sum_i g(x_i) + sum_{i<j} r_ij <v(x_i), v(x_j)>",
    common=_with_bars_loop(_COMMON_PARAMS_DOC) + _SPARSE_GRADIENTS_DOC,
    extra_attrs="",
    attrs=_COMMON_ATTRS_DOC,
    see_also="FwFMClassifier, FMRegressor",
    example="""    >>> from skfeat.datasets import make_interaction_regression
    >>> from skfeat.models import FwFMRegressor
    >>> X, y, truth = make_interaction_regression(n_samples=2000, random_state=0)
    >>> reg = FwFMRegressor(max_epochs=20, random_state=0).fit(X, y)
    >>> reg.predict(X.iloc[:3]).shape
    (3,)""",
)
