"""The web: a columnar store of items grown by doubling (model/web.py)."""

import numpy as np
import pytest

from model import metrics
from model.web import AI, ARCHIVE_AUTHOR, ASSISTED, HUMAN, Items, Web

DIM = 3


def batch(rng, n, step=0):
    """A random batch of ``n`` items with every column varying."""
    return Items.make(
        rng.integers(0, 50, n),
        rng.normal(size=(n, DIM)) + step,
        source=rng.integers(0, 3, n),
        author=rng.integers(-1, 20, n),
        depth=rng.random(n) * 3,
        watermark=rng.random(n) < 0.3,
        signed=rng.random(n) < 0.4,
    )


@pytest.fixture
def filled():
    """A web with small initial capacity and steps 0..7 of varying sizes (step 3 empty, step 5 skipped)."""
    rng = np.random.default_rng(0)
    web = Web(DIM, capacity=4)
    batches = {}
    for step, n in [(0, 37), (1, 5), (2, 1), (3, 0), (4, 12), (6, 300), (7, 2)]:
        b = batch(rng, n, step)
        web.append(b, step)
        batches[step] = b
    return web, batches


def expected_rows(batches, first, last):
    """Brute force: the concatenation of the batches of steps first..last."""
    parts = [b for s, b in sorted(batches.items()) if first <= s <= last]
    return Items.concat(parts) if parts else None


# -- Items ------------------------------------------------------------------------------
def test_items_make_broadcasts_scalars_and_sets_dtypes():
    items = Items.make([1, 2, 3], np.zeros((3, 2)), source=AI, author=4, depth=1.5)
    assert len(items) == 3
    np.testing.assert_array_equal(items.source, [AI] * 3)
    np.testing.assert_array_equal(items.author, [4] * 3)
    np.testing.assert_array_equal(items.depth, [1.5] * 3)
    assert not items.watermark.any() and not items.signed.any()
    assert items.vec.dtype == np.float32 and items.source.dtype == np.int8 and items.idea.dtype == np.int64


def test_items_concat_and_empty():
    a = Items.make([1], np.ones((1, 2)), source=HUMAN, author=ARCHIVE_AUTHOR, depth=0.0)
    b = Items.make([2, 3], np.zeros((2, 2)), source=ASSISTED, author=[5, 6], depth=[1.0, 2.0], signed=True)
    c = Items.concat([a, b])
    np.testing.assert_array_equal(c.idea, [1, 2, 3])
    np.testing.assert_array_equal(c.author, [ARCHIVE_AUTHOR, 5, 6])
    np.testing.assert_array_equal(c.signed, [False, True, True])
    assert c.vec.shape == (3, 2)
    e = Items.empty(4)
    assert len(e) == 0 and e.vec.shape == (0, 4)


# -- append / grow ------------------------------------------------------------------
def test_append_grows_by_doubling_and_keeps_every_row(filled):
    web, batches = filled
    n = sum(len(b) for b in batches.values())
    assert len(web) == web.n == n
    everything = Items.concat(list(batches.values()))
    np.testing.assert_array_equal(web.idea, everything.idea)
    np.testing.assert_array_equal(web.vec, everything.vec)
    np.testing.assert_array_equal(web.source, everything.source)
    np.testing.assert_array_equal(web.author, everything.author)
    np.testing.assert_array_equal(web.depth, everything.depth)
    np.testing.assert_array_equal(web.watermark, everything.watermark)
    np.testing.assert_array_equal(web.signed, everything.signed)
    np.testing.assert_array_equal(web.step, np.repeat(list(batches), [len(b) for b in batches.values()]))
    # doubling from 4: the capacity is the smallest 4 * 2**k holding every row
    capacity = len(web._vec)
    assert capacity >= n and capacity // 2 < n
    assert capacity / 4 == 2 ** int(np.log2(capacity / 4))
    assert all(len(col) == capacity for col in web._cols.values())


def test_growth_keeps_rows_across_many_small_appends():
    rng = np.random.default_rng(1)
    web = Web(DIM, capacity=1)
    parts = []
    for step in range(40):
        b = batch(rng, int(rng.integers(0, 9)), step)
        parts.append(b)
        web.append(b, step)
        allv = Items.concat(parts)
        np.testing.assert_array_equal(web.idea, allv.idea)
        np.testing.assert_array_equal(web.vec, allv.vec)
    assert web.steps_published == 40


def test_source_totals_count_every_row(filled):
    web, _ = filled
    np.testing.assert_array_equal(web.source_totals, np.bincount(web.source, minlength=3))


def test_columns_are_views_of_the_filled_rows_only(filled):
    web, _ = filled
    for name in ("idea", "source", "author", "depth", "step", "watermark", "signed"):
        assert len(getattr(web, name)) == web.n
    assert web.vec.shape == (web.n, DIM)


def test_steps_published_counts_empty_and_skipped_steps(filled):
    web, _ = filled
    assert web.steps_published == 8  # steps 0..7, step 3 empty and step 5 never appended


