"""Demensforløp."""
