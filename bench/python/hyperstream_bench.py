"""The flights workflows of the benchmarks (scenarios 2-4) on Python HyperStream 0.3.8.

Usage: hyperstream_bench.py --mongo-uri mongodb://127.0.0.1:27017 --data flights.csv [--db NAME]

The CSV (written by bench/scenarios/flights-python-hyperstream.ts) has the columns timestamp (epoch
ms, unique, increasing), delay (minutes) and origin (airport code). HyperStream keeps its meta-data,
plates, workflows and sessions in MongoDB (the server given); the streams are in its memory channel,
as in the TypeScript runs. Prints one JSON object: the timings in ms and the computed results
(counts and sums) so the TypeScript side can check both engines computed the same thing.
"""
import argparse
import csv
import json
import logging
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from urllib.parse import urlparse

import pymongo
import pytz

HOUR = 3600.0
DAY = 86400.0


def mean_delay(instances):
    """sliding_apply function: mean delay of the flights in a window (None for an empty one)."""
    total = 0.0
    count = 0
    for _, value in instances:
        total += value["delay"]
        count += 1
    return total / count if count else None


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def to_datetime(ms):
    return datetime(1970, 1, 1, tzinfo=pytz.utc) + timedelta(milliseconds=ms)


def to_ms(dt):
    return round((dt - datetime(1970, 1, 1, tzinfo=pytz.utc)).total_seconds() * 1000)


def read_flights(path):
    flights = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            flights.append((int(row["timestamp"]), int(row["delay"]), row["origin"]))
    return flights


