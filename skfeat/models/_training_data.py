"""Where a fit's rows come from: in memory or from files, one role, two classes.

:class:`ArrayData` and :class:`SourceData` implement the *prepare* and *datasets*
steps of the one fit path (:meth:`BaseFieldModel._fit`) for in-memory arrays and
for a :class:`~skfeat.data.FileSource`. Both fit the fields by the same rules
(:mod:`skfeat._fields`): from the arrays directly, or from statistics streamed
over every file (and merged across processes where a fit variant asks for it),
which give the same column kinds, vocabulary and reserved ids.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.utils import _safe_indexing, check_random_state

from skfeat.data._source import is_source
from skfeat.data._stream import SourceDataset
from skfeat.models._engine import ValidScoring
from skfeat.models._untrained import count_ids, segment_cardinalities
from skfeat.utils._sklearn_compat import _check_sample_weight
from skfeat.utils._validation import normalized_sample_weight


def training_data(est, X, y, sample_weight, variant):
    """The :class:`ArrayData` or :class:`SourceData` of a fit's input."""
    if is_source(X):
        if y is not None or sample_weight is not None:
            raise ValueError(
                "With a FileSource as X, the target is its target column: "
                "pass y=None and no sample_weight."
            )
        return SourceData(est, X, variant)
    return ArrayData(est, X, y, sample_weight, variant)


def _rows(data, index):
    """``data[index]`` for any array-like (lists, DataFrames, array wrappers)."""
    try:
        return _safe_indexing(data, index)
    except (TypeError, KeyError, IndexError):
        return np.asarray(data)[index]


