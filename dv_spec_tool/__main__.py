import sys

from dv_spec_tool.interfaces.cli import main

sys.exit(main())
