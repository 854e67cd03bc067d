"""Disputes and mediation (矛盾纠纷排查调处)."""
