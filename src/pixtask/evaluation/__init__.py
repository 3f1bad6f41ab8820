"""Metrics with named conventions, and (later) evaluators and reports."""

from pixtask.evaluation.metrics import METRICS, MetricUnavailable, compute_metric, mae, ms_ssim, psnr, ssim

__all__ = ["METRICS", "MetricUnavailable", "compute_metric", "mae", "ms_ssim", "psnr", "ssim"]
