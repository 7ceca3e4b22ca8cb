"""Analysis stage: tokens and lemmas, lexicon matches, the passage classifier."""
