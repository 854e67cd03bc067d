"""Deliberation (议事协商), surveys (民意调查) and the community fund (社区基金)."""
