"""The large-table training path: row gathers, the fused FM, lazy updates, encoding.

Each fast path is checked against the plain computation it replaces.
"""

import os
import platform
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

from skfeat._fields._encoder import FACTORIZE_MIN_ROWS, FieldEncoder
from skfeat.models import FMClassifier
from skfeat.models._base import SPARSE_GRADIENTS_MIN_ROWS
from skfeat.models._engine import _SparseAwareGradientNormClipping
from skfeat.models._optim import RowSparseOptimizer, coalesced
from skfeat.nn import FM, FieldEmbedding
from skfeat.nn._embedding import lookup, unique_rows
from skfeat.nn._fm import fm_logits, pairwise_interaction

pytestmark = pytest.mark.filterwarnings("ignore:Sparse invariant checks")


# ------------------------------------------------------------- unique rows
@pytest.mark.parametrize("n", [1, 2, 7, 1000, 40_000])
def test_unique_rows_equals_torch_unique(n):
    g = torch.Generator().manual_seed(n)
    ids = torch.randint(0, max(n // 3, 1), (n,), generator=g)
    rows, inverse = unique_rows(ids)
    ref_rows, ref_inverse = torch.unique(ids, sorted=True, return_inverse=True)
    assert torch.equal(rows, ref_rows)
    assert torch.equal(inverse, ref_inverse)


def test_unique_rows_with_ids_beyond_int32():
    ids = torch.tensor([2**61, 5, 2**61, 0, 2**31, 2**31 - 1])
    rows, inverse = unique_rows(ids)
    assert rows.tolist() == [0, 5, 2**31 - 1, 2**31, 2**61]
    assert torch.equal(rows[inverse], ids)


# ------------------------------------------------------------------ lookup
def test_lookup_values_and_gradient_equal_sparse_embedding():
    torch.manual_seed(0)
    table = torch.nn.Embedding(50, 3, sparse=True)
    ids = torch.tensor([[4, 9, 4], [0, 4, 49]])
    weight = torch.randn(2, 3, 3)
    out = lookup(table, ids)
    assert torch.equal(out, table(ids))
    (out * weight).sum().backward()
    ours = table.weight.grad
    table.weight.grad = None
    (table(ids) * weight).sum().backward()
    theirs = table.weight.grad.coalesce()
    # one row per distinct id, ascending
    assert ours._indices()[0].tolist() == [0, 4, 9, 49]
    torch.testing.assert_close(ours.to_dense(), theirs.to_dense())


def _lookup_gradient(table, ids, upstream):
    table.weight.grad = None
    (lookup(table, ids) * upstream).sum().backward()
    return table.weight.grad


@pytest.mark.parametrize("threads", [1, 2])
def test_lookup_gradient_sums_each_ids_rows_in_position_order(threads):
    # the per-id sums are exactly those of an accumulating index_put_ on one
    # thread (position order), whatever torch's thread count
    g = torch.Generator().manual_seed(0)
    table = torch.nn.Embedding(3000, 11, sparse=True)
    ids = torch.randint(0, 3000, (4096, 26), generator=g) ** 2 // 3000
    upstream = torch.randn(4096, 26, 11, generator=g)
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(threads)
        grad = _lookup_gradient(table, ids, upstream)
        torch.set_num_threads(1)
        rows, inverse = torch.unique(ids.reshape(-1), return_inverse=True)
        expected = torch.zeros(len(rows), 11).index_put_(
            (inverse,), upstream.reshape(-1, 11), accumulate=True
        )
    finally:
        torch.set_num_threads(previous)
    assert torch.equal(grad._indices()[0], rows)
    assert torch.equal(grad._values(), expected)


def test_lookup_gradient_without_row_groups():
    # ids off the CPU take torch.unique's path, with the same gradient
    table = torch.nn.Embedding(8, 2, sparse=True)
    ids = torch.tensor([3, 7, 3, 0])
    upstream = torch.arange(8.0).reshape(4, 2)
    grouped = _lookup_gradient(table, ids, upstream)
    import skfeat.nn._embedding as embedding

    original = embedding._row_groups
    embedding._row_groups = lambda ids, n_rows=None: None
    try:
        ungrouped = _lookup_gradient(table, ids, upstream)
    finally:
        embedding._row_groups = original
    assert torch.equal(grouped._indices(), ungrouped._indices())
    assert torch.equal(grouped._values(), ungrouped._values())
    assert ungrouped._values()[1].tolist() == [0.0 + 4.0, 1.0 + 5.0]  # id 3


@pytest.mark.parametrize("bad", [-1, 8, 2**31 + 3])
def test_lookup_with_an_id_outside_the_table_raises(bad):
    # the grouping takes the table's size as the largest id: an id outside it
    # must still fail, not be grouped as a wrapped int32
    table = torch.nn.Embedding(8, 2, sparse=True)
    with pytest.raises(IndexError):
        lookup(table, torch.tensor([3, bad, 0]))


def test_lookup_is_plain_without_sparse_gradients_or_autograd():
    table = torch.nn.Embedding(10, 2)
    ids = torch.tensor([1, 1, 3])
    table(ids).sum().backward()
    dense = table.weight.grad.clone()
    table.weight.grad = None
    lookup(table, ids).sum().backward()
    assert not table.weight.grad.is_sparse
    assert torch.equal(table.weight.grad, dense)
    sparse_table = torch.nn.Embedding(10, 2, sparse=True)
    with torch.no_grad():
        assert torch.equal(lookup(sparse_table, ids), sparse_table(ids))


def test_field_embedding_sparse_gradient_is_the_dense_one():
    torch.manual_seed(0)
    cat = torch.randint(0, 30, (64, 3))
    grads = []
    for sparse in (False, True):
        torch.manual_seed(1)
        emb = FieldEmbedding([30, 30, 30], 0, 4, sparse=sparse)
        emb(cat, torch.zeros(64, 0)).pow(2).sum().backward()
        g = emb.table.weight.grad
        grads.append(g.to_dense() if g.is_sparse else g)
    torch.testing.assert_close(grads[0], grads[1])


# --------------------------------------------------------------- fused FM
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_fm_logits_equal_plain_interaction_and_gradient(n_outputs):
    torch.manual_seed(0)
    n, m, k = 6, 5, 4
    both = torch.randn(n, m, n_outputs * (1 + k), dtype=torch.float64,
                       requires_grad=True)  # fmt: skip
    plain = both[..., :n_outputs].sum(1) + pairwise_interaction(
        both[..., n_outputs:].reshape(n, m, n_outputs, k)
    )
    fused = fm_logits(both, n_outputs)
    torch.testing.assert_close(fused, plain)
    g = torch.randn_like(plain)
    (ours,) = torch.autograd.grad(fused, both, g)
    (theirs,) = torch.autograd.grad(plain, both, g)
    torch.testing.assert_close(ours, theirs)
    assert torch.autograd.gradcheck(lambda x: fm_logits(x, n_outputs), (both,))


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize(
    "n, m, k", [(4096, 26, 10), (64, 10, 1), (4096, 26, 1), (9, 3, 4)]
)
def test_fm_logits_forward_is_the_plain_expression_bit_for_bit(n, m, k, n_outputs):
    # the fused forward squares the whole tensor and sums the factor columns'
    # slice: the same bits as squaring the slice first, whatever the width
    torch.manual_seed(0)
    both = torch.randn(n, m, n_outputs * (1 + k))
    total = both.sum(dim=1)
    sums = total[:, n_outputs:].view(n, n_outputs, k)
    squares = both[..., n_outputs:].pow(2).sum(dim=1).view(n, n_outputs, k)
    expected = total[:, :n_outputs] + 0.5 * (sums.pow(2) - squares).sum(dim=-1)
    assert torch.equal(fm_logits(both, n_outputs), expected)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("n, m, k", [(4096, 26, 10), (7, 1, 3)])
def test_fm_logits_gradient_is_the_broadcast_formula_bit_for_bit(n, m, k, n_outputs):
    # the backward copies s g out to every field first: it must give the bits
    # of the broadcast formula s g - v_i g over (n, 1, C + C k)
    torch.manual_seed(0)
    both = torch.randn(n, m, n_outputs * (1 + k), requires_grad=True)
    g = torch.randn(n, n_outputs)
    (ours,) = torch.autograd.grad(fm_logits(both, n_outputs), both, g)
    scale = torch.cat([g, g.repeat_interleave(k, dim=1)], dim=1).unsqueeze(1)
    total = both.detach().sum(dim=1)
    expected = torch.addcmul(total.unsqueeze(1) * scale, both.detach(), scale, value=-1)
    expected[..., :n_outputs] = scale[..., :n_outputs]
    assert torch.equal(ours, expected)


@pytest.mark.parametrize(
    "n, m, n_outputs, k", [(64, 26, 1, 10), (9, 3, 3, 2), (5, 1, 1, 3)]
)
def test_fm_factors_gradient_equals_autograd_s_bit_for_bit(n, m, n_outputs, k):
    # DeepFM's fused path: the factors' gradient added in the FM's backward
    # must give the same bits as autograd summing the slice's gradient
    torch.manual_seed(0)
    both = torch.randn(n, m, n_outputs * (1 + k), requires_grad=True)
    mlp = torch.nn.Sequential(
        torch.nn.Linear(m * n_outputs * k, 8), torch.nn.ReLU(),
        torch.nn.Linear(8, n_outputs),
    )  # fmt: skip
    g = torch.randn(n, n_outputs)
    plain = fm_logits(both, n_outputs) + mlp(both[..., n_outputs:].reshape(n, -1))
    (theirs,) = torch.autograd.grad(plain, both, g)
    pairs, factors = fm_logits(both, n_outputs, with_factors=True)
    assert factors.is_contiguous() and factors.data_ptr() != both.data_ptr()
    fused = pairs + mlp(factors)
    (ours,) = torch.autograd.grad(fused, both, g, retain_graph=True)
    assert torch.equal(fused, plain)
    assert torch.equal(ours, theirs)
    # the factors alone: the first-order columns get no gradient from them
    (only,) = torch.autograd.grad(factors.sum(), both)
    assert torch.equal(only[..., :n_outputs], torch.zeros(n, m, n_outputs))
    assert torch.equal(only[..., n_outputs:], torch.ones(n, m, n_outputs * k))


def test_fm_module_trains_the_same_with_sparse_gradients():
    cat = torch.randint(0, 20, (32, 3))
    num = torch.randn(32, 2)
    y = torch.rand(32).round()
    out = {}
    for sparse in (False, True):
        torch.manual_seed(0)
        fm = FM([20, 20, 20], 2, 4, sparse=sparse).train()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(fm(cat, num), y)
        loss.backward()
        g = fm.embedding.table.weight.grad
        out[sparse] = (loss.detach(), g.to_dense() if g.is_sparse else g,
                       fm.embedding.numeric.grad, fm.bias.grad)  # fmt: skip
    for a, b in zip(out[False], out[True], strict=True):
        torch.testing.assert_close(a, b)


# --------------------------------------------------------------- optimizer
def _reference_step(p, state, rows, grad_rows, method, lr, wd, betas=(0.9, 0.999),
                    eps=1e-8):  # fmt: skip
    """The lazy rules written row by row in float64, for the touched rows."""
    p = p.double().clone()
    for r, g in zip(rows.tolist(), grad_rows.double(), strict=True):
        w = p[r].clone()
        if method == "adamw":
            w = w * (1 - lr * wd)
        elif wd:
            g = g + wd * w
        if method == "sgd":
            p[r] = w - lr * g
        elif method == "adagrad":
            state.setdefault("sum", torch.zeros(p.shape[0], dtype=torch.float64))
            state["sum"][r] += (g**2).mean()
            p[r] = w - lr * g / (state["sum"][r].sqrt() + eps)
        else:
            t = state["t"]
            m = state["m"][r] = betas[0] * state["m"][r] + (1 - betas[0]) * g
            v = state["v"][r] = betas[1] * state["v"][r] + (1 - betas[1]) * g * g
            denom = (v / (1 - betas[1] ** t)).sqrt() + eps
            p[r] = w - lr / (1 - betas[0] ** t) * m / denom
    return p


@pytest.mark.parametrize("method", ["adam", "adamw", "adagrad", "sgd"])
def test_lazy_steps_equal_reference_on_touched_rows(method):
    torch.manual_seed(0)
    weight = torch.nn.Parameter(torch.randn(12, 3))
    opt = RowSparseOptimizer([weight], lr=0.1, method=method, weight_decay=0.05)
    ref = weight.detach().double().clone()
    state = {"m": torch.zeros(12, 3, dtype=torch.float64),
             "v": torch.zeros(12, 3, dtype=torch.float64)}  # fmt: skip
    # duplicate rows: the optimizer sums them, as the reference does
    batches = [[3, 7, 3], [7, 11], [0, 3]]
    for t, ids in enumerate(batches, start=1):
        values = torch.randn(len(ids), 3)
        weight.grad = torch.sparse_coo_tensor(torch.tensor([ids]), values, (12, 3))
        opt.step()
        summed = weight.grad.coalesce()
        state["t"] = t
        ref = _reference_step(ref, state, summed.indices()[0], summed.values(),
                              method, 0.1, 0.05)  # fmt: skip
        torch.testing.assert_close(weight.detach().double(), ref, rtol=1e-5,
                                   atol=1e-6)  # fmt: skip
    untouched = [1, 2, 4, 5, 6, 8, 9, 10]
    torch.manual_seed(0)
    assert torch.equal(weight.detach()[untouched], torch.randn(12, 3)[untouched])


@pytest.mark.parametrize("method", ["adam", "adamw"])
def test_dense_adam_steps_equal_the_rule_per_tensor_bit_for_bit(method):
    # the dense parameters are updated together (torch's _foreach calls); each
    # must get the bits of the rule applied to it alone, whatever its step count
    torch.manual_seed(0)
    shapes = [(5, 4), (4,), (4, 1), (1,)]
    params = [torch.nn.Parameter(torch.randn(shape)) for shape in shapes]
    groups = [{"params": params[:3]}, {"params": params[3:], "weight_decay": 0.0}]
    opt = RowSparseOptimizer(groups, lr=0.05, method=method, weight_decay=0.1)
    ref = [p.detach().clone() for p in params]
    m = [torch.zeros_like(p) for p in ref]
    v = [torch.zeros_like(p) for p in ref]
    steps = [0] * len(ref)
    for t in range(4):
        for i, p in enumerate(params):
            # the second parameter skips the first step: two step counts at once
            p.grad = None if (i == 1 and t == 0) else torch.randn(p.shape)
        opt.step()
        for i, p in enumerate(params):
            if p.grad is None:
                continue
            wd = 0.1 if i < 3 else 0.0
            grad = p.grad
            if method == "adamw":
                ref[i].mul_(1 - 0.05 * wd)
            else:
                grad = grad.add(ref[i], alpha=wd)
            steps[i] += 1
            m[i].mul_(0.9).add_(grad, alpha=0.1)
            v[i].mul_(0.999).addcmul_(grad, grad, value=1 - 0.999)
            denom = (v[i] / (1 - 0.999 ** steps[i])).sqrt_().add_(1e-8)
            ref[i].addcdiv_(m[i], denom, value=-0.05 / (1 - 0.9 ** steps[i]))
        for i, p in enumerate(params):
            assert torch.equal(p.detach(), ref[i]), (t, i)
    assert [float(opt.state[p]["step"]) for p in params] == [4.0, 3.0, 4.0, 4.0]


def test_coalesced_sets_the_flag_or_sums_duplicates():
    ordered = torch.sparse_coo_tensor(torch.tensor([[1, 4, 6]]), torch.ones(3, 2),
                                      (8, 2))  # fmt: skip
    assert not ordered.is_coalesced()
    assert coalesced(ordered) is ordered and ordered.is_coalesced()
    repeated = torch.sparse_coo_tensor(torch.tensor([[4, 1, 4]]), torch.ones(3, 2),
                                       (8, 2))  # fmt: skip
    out = coalesced(repeated)
    assert out.is_coalesced() and out._indices()[0].tolist() == [1, 4]
    assert out._values()[1].tolist() == [2.0, 2.0]


def test_sparse_clipping_uses_the_norm_of_the_summed_gradient():
    weight = torch.nn.Parameter(torch.zeros(8, 2))
    bias = torch.nn.Parameter(torch.zeros(2))
    weight.grad = torch.sparse_coo_tensor(torch.tensor([[2, 5, 2]]),
                                          torch.full((3, 2), 3.0), (8, 2))  # fmt: skip
    bias.grad = torch.full((2,), 4.0)
    dense_norm = torch.cat([weight.grad.to_dense().ravel(), bias.grad]).norm()
    clip = _SparseAwareGradientNormClipping(gradient_clip_value=1.0)
    clip.on_grad_computed(None, [("w", weight), ("b", bias)])
    total = torch.cat([weight.grad.to_dense().ravel(), bias.grad]).norm()
    assert dense_norm.item() > 1
    assert total.item() == pytest.approx(1.0, rel=1e-5)


# ---------------------------------------------------------------- encoding
def _frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    words = np.array(["a", "bb", "c", "dd", "e", "ff"], dtype=object)
    text = words[rng.integers(0, 6, n)].astype(object)
    text[rng.random(n) < 0.1] = None
    ints = rng.integers(0, 40, n)
    nullable = pd.array(rng.integers(0, 9, n), dtype="Int64")
    nullable[rng.random(n) < 0.1] = pd.NA
    return pd.DataFrame({
        "text": pd.array(text, dtype="str"),
        "code": ints,
        "nullable": nullable,
        "cat": pd.Categorical(words[rng.integers(0, 5, n)]),
    })  # fmt: skip


def _encoder(X):
    return FieldEncoder(np.ones(X.shape[1], dtype=bool), list(X.columns), None)


def test_factorised_encoding_equals_the_general_path():
    X = _frame()
    as_object = X.astype(object)  # object columns take the general path
    fast, general = _encoder(X).fit(X), _encoder(as_object).fit(as_object)
    for a, b in zip(fast.ordinal_.categories_, general.ordinal_.categories_,
                    strict=True):  # fmt: skip
        assert a.dtype == b.dtype and len(a) == len(b)
        assert all((x is y) or x == y or (x != x and y != y)
                   for x, y in zip(a, b, strict=True))  # fmt: skip
    assert fast.schema_.cardinalities == general.schema_.cardinalities
    assert fast.category_kinds_ == general.category_kinds_
    # other rows (enough to be factorised): unseen and missing values
    new = _frame(FACTORIZE_MIN_ROWS + 300, seed=1)
    new.loc[0, "text"] = "never seen"
    new.loc[1, "code"] = 10_000
    ours = fast.transform(new)["cat"]
    theirs = fast.transform(new.astype(object))["cat"]
    assert np.array_equal(ours, theirs)
    assert np.array_equal(ours, general.transform(new.astype(object))["cat"])
    assert ours[0, 0] == 1 and ours[1, 1] == 1  # the unknown id
    assert (ours[new["text"].isna().to_numpy(), 0] == 0).all()  # the missing id


def test_factorised_categories_sort_as_ordinal_encoder_does():
    # the typed columns' own sorts (arrow's for arrow text) against the
    # general path (OrdinalEncoder) on the same values as Python objects: code
    # point order for text (case, accents, astral characters, the empty
    # string), numeric order for integers (negative, beyond int64 as uint64)
    words = ["b", "a", "Z", "é", "e", "ä", "\U0001f600", "", "aa", "A", "ß"]
    rng = np.random.default_rng(3)
    n = 600
    pick = rng.integers(0, len(words), n)
    X = pd.DataFrame({
        "arrow": pd.array([words[k] for k in pick], dtype="str"),
        "python": pd.array([words[k] for k in pick[::-1]],
                           dtype=pd.StringDtype("python")),
        "signed": rng.integers(-50, 50, n),
        "wide": (rng.integers(0, 7, n).astype(np.uint64) + np.uint64(2**63)),
        "nullable": pd.array(rng.integers(-5, 5, n), dtype="Int64"),
        "missing": pd.array([None] * n, dtype="str"),
    })  # fmt: skip
    X.loc[::17, "arrow"] = None
    X.loc[::19, "nullable"] = pd.NA
    enc = _encoder(X).fit(X)
    as_object = X.astype(object)
    reference = _encoder(as_object).fit(as_object).ordinal_
    for ours, theirs in zip(enc.ordinal_.categories_, reference.categories_,
                            strict=True):  # fmt: skip
        assert len(ours) == len(theirs)
        assert all((x == y) or (x != x and y != y)
                   for x, y in zip(ours, theirs, strict=True))  # fmt: skip
    # and the ids of the fitted frame are those of the general path
    assert np.array_equal(enc.transform(X)["cat"],
                          enc.transform(X.astype(object))["cat"])  # fmt: skip


def test_the_fitted_frames_codes_are_reused_once_and_never_saved():
    import pickle

    from skfeat._fields._encoder import _FILL_BLOCK_ROWS

    X = _frame(2 * _FILL_BLOCK_ROWS + 5, seed=4)  # over two blocks of rows
    enc = _encoder(X).fit(X)
    assert "_fit_codes" in enc.__dict__
    assert "_fit_codes" not in pickle.loads(pickle.dumps(enc)).__dict__
    reused = enc.transform(X)["cat"]
    assert "_fit_codes" not in enc.__dict__
    assert np.array_equal(reused, enc.transform(X)["cat"])  # factorised again
    assert np.array_equal(reused, enc.transform(X.astype(object))["cat"])
    # a transform of another frame drops the kept codes without using them
    enc.fit(X)
    other = X.iloc[::-1].reset_index(drop=True)
    assert np.array_equal(enc.transform(other)["cat"], reused[::-1])
    assert "_fit_codes" not in enc.__dict__


def test_arrow_text_in_several_chunks_encodes_as_in_one():
    # arrow's codes are taken as they are: with several chunks (each with its
    # own values), missing values in each, the ids are those of
    # the same values in one chunk and of the general path
    import pyarrow as pa

    words = np.array(["b", "a", "é", "cc", "a b", ""], dtype=object)
    rng = np.random.default_rng(5)
    parts = []
    for k in range(3):
        values = words[rng.integers(0, len(words) - k, 700)].tolist()
        values[k::11] = [None] * len(values[k::11])
        parts.append(pa.array(values, type=pa.string()))
    chunked = pd.arrays.ArrowStringArray(pa.chunked_array(parts))
    X = pd.DataFrame({"t": pd.Series(chunked), "n": rng.integers(0, 3, 2100)})
    assert X["t"].array.__arrow_array__().num_chunks == 3
    one = X.assign(t=pd.array(X["t"].tolist(), dtype="str"))
    enc = _encoder(X).fit(X)
    assert "_fit_kinds" not in enc.__dict__  # taken by the schema, not kept
    reference = _encoder(X.astype(object)).fit(X.astype(object))
    assert enc.category_kinds_ == reference.category_kinds_ == ["string", "integer"]
    ids = enc.transform(X)["cat"]
    assert ids.dtype == np.int64 and ids.flags.c_contiguous
    assert np.array_equal(ids, reference.transform(X.astype(object))["cat"])
    assert np.array_equal(ids, enc.transform(one)["cat"])
    assert (ids[X["t"].isna().to_numpy(), 0] == 0).all()


def test_factorised_transform_still_matches_a_changed_kind():
    X = pd.DataFrame({"code": pd.array(["3", "5", "3"], dtype="str")})
    enc = _encoder(X).fit(X)
    reps = FACTORIZE_MIN_ROWS  # enough rows to take the factorised path
    with pytest.warns(UserWarning, match="matched through their text"):
        ids = enc.transform(pd.DataFrame({"code": [5, 3, 7] * reps}))["cat"][:, 0]
    expected = enc.transform(X.iloc[[1, 0]])["cat"][:, 0].tolist() + [1]
    assert ids.tolist() == expected * reps


def test_a_few_rows_take_the_lookup_and_give_the_same_ids():
    X = _frame()
    enc = _encoder(X).fit(X)
    new = _frame(FACTORIZE_MIN_ROWS + 10, seed=2)
    whole = enc.transform(new)["cat"]  # factorised
    for start in (0, 7, 500):
        few = enc.transform(new.iloc[start : start + 3])["cat"]  # looked up
        assert np.array_equal(few, whole[start : start + 3])


def test_categorical_columns_map_their_codes_to_the_same_ids():
    X = _frame()
    enc = _encoder(X).fit(X)
    new = _frame(FACTORIZE_MIN_ROWS + 10, seed=3)
    # categories in another order, an unseen one, and a missing value
    words = ["ff", "zz", "a", "bb", "c", "dd", "e"]
    new["cat"] = pd.Categorical(new["cat"].astype(object), categories=words)
    new.loc[2, "cat"] = "zz"
    new.loc[3, "cat"] = np.nan
    general = enc.transform(new.astype(object))["cat"]
    for rows in (slice(0, 1), slice(0, 5), slice(None)):
        got = enc.transform(new.iloc[rows])["cat"]
        assert np.array_equal(got, general[rows])
    # the unknown id; missing values were not seen in fit: the unknown id too
    assert general[2, 3] == 1 and general[3, 3] == enc._lookup_tables()[3][2] == 1
    # a frame with other categories objects: looked up again, not reused
    kept = new["cat"].astype(object).where(new["cat"].isin(["e", "a"]))
    other = new.assign(cat=pd.Categorical(kept, categories=["e", "a"]))
    assert np.array_equal(
        enc.transform(other)["cat"], enc.transform(other.astype(object))["cat"]
    )
    # integer categories of a column fitted on text: matched through the text
    ints = pd.DataFrame({"code": pd.Categorical([3, 5, 7])})
    codes = _encoder(ints.astype(str)).fit(ints.astype(str))
    with pytest.warns(UserWarning, match="matched through their text"):
        got = codes.transform(ints)["cat"]
    assert np.array_equal(got, codes.transform(ints.astype(str))["cat"])


@pytest.mark.parametrize("n", [1, 3, 32, 33, 200])
def test_value_by_value_lookup_gives_the_batch_lookups_ids(n):
    # up to SMALL_LOOKUP_ROWS values are probed one at a time: the same ids as
    # one Index.get_indexer call (3 == 3.0, booleans, missing and unseen values)
    from skfeat._fields._encoder import SMALL_LOOKUP_ROWS

    fit = pd.DataFrame({"i": pd.Series([1, 2, 3, 3, 5], dtype=object),
                        "s": pd.Series(["a", "b", None, "c", "a"], dtype=object)})
    enc = _encoder(fit).fit(fit)
    rng = np.random.default_rng(n)
    pool_i = np.array([1, 2, 3, 3.0, 5.0, 7, None, np.nan, True, pd.NA], dtype=object)
    pool_s = np.array(["a", "b", "c", "zz", None, np.nan, pd.NA, ""], dtype=object)
    values = np.column_stack([pool_i[rng.integers(0, len(pool_i), n)],
                              pool_s[rng.integers(0, len(pool_s), n)]])  # fmt: skip
    tables = enc._lookup_tables()
    for k in range(2):
        got = enc._lookup_column(values[:, k], k)
        index, ids, missing_id, unknown_id = tables[k]
        pos = index.get_indexer(values[:, k])
        expected = np.where(pos >= 0, ids[pos], unknown_id)
        expected[pd.isna(values[:, k])] = missing_id
        assert np.array_equal(got, expected), (k, values[:, k])
    assert SMALL_LOOKUP_ROWS == 32


# ------------------------------------------------------------------- auto
def test_auto_turns_sparse_gradients_on_for_a_large_vocabulary():
    n = SPARSE_GRADIENTS_MIN_ROWS + 10
    X = pd.DataFrame({"id": pd.array(np.arange(n).astype(str), dtype="str")})
    y = np.arange(n) % 2
    kw = dict(max_epochs=1, early_stopping=False, batch_size=4096, random_state=0)
    big = FMClassifier(**kw).fit(X, y)
    assert big._sparse_gradients_
    assert isinstance(big.net_.optimizer_, RowSparseOptimizer)
    small = FMClassifier(**kw).fit(X.iloc[:5000], y[:5000])
    assert not small._sparse_gradients_


@pytest.mark.parametrize("bf16", [False, True])
def test_deepfm_module_trains_the_same_with_sparse_gradients(bf16, monkeypatch):
    import skfeat.nn._deep
    from skfeat.nn import DeepFM

    monkeypatch.setattr(skfeat.nn._deep, "_BF16_LARGE_TABLES", bf16)
    cat = torch.randint(0, 20, (32, 3))
    num = torch.randn(32, 1)
    y = torch.rand(32).round()
    out = {}
    for sparse in (False, True):
        torch.manual_seed(0)
        model = DeepFM([20, 20, 20], 1, 4, [8], sparse=sparse).train()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            model(cat, num), y
        )
        loss.backward()
        g = model.fm.embedding.table.weight.grad
        out[sparse] = [loss.detach(), g.to_dense() if g.is_sparse else g] + [
            p.grad for name, p in model.named_parameters() if "table" not in name
        ]
    # bfloat16 products (where the CPU has them) round to about 3 digits
    tol = dict(rtol=2e-2, atol=2e-3) if bf16 else {}
    for a, b in zip(out[False], out[True], strict=True):
        torch.testing.assert_close(a, b, **tol)


def test_private_fit_with_sparse_gradients_trains():
    pytest.importorskip("opacus")
    from skfeat.privacy import fit_private

    X = pd.DataFrame({"a": pd.array(np.arange(300).astype(str), dtype="str"),
                      "b": pd.array((np.arange(300) % 7).astype(str), dtype="str")})
    y = np.arange(300) % 2
    clf = FMClassifier(sparse_gradients=True, max_epochs=1, random_state=0,
                       early_stopping=False)  # fmt: skip
    fit_private(clf, X, y, target_epsilon=5.0)
    assert np.isfinite(clf.predict_proba(X)).all()


# ---------------------------------------------------------------- memory
_STEP_BUFFER_PROBE = r"""
import resource, torch
from skfeat.utils._allocator import keep_step_buffers_on_the_heap

def faults(nbytes, times):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(times):
        buffer = torch.empty(nbytes, dtype=torch.uint8)
        buffer.fill_(1)
        del buffer
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

size = 24 << 20
print(faults(size, 10))
keep_step_buffers_on_the_heap()
faults(size, 1)  # the heap grows once
print(faults(size, 10))
"""


@pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="glibc's dynamic mmap threshold"
)
def test_step_buffers_stop_faulting_in_fresh_pages():
    # any malloc setting (dask's nanny sets MALLOC_TRIM_THRESHOLD_ in the
    # process that starts its workers) turns glibc's dynamic threshold off
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"
    }  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", _STEP_BUFFER_PROBE],
        capture_output=True, text=True, check=True, timeout=120, env=env,
    )  # fmt: skip
    before, after = (int(v) for v in out.stdout.split())
    if before < 10 * 1000:  # 24 MiB is 6,144 pages of 4 KiB
        pytest.skip(f"the allocator already reused its pages ({before} faults)")
    assert after < before / 20, (before, after)


