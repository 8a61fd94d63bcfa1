"""Fitting and predicting skfeat models from a :class:`FileSource`.

:class:`SourceDataset` is the second implementation of the "give me encoded
batches" role of :class:`skfeat.utils.FieldDataset`: skfeat's
:class:`~skfeat.utils.BatchIterator` hands iteration to its ``iter_batches``, so
the training engine keeps its one loop (and early stopping, callbacks, history).
"""

import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import StandardScaler
from torch.utils.data import Dataset

from skfeat.models._fields import FieldEncoder, resolve_categorical


class SourceDataset(Dataset):
    """Encoded batches streamed from a :class:`FileSource`.

    Parameters
    ----------
    source : FileSource
    estimator : BaseFieldModel
        A model whose encoders are fitted; encodes each block of rows.
    with_target : bool
    subset : {"all", "train", "valid"}, default="all"
        With a validation fraction, which rows of each record batch to keep.
    fraction, seed : float, int
        The validation split: row ``i`` of record batch ``b`` is a validation row
        when a generator seeded with ``(seed, b)`` draws below ``fraction``.
    n_rows : int or None
        Rows in the subset (for ``len``).
    """

    def __init__(
        self, source, estimator, *, with_target, subset="all", fraction=0.0,
        seed=0, n_rows=None,
    ):  # fmt: skip
        self.source = source
        self.estimator = estimator
        self.with_target = with_target
        self.subset = subset
        self.fraction = fraction
        self.seed = seed
        self.n_rows = source.n_rows if n_rows is None else int(n_rows)

    def __len__(self):
        return self.n_rows

    def __getitem__(self, i):  # pragma: no cover - torch's Dataset contract only
        raise TypeError("SourceDataset is read in batches only.")

    def _frames(self, file_order):
        for b, (X, y) in enumerate(
            self.source.iter_frames(with_target=self.with_target, file_order=file_order)
        ):
            if self.subset != "all":
                valid = split_mask(len(X), self.fraction, self.seed, b)
                keep = valid if self.subset == "valid" else ~valid
                X = X[keep]
                y = None if y is None else y[keep]
            if len(X):
                yield X, y

    def _encode(self, X, y):
        est = self.estimator
        yt = None if y is None else est._encode_y(np.asarray(y))
        return est._dataset(X.reset_index(drop=True), yt, None)

    def iter_batches(self, batch_size, shuffle):
        """Yield ``(X_dict, y)`` batches of ``batch_size`` rows.

        Without shuffling, rows come in file order and every batch but the last
        is full, as in-memory batches are. With ``shuffle`` the files come in a
        random order and blocks of ``source.shuffle_buffer`` rows (spanning files
        and record batches) are permuted; a block's last batch may be shorter.
        The draws come from torch's global generator, which ``fit`` seeds from
        ``random_state``.
        """
        block = int(self.source.shuffle_buffer) if shuffle else 0
        n_files = len(self.source.files_)
        order = torch.randperm(n_files).tolist() if block else None
        pending, pending_y, n_pending = [], [], 0
        for X, y in self._frames(order):
            pending.append(X)
            pending_y.append(y)
            n_pending += len(X)
            if n_pending >= max(block, batch_size):
                rest = yield from self._emit(pending, pending_y, batch_size, block)
                pending, pending_y = rest
                n_pending = sum(len(p) for p in pending)
        if n_pending:
            yield from self._emit(pending, pending_y, batch_size, block, final=True)

    def _emit(self, frames, ys, batch_size, block, final=False):
        X_all = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        y_all = None if ys[0] is None else np.concatenate(ys)
        if block or final:
            n_emit = len(X_all)
        else:
            n_emit = len(X_all) // batch_size * batch_size
        data = self._encode(
            X_all.iloc[:n_emit], None if y_all is None else y_all[:n_emit]
        )
        if block:
            data = data.take(torch.randperm(len(data)))
        for start in range(0, n_emit, batch_size):
            yield data.slice(start, min(start + batch_size, n_emit))
        if n_emit == len(X_all):
            return [], []
        rest_y = [None] if y_all is None else [y_all[n_emit:]]
        return [X_all.iloc[n_emit:]], rest_y


