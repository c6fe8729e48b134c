"""``python -m schemadrive``: the same as the ``schemadrive`` command."""

import sys

from .cli import main

sys.exit(main())
