"""A compact embedding table for serving: pruned rows and int8/int4 storage."""

import torch
from torch import nn

_QMAX = {8: 127, 4: 7}


class CompressedEmbedding(nn.Module):
    """An ``nn.Embedding`` look-alike that stores fewer or smaller rows.

    Two independent savings, usable together:

    * **pruning**: ``index`` maps each of the ``num_embeddings`` ids to a row of a
      smaller table (several ids may share a row, e.g. pruned ids and the unknown
      id); the map costs 4 bytes per id instead of ``4 * embedding_dim``;
    * **quantisation**: each stored row ``w`` is kept as integers
      ``q = round(w / s)`` with one float scale ``s = max|w| / qmax`` per row
      (symmetric, per-row), ``qmax = 127`` for 8 bits and ``7`` for 4 bits (two
      4-bit values are packed in a byte). A lookup returns ``q * s``, so the error
      of every entry is at most ``s / 2``.

    The module is frozen: it holds buffers, not parameters.

    Parameters
    ----------
    weight : torch.Tensor of shape (n_rows, embedding_dim)
        Float rows to store.
    index : torch.Tensor of shape (num_embeddings,) or None, default=None
        Row of ``weight`` for every id; ``None`` means id ``i`` is row ``i``.
    bits : {8, 4} or None, default=None
        Integer width of the stored rows; ``None`` keeps them in float32.

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import CompressedEmbedding
    >>> w = torch.tensor([[0.0, 0.0], [1.0, -0.5], [0.2, 0.4]])
    >>> emb = CompressedEmbedding(w, bits=8)
    >>> ids = torch.tensor([1, 2])
    >>> emb(ids).shape, emb.weight.dtype
    (torch.Size([2, 2]), torch.int8)
    >>> bool(((emb(ids) - w[ids]).abs() <= emb.scale[ids, None] / 2).all())
    True
    >>> # ids 0..3, where id 3 was pruned and falls back to row 0
    >>> pruned = CompressedEmbedding(w, index=torch.tensor([0, 1, 2, 0]))
    >>> pruned(torch.tensor([3])).tolist()
    [[0.0, 0.0]]
    """

    def __init__(self, weight, *, index=None, bits=None):
        super().__init__()
        if bits not in (None, 8, 4):
            raise ValueError(f"bits must be 8, 4 or None, got {bits!r}.")
        weight = weight.detach().to(torch.float32)
        n_rows, dim = weight.shape
        self.embedding_dim = int(dim)
        self.num_embeddings = int(n_rows if index is None else index.numel())
        self.bits = bits
        if index is None:
            self.register_buffer("index", None)
        else:
            self.register_buffer("index", index.detach().to(torch.int32).clone())
        if bits is None:
            self.register_buffer("weight", weight.clone())
            self.register_buffer("scale", None)
            return
        qmax = _QMAX[bits]
        scale = weight.abs().amax(dim=1) / qmax
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        q = torch.round(weight / scale[:, None]).clamp_(-qmax, qmax).to(torch.int8)
        if bits == 4:
            if dim % 2:
                q = torch.cat([q, q.new_zeros(n_rows, 1)], dim=1)
            u = (q + 8).to(torch.uint8)  # nibbles 1..15
            q = u[:, 0::2] | (u[:, 1::2] << 4)
        self.register_buffer("weight", q.contiguous())
        self.register_buffer("scale", scale)

    @classmethod
    def empty(cls, num_embeddings, embedding_dim, *, n_rows, bits=None, indexed=False):
        """Return an uninitialised table of a given layout, to load weights into.

        Used by :func:`skfeat.io.load`: the buffers have the shapes and dtypes
        that a table of this layout stores, and nothing is quantised.

        Parameters
        ----------
        num_embeddings : int
            Number of ids.
        embedding_dim : int
            Width of a row.
        n_rows : int
            Number of stored rows (``num_embeddings`` unless pruned).
        bits : {8, 4} or None, default=None
            Integer width of the stored rows.
        indexed : bool, default=False
            Whether ids map to rows through an ``index`` (pruned tables).

        Returns
        -------
        table : CompressedEmbedding
        """
        if bits not in (None, 8, 4):
            raise ValueError(f"bits must be 8, 4 or None, got {bits!r}.")
        sizes = (num_embeddings, embedding_dim, n_rows)
        if not all(isinstance(v, int) and v >= 0 for v in sizes):
            raise ValueError(f"sizes must be non-negative integers, got {sizes}.")
        if not indexed and n_rows != num_embeddings:
            raise ValueError("a table without index stores one row per id.")
        table = cls.__new__(cls)
        nn.Module.__init__(table)
        table.embedding_dim, table.num_embeddings, table.bits = sizes[1], sizes[0], bits
        index = torch.empty(num_embeddings, dtype=torch.int32) if indexed else None
        table.register_buffer("index", index)
        if bits is None:
            table.register_buffer("weight", torch.empty(n_rows, embedding_dim))
            table.register_buffer("scale", None)
            return table
        width = embedding_dim if bits == 8 else (embedding_dim + 1) // 2
        dtype = torch.int8 if bits == 8 else torch.uint8
        table.register_buffer("weight", torch.empty(n_rows, width, dtype=dtype))
        table.register_buffer("scale", torch.empty(n_rows))
        return table

    def layout(self):
        """Return the keyword arguments of :meth:`empty` that rebuild this table.

        Returns
        -------
        layout : dict
            ``num_embeddings``, ``embedding_dim``, ``n_rows``, ``bits`` and
            ``indexed``.
        """
        return {
            "num_embeddings": int(self.num_embeddings),
            "embedding_dim": int(self.embedding_dim),
            "n_rows": int(self.weight.shape[0]),
            "bits": self.bits,
            "indexed": self.index is not None,
        }

    def _rows(self, rows):
        # index_select on the flat ids: several times faster on a CPU than
        # advanced indexing with a 2-d index
        w = self.weight.index_select(0, rows.reshape(-1))
        w = w.view(*rows.shape, w.shape[-1])
        if self.bits is None:
            return w
        if self.bits == 4:
            lo = (w & 0xF).to(torch.int8) - 8
            hi = (w >> 4).to(torch.int8) - 8
            w = torch.stack([lo, hi], dim=-1).flatten(-2)[..., : self.embedding_dim]
        scale = self.scale.index_select(0, rows.reshape(-1)).view(*rows.shape, 1)
        return w.to(torch.float32) * scale

    def forward(self, ids):
        if self.index is None:
            rows = ids
        else:
            flat = self.index.index_select(0, ids.reshape(-1))
            rows = flat.view(ids.shape).long()
        return self._rows(rows)

    def dense_weight(self):
        """Return the float table that the compressed rows represent.

        Returns
        -------
        weight : Tensor of shape (num_embeddings, embedding_dim)
            Every row of the table, dequantised.
        """
        return self.forward(torch.arange(self.num_embeddings))

    def stored_rows(self):
        """Return the stored rows, dequantised.

        Returns
        -------
        rows : Tensor of shape (n_rows, embedding_dim)
            The stored rows as floats.
        """
        return self._rows(torch.arange(self.weight.shape[0]))

    def nbytes(self):
        """Return the bytes held by the stored rows, scales and index.

        Returns
        -------
        nbytes : int
            Size of the module's buffers in bytes.
        """
        return sum(b.numel() * b.element_size() for b in self.buffers())

    def extra_repr(self):
        return (
            f"{self.num_embeddings}, {self.embedding_dim}, bits={self.bits}, "
            f"stored_rows={self.weight.shape[0]}"
        )