def split_mask(n, fraction, seed, batch_index):
    """Validation rows of record batch ``batch_index``: reproducible from ``seed``."""
    if fraction <= 0:
        return np.zeros(n, dtype=bool)
    return np.random.default_rng([int(seed), int(batch_index)]).random(n) < fraction


# ------------------------------------------------------------------- fitting
class _Stats:
    """One streaming pass: value counts per categorical field, numeric scaling,
    target labels or moments, row counts per split."""

    def __init__(self, categorical, fraction, seed, classifier):
        self.categorical = categorical
        self.counts = [_Counts() for _ in range(int(categorical.sum()))]
        self.missing = [False] * int(categorical.sum())
        self.scaler = StandardScaler()
        self.fraction = fraction
        self.seed = seed
        self.classifier = classifier
        self.labels = set()
        self.n_train = self.n_valid = 0
        self.y_sum = self.y_sq = 0.0
        self.y_kinds = set()

    def update(self, b, X, y, encoder, numeric_only=False):
        valid = split_mask(len(X), self.fraction, self.seed, b)
        self.n_valid += int(valid.sum())
        self.n_train += int((~valid).sum())
        if numeric_only:  # hashing: X holds the numeric columns only
            if X.shape[1]:
                values = X.to_numpy(dtype=np.float64, na_value=np.nan)
                if np.isinf(values).any():
                    raise ValueError(
                        "Input X contains infinity in a numeric column; only NaN "
                        "is accepted as a missing value."
                    )
                with np.errstate(invalid="ignore", divide="ignore"):
                    self.scaler.partial_fit(values)
            self._update_target(y)
            return
        cat_cols = np.flatnonzero(self.categorical)
        num_cols = np.flatnonzero(~self.categorical)
        for i, j in enumerate(cat_cols):
            col = X.iloc[:, j]
            self.missing[i] = self.missing[i] or bool(col.isna().any())
            if not _is_plain_numeric(col.dtype):
                # text, categorical, object: compared as objects, as in memory
                col = pd.Series(encoder._categorical_part(X, [j])[:, 0], dtype=object)
            self.counts[i].add(col.value_counts(dropna=True))
        if num_cols.size:
            with np.errstate(invalid="ignore", divide="ignore"):
                # a column with no value yet in a batch: scikit-learn divides 0/0
                self.scaler.partial_fit(encoder._numeric_part(X, num_cols))
        self._update_target(y)

    def _update_target(self, y):
        if y is not None:
            if self.classifier:
                self.labels.update(pd.unique(y).tolist())
            else:
                yy = np.asarray(y, dtype=np.float64)
                self.y_sum += float(yy.sum())
                self.y_sq += float((yy * yy).sum())


class _Counts:
    """Counts per value of one field, merged in pandas (not a Python ``Counter``:
    a 10,000,000-id field costs 16 bytes per id with integer values, and the
    merge runs in C)."""

    def __init__(self):
        self.merged = None
        self.parts = []
        self.pending = 0

    def add(self, counts):
        counts = counts[counts.to_numpy() > 0]  # a categorical lists unseen ones
        self.parts.append(counts)
        self.pending += len(counts)
        size = 0 if self.merged is None else len(self.merged)
        if self.pending > max(1_000_000, size):
            self._merge()

    def _merge(self):
        parts = ([] if self.merged is None else [self.merged]) + self.parts
        self.parts, self.pending = [], 0
        if not parts:
            self.merged = pd.Series([], dtype=np.int64)
            return
        both = pd.concat(parts) if len(parts) > 1 else parts[0]
        if len(parts) > 1:
            both = both.groupby(level=0, sort=False).sum()
        self.merged = both.astype(np.int64)

    def result(self):
        """The counts, as a Series indexed by value."""
        self._merge()
        return self.merged


def _is_plain_numeric(dtype):
    return isinstance(dtype, np.dtype) and dtype.kind in "iuf"


