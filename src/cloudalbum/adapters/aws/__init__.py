"""The AWS shape: S3 for blobs, DynamoDB for metadata, SQS for jobs (boto3 over HTTP)."""
