"""Framework integrations at wandb's module paths (``media.integration.keras``,
``media.integration.lightning``, ``media.integration.transformers``), each imported only when used:
the frameworks are optional and never imported by ``import media``."""
