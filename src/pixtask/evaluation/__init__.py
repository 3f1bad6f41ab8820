"""Metrics with named conventions, and (later) evaluators and reports."""

from pixtask.evaluation.metrics import (
    METRICS,
    MetricUnavailableError,
    compute_metric,
    mae,
    ms_ssim,
    psnr,
    ssim,
)

__all__ = ["METRICS", "MetricUnavailableError", "compute_metric", "mae", "ms_ssim", "psnr", "ssim"]