def summary(stream, interval):
    """(count, sum of values, first timestamp ms, last timestamp ms) of a stream over an interval."""
    count = 0
    total = 0.0
    first = last = None
    for timestamp, value in stream.window(interval).items():
        if value is None:
            continue
        count += 1
        total += value
        ms = to_ms(timestamp)
        first = ms if first is None else first
        last = ms
    return {"count": count, "sum": total, "first": first, "last": last}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mongo-uri", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--db", default="hs_bench_python")
    args = parser.parse_args()

    uri = urlparse(args.mongo_uri)
    workdir = tempfile.mkdtemp(prefix="hyperstream-bench-")
    config_path = os.path.join(workdir, "hyperstream_config.json")
    with open(config_path, "w") as f:
        json.dump(
            {
                "mongo": {
                    "host": uri.hostname or "127.0.0.1",
                    "port": uri.port or 27017,
                    "db": args.db,
                    "tz_aware": True,
                },
                "plugins": [],
                "online_engine": {"interval": {"start": -60, "end": -10}},
            },
            f,
        )
    os.chdir(workdir)

    timings = {}
    started = time.perf_counter()
    from hyperstream import HyperStream, TimeInterval, StreamInstance
    from hyperstream.stream import StreamId

    hs = HyperStream(loglevel=logging.CRITICAL, file_logger=False, console_logger=False, mqtt_logger=None,
                     config_filename=config_path)
    timings["startMs"] = (time.perf_counter() - started) * 1000
    logging.getLogger().setLevel(logging.CRITICAL)

    server_version = hs.client.client.server_info().get("version")

    flights = read_flights(args.data)
    airports = sorted(set(origin for _, _, origin in flights))
    # Whole hours around the data: the engines' windows end on whole hours.
    start_ms = (flights[0][0] - 1) // 3600000 * 3600000
    end_ms = -(-flights[-1][0] // 3600000) * 3600000
    start, end = to_datetime(start_ms), to_datetime(end_ms)
    everything = TimeInterval(start, end)
    middle = to_datetime(start_ms + (end_ms - start_ms) // 2 // 3600000 * 3600000)

    M = hs.channel_manager.memory

    # 1. Ingest into a memory stream (with its calculated interval, as an importer would record it).
    t = time.perf_counter()
    raw = M.get_or_create_stream(StreamId(name="flights"))
    writer = raw.writer
    for ms, delay, origin in flights:
        writer(StreamInstance(to_datetime(ms), {"delay": delay, "origin": origin}))
    raw.calculated_intervals = [everything]
    timings["ingestMs"] = (time.perf_counter() - t) * 1000

    # Meta-data and the airport plate (in MongoDB). Leftovers of an earlier run are removed first.
    hs.plate_manager.delete_plate("A", delete_meta_data=True)
    for code in airports:
        identifier = "airport_" + code
        if not hs.plate_manager.meta_data_manager.contains(identifier):
            hs.plate_manager.meta_data_manager.insert(tag="airport", identifier=identifier, parent="root", data=code)
    plate = hs.plate_manager.create_plate(plate_id="A", description="origin airports", meta_data_id="airport",
                                          values=[], complement=True, parent_plate=None)
    mapping = dict((code, code) for code in airports)

    def window_workflow(workflow_id, width):
        hs.workflow_manager.delete_workflow(workflow_id)
        with hs.create_workflow(workflow_id=workflow_id, name=workflow_id, owner="bench",
                                description="sliding mean delay") as w:
            windows = w.create_node(workflow_id + "_windows", M, [])
            means = w.create_node(workflow_id + "_means", M, [])
            flights_node = w.create_node("flights", M, [])
            # The first window ends an hour after the start, as in the TypeScript workflow.
            first = start - timedelta(seconds=width - HOUR)
            w.create_factor(hs.tools.sliding_window(first=first, lower=-width, upper=0.0, increment=HOUR),
                            sources=[], sink=windows)
            w.create_factor(hs.tools.sliding_apply(func=mean_delay), sources=[windows, flights_node], sink=means)
        return w, means

    def plate_workflow(workflow_id):
        hs.workflow_manager.delete_workflow(workflow_id)
        with hs.create_workflow(workflow_id=workflow_id, name=workflow_id, owner="bench",
                                description="hourly mean delay per airport, then across airports") as w:
            flights_node = w.create_node("flights", M, [])
            windows = w.create_node(workflow_id + "_windows", M, [])
            by_airport = w.create_node(workflow_id + "_by_airport", M, [plate])
            airport_means = w.create_node(workflow_id + "_airport_means", M, [plate])
            overall = w.create_node(workflow_id + "_mean_of_airports", M, [])
            w.create_factor(hs.tools.sliding_window(first=start, lower=-HOUR, upper=0.0, increment=HOUR),
                            sources=[], sink=windows)
            w.create_multi_output_factor(hs.tools.splitter(element="origin", mapping=mapping),
                                         source=flights_node, splitting_node=None, sink=by_airport)
            w.create_factor(hs.tools.sliding_apply(func=mean_delay), sources=[windows, by_airport],
                            sink=airport_means)
            w.create_factor(hs.tools.aggregate(func=mean, aggregation_meta_data="airport"),
                            sources=[airport_means], sink=overall)
        return w, overall

    results = {}

    # 2. Windowed aggregates: hourly (tumbling) and a 24-hour window advanced hourly.
    for key, width in (("hourlyMean", HOUR), ("dailySlidingMean", DAY)):
        w, means = window_workflow("bench_" + key, width)
        t = time.perf_counter()
        w.execute(everything)
        timings[key + "Ms"] = (time.perf_counter() - t) * 1000
        results[key] = summary(means.streams[None], everything)

    # 3. Plates: split by origin, hourly mean per airport, mean across airports.
    w, overall = plate_workflow("bench_plates")
    t = time.perf_counter()
    w.execute(everything)
    timings["platesMs"] = (time.perf_counter() - t) * 1000
    results["plates"] = summary(overall.streams[None], everything)

    # 4. Compute on request: the first half, then everything (only the second half is computed), then
    # everything again (nothing is computed).
    w, overall = plate_workflow("bench_on_request")
    for key, interval in (("firstHalf", TimeInterval(start, middle)), ("whole", everything),
                          ("again", everything)):
        t = time.perf_counter()
        w.execute(interval)
        timings["onRequest_" + key + "Ms"] = (time.perf_counter() - t) * 1000
    results["onRequest"] = summary(overall.streams[None], everything)
    streams = sum(len(node.streams) for node in w.nodes.values()) - 1  # less the shared input
    timings["onRequest_againPerStreamMs"] = timings["onRequest_againMs"] / streams

    hs.plate_manager.delete_plate("A", delete_meta_data=True)
    for workflow_id in ("bench_hourlyMean", "bench_dailySlidingMean", "bench_plates", "bench_on_request"):
        hs.workflow_manager.delete_workflow(workflow_id)
    hs.client.client.drop_database(args.db)

    json.dump({
        "hyperstream": __import__("hyperstream").__version__,
        "python": sys.version.split()[0],
        "pymongo": pymongo.version,
        "server": server_version,
        "flights": len(flights),
        "airports": len(airports),
        "interval": [start_ms, end_ms],
        "middle": to_ms(middle),
        "streams": streams,
        "timings": timings,
        "results": results,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
