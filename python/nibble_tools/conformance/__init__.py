"""Conformance suites run against Nibble's tools."""
