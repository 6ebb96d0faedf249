"""The pre-publish check: a draft against a corpus (``check``) or a persistent SQLite index (``index``).

Named ``prepublish`` rather than ``check`` so that :func:`provenance.check`,
the public function, is not shadowed by a subpackage of the same name.
"""
