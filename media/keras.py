"""``media.keras``: the old alias of ``media.integration.keras`` (wandb's ``wandb.keras``)."""

from media.integration.keras import *  # noqa: F403
from media.integration.keras import __all__  # noqa: F401