def _keep(counts, min_frequency, n_rows, max_categories):
    """Values kept in the vocabulary: at least ``min_frequency`` rows, and the
    ``max_categories`` most frequent (ties: the smaller text first)."""
    values = counts.index
    c = counts.to_numpy()
    if min_frequency is not None:
        least = min_frequency if min_frequency >= 1 else min_frequency * n_rows
        values, c = values[c >= least], c[c >= least]
    if max_categories is not None and len(c) > max_categories:
        k = int(max_categories)
        kth = np.partition(c, len(c) - k)[len(c) - k]  # the k-th largest count
        sure = c > kth
        tied = np.flatnonzero(c == kth)
        need = k - int(sure.sum())
        text = np.array([str(v) for v in values[tied].tolist()])
        chosen = tied[np.argsort(text, kind="stable")[:need]]
        keep = np.flatnonzero(sure)
        values = values[np.sort(np.concatenate([keep, chosen]))]
    return values.tolist()


def fit_from_source(est, source, eval_set=None):
    """Fit ``est`` (a skfeat field model) from ``source``; the body of ``fit``."""
    from skfeat.models._engine import forget_validation
    from skfeat.utils._validation import check_device

    check_device(est.device)
    name = type(est).__name__
    if source.target is None:
        raise ValueError(f"{name}.fit needs a FileSource with a target column.")
    early_stopping = est._resolve_early_stopping(source.n_rows, eval_set)
    scoring = getattr(est, "scoring", "loss")
    loss_or_auto = isinstance(scoring, str) and scoring in ("loss", "auto")
    if early_stopping and not loss_or_auto:
        # a scorer needs the validation rows as a table; from files they are
        # streamed, so the validation loss is what is monitored
        warnings.warn(
            f"scoring={scoring!r} is not used in a fit from a FileSource: early "
            "stopping and lr_schedule monitor the validation loss (as with "
            "scoring='loss', which 'auto' also means here).",
            UserWarning,
            stacklevel=3,
        )
    fraction = est.validation_fraction if early_stopping and eval_set is None else 0
    stats = _prepare(est, source, fraction)
    train = SourceDataset(
        source, est, with_target=True, subset="train" if fraction else "all",
        fraction=fraction, seed=est._seed_, n_rows=stats.n_train,
    )  # fmt: skip
    valid = None
    if eval_set is not None:
        if not hasattr(eval_set, "iter_frames"):
            raise TypeError(
                "With a FileSource as X, eval_set must be a FileSource too, got "
                f"{type(eval_set).__name__}."
            )
        valid = SourceDataset(eval_set, est, with_target=True)
    elif fraction:
        valid = SourceDataset(
            source, est, with_target=True, subset="valid", fraction=fraction,
            seed=est._seed_, n_rows=stats.n_valid,
        )  # fmt: skip
    with est._seeded(est._seed_):
        module = est._new_module()
        est.net_ = est._new_net(
            module,
            batch_size=est._resolve_batch_size(stats.n_train),
            valid_dataset=valid,
            early_stopping=bool(early_stopping) and valid is not None,
        )
        with est._divergence_context():
            est.net_.fit(train, None)
    est.n_iter_ = len(est.net_.history)
    est._record_validation(early_stopping, valid, None)
    forget_validation(est.net_)
    return est


def partial_fit_from_source(est, source, classes=None):
    """One epoch over all of ``source``; the body of ``partial_fit``.

    The first call (no ``net_`` yet) builds the vocabulary, the numeric scaling
    and the classes in one streaming pass over ``source``, as ``fit`` does;
    later calls reuse them (categories first seen later map to the unknown id)
    and only stream the rows, shuffled as in ``fit`` with a seed that changes
    with every call.
    """
    name = type(est).__name__
    if source.target is None:
        raise ValueError(f"{name}.partial_fit needs a FileSource with a target column.")
    first_call = not hasattr(est, "net_")
    if first_call:
        _prepare(est, source, 0.0, classes=classes)
    else:
        source = _matching(est, source)
    train = SourceDataset(source, est, with_target=True)
    with est._divergence_context():
        est._partial_fit_epoch(train, first_call)
    return est


