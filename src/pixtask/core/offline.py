"""Keep the process off model and dataset hubs: pixtask never downloads at run time (our weights
ship with the package, MiniLM comes from a package), and the web app promises no outbound
connection. Hugging Face libraries read their offline switch once, when first imported, and
torchmetrics imports them early, so setting the environment alone is too late; the switch is
also flipped in the loaded module."""

from __future__ import annotations

import os
import sys

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "NO_ALBUMENTATIONS_UPDATE": "1",
}


def stay_offline() -> None:
    """Turn hub look-ups, analytics and update checks off, for this process and its children."""
    os.environ.update(OFFLINE_ENV)
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        constants.HF_HUB_OFFLINE = True
