"""The training app's models, one module per part."""

from puente.training.models.knowledge import *  # noqa: F401,F403
from puente.training.models.practice import *  # noqa: F401,F403
from puente.training.models.quality import *  # noqa: F401,F403
