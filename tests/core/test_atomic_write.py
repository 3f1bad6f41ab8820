from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from pixtask.core.atomic_write import atomic_target, write_bytes_atomic
from pixtask.core.image_io import write_image


def test_atomic_write_gives_the_umask_mode_not_mkstemps_0600(tmp_path: Path):
    """Written reports and weights must be readable by others as plain open() would make them."""
    old = os.umask(0o027)
    try:
        path = write_bytes_atomic(tmp_path / "r.json", b"{}")
        also = write_image(tmp_path / "a.png", np.zeros((4, 4, 3), np.float32))
        assert os.umask(0o027) == 0o027  # reading the umask for the mode left it as it was
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(also.stat().st_mode) == 0o640


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path):
    target = write_bytes_atomic(tmp_path / "ckpt.pt", b"old")
    with pytest.raises(RuntimeError, match="killed"), atomic_target(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.pt"]
