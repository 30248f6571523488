"""What the Python integration tests share: the dev stack's env file, the environment of the
processes they start, a boto3 S3 client on the stack's RGW, bounded polling and config files.

Standard library and boto3 only (/usr/bin/python3). Tests import it by putting this folder on
sys.path relative to their own file, e.g. from tests/ops/:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
    import stack  # noqa: E402

The env file is $MQTT2S3_STACK_ENV, or <source>/.dev-stack/stack.env where <source> is
$MQTT2S3_SOURCE_DIR or the checkout this file is in.
"""
import os
import tempfile
import textwrap
import time
import unittest

import boto3
from botocore.config import Config

_CHECKOUT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def in_ci():
    """True under CI=true, where every test must run: a missing tool fails instead of skipping."""
    return os.environ.get("CI") == "true"


def require(test, condition, reason):
    """Skips `test` (a TestCase, or its class in setUpClass) when `condition` is false, except
    under CI=true, where it fails: CI never passes a skipped test."""
    if condition:
        return
    if in_ci():
        raise AssertionError(f"CI=true, so this test must run, but: {reason}")
    raise unittest.SkipTest(reason)


def env_file_path():
    """The dev stack's env file (KEY=VALUE lines written by scripts/dev-stack.sh up)."""
    src = os.environ.get("MQTT2S3_SOURCE_DIR") or _CHECKOUT
    return os.environ.get("MQTT2S3_STACK_ENV") or os.path.join(src, ".dev-stack", "stack.env")


def read_env(required=()):
    """The env file as a dict. Raises RuntimeError naming the file when a key of `required`
    is missing or empty (the stack is not up), OSError when there is no file."""
    path = env_file_path()
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.strip().split("=", 1)
                env[k] = v
    for k in required:
        if not env.get(k):
            raise RuntimeError(f"{path} lacks {k}; is the dev stack up (scripts/dev-stack.sh up)?")
    return env


def child_env(env, **extra):
    """This process's environment plus the stack's S3 keys under the names the test configs
    use (access_key_env: S3_ACCESS_KEY, secret_key_env: S3_SECRET_KEY), plus `extra`."""
    return dict(os.environ, S3_ACCESS_KEY=env["S3_ACCESS_KEY"],
                S3_SECRET_KEY=env["S3_SECRET_KEY"], **extra)


def s3_client(env, path_style=False):
    """A boto3 S3 client on the stack's RGW with its keys; path_style forces path addressing."""
    kwargs = {"config": Config(s3={"addressing_style": "path"})} if path_style else {}
    return boto3.client("s3", endpoint_url=env["S3_ENDPOINT"],
                        region_name=env.get("S3_REGION", "us-east-1"),
                        aws_access_key_id=env["S3_ACCESS_KEY"],
                        aws_secret_access_key=env["S3_SECRET_KEY"], **kwargs)


def wait_until(predicate, timeout, step=0.2):
    """Polls predicate every `step` s for at most `timeout` s; returns its last truth value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def write_config(text, path=None):
    """Writes textwrap.dedent(text) to `path` (a new temporary .yaml file when None, left for
    the caller to delete); returns the path."""
    if path is None:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(textwrap.dedent(text))
            return f.name
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    return path
