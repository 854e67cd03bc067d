"""Public legal services: community legal advisers and legal aid (公共法律服务)."""
