"""mqtt2s3 readers: decode the processing-friendly objects the converter writes.

``mqtt2s3.format`` decodes object metadata and the offset index (standard library only);
see docs/FORMAT.md.
"""
