"""Stability risk assessment of major decisions (社会稳定风险评估)."""
