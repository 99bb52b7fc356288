"""Nibble's Python tools: conformance runs, reference summaries and helpers for tests."""
