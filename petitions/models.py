"""Petitions: letters and visits (信访)."""
