"""A two-task, 64-pixel benchmark shared by the study tests."""

from __future__ import annotations

import pytest

from pixtask.data.benchmark import BenchmarkConfig, build_benchmark


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    build_benchmark(root, BenchmarkConfig(size=64, tasks="dejpeg,white-balance", levels=(3,), prompts=2, max_queries=2))
    return root
