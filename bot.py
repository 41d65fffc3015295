"""Primum's entry point: ``python bot.py`` does what ``primum run`` does.

Nothing imports this file; the application lives in ``primum.app`` and the commands in ``primum.cli``.
"""

import sys

from primum.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
