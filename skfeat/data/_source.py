"""A lazy table over parquet, CSV or TSV files, read in record batches with pyarrow."""

import glob
import os
from numbers import Integral

import numpy as np


def _pyarrow_dataset():
    try:
        import pyarrow.dataset as ds
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("FileSource needs pyarrow: pip install skfeat[data]") from exc
    return ds


class FileSource:
    """A table stored in parquet or CSV files, read lazily in record batches.

    Pass it as ``X`` to ``fit`` (with ``y=None``; the target is a column of the
    files), to ``predict``, ``predict_proba`` and ``decision_function`` (which
    return arrays), or as ``eval_set`` of ``fit``. The estimator then never holds
    more than a shuffle buffer of decoded rows: the vocabulary (and the numeric
    scaling) is built in one streaming pass, and every epoch streams the files
    again. Only models deriving from :class:`~skfeat.models.BaseFieldModel`
    accept it; a transformer that needs the whole table in memory raises a
    ``TypeError`` that says so.

    Parameters
    ----------
    paths : str, path or list of them
        Files, directories (their ``.parquet``, ``.pq``, ``.csv``, ``.csv.gz``,
        ``.tsv`` and ``.tsv.gz`` files, sorted by name) or glob patterns.
    target : str or None, default=None
        Name of the target column (required for ``fit``).
    format : {"parquet", "csv", "tsv"} or None, default=None
        File format (``"tsv"``: CSV with a tab delimiter); ``None`` infers it
        from the first file's extension.
    columns : list of str or None, default=None
        Feature columns to use (default: every column but the target); at least
        one, and not the target.
    batch_rows : int, default=65536
        Rows per record batch read from the files (at least 1).
    shuffle_buffer : int, default=262144
        Rows mixed together when training shuffles: each epoch visits the files
        in a random order and permutes blocks of this many rows (which span
        files and record batches) before cutting them into batches (0: file
        order).
    max_categories : int or None, default=None
        Most ids per categorical field: the vocabulary keeps the most frequent
        values (ties: the smaller value first); the others map to the unknown id.
        At least 1.

    Notes
    -----
    Rules of a fit from files, against the same rows fitted in memory:

    * Categories rarer than ``min_frequency`` or beyond ``max_categories`` map to
      the unknown id (in memory, rare categories share an "infrequent" id).
    * With ``shuffle_buffer=0`` the rows are visited in file order; such a fit
      equals the in-memory fit given
      ``net_params={"iterator_train__shuffle": False}`` (up to float rounding of
      the numeric scaling, which is accumulated batch by batch).
    * A ``validation_fraction`` holdout draws each row's membership from the
      fit's seed and the row's place in its file (:meth:`holdout`): the same
      rows every epoch, but not the split an in-memory fit makes.
    * Column kinds, the vocabulary, bins and scaling come from statistics over
      every file, by the rules of a fit in memory on the same rows. A column
      must have one kind of type in every file: text in one file and numbers in
      another raises a ``TypeError`` naming the column and both files.
    * The files must hold at least one row (``fit``, ``predict`` and the
      explainers raise a ``ValueError`` otherwise).

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np, pandas as pd
    >>> from skfeat.data import FileSource
    >>> from skfeat.models import FMClassifier
    >>> folder = tempfile.mkdtemp()
    >>> rng = np.random.RandomState(0)
    >>> for part in range(2):
    ...     X = pd.DataFrame({"user": rng.choice(list("abcd"), 500),
    ...                       "x": rng.normal(size=500)})
    ...     X["click"] = ((X["user"] < "c") ^ (X["x"] > 0)).astype(int)
    ...     X.to_parquet(os.path.join(folder, f"part{part}.parquet"))
    >>> source = FileSource(folder, target="click")
    >>> source.n_rows
    1000
    >>> clf = FMClassifier(max_epochs=5, random_state=0).fit(source)
    >>> clf.predict_proba(source).shape
    (1000, 2)
    """

    def __init__(
        self,
        paths,
        *,
        target=None,
        format=None,
        columns=None,
        batch_rows=65_536,
        shuffle_buffer=262_144,
        max_categories=None,
    ):
        self.paths = paths
        self.target = target
        self.format = format
        self.columns = columns
        self.batch_rows = batch_rows
        self.shuffle_buffer = shuffle_buffer
        self.max_categories = max_categories
        _check_count("batch_rows", batch_rows, 1)
        _check_count("shuffle_buffer", shuffle_buffer, 0)
        if max_categories is not None:
            _check_count("max_categories", max_categories, 1)
        self.files_ = _expand(paths)
        if not self.files_:
            raise ValueError(f"FileSource found no files in {paths!r}.")
        if format is None:
            name = os.path.basename(self.files_[0]).lower()
            if name.endswith((".tsv", ".tsv.gz")):
                format = "tsv"
            elif name.endswith((".csv", ".csv.gz", ".txt", ".gz")):
                format = "csv"
            else:
                format = "parquet"
        if format not in ("parquet", "csv", "tsv"):
            raise ValueError(
                f"format must be 'parquet', 'csv' or 'tsv', got {format!r}."
            )
        self._format = format
        self._schema = self._dataset(self.files_[:1]).schema
        names = list(self._schema.names)
        if target is not None and target not in names:
            raise ValueError(
                f"target column {target!r} is not in the files (columns: {names})."
            )
        if columns is None:
            columns = [c for c in names if c != target]
        elif isinstance(columns, str):
            raise TypeError(f"columns must be a list of column names, got {columns!r}.")
        missing = [c for c in columns if c not in names]
        if missing:
            raise ValueError(f"columns {missing} are not in the files ({names}).")
        if target is not None and target in columns:
            raise ValueError(
                f"columns lists the target column {target!r}; the target cannot "
                "be a feature too."
            )
        if not columns:
            raise ValueError(
                f"FileSource has no feature column: {self.files_[0]!r} holds "
                f"only {names} and the target is {target!r}."
            )
        self.feature_names_ = list(columns)

    # ------------------------------------------------------------- reading
    def _dataset(self, files):
        ds = _pyarrow_dataset()
        if self._format == "tsv":
            import pyarrow.csv as pa_csv

            tab = ds.CsvFileFormat(parse_options=pa_csv.ParseOptions(delimiter="\t"))
            return ds.dataset(list(files), format=tab)
        return ds.dataset(list(files), format=self._format)

    @property
    def n_rows(self):
        """Number of rows in all files (read from metadata where possible)."""
        if not hasattr(self, "_n_rows"):
            self._n_rows = int(self._dataset(self.files_).count_rows())
        return self._n_rows

    @property
    def shape(self):
        return (self.n_rows, len(self.feature_names_))

    def iter_frames(self, *, with_target=True, file_order=None, columns=None):
        """Yield ``(X DataFrame, y ndarray or None)`` per record batch, in order.

        Parameters
        ----------
        with_target : bool, default=True
            Read the target column too.
        file_order : sequence of int or None, default=None
            Order in which to read the files.
        columns : list of str or None, default=None
            Read only these feature columns (default: all of them).
        """
        for _, _, frame, y in self.iter_blocks(
            with_target=with_target, file_order=file_order, columns=columns
        ):
            yield frame, y

    def iter_blocks(self, *, with_target=True, file_order=None, columns=None):
        """Yield ``(file_index, batch_index, X, y)`` per record batch.

        ``file_index`` is the file's place in ``files_`` (whatever
        ``file_order`` is) and ``batch_index`` the record batch's place in its
        file: together they name a block of rows for good (see :meth:`holdout`).
        Parameters as in :meth:`iter_frames`.
        """
        order = range(len(self.files_)) if file_order is None else file_order
        cols = list(self.feature_names_ if columns is None else columns)
        read_target = with_target and self.target is not None
        if read_target:
            cols = cols + [self.target]
        order = list(order)
        n_read = 0
        for file_index in order:
            dataset = self._dataset([self.files_[file_index]])
            self._check_types(dataset.schema, cols, file_index)
            scanner = dataset.scanner(columns=cols, batch_size=int(self.batch_rows))
            batch_index = 0
            for batch in scanner.to_batches():
                if batch.num_rows == 0:
                    continue
                frame = batch.to_pandas()
                y = None
                if read_target:
                    y = frame.pop(self.target).to_numpy()
                n_read += len(frame)
                yield int(file_index), batch_index, frame, y
                batch_index += 1
        if n_read == 0 and set(order) >= set(range(len(self.files_))):
            files = self.files_ if len(self.files_) <= 3 else self.files_[:3] + ["..."]
            raise ValueError(
                f"The FileSource's files {files} hold no rows: fit, predict and "
                "the explainers need at least one."
            )

    def _check_types(self, schema, columns, file_index):
        """Refuse a column whose type in this file clashes with the first file's."""
        first = self._schema
        for name in columns:
            if name not in schema.names:
                raise ValueError(
                    f"Column {name!r} is in {self.files_[0]!r} but not in "
                    f"{self.files_[file_index]!r}."
                )
            if name not in first.names:
                continue
            a, b = first.field(name).type, schema.field(name).type
            kind_a, kind_b = _type_kind(a), _type_kind(b)
            if kind_a != kind_b and not {kind_a, kind_b} & {None, "null"}:
                raise TypeError(
                    f"Column {name!r} is {a} in {self.files_[0]!r} but {b} in "
                    f"{self.files_[file_index]!r}; give it one type in every file "
                    "(for example, write it as text everywhere)."
                )

    @staticmethod
    def holdout(n, fraction, seed, file_index, batch_index):
        """The validation rows of a record batch: a boolean mask of ``n`` rows.

        Row ``i`` of record batch ``batch_index`` of file ``file_index`` is held
        out when a generator seeded with ``(seed, file_index, batch_index)``
        draws below ``fraction`` for it: the same rows in every epoch, whatever
        order the files are read in.
        """
        if fraction <= 0:
            return np.zeros(n, dtype=bool)
        rng = np.random.default_rng([int(seed), int(file_index), int(batch_index)])
        return rng.random(n) < fraction

    def select(self, columns):
        """A copy of this source whose feature columns are ``columns``, in order."""
        import copy

        out = copy.copy(self)
        out.feature_names_ = list(columns)
        return out

    def to_pandas(self):
        """Read the whole table into memory: ``(X, y)`` (``y`` None without target)."""
        import pandas as pd

        parts = list(self.iter_frames())
        X = pd.concat([p[0] for p in parts], ignore_index=True)
        y = None if self.target is None else np.concatenate([p[1] for p in parts])
        return X, y

    def sample(self, n, *, random_state=None):
        """Read a uniform sample of ``n`` rows' features, without replacement.

        The rows are those ``numpy`` would pick from the whole table in memory:
        ``check_random_state(random_state).choice(n_rows, n, replace=False)``,
        sorted, so a sample from files equals the sample of ``to_pandas()``.
        One streaming pass; only the sampled rows are kept.

        Parameters
        ----------
        n : int
            Rows to read (all of them when ``n >= n_rows``).
        random_state : int, RandomState instance or None, default=None

        Returns
        -------
        X : DataFrame of shape (min(n, n_rows), n_features)

        Examples
        --------
        >>> import os, tempfile
        >>> import pandas as pd
        >>> from skfeat.data import FileSource
        >>> folder = tempfile.mkdtemp()
        >>> pd.DataFrame({"a": range(100), "y": 0}).to_parquet(
        ...     os.path.join(folder, "part.parquet"))
        >>> FileSource(folder, target="y").sample(3, random_state=0)["a"].tolist()
        [2, 26, 86]
        """
        import pandas as pd
        from sklearn.utils import check_random_state

        total = self.n_rows
        n = min(int(n), total)
        rng = check_random_state(random_state)
        index = np.sort(rng.choice(total, size=n, replace=False))
        parts, start = [], 0
        for X, _ in self.iter_frames(with_target=False):
            stop = start + len(X)
            lo, hi = np.searchsorted(index, [start, stop])
            if hi > lo:
                parts.append(X.iloc[index[lo:hi] - start])
            start = stop
            if hi == n:
                break
        if not parts:
            return next(self.iter_frames(with_target=False))[0].iloc[:0]
        return pd.concat(parts, ignore_index=True)

    def __len__(self):
        return self.n_rows

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "FileSource is a lazy table over files and is read by skfeat's models "
            "only; this estimator needs the whole table in memory as an array. "
            "Read it with source.to_pandas() if it fits in memory."
        )

    def __repr__(self):
        return (
            f"FileSource({self.paths!r}, target={self.target!r}, "
            f"format={self._format!r}, files={len(self.files_)})"
        )


