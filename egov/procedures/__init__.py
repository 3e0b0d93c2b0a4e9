"""Procedures catalogue: procedures, fees, required documents, form schemas, process templates."""