def test_arrow_text_statistics_equal_those_of_the_values_as_objects():
    # a FileSource's statistics count an arrow text column with arrow: the same
    # counts, in the same order, the same missing rows, and the same encoder
    # (categories sorted without OrdinalEncoder) as for the values as objects
    from skfeat._fields._stats import FieldStatistics

    def stats(frames):
        first = frames[0]
        out = FieldStatistics.for_frame(
            first, list(first.columns), None, categorical_features="all",
            encoding="vocabulary", numeric_bins=None, classifier=True, seed=0,
        )  # fmt: skip
        for frame in frames:
            out.update(frame, np.zeros(len(frame)))
        return out

    blocks = [_frame(500, seed=s)[["text"]] for s in (6, 7)]
    blocks[1].loc[3, "text"] = "only in the second block"
    fast = stats(blocks)
    slow = stats([b.astype(object) for b in blocks])
    ours, theirs = fast.value_counts(0), slow.value_counts(0)
    assert ours.index.tolist() == theirs.index.tolist()
    assert ours.tolist() == theirs.tolist() and ours.index.dtype == theirs.index.dtype
    assert fast.missing.tolist() == slow.missing.tolist() != [0]
    assert fast.missing_kept.tolist() == slow.missing_kept.tolist()
    # the categories a streamed fit then sorts without OrdinalEncoder
    from sklearn.preprocessing import OrdinalEncoder

    values = np.append(np.asarray(ours.index, dtype=object), np.nan)
    enc = _encoder(blocks[0]).fit_categories(blocks[0].iloc[:1], [values])
    reference = OrdinalEncoder().fit(values[:, None]).categories_[0]
    got = enc.ordinal_.categories_[0]
    assert got.dtype == reference.dtype == object and len(got) == len(reference)
    assert got[:-1].tolist() == reference[:-1].tolist()
    assert np.isnan(got[-1]) and np.isnan(reference[-1])


