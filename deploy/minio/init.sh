#!/bin/sh
# Prepares MinIO for CaseCraft, then exits: the bucket, and a user of its own for
# the app that may touch objects in that bucket only. The app never holds the
# MinIO root credentials. Safe to run again: every step is create-or-update.
#
# Run by the `minio-init` service of docker-compose.yml (image minio/mc) with
# MINIO_ROOT_USER, MINIO_ROOT_PASSWORD, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
# and AWS_S3_BUCKET in its environment.
set -eu

: "${MINIO_ROOT_USER:?MINIO_ROOT_USER is not set}"
: "${MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD is not set}"
: "${AWS_ACCESS_KEY_ID:?AWS_ACCESS_KEY_ID is not set}"
: "${AWS_SECRET_ACCESS_KEY:?AWS_SECRET_ACCESS_KEY is not set}"
: "${AWS_S3_BUCKET:?AWS_S3_BUCKET is not set}"
endpoint="${MINIO_ENDPOINT:-http://minio:9000}"
alias_name=casecraft
policy_name=casecraft-app

# MinIO refuses to add a user named like the root user, with a message that
# does not say so; fail with one that does.
if [ "$AWS_ACCESS_KEY_ID" = "$MINIO_ROOT_USER" ]; then
    echo "minio-init: AWS_ACCESS_KEY_ID must differ from MINIO_ROOT_USER" >&2
    exit 1
fi

mc alias set "$alias_name" "$endpoint" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "$alias_name/$AWS_S3_BUCKET"
# Files are handed out through presigned URLs only: no anonymous access at all.
mc anonymous set none "$alias_name/$AWS_S3_BUCKET"

# A plain path rather than mktemp: the mc image is minimal, and /tmp is its own.
policy_file="/tmp/casecraft-app-policy.$$.json"
trap 'rm -f "$policy_file"' EXIT
cat >"$policy_file" <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::${AWS_S3_BUCKET}"]
    },
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
      "Resource": ["arn:aws:s3:::${AWS_S3_BUCKET}/*"]
    }
  ]
}
POLICY
mc admin policy create "$alias_name" "$policy_name" "$policy_file"
# `user add` sets the secret of an existing user too, so a rotated
# AWS_SECRET_ACCESS_KEY takes effect on the next `docker compose up`.
mc admin user add "$alias_name" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
# Attaching a policy that is already attached is an error in mc; on a re-run
# that is the expected state, anything else is a real failure.
if ! output="$(mc admin policy attach "$alias_name" "$policy_name" --user "$AWS_ACCESS_KEY_ID" 2>&1)"; then
    case "$output" in
        *already*) ;;
        *) echo "$output" >&2; exit 1 ;;
    esac
fi

echo "minio-init: bucket $AWS_S3_BUCKET ready for user $AWS_ACCESS_KEY_ID"
