"""The token-autoregressive model of the Explanatory Instructions paper, at small scale."""

from pixtask.models.ar.decoding import GenerationConfig
from pixtask.models.ar.model import ARConfig, ARModel
from pixtask.models.ar.sequence import TokenLayout
from pixtask.models.ar.text_tokenizer import TextTokenizer

__all__ = ["ARConfig", "ARModel", "GenerationConfig", "TextTokenizer", "TokenLayout"]
