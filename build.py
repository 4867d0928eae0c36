"""Build the explainer site: `python build.py [build|check|serve|new|theme|schema] [options]`."""

import sys

try:
    from explainer.cli import run
except KeyboardInterrupt:  # Ctrl-C while the modules load: no traceback, nothing touched
    print("explainer: interrupted", file=sys.stderr)
    sys.exit(130)

if __name__ == "__main__":
    run("build.py")
