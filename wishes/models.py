"""Small wishes (微心愿)."""
