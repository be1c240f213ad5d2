"""``python -m docs_harness.check_docs``: the ``check-docs`` command."""

import sys

from .cli import main

sys.exit(main())
