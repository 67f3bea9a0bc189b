"""Tests of the AWS shape: adapters against emulators (moto, DynamoDB Local, SeaweedFS) and end to end."""
