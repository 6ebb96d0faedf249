"""Accuracy and speed benchmarks for provenance, built on simulated syndication corpora."""
