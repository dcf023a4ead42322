"""What the tests share besides fixtures: form data, a browser that posts, HTML lookups, servers.

Fixtures live in tests/conftest.py; everything a test imports lives here.
"""
