"""``python -m miner`` is the ``miner`` command."""

from miner.cli import main

main()
