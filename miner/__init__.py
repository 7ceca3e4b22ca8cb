"""policy-miner: does a Belgian employment or education plan take people with a migration background into account?

The library holds every stage (fetch, extract, language, analyse, score), storage, reports, the CLI and the
web app. Data flows one way; each stage is a plain function over the frozen records in :mod:`miner.records`.
"""

from miner.caches import reset_caches

__all__ = ["reset_caches"]
__version__ = "0.1.0"
