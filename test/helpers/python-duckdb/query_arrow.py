"""Reads an Arrow IPC file with pyarrow, queries it with DuckDB and prints the rows as JSON.

Usage: query_arrow.py FILE.arrow
Prints {"columns": [[name, duckdb type], ...], "rows": [[...], ...]}, ordered by timestamp, with
the timestamp as epoch milliseconds and every float as {"float": repr} so NaN and infinities
survive JSON.
"""
import json
import sys

import duckdb
import pyarrow.ipc


def cell(value):
    if isinstance(value, float):
        return {"float": repr(value)}
    return value


exported = pyarrow.ipc.open_file(sys.argv[1]).read_all()
relation = duckdb.sql(
    'SELECT epoch_ms("timestamp") AS "timestamp", * EXCLUDE ("timestamp") '
    'FROM exported ORDER BY 1'
)
print(
    json.dumps(
        {
            "columns": [[name, str(kind)] for name, kind in zip(relation.columns, relation.types)],
            "rows": [[cell(value) for value in row] for row in relation.fetchall()],
        }
    )
)
