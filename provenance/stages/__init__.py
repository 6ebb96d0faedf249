"""The tracer's stages, in pipeline order.

load (``load``, ``load_formats``) -> normalise (``normalise``, ``shingles``) ->
strip boilerplate (``boilerplate``) -> candidates (``candidates``) ->
align/score (``align``, ``direction``) -> lineage (``collation``, ``edge_model``,
``lineage``).  Each module takes and returns the plain data of
:mod:`provenance.model`; :mod:`provenance.pipeline` is the one place that
orders them.
"""
