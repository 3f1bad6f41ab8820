"""Numerical building blocks shared by several operators (sparse edge-aware solvers, pyramids)."""