# -- rows ---------------------------------------------------------------------------------
@pytest.mark.parametrize("first, last", [(0, 0), (0, 7), (1, 1), (1, 2), (2, 4), (3, 3), (5, 5), (4, 6), (6, 7), (7, 7), (5, 100), (-3, 1), (8, 9), (4, 2)])
def test_rows_is_the_range_of_the_steps(filled, first, last):
    web, batches = filled
    lo, hi = web.rows(first, last)
    assert 0 <= lo <= hi <= web.n
    steps = web.step[lo:hi]
    expected = expected_rows(batches, first, last)
    if expected is None:
        assert hi == lo
    else:
        np.testing.assert_array_equal(web.idea[lo:hi], expected.idea)
        np.testing.assert_array_equal(steps, web.step[(web.step >= first) & (web.step <= last)])
    # brute force on the step column
    mask = (web.step >= first) & (web.step <= last)
    assert hi - lo == mask.sum()


def test_rows_of_a_range_ending_before_step_zero_is_empty(filled):
    web, _ = filled
    lo, hi = web.rows(0, -2)
    assert hi == lo
    assert web.window_sources(0, -2).sum() == 0


# -- window statistics --------------------------------------------------------------
@pytest.mark.parametrize("first, last", [(0, 0), (0, 7), (1, 4), (3, 3), (5, 5), (2, 6), (6, 7), (-2, 2), (4, 50)])
def test_window_sources_match_brute_force(filled, first, last):
    web, _ = filled
    mask = (web.step >= first) & (web.step <= last)
    np.testing.assert_array_equal(web.window_sources(first, last), np.bincount(web.source[mask], minlength=3))


@pytest.mark.parametrize("first, last", [(0, 0), (0, 7), (1, 4), (1, 1), (4, 7), (6, 6), (-2, 2), (2, 50)])
def test_window_dispersion_matches_brute_force(filled, first, last):
    web, _ = filled
    mask = (web.step >= first) & (web.step <= last)
    assert web.window_dispersion(first, last) == pytest.approx(metrics.dispersion(web.vec[mask]), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("first, last", [(3, 3), (5, 5), (9, 12), (4, 2)])
def test_window_dispersion_of_an_empty_window_is_nan(filled, first, last):
    web, _ = filled
    assert np.isnan(web.window_dispersion(first, last))


def test_window_dispersion_of_one_item_is_zero(filled):
    web, _ = filled
    assert web.window_dispersion(2, 2) == pytest.approx(0.0, abs=1e-9)


# -- signed_rows --------------------------------------------------------------------------
@pytest.mark.parametrize("lo, hi", [(0, 10**9), (0, 0), (0, 37), (37, 42), (10, 11), (50, 300), (200, 357), (356, 357)])
def test_signed_rows_match_brute_force(filled, lo, hi):
    web, _ = filled
    hi_c = min(hi, web.n)
    expected = np.flatnonzero(web.signed[lo:hi_c]) + lo if hi_c > lo else np.zeros(0, np.int64)
    np.testing.assert_array_equal(web.signed_rows(lo, hi), expected)


def test_signed_rows_survive_growth_of_their_index():
    web = Web(1, capacity=2)
    for step in range(5):  # 5 * 200 = 1000 signed rows > the initial 256 slots
        n = 200
        web.append(Items.make(np.zeros(n, np.int64), np.zeros((n, 1)), source=HUMAN, author=0, depth=0.0, signed=np.arange(n) % 2 == 0), step)
    np.testing.assert_array_equal(web.signed_rows(0, web.n), np.flatnonzero(web.signed))
    assert len(web.signed_rows(0, web.n)) == 500


# -- take ---------------------------------------------------------------------------------
def test_take_returns_the_rows(filled):
    web, _ = filled
    rows = np.array([0, 5, 36, 37, 100, web.n - 1, 5])
    items = web.take(rows)
    assert len(items) == len(rows)
    np.testing.assert_array_equal(items.idea, web.idea[rows])
    np.testing.assert_array_equal(items.vec, web.vec[rows])
    np.testing.assert_array_equal(items.source, web.source[rows])
    np.testing.assert_array_equal(items.author, web.author[rows])
    np.testing.assert_array_equal(items.depth, web.depth[rows])
    np.testing.assert_array_equal(items.watermark, web.watermark[rows])
    np.testing.assert_array_equal(items.signed, web.signed[rows])
    assert items.idea.dtype == np.int64 and items.author.dtype == np.int64


def test_take_returns_copies(filled):
    web, _ = filled
    rows = np.array([1, 2, 3])
    before = web.vec[rows].copy(), web.idea[rows].copy(), web.source[rows].copy()
    items = web.take(rows)
    items.vec[:] = 99.0
    items.idea[:] = 99
    items.source[:] = AI if before[2][0] != AI else HUMAN
    items.depth[:] = -5
    np.testing.assert_array_equal(web.vec[rows], before[0])
    np.testing.assert_array_equal(web.idea[rows], before[1])
    np.testing.assert_array_equal(web.source[rows], before[2])
    assert (web.depth[rows] != -5).all()


def test_take_of_no_rows_is_empty(filled):
    web, _ = filled
    items = web.take(np.zeros(0, np.int64))
    assert len(items) == 0 and items.vec.shape == (0, DIM)
