from __future__ import annotations

import numpy as np
import pytest

from pixtask.data.crops import PairSampler
from pixtask.data.photos import bundled_photos
from pixtask.tasks import get_task
from pixtask.tasks.cache import OperatorCache


@pytest.fixture(scope="module")
def train_photos():
    return [p for p in bundled_photos() if p.split == "train"][:3]


def test_slow_task_runs_once_per_photo_and_serves_crops(train_photos, tmp_path):
    sampler = PairSampler(train_photos[:1], crop=64, max_side=160, cache=OperatorCache(tmp_path))
    task = get_task("rtv")
    rng = np.random.default_rng(0)
    crops = [sampler.sample(task, rng) for _ in range(5)]
    assert sampler.cache.misses == 1 and sampler.cache.hits == 4
    full = task.transform(sampler.working_image(train_photos[0]), crops[0].params)
    top, left, h, w = crops[0].box
    np.testing.assert_array_equal(crops[0].target, full[top : top + h, left : left + w])
    # a fresh sampler reads the result from disk, bit for bit
    again = PairSampler(train_photos[:1], crop=64, max_side=160, cache=OperatorCache(tmp_path))
    c = again.sample(task, np.random.default_rng(0))
    assert again.cache.misses == 0
    np.testing.assert_array_equal(c.target, crops[0].target)


def test_fast_task_crop_matches_direct_transform(train_photos):
    sampler = PairSampler(train_photos, crop=64, max_side=200)
    task = get_task("denoise-gaussian")
    crop = sampler.sample(task, np.random.default_rng(1), 3)
    top, left, h, w = crop.box
    photo = next(p for p in train_photos if p.id == crop.photo)
    clean = sampler.working_image(photo)[top : top + h, left : left + w]
    np.testing.assert_array_equal(crop.target, clean)
    np.testing.assert_array_equal(crop.input, task.transform(np.ascontiguousarray(clean), crop.params))


def test_prompt_and_query_come_from_different_photos(train_photos):
    sampler = PairSampler(train_photos, crop=64, max_side=200)
    rng = np.random.default_rng(2)
    for _ in range(10):
        prompt, query = sampler.sample_prompt_and_query(get_task("photographic-style"), rng)
        assert prompt.photo != query.photo
        assert prompt.params["look"] == query.params["look"]


def test_crop_larger_than_photo_is_an_error(train_photos):
    sampler = PairSampler(train_photos[:1], crop=512, max_side=300)
    with pytest.raises(ValueError, match="smaller than the crop size 512"):
        sampler.sample(get_task("canny"), np.random.default_rng(0))


def test_each_photo_is_decoded_once_however_many_are_drawn(train_photos, monkeypatch):
    """Re-decoding a multi-megapixel JPEG per draw starved training; every photo stays decoded."""
    loads: dict[str, int] = {}
    original = type(train_photos[0]).load

    def counting_load(photo):
        loads[photo.id] = loads.get(photo.id, 0) + 1
        return original(photo)

    monkeypatch.setattr(type(train_photos[0]), "load", counting_load)
    sampler = PairSampler(train_photos, crop=64, max_side=200)
    rng = np.random.default_rng(0)
    for task in ("canny", "denoise-gaussian", "white-balance") * 10:
        sampler.sample_prompt_and_query(get_task(task), rng)
    assert sorted(loads) == sorted(p.id for p in train_photos)  # all were drawn ...
    assert set(loads.values()) == {1}  # ... and none decoded twice
    assert sampler.decodes == len(train_photos)
    assert sampler.memory_bytes == sum(sampler._stored(p).nbytes for p in train_photos)
    assert sampler.preload() == sampler.memory_bytes and sampler.decodes == len(train_photos)


def test_kept_photos_are_uint8_and_crops_match_the_float_photo(train_photos):
    sampler = PairSampler(train_photos[:1], crop=64, max_side=200)
    stored = sampler._stored(train_photos[0])
    assert stored.dtype == np.uint8 and max(stored.shape[:2]) == 200
    crop = sampler.sample(get_task("canny"), np.random.default_rng(0))
    top, left, h, w = crop.box
    np.testing.assert_allclose(crop.input, stored[top : top + h, left : left + w] / 255.0, atol=1e-7)
    assert crop.input.dtype == np.float32


def test_a_bounded_photo_store_evicts_and_decodes_again(train_photos):
    sampler = PairSampler(train_photos, crop=64, max_side=200, photos_in_memory=1)
    for p in train_photos * 2:
        sampler.working_image(p)
    assert sampler.decodes == 2 * len(train_photos) and len(sampler._images) == 1
