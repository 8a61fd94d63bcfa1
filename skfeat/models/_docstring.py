"""Whole parameter and attribute entries shared by the model docstrings.

A class docstring names a shared entry on a line of its own, ``{random_state}``,
and the :class:`Substitution` decorator replaces that line with the whole entry
(name, type, default and description), indented like the placeholder. An entry
is shared only when its text and its default are the same in every model that
has the parameter; a parameter whose default or meaning differs between models
is written out in each class docstring.
"""

import re
import textwrap

_PLACEHOLDER = re.compile(r"^([ \t]*)\{(\w+)\}[ \t]*$", re.M)


class Substitution:
    """Decorator replacing each ``{name}`` line of a docstring with an entry.

    Only lines holding nothing but ``{name}`` are replaced, so the braces of a
    type such as ``{"adam", "sgd"}`` stay as they are. A placeholder without an
    entry raises a ``KeyError`` when the class is defined.

    Parameters
    ----------
    **entries : str
        Whole numpydoc entries, by placeholder name.
    """

    def __init__(self, **entries):
        self.entries = entries

    def __call__(self, obj):
        """Fill the placeholders of ``obj.__doc__``.

        Parameters
        ----------
        obj : class or function
            The object whose docstring holds placeholders.

        Returns
        -------
        obj : class or function
            The same object, its docstring filled.
        """

        def fill(match):
            indent, name = match.groups()
            entry = textwrap.dedent(self.entries[name]).strip("\n")
            return textwrap.indent(entry, indent)

        obj.__doc__ = _PLACEHOLDER.sub(fill, obj.__doc__)
        return obj


_PARAMS = {
    "optimizer": """
        optimizer : {"adam", "adamw", "adagrad", "sgd"}, default="adam"
            Optimizer of the gradient steps.
        """,
    "batch_size": """
        batch_size : int or "auto", default="auto"
            Rows per gradient step. ``"auto"`` uses ``min(4096, max(128, n // 64))``
            for ``n`` training rows.
        """,
    "max_epochs": """
        max_epochs : int, default=100
            Largest number of passes over the training data.
        """,
    "early_stopping": """
        early_stopping : bool or "auto", default="auto"
            Stop when the monitored validation value (see ``scoring``) has not
            improved by ``tol`` for ``n_iter_no_change`` epochs, and restore the
            best weights. The validation data is ``eval_set`` when given to
            ``fit``, else a ``validation_fraction`` split of the training data
            (stratified for classifiers). ``"auto"`` turns it on whenever there is
            validation data or a split leaves rows on both sides. A fit never
            stops before epoch 5. See :ref:`training`.
        """,
    "categorical_features": """
        categorical_features : "from_dtype", "all", array-like or None, \
default="from_dtype"
            Which columns are categorical. ``"from_dtype"``: the columns of a
            DataFrame whose dtype is category, object, string or bool, and its
            integer columns whose distinct values repeat at least 4 times on
            average (see ``feature_kinds_``; a column near that threshold gets
            a :class:`~skfeat.exceptions.ColumnKindWarning`); all columns of an
            array are then numeric. ``"all"``: every column. ``None``: no
            column. Otherwise column names, indices or a boolean mask. Each
            categorical column
            reserves one id for missing values (NaN, None) and one for categories
            unseen in ``fit``. Numeric columns are standardised; a missing numeric
            value counts as the training mean.
        """,
    "min_frequency": """
        min_frequency : int, float or None, default=None
            Categories seen fewer times than this (an int) or in a smaller share
            of the rows (a float in (0, 1)) share one id. ``None`` keeps every
            category.
        """,
    "random_state": """
        random_state : int, RandomState instance or None, default=None
            Seeds weight initialisation, shuffling and the validation split. Fits
            with the same integer give bit-identical results on CPU. torch's
            global random state is restored after ``fit``.
        """,
    "verbose": """
        verbose : int, default=0
            Print skorch's per-epoch table when positive.
        """,
    "device": """
        device : str or torch.device, default="cpu"
            Torch device to train and predict on, e.g. ``"cuda"``.
        """,
    "callbacks": """
        callbacks : list of skorch callbacks or None, default=None
            Extra skorch callbacks (instances, or ``(name, instance)`` tuples).
            They are copied at every ``fit``, so the ones given are never
            modified.
        """,
    "net_params": """
        net_params : dict or None, default=None
            Further keyword arguments of the skorch ``NeuralNet``, for example
            ``{"optimizer__betas": (0.9, 0.99)}``; they override skfeat's own.
        """,
    "numeric_bins": """
        numeric_bins : int or None, default=None
            ``None``: numeric columns enter linearly (standardised value times an
            embedding, plus a weight). An int ``k >= 2``: each numeric column is
            cut at its training quantiles into at most ``k`` bins, and the bin is
            embedded like a category (NaN gets the missing id), so that
            non-monotone effects can be fitted.
        """,
    "vector_features": """
        vector_features : dict or None, default=None
            Vector fields, ``{field_name: [column, ...]}``: each groups numeric
            columns (names or indices, e.g. the columns of a text embedding) into
            one field. Each column is standardised; the field's embedding is a
            learned linear projection of the whole vector, and it interacts with
            the other fields like any field. ``schema_.names`` lists the fields, a
            vector field at the position of its first column. A column may belong
            to one vector field only and must not be listed in
            ``categorical_features``. See :ref:`vector_fields`.
        """,
    "multi_value_features": """
        multi_value_features : list, dict or None, default=None
            Multi-value and sequence columns, ``[column, ...]`` or ``{column:
            options}``: each cell holds several values of one vocabulary (a list, tuple
            or array, or a text joined by ``sep``), embedded and pooled into one field.
            Options: ``sep`` (default ``"|"``), ``pooling`` (``"mean"`` (default),
            ``"sum"``, ``"max"``, or ``"attention"``: DIN's target attention),
            ``max_length`` (default: the longest bag in ``fit``; a longer bag keeps its
            last values) and ``target`` (a categorical column whose vocabulary and
            embedding rows the bag shares, as a viewing history shares the scored
            item's; needed by ``"attention"``). See :ref:`multi_value_fields`.
        """,
    "sparse_gradients": """
        sparse_gradients : bool or "auto", default="auto"
            Give the embedding tables (and the weight tables of sparse input)
            sparse gradients and update only the rows a batch touches: lazy Adam
            for ``"adam"`` and ``"adamw"``, row-wise Adagrad for ``"adagrad"``,
            plain SGD for ``"sgd"``. A step then costs time in the batch, not in
            the tables, and ``alpha`` decays only the rows a batch touches; any
            other weights keep dense updates. ``"auto"`` turns it on for tables of
            at least 100,000 rows. See :ref:`large_data`.
        """,
    "categorical_encoding": """
        categorical_encoding : {"vocabulary", "hash"}, default="vocabulary"
            ``"vocabulary"``: ids learned in ``fit`` (see ``categorical_features``
            and ``min_frequency``). ``"hash"``: no vocabulary; a categorical value's
            id is the SipHash of its text modulo ``hash_buckets``, the same in
            every process and platform, so values first seen after ``fit`` get
            trained ids of their own and colliding values share one;
            ``min_frequency`` is then ignored. See :ref:`large_data`.
        """,
    "hash_buckets": """
        hash_buckets : int, default=2**20
            Ids per categorical field with ``categorical_encoding="hash"``: at
            most ``2**31 - 3``, so that every id fits in 32 bits (booleans are
            refused).
        """,
    "net_alpha": """
        net_alpha : float, default=0.0
            L2 penalty on the network's weights (not its biases), applied through
            the optimizer's weight decay.
        """,
    "hidden_units": """
        hidden_units : sequence of int, default=(400, 400, 400)
            Widths of the MLP's hidden layers (non-empty, positive).
        """,
    "activation": """
        activation : {"relu", "tanh", "sigmoid", "gelu", "leaky_relu", \
"identity"}, default="relu"
            Activation of the MLP's hidden layers.
        """,
    "dropout": """
        dropout : float, default=0.2
            Dropout rate after each hidden layer of the MLP, in [0, 1).
        """,
    "batch_norm": """
        batch_norm : bool, default=True
            Batch normalisation in each hidden layer of the MLP.
        """,
}

