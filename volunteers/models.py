"""Volunteers, teams, social organisations, service projects and activities (志愿服务)."""
