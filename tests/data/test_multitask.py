from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from pixtask.core.image_io import write_image
from pixtask.data.multitask import MultiTaskDataset, TaskMixture, dihedral
from pixtask.data.paired_folder import PairedFolder
from pixtask.data.photos import bundled_photos


@pytest.fixture(scope="module")
def train():
    return [p for p in bundled_photos() if p.split == "train"][:4]


def _dataset(train, **kw):
    mixture = TaskMixture.from_patterns(kw.pop("tasks", ["denoise-gaussian", "colorization", "canny"]))
    return MultiTaskDataset(train, mixture, crop=48, seed=kw.pop("seed", 0), max_side=256, **kw)


def test_samples_are_a_pure_function_of_seed_and_index(train):
    a, b = _dataset(train), _dataset(train)
    for i in (0, 7, 123):
        assert torch.equal(a[i]["images"], b[i]["images"]) and a[i]["task"] == b[i]["task"]
    assert not torch.equal(a[0]["images"], _dataset(train, seed=1)[0]["images"])


def test_shapes_and_different_photos(train):
    ds = _dataset(train)
    for i in range(12):
        item = ds[i]
        assert item["images"].shape == (4, 3, 48, 48) and item["images"].dtype == torch.float32
        assert item["prompt_source"] != item["query_source"]


def test_augmentation_is_shared_by_all_four_images(train):
    """Colourisation: input = luma(target) must survive the flip/rotation for both pairs."""
    ds = _dataset(train, tasks=["colorization"])
    weights = torch.tensor([0.299, 0.587, 0.114])[:, None, None]
    for i in range(8):
        imgs = ds[i]["images"]
        for inp, tgt in ((imgs[0], imgs[1]), (imgs[2], imgs[3])):
            torch.testing.assert_close(inp[0], (tgt * weights).sum(0), atol=2e-3, rtol=0)


def test_dihedral_covers_eight_distinct_transforms():
    img = np.arange(2 * 2 * 3, dtype=np.float32).reshape(2, 2, 3) + np.array([0, 100, 200], np.float32)
    big = np.arange(9, dtype=np.float32).reshape(3, 3, 1).repeat(3, axis=2)
    assert len({dihedral(big, k).tobytes() for k in range(8)}) == 8
    assert dihedral(img, 0).shape == img.shape


def test_mixture_weights_are_respected():
    mix = TaskMixture.from_patterns(["denoise-*"], {"denoise-*": 1, "denoise-gaussian": 9})
    rng = np.random.default_rng(0)
    draws = [mix.draw(rng) for _ in range(3000)]
    share = draws.count("denoise-gaussian") / len(draws)
    assert abs(share - 9 / 14) < 0.03  # 9 against five other denoising tasks at weight 1


def test_a_weight_matching_no_task_is_an_error():
    with pytest.raises(ValueError, match=r"data.weights \['sr-x3'\] match none of the tasks"):
        TaskMixture.from_patterns(["sr-x2", "dejpeg"], {"sr-x2": 2, "sr-x3": 2})


def test_test_photos_are_refused():
    with pytest.raises(ValueError, match="training split"):
        MultiTaskDataset(bundled_photos(), TaskMixture.from_patterns(["canny"]))


def test_dataloader_workers_give_the_same_samples(train):
    ds = _dataset(train)
    loader = DataLoader(ds, batch_size=3, num_workers=2, sampler=range(6, 12))
    batches = torch.cat([b["images"] for b in loader])
    direct = torch.stack([ds[i]["images"] for i in range(6, 12)])
    assert torch.equal(batches, direct)


def test_paired_folder_as_a_task(tmp_path, train):
    rng = np.random.default_rng(0)
    for i in range(3):
        target = rng.random((70, 90, 3)).astype(np.float32)
        write_image(tmp_path / "rainy" / "target" / f"{i}.png", target)
        write_image(tmp_path / "rainy" / "input" / f"{i}.png", target * 0.5)
    folder = PairedFolder.open(tmp_path / "rainy")
    ds = MultiTaskDataset(train, TaskMixture({"folder:rainy": 1.0}), crop=32, paired_folders=[folder])
    item = ds[0]
    imgs = item["images"]
    assert item["task"] == "folder:rainy" and item["prompt_source"] != item["query_source"]
    for inp, tgt in ((imgs[0], imgs[1]), (imgs[2], imgs[3])):
        assert torch.allclose(inp, torch.round(tgt * 255 * 0.5) / 255, atol=1.5 / 255)  # aligned crops


def test_paired_folder_errors(tmp_path, train):
    with pytest.raises(FileNotFoundError, match="needs 'input/' and 'target/'"):
        PairedFolder.open(tmp_path)
    with pytest.raises(ValueError, match="were not given"):
        MultiTaskDataset(train, TaskMixture({"folder:x": 1.0}))


def test_backward_samples_swap_both_pairs_and_tell_the_degradation(train):
    """Half the restoration samples turned: the same index's images swapped (clean in, noisy
    out) in the example and the query, and the words describe the noise being added."""
    words = {"instruction": 1.0}
    forward = _dataset(train, tasks=["denoise-gaussian"], condition_modes=words)
    turned = _dataset(train, tasks=["denoise-gaussian"], condition_modes=words, backward=0.5)
    flags = [turned[i]["backward"] for i in range(40)]
    assert 10 <= sum(flags) <= 30 and not any(forward[i]["backward"] for i in range(40))
    i = flags.index(True)
    a, b = forward[i]["images"], turned[i]["images"]
    assert torch.equal(b, a[[1, 0, 3, 2]])
    # the noisy image is now the target: more fine detail out than in
    assert (b[3] - b[3].roll(1, -1)).abs().mean() > (b[2] - b[2].roll(1, -1)).abs().mean()
    assert turned[i]["instruction"] != forward[i]["instruction"]
    j = flags.index(False)
    assert torch.equal(turned[j]["images"], forward[j]["images"])
    assert turned[j]["instruction"] == forward[j]["instruction"]


def test_backward_turns_only_restoration_tasks(train):
    ds = _dataset(train, tasks=["canny", "cartoon"], backward=1.0)
    assert not any(ds[i]["backward"] for i in range(12))


def test_backward_share_is_checked(train):
    with pytest.raises(ValueError, match="backward is a share"):
        _dataset(train, backward=1.5)
    with pytest.raises(ValueError, match="backward needs explanatory words"):
        _dataset(train, backward=0.5, instruction_style="terminological")
