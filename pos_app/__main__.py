import sys

from pos_app.main import main

sys.exit(main())
