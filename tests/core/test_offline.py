"""No hub look-ups, even when the user's environment says otherwise and Hugging Face libraries
were imported first (torchmetrics imports them on our CLI's import)."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import sys
import huggingface_hub, huggingface_hub.constants as c
from huggingface_hub.utils import build_hf_headers
assert not c.HF_HUB_OFFLINE, "the test needs the hub switch on to begin with"
hosts = []
sys.addaudithook(lambda event, args: hosts.append(args[0]) if event == "socket.getaddrinfo" else None)
if sys.argv[1] == "offline":
    from pixtask.core.offline import stay_offline
    stay_offline()
build_hf_headers()  # what gradio_client does on connecting: it looked the hub up for a registry
if sys.argv[1] == "offline":  # online, this retries for over 20 s
    try:
        huggingface_hub.hf_hub_download("pixtask/never-there", "config.json", cache_dir=sys.argv[2])
    except Exception:
        pass
print(sorted(set(map(str, hosts))))
"""


def _hosts_looked_up(mode: str, tmp_path) -> str:
    # a user's plain environment: none of the switches the tests (or Gradio: telemetry) have set
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "GRADIO_"))}
    env.update(HF_HUB_OFFLINE="0", HF_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode, str(tmp_path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_stay_offline_turns_an_already_imported_hub_off(tmp_path):
    assert "huggingface.co" in _hosts_looked_up("online", tmp_path)  # the check can see a look-up
    assert _hosts_looked_up("offline", tmp_path) == "[]"
