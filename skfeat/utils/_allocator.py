"""Training steps that reuse their memory instead of mapping fresh pages each step.

glibc's ``malloc`` serves a request above its *mmap threshold* (128 KiB when a
process starts) with a fresh mapping, unmapped again on ``free``; it raises the
threshold to the size of any mapped chunk that is freed, up to 32 MiB
(``mallopt(3)``, "dynamic mmap threshold"), after which requests up to that size
come from the heap, whose pages stay in place. A training step allocates and
frees tensors of a few MiB (a DeepFM batch of 4,096 rows of 26 fields: 4 MiB of
embeddings, as much again of MLP activations). Until the process happens to free a
mapped chunk that large, every step maps them afresh and faults in every page
again, depending only on what the process happened to free before ``fit``: about
2,300 page faults per DeepFM step at the Criteo shape of
``benchmarks/bench_throughput.py`` (which counts them), and 14 % fewer rows per
second, on the benchmark machine.
"""

import torch

#: just under glibc's ceiling for the dynamic threshold (32 MiB on 64-bit), so
#: that the freed chunk, with its header, still raises it
_STEP_BUFFER_BYTES = 31 << 20


def keep_step_buffers_on_the_heap():
    """Raise glibc's mmap threshold once, so that step buffers reuse heap pages.

    Allocates one chunk of 31 MiB and frees it untouched: no page is written,
    so it costs microseconds. With glibc, later allocations up to that size come
    from the heap (the process keeps up to about twice that much freed memory
    for reuse rather than returning it at once). With another allocator, or
    where a malloc setting turned the dynamic threshold off (any of
    ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_TOP_PAD_``
    or ``MALLOC_MMAP_MAX_``; dask's nanny sets ``MALLOC_TRIM_THRESHOLD_`` for
    its workers), nothing changes: there, ``MALLOC_MMAP_THRESHOLD_=33554432``
    and ``MALLOC_TRIM_THRESHOLD_=67108864`` in the workers' environment keep the
    buffers (a low trim threshold alone hands the heap's freed top back at
    every step).

    Examples
    --------
    >>> from skfeat.utils._allocator import keep_step_buffers_on_the_heap
    >>> keep_step_buffers_on_the_heap()
    """
    buffer = torch.empty(_STEP_BUFFER_BYTES, dtype=torch.uint8)
    del buffer
