"""The parts of the sample-document generator (scripts/make_sample_docs.py)."""
