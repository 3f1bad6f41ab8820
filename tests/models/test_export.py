from __future__ import annotations

import pytest
import torch

from pixtask.models import create_model
from pixtask.models.export_onnx import export_onnx, onnx_max_difference


@pytest.mark.slow
def test_onnx_matches_pytorch_at_several_sizes(tmp_path):
    pytest.importorskip("onnxruntime")
    torch.manual_seed(0)
    # a model that also reads words exports its visual path (the text layers are left out)
    # one block per level: every layer kind is exported, and the dynamo export takes a quarter of the time
    model = create_model("genlv-tiny-text", num_blocks=[1, 1, 1, 1], num_refinement=1).eval()
    with torch.no_grad():
        model.output.weight.normal_(0, 0.05)  # global residual: a zero output conv would hide errors
    path = export_onnx(model, tmp_path / "tiny.onnx", max_side=512)
    g = torch.Generator().manual_seed(0)
    for (h, w), side in [((64, 96), 64), ((128, 64), 32), ((96, 160), 96)]:
        diff = onnx_max_difference(
            model, path, torch.rand(1, 3, h, w, generator=g), torch.rand(1, 3, side, side, generator=g)
        )
        assert diff < 1e-5, (h, w, diff)


@pytest.mark.slow
def test_a_conditioned_nafnet_exports_with_its_example_encoder(tmp_path):
    pytest.importorskip("onnxruntime")
    torch.manual_seed(0)
    model = create_model("naf-tiny").eval()
    with torch.no_grad():  # zero-initialised modulation and layer scales would hide errors
        for name, p in model.named_parameters():
            if "modulation" in name or name.endswith(("beta", "gamma")):
                p.normal_(0, 0.2)
    path = export_onnx(model, tmp_path / "naf.onnx", max_side=256)
    g = torch.Generator().manual_seed(1)
    for (h, w), side in [((64, 96), 48), ((32, 128), 80)]:
        diff = onnx_max_difference(
            model, path, torch.rand(1, 3, h, w, generator=g), torch.rand(1, 3, side, side, generator=g)
        )
        assert diff < 1e-5, (h, w, diff)
