"""pixtask: unified image-to-image vision, one model for many tasks told by example or in words.

The public API: the task library (``list_tasks``, ``get_task``), models (``create_model``,
``list_models``) and the inference pipeline (``GenLVPipeline``).
"""

from pixtask.models import create_model, list_models
from pixtask.pipelines import GenLVPipeline
from pixtask.tasks import get_task, list_tasks

__version__ = "0.1.0"
__all__ = ["GenLVPipeline", "__version__", "create_model", "get_task", "list_models", "list_tasks"]
