"""Engines that run the pipeline's work: the embedded multi-process executor and Spark.

They run what :mod:`provenance.pipeline` hands them and know no stage's logic.
"""
