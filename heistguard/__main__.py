"""`python -m heistguard` runs the command line."""

import sys

from heistguard.cli import main

sys.exit(main(sys.argv[1:]))
