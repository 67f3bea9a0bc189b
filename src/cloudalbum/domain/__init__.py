"""The domain: plain dataclasses and rules. No I/O, no Flask, no SQLite, no boto3."""
