"""``python -m grassroots.tally``: see :mod:`grassroots.tally.cli`."""

import sys

from grassroots.tally.cli import main

sys.exit(main())
