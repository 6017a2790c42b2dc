"""Fictional and synthetic data: the demo hotline shown by `puente demo` and the
national-scale synthetic data `puente generate` makes for benchmarks.

The top of the layout: it may import any app, and no app imports it. The fiction itself
(people, cases, notes, tasks, providers, referrals…) lives in JSON files under `data/`;
the modules here only draw from it.
"""
