"""Benchmarks that print figures (OCR quality, throughput); run as ``python -m benchmarks.<name>``."""
