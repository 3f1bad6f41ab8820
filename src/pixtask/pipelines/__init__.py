"""Inference pipelines: images in, images out, told the task by a :class:`~pixtask.core.condition.Condition`."""

from pixtask.pipelines.ar_pipeline import ARPipeline
from pixtask.pipelines.genlv_pipeline import GenLVPipeline, PipelineOutput
from pixtask.pipelines.loading import load_pipeline

__all__ = ["ARPipeline", "GenLVPipeline", "PipelineOutput", "load_pipeline"]
