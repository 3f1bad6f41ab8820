"""Training: typed experiment configs, the trainer loop, losses, checkpoints."""

from pixtask.training.config import TrainConfig, load_config
from pixtask.training.trainer import Trainer

__all__ = ["TrainConfig", "Trainer", "load_config"]
