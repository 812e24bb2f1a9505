"""Where `python -m pos_app`, the `pos-app` command and the packaged app start."""

import gc
import sys


def run() -> int:
    # Start-up makes objects that live as long as the program (modules, Qt's wrappers, babel's
    # data): collecting meanwhile frees nothing and cost the window's start about 0.1 s. The
    # window collects once it is drawn (pos_app/ui/app.py); a command turns collection back on
    # as soon as its arguments are read (pos_app/main.py).
    gc.disable()
    try:
        from pos_app.main import main

        return main(collection_held=True)
    finally:
        gc.enable()


if __name__ == "__main__":
    sys.exit(run())