@pytest.mark.parametrize("weighted", [False, True])
def test_id_counts_block_by_block_equal_one_bincount(weighted, monkeypatch):
    import skfeat.models._untrained as untrained

    card = [5, 3, 7]
    gen = torch.Generator().manual_seed(0)
    cat = torch.stack([torch.randint(0, c, (1000,), generator=gen) for c in card], 1)
    weight = torch.rand(1000, generator=gen) if weighted else None
    offsets = torch.tensor([0, 5, 8])
    expected = torch.bincount(
        (cat + offsets).reshape(-1), minlength=15,
        weights=None if weight is None else weight.double().repeat_interleave(3),
    ).double()  # fmt: skip
    monkeypatch.setattr(untrained, "_COUNT_BLOCK_IDS", 30)  # 100 blocks
    counts = untrained.count_ids(cat, card, weight)
    assert np.array_equal(counts, expected.numpy())


def test_a_large_id_table_is_a_plain_writable_int64_array():
    from skfeat._fields._ids import empty_id_table

    table = empty_id_table(200_000, 26)  # 41.6 MB: allocated by torch
    assert table.dtype == np.int64 and table.shape == (200_000, 26)
    assert table.flags.c_contiguous and table.flags.writeable
    table[-1, -1] = 7
    assert torch.from_numpy(table)[-1, -1] == 7
