"""The architecture reproduces GenLV's Table I exactly (thop convention, prompt_nf=64)."""

from __future__ import annotations

import pytest

from pixtask.models import get_config
from pixtask.models.counting import count

TABLE_I = {  # variant: (thop params M, GMACs @256x256, plain params M)
    "genlv-base": (38.7737, 296.55, 38.8214),
    "genlv-large": (100.4756, 603.59, 100.5692),
    "genlv-huge": (211.1071, 1141.18, 211.2595),
    "genlv-giant": (401.5722, 2175.78, 401.8251),  # official code comment; not in the paper
}


@pytest.mark.parametrize("name", list(TABLE_I))
def test_table_one(name):
    params_thop, gmacs, params_plain = TABLE_I[name]
    c = count(get_config(name))
    assert round(c.params_thop / 1e6, 4) == params_thop
    assert round(c.macs_thop / 1e9, 2) == gmacs
    assert round(c.params_plain / 1e6, 4) == params_plain


def test_official_source_comment_for_base_with_nf32():
    # GenLV-101 code comment: "201.58488576G, 32.696256M"
    c = count(get_config("genlv-base", prompt_nf=32))
    assert c.macs_thop == 201_584_885_760
    assert c.params_thop == 32_696_256


def test_no_prompt_baseline():
    c = count(get_config("genlv-base", use_prompt=False))
    assert round(c.macs_thop / 1e9, 2) == 165.90
    assert round(c.params_thop / 1e6, 5) == 27.56496


@pytest.mark.parametrize(("name", "millions"), [("genlv-tiny", 1.83), ("genlv-small", 5.01)])
def test_cpu_variants(name, millions):
    assert round(count(get_config(name), 64, 64).params_plain / 1e6, 2) == millions
