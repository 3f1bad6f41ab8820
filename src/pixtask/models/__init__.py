"""Networks and what they read: the architectures (GenLV, the VQ tokenizer, the token-AR model),
named variants, the condition encoder, weights I/O (config.json + model.safetensors), counting,
and the official GenLV checkpoints."""

from pixtask.models._registry import create_model, get_config, list_models
from pixtask.models.condition_encoder import ConditionEncoder, ConditionTensors
from pixtask.models.genlv import GenLV, GenLVConfig
from pixtask.models.hub import DEFAULT_MODEL, WeightsError, from_pretrained, list_pretrained, save_pretrained

__all__ = [
    "DEFAULT_MODEL",
    "ConditionEncoder",
    "ConditionTensors",
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
