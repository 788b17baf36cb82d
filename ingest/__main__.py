"""``python -m llmingest``: the same CLI as the ``llmingest`` script."""

from .cli import main

if __name__ == "__main__":
    main()
