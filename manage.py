#!/usr/bin/env python
"""Django's command-line utility; `handbook` (the console script) does the same."""

from handbook.cli import main

if __name__ == "__main__":
    main()
