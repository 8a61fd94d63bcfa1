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
        """Return the statistics of all the rows, given those of the rows here.

        Parameters
        ----------
        statistics : FieldStatistics
            Statistics of the rows this process holds.

        Returns
        -------
        statistics : FieldStatistics
            Statistics of every row of the fit.
        """
        return statistics

    def fields_from(self):
        """Return a fitted estimator whose field encoding is taken over.

        Returns
        -------
        estimator : BaseFieldModel or None
            Its field encoding and classes are used as they are; None fits them
            on the data.
        """
        return None

    def classes(self):
        """Return the class labels a classifier takes with the field encoding.

        Returns
        -------
        classes : array-like or None
            Replaces the classes of :meth:`fields_from`'s estimator (for
            instance with those of an ensemble it is a member of, which saw
            encoded labels); None keeps them.
        """
        return None

    def targets(self, X, y):
        """Return the training targets in the loss's form.

        Parameters
        ----------
        X : {DataFrame, ndarray}
            The checked input rows.
        y : array-like or None
            What the caller passed as ``y``.

        Returns
        -------
        targets : ndarray or None
            Class probabilities (classifiers) or target values in ``y``'s units
            (regressors); None encodes ``y`` as an ordinary fit does.
        """
        return None

    def criterion(self, default):
        """Return the training loss.

        Parameters
        ----------
        default : torch.nn.Module
            The estimator's own loss (per-sample, ``reduction="none"``).

        Returns
        -------
        criterion : torch.nn.Module
            The loss to train with.
        """
        return default

    def total_rows(self, n_rows):
        """Return the rows of the whole fit (sets ``"auto"`` batch sizes).

        Parameters
        ----------
        n_rows : int
            Rows this process holds.

        Returns
        -------
        n_rows : int
            Rows of the whole fit.
        """
        return n_rows

    def batch_size(self, batch_size):
        """Return the rows per step in this process.

        Parameters
        ----------
        batch_size : int
            The global batch size.

        Returns
        -------
        batch_size : int
            The batch size of this process.
        """
        return batch_size

    def seed(self, seed):
        """Return the fit's seed.

        Parameters
        ----------
        seed : int
            The seed drawn from ``random_state`` in this process.

        Returns
        -------
        seed : int
            The seed every step of the fit uses.
        """
        return seed

    def id_counts(self, counts):
        """Return the training rows per id that weigh the untrained ids' mean.

        After training, an id that no training row reached gets its field's
        mean row, weighted by these counts (see ``BaseFieldModel``'s fit).

        Parameters
        ----------
        counts : ndarray of float64
            This process's counts, one per row of the shared id table.

        Returns
        -------
        counts : ndarray of float64 or None
            The counts to use (across processes, their sum), or None to leave
            untrained rows as they are.
        """
        return counts

    def train(self, net, train, valid):
        """Run the training loop of a skorch ``net`` (built, not initialised).

        Parameters
        ----------
        net : skorch.NeuralNet
            The net, with the module, optimizer and callbacks of the estimator.
        train : Dataset
            The encoded training rows.
        valid : Dataset or None
            The encoded validation rows (the net already holds them).
        """
        net.fit(train, None)

    def finish(self, estimator):
        """Add the variant's own fitted attributes to the fitted ``estimator``.

        Parameters
        ----------
        estimator : BaseFieldModel
            The fitted estimator.
        """
