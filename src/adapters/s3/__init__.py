"""Object storage in an S3 bucket (AWS, MinIO or any S3-compatible server) through boto3."""
