"""``python -m corridor``: the same as the ``corridor`` command."""

from corridor.cli import main

# guarded: Dask workers re-import the main module
if __name__ == "__main__":
    main()
