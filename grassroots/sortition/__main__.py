"""``python -m grassroots.sortition``: see :mod:`grassroots.sortition.cli`."""

import sys

from grassroots.sortition.cli import main

sys.exit(main())
