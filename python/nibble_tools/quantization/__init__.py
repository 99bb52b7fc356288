"""Quantization tools: fidelity of nibble's schemes against the float model."""
