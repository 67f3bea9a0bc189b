"""The embedded shape: files on disk, SQLite for metadata and a durable SQLite job queue."""
