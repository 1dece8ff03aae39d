"""``python -m viewer`` runs the ``mediaboard`` command."""

from viewer.cli import main

raise SystemExit(main())