def draw_seed(random_state):
    """The fit's seed: one draw from ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


class ArrayData:
    """Rows held in memory: a DataFrame, a dense array or a sparse matrix."""

    def __init__(self, est, X, y, sample_weight, variant):
        self.est = est
        self.X_raw = X
        self.y_raw = y
        self.sample_weight = sample_weight
        self.raw_weight = None  # the checked weights, float64
        self.shard_weight = None
        self.variant = variant

    @property
    def n_rows(self):
        return self.X.shape[0]

    def prepare(self, *, first_call, classes, partial, eval_set=None):
        """Check the input; on the first call fit fields, targets and seed."""
        est, variant = self.est, self.variant
        name = type(est).__name__
        teacher = variant.fields_from() if first_call else None
        if teacher is not None:
            est._take_fields(teacher)
            labels = variant.classes()
            if labels is not None and est._is_classifier_model():
                est._check_y(np.asarray(labels), reset=True)
            self.X = est._check_X(self.X_raw, reset=False)
        else:
            self.X = est._check_X(self.X_raw, reset=first_call)
        targets = variant.targets(self.X, self.y_raw)
        self.given_targets = targets is not None
        if targets is None and self.y_raw is None:
            raise ValueError(
                f"{name} requires y to be passed, but the target y is None."
            )
        if targets is not None:
            self.y_input = self.y_raw
            self.y = self._given(targets)
        elif first_call and variant.from_statistics:
            self.y_input = est._as_1d(self.y_raw)
            self.y = None  # encoded once the merged classes are known
        else:
            self.y_input = self.y_raw
            self.y = est._check_y(
                self.y_raw, reset=first_call and teacher is None, classes=classes,
                partial=partial,
            )  # fmt: skip
        n_y = len(self.y) if self.y is not None else len(self.y_input)
        if self.X.shape[0] != n_y:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: "
                f"{self.X.shape[0]} and {n_y}."
            )
        if self.sample_weight is not None:
            weight = _check_sample_weight(
                self.sample_weight, self.X, dtype=np.float64, ensure_non_negative=True
            )
            # float64 weights for the encoders' statistics, scaled by their
            # maximum (the scale has no effect; huge weights do not overflow)
            top = float(np.max(weight)) if len(weight) else 0.0
            self.raw_weight = weight / top if 0 < top < np.inf else weight
            # shards of one fit keep one scale: statistics take the weights as given
            self.shard_weight = weight
            self.sample_weight = normalized_sample_weight(weight)
            if (
                first_call
                and teacher is None
                and not self.given_targets
                and not variant.from_statistics
                and not est._is_classifier_model()
            ):
                self.y = est._weight_target_scale(self.y_input, weight)
        if not first_call:
            return
        if teacher is None and variant.from_statistics:
            stats = est._new_statistics(self.X)
            if not sp.issparse(self.X):
                stats.update(self.X, self.y_input, self.shard_weight)
            else:
                stats._update_target(np.asarray(self.y_input), self.shard_weight)
            stats = variant.merge_statistics(stats)
            est._fit_fields_from_statistics(stats, self.X, classes)
            self.y = est._encode_y(self.y_input)
        elif teacher is None:
            est._fit_encoders(self.X, self.raw_weight)
        est._finish_fields()
        est._seed_ = variant.seed(draw_seed(est.random_state))

    def _given(self, targets):
        """A variant's targets in the loss's form: class probabilities as they
        are, regression targets standardised like ``y``."""
        if self.est._is_classifier_model():
            return np.asarray(targets, dtype=np.float32)
        return self.est._encode_y(np.asarray(targets, dtype=np.float64))

    def datasets(self, *, early_stopping, eval_set, partial):
        """``(train, valid, scoring callback)`` encoded datasets."""
        dataset, valid, scoring = self._datasets(early_stopping, eval_set, partial)
        self.train = dataset
        return dataset, valid, scoring

    def trained_id_counts(self):
        """Training rows per categorical id, weighted by the sample weights
        (None without categorical fields)."""
        return _id_counts(self.est, self.train.inputs, self.train.sample_weight)

    def _datasets(self, early_stopping, eval_set, partial):
        est = self.est
        dataset = est._dataset(self.X, self.y, self.sample_weight)
        if partial:
            return dataset, None, None
        auto_scoring = est._scoring_is_auto()
        scorer = None if auto_scoring else est._resolve_scorer()
        valid = valid_raw = None
        if eval_set is not None and self.given_targets:
            est._check_eval_set(eval_set)
            X_val = est._check_X(eval_set[0], reset=False)
            targets = self._given(self.variant.targets(X_val, eval_set[1]))
            valid = est._dataset(X_val, targets, None)
        elif eval_set is not None:
            valid = est._eval_dataset(eval_set)
        elif early_stopping:
            dataset, valid = est._split_validation(dataset, self.y)
        if auto_scoring and valid is not None and not self.given_targets:
            scorer = est._auto_scorer(self.y, eval_set, self.sample_weight)
        if scorer is not None and eval_set is not None:
            valid_raw = eval_set
        elif scorer is not None and valid is not None:
            index = est._valid_index
            valid_raw = (_rows(self.X_raw, index), _rows(self.y_input, index))
        scoring = None
        if scorer is not None and valid_raw is not None:
            scoring = ValidScoring(scorer, est, *valid_raw)
        return dataset, valid, scoring


class SourceData:
    """Rows streamed from a :class:`~skfeat.data.FileSource`."""

    def __init__(self, est, source, variant):
        self.est = est
        self.source = source
        self.variant = variant
        self.n_train = self.n_valid = None
        self.fraction = 0.0

    @property
    def n_rows(self):
        return self.source.n_rows

    def prepare(self, *, first_call, classes, partial, eval_set=None):
        est = self.est
        name = type(est).__name__
        if self.variant.fields_from() is not None or self.variant.from_statistics:
            raise TypeError(
                f"{self.variant.name} takes in-memory data, not a FileSource; "
                "read it with source.to_pandas() or fit from the FileSource."
            )
        if self.source.target is None:
            verb = "partial_fit" if partial else "fit"
            raise ValueError(f"{name}.{verb} needs a FileSource with a target column.")
        if not first_call:
            self.source = matching_source(est, self.source)
            return
        early_stopping = not partial and est._early_stopping_of(
            self.variant, self.source.n_rows, eval_set
        )
        if early_stopping and eval_set is None:
            self.fraction = float(est.validation_fraction)
        warn_unused_scoring(est, early_stopping)
        est._seed_ = draw_seed(est.random_state)
        names = list(self.source.feature_names_)
        est.feature_names_in_ = np.asarray(names, dtype=object)
        est.n_features_in_ = len(names)
        first_X, _ = next(self.source.iter_frames(with_target=False))
        stats = est._new_statistics(first_X)
        self.n_train = self.n_valid = 0
        for file_index, batch_index, X, y in self.source.iter_blocks():
            valid = self.source.holdout(
                len(X), self.fraction, est._seed_, file_index, batch_index
            )
            self.n_valid += int(valid.sum())
            self.n_train += int((~valid).sum())
            stats.update(X, y)
        est._fit_fields_from_statistics(
            stats, first_X, classes, max_categories=self.source.max_categories
        )
        est._finish_fields()

    def _encode(self, X, y):
        est = self.est
        yt = None if y is None else est._encode_y(np.asarray(y))
        return est._dataset(X.reset_index(drop=True), yt, None)

    def _encode_counted(self, X, y):
        """:meth:`_encode` for the training rows, counting their ids as they
        stream (every epoch alike, so the proportions are one epoch's)."""
        data = self._encode(X, y)
        counts = _id_counts(self.est, data.inputs)
        if counts is not None:
            self.counts = counts if self.counts is None else self.counts + counts
        return data

    def trained_id_counts(self):
        """Training rows per categorical id, as streamed (None without
        categorical fields)."""
        return self.counts

    def datasets(self, *, early_stopping, eval_set, partial):
        est = self.est
        self.counts = None
        if partial:
            return (
                SourceDataset(self.source, self._encode_counted, with_target=True),
                None,
                None,
            )
        subset = "train" if self.fraction else "all"
        train = SourceDataset(
            self.source, self._encode_counted, with_target=True, subset=subset,
            fraction=self.fraction, seed=est._seed_, n_rows=self.n_train,
        )  # fmt: skip
        valid = None
        if eval_set is not None:
            if not is_source(eval_set):
                raise TypeError(
                    "With a FileSource as X, eval_set must be a FileSource too, got "
                    f"{type(eval_set).__name__}."
                )
            valid = SourceDataset(
                matching_source(est, eval_set), self._encode, with_target=True
            )
        elif self.fraction:
            valid = SourceDataset(
                self.source, self._encode, with_target=True, subset="valid",
                fraction=self.fraction, seed=est._seed_, n_rows=self.n_valid,
            )  # fmt: skip
        return train, valid, None


def _id_counts(est, inputs, sample_weight=None):
    cat = inputs.get("cat")
    schema = est.schema_
    if cat is None or not (cat.shape[1] or schema.n_bags):
        return None
    return count_ids(
        cat, segment_cardinalities(schema), sample_weight, inputs.get("bag"),
        schema.bag_specs,
    )  # fmt: skip


def warn_unused_scoring(est, early_stopping):
    """A scorer needs the validation rows as a table; from files they are
    streamed, so the validation loss is what is monitored."""
    scoring = getattr(est, "scoring", "loss")
    loss_or_auto = isinstance(scoring, str) and scoring in ("loss", "auto")
    if early_stopping and not loss_or_auto:
        warnings.warn(
            f"scoring={scoring!r} is not used in a fit from a FileSource: early "
            "stopping and lr_schedule monitor the validation loss (as with "
            "scoring='loss', which 'auto' also means here).",
            UserWarning,
            stacklevel=4,
        )


def prediction_dataset(est, source):
    """The dataset ``predict`` reads from a :class:`~skfeat.data.FileSource`."""

    def encode(X, y):
        return est._dataset(X.reset_index(drop=True), None, None)

    return SourceDataset(matching_source(est, source), encode, with_target=False)


def matching_source(est, source):
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
        return source.select(list(est.feature_names_in_))
    return source
