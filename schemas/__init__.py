"""Pydantic schemas of the fields extracted per document type (the stored contract).

``schemas.registry`` maps a classifier ``doc_type`` to its schema.
"""
