#!/usr/bin/env python3
"""Command line for the assessment site; the work lives in the piasite package."""

import sys

from piasite.cli import main

if __name__ == "__main__":
    sys.exit(main())
