"""Developer tooling (local stack, tokens). Not deployed: Chalice packages only app.py,
chalicelib/ and vendor/."""
