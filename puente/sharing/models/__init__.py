"""The sharing app's models, one module per part."""

from puente.sharing.models.htcds import *  # noqa: F401,F403
from puente.sharing.models.releases import *  # noqa: F401,F403
from puente.sharing.models.trends import *  # noqa: F401,F403
