"""``load_pipeline``: the pipeline that fits a saved model, whatever its architecture."""

from __future__ import annotations

import os

from pixtask.models.ar.model import ARModel
from pixtask.models.cond_nafnet import CondNAFNet
from pixtask.models.genlv import GenLV
from pixtask.models.hub import WeightsError, from_pretrained
from pixtask.pipelines.ar_pipeline import ARPipeline
from pixtask.pipelines.genlv_pipeline import GenLVPipeline


def load_pipeline(name_or_folder: str | os.PathLike, **kwargs) -> GenLVPipeline | ARPipeline:
    """A GenLV or CondNAFNet model (told by example, in words, or both) or a token-AR model (in words) by
    folder or shipped name; ``kwargs`` go to the pipeline (device, precision, tile, generation, both)."""
    model = from_pretrained(name_or_folder)
    if isinstance(model, ARModel):
        kwargs.pop("both", None)  # told in words only
        return ARPipeline(model, **kwargs)
    if isinstance(model, GenLV | CondNAFNet):
        kwargs.pop("generation", None)
        return GenLVPipeline(model, **kwargs)
    raise WeightsError(f"{name_or_folder}: a {type(model).__name__} is not an image-to-image model (a VQ tokenizer?)")