_DATA_SUFFIXES = (".parquet", ".pq", ".csv", ".csv.gz", ".tsv", ".tsv.gz")


def _check_count(name, value, low):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(
            f"FileSource's {name} must be an integer >= {low}, got {value!r}."
        )


def _type_kind(arrow_type):
    """``"number"``, ``"text"``, ``"null"``, ... : types a column may mix across
    files (int64 in one file, float64 where it has missing values in another)."""
    import pyarrow.types as pt

    if pt.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pt.is_null(arrow_type):
        return "null"
    if (
        pt.is_integer(arrow_type)
        or pt.is_floating(arrow_type)
        or pt.is_decimal(arrow_type)
        or pt.is_boolean(arrow_type)
    ):
        return "number"
    if pt.is_string(arrow_type) or pt.is_large_string(arrow_type):
        return "text"
    return None  # other types are checked where they are read


def _expand(paths):
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            files.extend(
                sorted(
                    os.path.join(p, f)
                    for f in os.listdir(p)
                    if not f.startswith((".", "_")) and f.endswith(_DATA_SUFFIXES)
                )
            )
        elif any(ch in p for ch in "*?["):
            files.extend(sorted(glob.glob(p)))
        else:
            files.append(p)
    return files


def is_source(X):
    """Whether ``X`` is a :class:`FileSource`."""
    return isinstance(X, FileSource)
