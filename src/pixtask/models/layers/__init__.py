"""Blocks shared by the GenLV family: norms, attentions, feed-forwards, resampling."""

from pixtask.models.layers.attention import ChannelAttention, OverlappingWindowAttention, TokenAttention
from pixtask.models.layers.feedforward import GatedDconvFeedForward
from pixtask.models.layers.norm import ChannelLayerNorm
from pixtask.models.layers.sampling import Downsample, Upsample

__all__ = [
    "ChannelAttention",
    "ChannelLayerNorm",
    "Downsample",
    "GatedDconvFeedForward",
    "OverlappingWindowAttention",
    "TokenAttention",
    "Upsample",
]