_ATTRS = {
    "classes_": """
        classes_ : ndarray of shape (n_classes,)
            Class labels.
        """,
    "net_": """
        net_ : skorch.NeuralNet
            The trained skorch net; ``net_.module_`` is the torch module and
            ``net_.history`` the per-epoch record.
        """,
    "n_iter_": """
        n_iter_ : int
            Number of epochs run.
        """,
    "do_early_stopping_": """
        do_early_stopping_ : bool
            Whether early stopping was used in ``fit``.
        """,
    "validation_score_": """
        validation_score_ : ndarray of shape (n_iter_,)
            The monitored validation value after each epoch, higher is better
            (the negated loss for ``scoring="loss"``); empty without validation
            data.
        """,
    "is_categorical_": """
        is_categorical_ : ndarray of bool of shape (n_features_in_,)
            Which input columns were treated as categorical.
        """,
    "feature_kinds_": """
        feature_kinds_ : ndarray of str of shape (n_features_in_,)
            How each column entered: ``"categorical"``, ``"integer codes"`` (an
            integer column made categorical by the ``"from_dtype"`` rule),
            ``"numeric"``, ``"binned numeric"`` (see ``numeric_bins``) or
            ``"vector"`` (a column of a vector field). Not set for sparse input.
        """,
    "schema_": """
        schema_ : FieldSchema or None
            Field layout (names, kinds, cardinalities); ``None`` for sparse input.
        """,
    "n_features_in_": """
        n_features_in_ : int
            Number of input columns seen in ``fit``.
        """,
    "feature_names_in_": """
        feature_names_in_ : ndarray of shape (n_features_in_,)
            Column names seen in ``fit``, when X was a DataFrame.
        """,
}

#: Decorator filling the shared entries of a model's docstring.
fill_doc = Substitution(**_PARAMS, **_ATTRS)
