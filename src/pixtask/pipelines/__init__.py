"""Inference pipelines: images in, images out, with padding, tiling, device and precision."""

from pixtask.pipelines.genlv_pipeline import GenLVPipeline, PipelineOutput

__all__ = ["GenLVPipeline", "PipelineOutput"]
