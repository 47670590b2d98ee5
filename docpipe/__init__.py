"""docpipe: incoming paper to classified, structured, queryable records, on premises."""

__version__ = "0.1.0"
