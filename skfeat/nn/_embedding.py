"""Field embeddings: one vector per field and row, categorical or numeric."""

import torch
from torch import nn


class FieldEmbedding(nn.Module):
    """Embed categorical ids and numeric values into ``(n, m, dim)`` tensors.

    All categorical fields share one ``nn.Embedding`` table; field ``i`` owns rows
    ``offsets[i]:offsets[i] + cardinalities[i]``. A numeric field ``j`` owns one
    vector ``v_j`` and embeds value ``x`` as ``x * v_j``. The output lists the
    categorical fields first, then the numeric ones.

    Parameters
    ----------
    cardinalities : sequence of int
        Number of ids of each categorical field.
    n_numeric : int
        Number of numeric fields.
    dim : int
        Embedding width.
    init_std : float, default=0.01
        Standard deviation of the normal initialisation.
    zero_ids : sequence of int, default=()
        Ids (within each field) whose rows start at zero, e.g. the id for unknown
        categories, so that an unseen category contributes nothing.

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import FieldEmbedding
    >>> emb = FieldEmbedding(cardinalities=[4, 3], n_numeric=2, dim=5)
    >>> out = emb(torch.tensor([[1, 2]]), torch.tensor([[0.3, -1.0]]))
    >>> out.shape  # (rows, 2 categorical + 2 numeric fields, dim)
    torch.Size([1, 4, 5])
    """

    def __init__(
        self, cardinalities, n_numeric, dim, init_std=0.01, zero_ids=(), sparse=False
    ):
        super().__init__()
        cardinalities = [int(c) for c in cardinalities]
        self.n_categorical = len(cardinalities)
        self.n_numeric = int(n_numeric)
        self.dim = int(dim)
        offsets = torch.tensor([0, *cardinalities[:-1]], dtype=torch.int64).cumsum(0)
        self.register_buffer("offsets", offsets[: len(cardinalities)], persistent=False)
        self.table = nn.Embedding(
            max(sum(cardinalities), 1), self.dim, sparse=bool(sparse)
        )
        self.numeric = nn.Parameter(torch.empty(self.n_numeric, self.dim))
        with torch.no_grad():
            nn.init.normal_(self.table.weight, std=init_std)
            nn.init.normal_(self.numeric, std=init_std)
            for zid in zero_ids:
                rows = self.offsets + int(zid)
                self.table.weight[rows] = 0.0

    @property
    def n_fields(self):
        return self.n_categorical + self.n_numeric

    def forward(self, cat, num):
        parts = []
        if self.n_categorical:
            parts.append(self.table(cat + self.offsets))
        if self.n_numeric:
            parts.append(num.unsqueeze(-1) * self.numeric)
        if len(parts) == 1:
            return parts[0]
        return torch.cat(parts, dim=1)
