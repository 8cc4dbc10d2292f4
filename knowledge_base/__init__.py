"""Knowledge base of Trợ lý TTHC: catalog, FAQ, text pipeline and retrieval.

Importing this package is cheap: models, indexes and the database are opened
lazily by the objects that need them.
"""
