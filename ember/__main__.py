"""``python -m ember ...`` is the ``ember`` command (see ember/cli.py)."""
import sys

from .cli import main

sys.exit(main())
