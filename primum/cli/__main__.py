import sys

from primum.cli import main

sys.exit(main())
