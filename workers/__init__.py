"""Celery workers: thin tasks over :mod:`miner.crawl` steps.

``workers`` imports ``miner``, never the reverse.
"""
