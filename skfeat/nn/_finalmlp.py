"""FinalMLP (Mao et al., AAAI 2023): two gated MLP streams and a bilinear fusion.

Pure torch; the scikit-learn wrappers are in :mod:`skfeat.models._finalmlp`.
"""

import torch
from torch import nn

from skfeat.nn._embedding import FieldEmbedding
from skfeat.nn._mlp import MLP, Linear, eval_dtype, glorot_init_, squeeze_outputs


class FeatureGate(nn.Module):
    """Stream-specific feature selection: ``2 * sigmoid(MLP(context))`` per input.

    The gate's input is the embedding of a few *context* fields (their own
    embedding table, as in the paper), or a learned vector when there is no
    context. Its output has one weight in ``(0, 2)`` per element of the flattened
    field embeddings, which it multiplies.

    Parameters
    ----------
    cardinalities : sequence of int
        Cardinalities of all categorical fields of the model.
    n_numeric : int
        Number of numeric fields of the model.
    embed_dim : int
    context : sequence of int
        Module field indices (categorical fields first, then numeric) of the
        context fields; empty for a learned, input-independent gate.
    out_features : int
        Width of the flattened embeddings (fields times ``embed_dim``).
    hidden_units : sequence of int
    init_std : float, default=1e-4
    zero_ids : sequence of int, default=()
    vector_dims : sequence of int, default=()
        Lengths of the model's vector fields (module fields after the numeric
        ones); a context field may be one of them.
    bags, bag_cardinalities : sequence, default=()
        Bag (multi-value) fields and the ids of those with their own
        vocabulary (see :class:`~skfeat.nn.FieldEmbedding`).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._finalmlp import FeatureGate
    >>> gate = FeatureGate([3, 4], 0, 2, context=[1], out_features=4,
    ...                    hidden_units=[8])
    >>> gate(torch.tensor([[0, 1], [2, 3]]), torch.empty(2, 0)).shape
    torch.Size([2, 4])
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, context, out_features,
        hidden_units, init_std=1e-4, zero_ids=(), vector_dims=(),
    ):  # fmt: skip
        super().__init__()
        n_cat = len(cardinalities)
        n_scalar = n_cat + int(n_numeric)
        context = [int(i) for i in context]
        vector_dims = [int(d) for d in vector_dims]
        starts = [sum(vector_dims[:g]) for g in range(len(vector_dims))]
        vec_fields = [i - n_scalar for i in context if i >= n_scalar]
        vec_cols = [
            c for g in vec_fields for c in range(starts[g], starts[g] + vector_dims[g])
        ]
        self.register_buffer(
            "vec_index", torch.tensor(vec_cols, dtype=torch.int64), persistent=False
        )
        cat_fields = [i for i in context if i < n_cat]
        self.register_buffer(
            "cat_index", torch.tensor(cat_fields, dtype=torch.int64), persistent=False
        )
        self.register_buffer(
            "num_index",
            torch.tensor(
                [i - n_cat for i in context if n_cat <= i < n_scalar],
                dtype=torch.int64,
            ),
            persistent=False,
        )
        if context:
            self.context_embedding = FieldEmbedding(
                # sizes from the Python lists, not the buffers: the module can
                # then be built on the meta device (skfeat.io's shape check)
                [cardinalities[i] for i in cat_fields],
                len(self.num_index),
                embed_dim,
                init_std,
                zero_ids,
                vector_dims=[vector_dims[g] for g in vec_fields],
            )
            self.context_bias = None
        else:
            self.context_embedding = None
            self.context_bias = nn.Parameter(torch.zeros(1, int(embed_dim)))
        width = int(embed_dim) * max(1, len(context))
        self.mlp = MLP(width, hidden_units, "relu", 0.0, False, out_features)

    def forward(self, cat, num, vec=None, bag=None):
        # bag fields are never context: ``bag`` is taken for a uniform signature
        if self.context_embedding is None:
            ctx = self.context_bias.expand(cat.shape[0], -1)
            ctx = eval_dtype(self, ctx)
        else:
            ctx = self.context_embedding(
                cat.index_select(1, self.cat_index),
                num.index_select(1, self.num_index),
                None if vec is None else vec.index_select(1, self.vec_index),
            )
            ctx = eval_dtype(self, ctx).flatten(1)
        return 2.0 * torch.sigmoid(self.mlp(ctx))


class BilinearFusion(nn.Module):
    """Multi-head bilinear fusion of two streams (FinalMLP's aggregation layer).

    ``out = w_x x + w_y y + sum_h x_h^T W_h y_h``: the two streams are split into
    ``num_heads`` chunks and each pair of chunks meets through its own bilinear
    form.

    Parameters
    ----------
    x_dim, y_dim : int
        Widths of the two streams; ``num_heads`` must divide both.
    out_features : int, default=1
    num_heads : int, default=1

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._finalmlp import BilinearFusion
    >>> fuse = BilinearFusion(6, 4, out_features=1, num_heads=2)
    >>> fuse(torch.randn(3, 6), torch.randn(3, 4)).shape
    torch.Size([3, 1])
    """

    def __init__(self, x_dim, y_dim, out_features=1, num_heads=1):
        super().__init__()
        if x_dim % num_heads or y_dim % num_heads:
            raise ValueError(
                f"num_heads={num_heads} must divide both stream widths "
                f"({x_dim} and {y_dim})."
            )
        self.num_heads = int(num_heads)
        self.out_features = int(out_features)
        self.head_x = x_dim // num_heads
        self.head_y = y_dim // num_heads
        self.w_x = Linear(x_dim, out_features)
        self.w_y = Linear(y_dim, out_features)
        self.w_xy = nn.Parameter(
            torch.empty(num_heads * self.head_x * self.head_y, out_features)
        )
        nn.init.xavier_normal_(self.w_xy)

    def forward(self, x, y):
        out = self.w_x(x) + self.w_y(y)
        n = x.shape[0]
        hx = x.view(n, self.num_heads, 1, self.head_x)
        hy = y.view(n, self.num_heads, self.head_y, 1)
        w = self.w_xy.to(x.dtype).view(self.num_heads, self.head_x, -1)
        # (n, H, 1, hx) @ (H, hx, C * hy) -> (n, H, C, hy) @ (n, H, hy, 1)
        xw = torch.matmul(hx, w).view(n, self.num_heads, self.out_features, self.head_y)
        xy = torch.matmul(xw, hy).squeeze(-1)
        return out + xy.sum(dim=1)


class FinalMLP(nn.Module):
    """FinalMLP (Mao et al., AAAI 2023) over fields.

    Two MLP streams read the same flattened field embeddings, each through its
    own feature gate (:class:`FeatureGate`), and a multi-head bilinear layer
    (:class:`BilinearFusion`) fuses their outputs into the logit.

    Parameters
    ----------
    cardinalities : sequence of int
        Number of ids of each categorical field.
    n_numeric : int
        Number of numeric fields.
    embed_dim : int
        Size of each field's embedding.
    mlp1_hidden_units, mlp2_hidden_units : sequence of int
        Widths of the hidden layers of the two streams.
    n_outputs : int, default=1
        Number of outputs: 1 for a binary or regression target, else one
        per class.
    activation : str, default="relu"
        Activation of the hidden layers.
    mlp1_dropout, mlp2_dropout : float, default=0.0
        Dropout after each hidden layer of each stream.
    batch_norm : bool, default=False
        Batch normalisation in each hidden layer.
    use_feature_selection : bool, default=True
        Gate each stream's input; with False the ``fs_*`` options are ignored.
    fs_hidden_units : sequence of int, default=(64,)
        Hidden widths of each gate's MLP.
    fs1_context, fs2_context : sequence of int, default=()
        Module field indices (categorical first) feeding each stream's gate.
    num_heads : int, default=1
        Heads of the bilinear fusion; must divide the last width of both
        streams.
    init_std : float, default=1e-4
        Embeddings start N(0, init_std); linear layers Glorot-normal with zero
        biases (FuxiCTR's initialisation).
    zero_ids : sequence of int, default=()
        Ids (within each field) whose rows start at zero, e.g. the id for
        unknown categories (see :class:`~skfeat.nn.FieldEmbedding`).
    vector_dims : sequence of int, default=()
        Length of each vector field (see :class:`~skfeat.nn.FieldEmbedding`);
        their values come as ``vec`` after the numeric fields.
    bags, bag_cardinalities : sequence, default=()
        Bag (multi-value) fields and the ids of those with their own
        vocabulary (see :class:`~skfeat.nn.FieldEmbedding`).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import FinalMLP
    >>> model = FinalMLP([3, 4], 1, embed_dim=2, mlp1_hidden_units=[8],
    ...                  mlp2_hidden_units=[4], fs1_context=[0], num_heads=2)
    >>> model(torch.tensor([[0, 1], [2, 3]]), torch.randn(2, 1)).shape
    torch.Size([2])
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, mlp1_hidden_units,
        mlp2_hidden_units, n_outputs=1, activation="relu", mlp1_dropout=0.0,
        mlp2_dropout=0.0, batch_norm=False, use_feature_selection=True,
        fs_hidden_units=(64,), fs1_context=(), fs2_context=(), num_heads=1,
        init_std=1e-4, zero_ids=(), vector_dims=(), bags=(),
        bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        self.n_outputs = int(n_outputs)
        self.embedding = FieldEmbedding(
            cardinalities, n_numeric, embed_dim, init_std, zero_ids,
            vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities,
        )  # fmt: skip
        width = self.embedding.n_fields * int(embed_dim)
        self.mlp1 = MLP(width, mlp1_hidden_units, activation, mlp1_dropout, batch_norm)
        self.mlp2 = MLP(width, mlp2_hidden_units, activation, mlp2_dropout, batch_norm)
        self.gate1 = self.gate2 = None
        if use_feature_selection:
            self.gate1 = FeatureGate(
                cardinalities, n_numeric, embed_dim, fs1_context, width,
                fs_hidden_units, init_std, zero_ids, vector_dims,
            )  # fmt: skip
            self.gate2 = FeatureGate(
                cardinalities, n_numeric, embed_dim, fs2_context, width,
                fs_hidden_units, init_std, zero_ids, vector_dims,
            )  # fmt: skip
        self.fusion = BilinearFusion(
            self.mlp1.out_features, self.mlp2.out_features, self.n_outputs, num_heads
        )
        glorot_init_(self)

    def forward(self, cat, num, vec=None, bag=None):
        emb = eval_dtype(self, self.embedding(cat, num, vec, bag)).flatten(1)
        x1 = x2 = emb
        if self.gate1 is not None:
            x1 = emb * self.gate1(cat, num, vec, bag)
            x2 = emb * self.gate2(cat, num, vec, bag)
        logits = self.fusion(self.mlp1(x1), self.mlp2(x2))
        return squeeze_outputs(logits, self.n_outputs)
