"""The resident portal and errands (代办帮办)."""
