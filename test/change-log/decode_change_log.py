#!/usr/bin/env python3
"""Decodes mizzle's change log without mizzle: the proof that other languages read it.

Reads `mizzle log read --format binary` (varint length-prefixed Transaction messages) on stdin,
generates Python classes from proto/ with protoc into a temporary directory, and prints one JSON
object per transaction in the shape of `mizzle log read --format json`.

usage: mizzle log read --datadir D --format binary | python3 decode_change_log.py PROTO_DIR
"""
import base64
import importlib
import json
import subprocess
import sys
import tempfile

SAFE_INT = 2**53 - 1
KINDS = {1: "insert", 2: "update", 3: "delete"}


def load_module(proto_dir):
    out = tempfile.mkdtemp(prefix="mizzle-pb-")
    subprocess.run(
        ["protoc", "-I", proto_dir, "--python_out", out, "mizzle/replication/v1/change_log.proto"],
        check=True,
    )
    sys.path.insert(0, out)
    return importlib.import_module("mizzle.replication.v1.change_log_pb2")


def messages(data):
    """Splits the stream at each varint length prefix."""
    at = 0
    while at < len(data):
        size, shift = 0, 0
        while True:
            b = data[at]
            at += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        yield data[at:at + size]
        at += size


def value(v):
    kind = v.WhichOneof("kind")
    if kind in ("int", "uint"):
        n = getattr(v, kind)
        return n if -SAFE_INT <= n <= SAFE_INT else str(n)
    if kind == "bytes":
        return {"base64": base64.b64encode(v.bytes).decode("ascii")}
    if kind in (None, "null"):
        return None
    return getattr(v, kind)


def image(columns, values):
    return {columns[i]: value(v) for i, v in enumerate(values)}


def change(c):
    if c.WhichOneof("change") == "ddl":
        d = c.ddl
        return {"type": "ddl", "schema": d.schema, "statement": d.statement,
                "tables": [t.schema + "." + t.name for t in d.tables], "dropped": list(d.dropped_tables)}
    r = c.row
    out = {"type": KINDS.get(r.kind, "unknown"), "schema": r.schema, "table": r.table}
    if r.before:
        out["before"] = image(r.columns, r.before)
    if r.after:
        out["after"] = image(r.columns, r.after)
    return out


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    pb = load_module(sys.argv[1])
    for raw in messages(sys.stdin.buffer.read()):
        t = pb.Transaction()
        t.ParseFromString(raw)
        print(json.dumps({
            "id": "%s:%d" % (t.id.server_uuid, t.id.sequence),
            "commit_time_ms": t.commit_time_ms,
            "origin": t.origin_server_uuid,
            "changes": [change(c) for c in t.changes],
        }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
