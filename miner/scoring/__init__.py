"""The rubric scorer's parts: layout (what is text, which chapters), units (dimension scores and
evidence of one chapter or passage, with the direction of each quote) and flags. The public entry
point is :func:`miner.score.score_document`."""
