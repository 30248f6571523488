#!/usr/bin/python3
"""List every bucket of the dev stack with its objects and metadata; print one object.

Reads S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY from the environment (the dev stack's env file).
"""
import os

import boto3

s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"],
                  aws_access_key_id=os.environ["S3_ACCESS_KEY"],
                  aws_secret_access_key=os.environ["S3_SECRET_KEY"],
                  region_name=os.environ.get("S3_REGION", "us-east-1"))
sample = None
for bucket in sorted(b["Name"] for b in s3.list_buckets()["Buckets"]):
    objects = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    print(f"bucket {bucket}: {len(objects)} object(s)")
    for obj in objects[:4]:
        meta = s3.head_object(Bucket=bucket, Key=obj["Key"])["Metadata"]
        print(f"  {obj['Key']}  ({obj['Size']} B)")
        print("    " + ", ".join(f"{k}={v}" for k, v in sorted(meta.items())))
        if sample is None and bucket.startswith("company-x"):
            sample = (bucket, obj["Key"])
    if len(objects) > 4:
        print(f"  ... and {len(objects) - 4} more")
if sample:
    body = s3.get_object(Bucket=sample[0], Key=sample[1])["Body"].read().decode()
    print(f"\ns3://{sample[0]}/{sample[1]}:\n  {body}")
