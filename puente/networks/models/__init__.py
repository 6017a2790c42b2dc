"""The networks app's models, one module per part."""

from puente.networks.models.linkage import *  # noqa: F401,F403
from puente.networks.models.psi import *  # noqa: F401,F403
from puente.networks.models.recurrence import *  # noqa: F401,F403
