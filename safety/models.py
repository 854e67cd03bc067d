"""Hazards, emergency plans and drills (隐患排查、应急预案、演练)."""
