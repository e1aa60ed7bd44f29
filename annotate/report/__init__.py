"""Renderers: each turns library results into text for one output format."""
