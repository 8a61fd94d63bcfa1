"""Fit variants: how a way of fitting differs from the in-memory fit.

Every skfeat model fits through one path of named steps (see
:class:`~skfeat.models.BaseFieldModel`):

1. *prepare*: check the input, build the field encoder (from the arrays, or from
   streamed and merged :class:`~skfeat._fields.FieldStatistics`), the classes
   or the target scaling, and the seed;
2. *datasets*: the encoded training rows and a validation holdout chosen once;
3. *train*: build the torch module and the skorch net and run the training loop;
4. *record*: the fitted attributes (``n_iter_``, ``validation_score_``,
   ``do_early_stopping_``, ...), the divergence check, and restore-on-error.

Fitting data-parallel (:func:`skfeat.distributed.fit_distributed`), privately
(:func:`skfeat.privacy.fit_private`) or by distillation
(:func:`skfeat.compress.distill`) changes a few of these steps and nothing else:
each is a :class:`FitVariant` whose hooks the path calls. A new encoder option or
fitted attribute is therefore added once, in the path, and holds for every
variant.
"""


class FitVariant:
    """Hooks of the fit steps; the defaults give the ordinary in-memory fit.

    Subclass it and override the hooks a way of fitting needs, then call
    ``estimator.fit_variant(variant, X, y)``. Hooks receive public objects only
    (statistics, datasets, the skorch net), never the estimator's privates.

    Attributes
    ----------
    name : str
        Names the variant in error messages (e.g. ``"fit_distributed"``).
    early_stopping : bool
        Whether the variant can hold out validation rows; when False, an
        estimator with ``early_stopping=True`` is refused and ``"auto"`` reads as
        False.
    from_statistics : bool
        Build the field encoder from :meth:`merge_statistics`'s statistics even
        for in-memory rows (needed when each process sees a shard).

    Examples
    --------
    A variant that trains with the ordinary loop but never early-stops:

    >>> import numpy as np
    >>> from skfeat.models import FitVariant, FMClassifier
    >>> class NoHoldout(FitVariant):
    ...     name = "no_holdout"
    ...     early_stopping = False
    >>> X = np.random.RandomState(0).normal(size=(60, 3))
    >>> fm = FMClassifier(max_epochs=2, random_state=0)
    >>> fm.fit_variant(NoHoldout(), X, X[:, 0] > 0).do_early_stopping_
    False
    """

    name = "fit"
    early_stopping = True
    from_statistics = False

    def merge_statistics(self, statistics):
        """The statistics of all the rows, given those of the rows seen here."""
        return statistics

    def fields_from(self):
        """A fitted estimator whose field encoding and classes are taken over
        as they are (None: fit them on the data)."""
        return None

    def targets(self, X, y):
        """Training targets already in the loss's form (None: encode ``y``).

        ``X`` is the checked input; ``y`` what the caller passed.
        """
        return None

    def criterion(self, default):
        """The training loss (default: the estimator's)."""
        return default

    def total_rows(self, n_rows):
        """Rows of the whole fit, given the rows seen here (sets ``"auto"``
        batch sizes)."""
        return n_rows

    def batch_size(self, batch_size):
        """Rows per step in this process, given the global batch size."""
        return batch_size

    def seed(self, seed):
        """The fit's seed, given the one drawn from ``random_state`` here."""
        return seed

    def shuffle_seed(self, seed):
        """The seed of the training loop's draws (shuffling, dropout)."""
        return seed

    def train(self, net, train, valid):
        """Run the training loop of an initialised skorch ``net``."""
        net.fit(train, None)

    def finish(self, estimator):
        """Add the variant's own fitted attributes to the fitted ``estimator``."""
