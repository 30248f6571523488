"""mqtt2s3 readers: decode the processing-friendly objects the converter writes.

- ``mqtt2s3.format``: object metadata and the offset index, standard library only
  (docs/FORMAT.md);
- ``mqtt2s3.names``: canonical object names, the batch's event-time range from the key alone
  (standard library only);
- ``mqtt2s3.reader``: boto3 reader, HEAD -> index -> coalesced ranged GETs, with request
  statistics, and a command line (``python3 -m mqtt2s3.reader ls|inspect|get``).

Submodules are imported on demand, so ``import mqtt2s3.format`` never needs boto3.
"""
