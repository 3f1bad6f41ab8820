"""GenLV models: architecture, named variants, weights I/O, counting, official checkpoints."""

from pixtask.models._registry import create_model, get_config, list_models
from pixtask.models.genlv import GenLV, GenLVConfig
from pixtask.models.hub import DEFAULT_MODEL, WeightsError, from_pretrained, list_pretrained, save_pretrained

__all__ = [
    "DEFAULT_MODEL",
    "GenLV",
    "GenLVConfig",
    "WeightsError",
    "create_model",
    "from_pretrained",
    "get_config",
    "list_models",
    "list_pretrained",
    "save_pretrained",
]
