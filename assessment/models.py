"""Assessment: indicator systems, scores, rankings and rectification (考核)."""