def _prepare(est, source, fraction, classes=None):
    """The streaming pass: encoders, scaling, classes or target moments."""
    from sklearn.utils import check_random_state

    name = type(est).__name__
    if hasattr(est, "_check_architecture"):
        est._check_architecture()
    names = list(source.feature_names_)
    est.feature_names_in_ = np.asarray(names, dtype=object)
    est.n_features_in_ = len(names)
    first_X, _ = next(source.iter_frames(with_target=False))
    est.is_categorical_ = resolve_categorical(
        first_X, est.categorical_features, len(names), est.feature_names_in_
    )
    est._input_kind_ = "fields"
    if getattr(est, "numeric_bins", None) is not None:
        raise ValueError(
            f"{name}: numeric_bins is not supported with a FileSource yet "
            "(the bins need the whole column); leave it None."
        )
    if getattr(est, "vector_features", None):
        raise ValueError(
            f"{name}: vector_features is not supported with a FileSource yet; "
            "fit on an in-memory DataFrame or array."
        )
    est._in_vector = None  # no vector fields (a stale mask from an earlier fit)
    if hasattr(est, "_set_feature_kinds"):
        est._set_feature_kinds(first_X)
    est._seed_ = int(
        check_random_state(est.random_state).randint(np.iinfo(np.int32).max)
    )
    encoding = getattr(est, "categorical_encoding", "vocabulary")
    encoder = FieldEncoder(
        est.is_categorical_, names, None, encoding=encoding,
        hash_buckets=getattr(est, "hash_buckets", None),
    )  # fmt: skip
    stats = _Stats(
        est.is_categorical_, fraction, est._seed_, est._is_classifier_model()
    )
    hashing = encoding == "hash"
    # with hashing the first pass needs the numeric columns and the target only
    read = [c for c, cat in zip(names, est.is_categorical_) if not cat]
    for b, (X, y) in enumerate(source.iter_frames(columns=read if hashing else None)):
        stats.update(b, X, y, encoder, numeric_only=hashing)
    n_rows = stats.n_train + stats.n_valid
    # the encoder: each field's kept categories sorted by its own OrdinalEncoder
    # (as a fit in memory sorts them), then given the streamed scaling
    if encoding == "hash":
        with warnings.catch_warnings():
            # its scaler (fitted on one row, maybe NaN) is replaced just below
            warnings.simplefilter("ignore", RuntimeWarning)
            encoder.fit(first_X.iloc[:1])
    else:
        # a field with missing values keeps NaN as a category, as in memory
        # (the missing id is then its own, else missing values share unknown's)
        kept = [
            _keep(c.result(), est.min_frequency, n_rows, source.max_categories)
            + ([np.nan] if missing else [])
            for c, missing in zip(stats.counts, stats.missing)
        ]
        stats.counts = None  # free the counts before the tables are built
        encoder.fit_categories(first_X.iloc[:1], kept)
    if (~est.is_categorical_).any():
        encoder.scaler_ = stats.scaler
    est.encoder_ = encoder
    est.schema_ = encoder.schema_
    if est._is_classifier_model():
        labels = np.asarray(sorted(stats.labels))
        est._check_y(labels, reset=True, classes=classes)
    else:
        mean = stats.y_sum / n_rows
        std = max(stats.y_sq / n_rows - mean * mean, 0.0) ** 0.5
        est._target_mean = mean
        est._target_scale = std if std > 0 else 1.0
    est._sparse_gradients_ = est._resolve_sparse_gradients()
    return stats


def source_dataset(est, source):
    """The prediction dataset of ``source`` for a fitted ``est``."""
    return SourceDataset(_matching(est, source), est, with_target=False)


def _matching(est, source):
    """``source`` with the columns of ``fit``, in their order."""
    if not hasattr(est, "feature_names_in_"):
        raise ValueError(
            f"{type(est).__name__} was fitted on an array without column names, "
            "so a FileSource's columns cannot be matched to its fields; fit it on "
            "a DataFrame or a FileSource."
        )
    missing = [c for c in est.feature_names_in_ if c not in source.feature_names_]
    if missing:
        raise ValueError(f"The FileSource lacks the columns {missing} seen in fit.")
    if list(source.feature_names_) != list(est.feature_names_in_):
        source = _reordered(source, list(est.feature_names_in_))
    return source


def _reordered(source, names):
    import copy

    out = copy.copy(source)
    out.feature_names_ = names
    return out
