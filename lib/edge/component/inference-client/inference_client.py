#!/usr/bin/env python3
"""Inspects the images that a camera drops into a folder with a Lookout for Vision model.

Runs as a Greengrass component next to the Lookout for Vision EdgeAgent: starts the model,
calls DetectAnomalies for every new image, writes one JSON line per image to a results log,
publishes the same record to an AWS IoT topic, files the image under normal/, anomalous/ or
failed/, and stops the model when Greengrass stops the component.

The EdgeAgent's gRPC messages are encoded here directly in the protocol buffers wire format,
so the component needs no generated stubs: only grpcio, Pillow and the AWS IoT Device SDK.
"""

import argparse
import json
import logging
import os
import signal
import struct
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

LOG = logging.getLogger("inference_client")

EDGE_AGENT_SOCKET = "unix:///tmp/aws.iot.lookoutvision.EdgeAgent.sock"
SERVICE_PATH = "/AWS.LookoutVision.EdgeAgent/"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp"}
MIN_SIDE, MAX_SIDE = 64, 4096
OUTCOME_FOLDERS = ("normal", "anomalous", "failed")

# ModelStatus of the EdgeAgent API.
STOPPED, STARTING, RUNNING, FAILED, STOPPING = range(5)
STATUS_NAMES = {
    STOPPED: "STOPPED",
    STARTING: "STARTING",
    RUNNING: "RUNNING",
    FAILED: "FAILED",
    STOPPING: "STOPPING",
}

# Protocol buffers wire types.
VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5


def _varint(value):
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _key(number, wire_type):
    return _varint(number << 3 | wire_type)


def _length_delimited(number, payload):
    return _key(number, LENGTH_DELIMITED) + _varint(len(payload)) + payload


def _string_field(number, text):
    return _length_delimited(number, text.encode("utf-8")) if text else b""


def _int_field(number, value):
    return _key(number, VARINT) + _varint(value) if value else b""


def _read_varint(data, offset):
    result, shift = 0, 0
    while True:
        if offset >= len(data):
            raise ValueError("truncated varint")
        byte = data[offset]
        offset += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, offset
        shift += 7


def parse_fields(data):
    """Returns {field number: last value} of a message; unknown fields are read and kept."""
    fields, offset = {}, 0
    while offset < len(data):
        key, offset = _read_varint(data, offset)
        number, wire_type = key >> 3, key & 0x7
        if wire_type == VARINT:
            value, offset = _read_varint(data, offset)
        elif wire_type == FIXED64:
            value, offset = data[offset : offset + 8], offset + 8
        elif wire_type == LENGTH_DELIMITED:
            length, offset = _read_varint(data, offset)
            value, offset = data[offset : offset + length], offset + length
        elif wire_type == FIXED32:
            value, offset = data[offset : offset + 4], offset + 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        if offset > len(data):
            raise ValueError("truncated message")
        fields[number] = value
    return fields


def encode_model_request(model_component):
    """StartModelRequest, StopModelRequest and DescribeModelRequest share this shape."""
    return _string_field(1, model_component)


def encode_detect_anomalies_request(model_component, width, height, rgb):
    bitmap = _int_field(1, width) + _int_field(2, height) + _length_delimited(3, rgb)
    return _string_field(1, model_component) + _length_delimited(2, bitmap)


def decode_status(data):
    """StartModelResponse and StopModelResponse: the model's new status."""
    return parse_fields(data).get(1, STOPPED)


def decode_model_description(data):
    description = parse_fields(parse_fields(data).get(1, b""))
    return {
        "model_component": description.get(1, b"").decode("utf-8"),
        "lookout_vision_model_arn": description.get(2, b"").decode("utf-8"),
        "status": description.get(3, STOPPED),
        "status_message": description.get(4, b"").decode("utf-8"),
    }


def decode_detect_anomalies_response(data):
    """Returns (is_anomalous, confidence)."""
    result = parse_fields(parse_fields(data).get(1, b""))
    confidence = result.get(2)
    return bool(result.get(1, 0)), struct.unpack("<f", confidence)[0] if confidence else 0.0


def grpc_code(error):
    """The gRPC status code name of an error (UNAVAILABLE, ...), or None."""
    code = getattr(error, "code", None)
    if not callable(code):
        return None
    value = code()
    return getattr(value, "name", str(value))


class EdgeAgent:
    """The EdgeAgent API over a gRPC channel; payloads are the raw protobuf bytes."""

    def __init__(self, channel, timeout_seconds=30.0):
        self._timeout = timeout_seconds
        self._methods = {
            name: channel.unary_unary(SERVICE_PATH + name)
            for name in ("StartModel", "StopModel", "DescribeModel", "DetectAnomalies")
        }

    def _call(self, name, request):
        return self._methods[name](request, timeout=self._timeout)

    def describe_model(self, model_component):
        return decode_model_description(
            self._call("DescribeModel", encode_model_request(model_component))
        )

    def start_model(self, model_component):
        return decode_status(self._call("StartModel", encode_model_request(model_component)))

    def stop_model(self, model_component):
        return decode_status(self._call("StopModel", encode_model_request(model_component)))

    def detect_anomalies(self, model_component, width, height, rgb):
        request = encode_detect_anomalies_request(model_component, width, height, rgb)
        return decode_detect_anomalies_response(self._call("DetectAnomalies", request))


def ensure_model_running(agent, model_component, timeout_seconds, sleep=time.sleep, clock=time.monotonic):
    """Starts the model unless it runs, and waits until it does; the EdgeAgent may still be starting."""
    deadline = clock() + timeout_seconds
    while True:
        try:
            status = agent.describe_model(model_component)["status"]
            if status == RUNNING:
                return
            if status in (STOPPED, FAILED):
                LOG.info("Starting model %s (it was %s)", model_component, STATUS_NAMES[status])
                agent.start_model(model_component)
        except Exception as error:  # noqa: BLE001 - the EdgeAgent answers UNAVAILABLE until it listens
            if grpc_code(error) not in ("UNAVAILABLE", "NOT_FOUND"):
                raise
            LOG.info("Waiting for the EdgeAgent to serve %s: %s", model_component, grpc_code(error))
        if clock() >= deadline:
            raise TimeoutError(f"model {model_component} did not start within {timeout_seconds} s")
        sleep(1.0)


def stop_model(agent, model_component):
    try:
        agent.stop_model(model_component)
        LOG.info("Stopped model %s", model_component)
    except Exception as error:  # noqa: BLE001 - stopping is best effort on shutdown
        LOG.warning("Could not stop model %s: %s", model_component, error)


def load_rgb(path):
    """Reads an image as packed RGB888, which DetectAnomalies expects."""
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
        return rgb.width, rgb.height, rgb.tobytes()


class ResultsLog:
    """One JSON object per line, appended to a local file."""

    def __init__(self, path):
        self._path = Path(path)
        self._path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, record):
        with self._path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(record, sort_keys=True) + "\n")


class IotCorePublisher:
    """Publishes records to an AWS IoT topic through Greengrass IPC."""

    def __init__(self, topic):
        from awsiot.greengrasscoreipc.clientv2 import GreengrassCoreIPCClientV2
        from awsiot.greengrasscoreipc.model import QOS

        self._topic = topic
        self._qos = QOS.AT_LEAST_ONCE
        self._client = GreengrassCoreIPCClientV2()

    def publish(self, record):
        payload = json.dumps(record, sort_keys=True).encode("utf-8")
        self._client.publish_to_iot_core(topic_name=self._topic, qos=self._qos, payload=payload)


class Inspector:
    """Runs every settled image of a folder through the model and reports the outcome."""

    def __init__(
        self,
        agent,
        model_component,
        folder,
        results,
        publisher,
        load_image=load_rgb,
        settle_seconds=1.0,
        clock=time.time,
    ):
        self._agent = agent
        self._model = model_component
        self._folder = Path(folder)
        self._results = results
        self._publisher = publisher
        self._load_image = load_image
        self._settle = settle_seconds
        self._clock = clock
        self._thing = os.environ.get("AWS_IOT_THING_NAME", "")
        for outcome in OUTCOME_FOLDERS:
            (self._folder / outcome).mkdir(parents=True, exist_ok=True)

    def pending(self):
        """Images in the folder, oldest first, that have not been written to for a moment."""
        now = self._clock()
        images = []
        for path in self._folder.iterdir():
            if not path.is_file() or path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            modified = path.stat().st_mtime
            if now - modified >= self._settle:
                images.append((modified, path.name, path))
        return [path for _, _, path in sorted(images)]

    def _file(self, path, outcome):
        path.replace(self._folder / outcome / path.name)

    def inspect(self, path):
        """Inspects one image; returns its record, or None when it could not be inspected."""
        try:
            width, height, rgb = self._load_image(path)
        except Exception as error:  # noqa: BLE001 - any unreadable file goes to failed/
            LOG.error("Cannot read %s as an image: %s", path.name, error)
            self._file(path, "failed")
            return None
        if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
            LOG.error(
                "%s is %dx%d; the model takes %d to %d pixels a side",
                path.name, width, height, MIN_SIDE, MAX_SIDE,
            )
            self._file(path, "failed")
            return None

        started = time.monotonic()
        try:
            is_anomalous, confidence = self._agent.detect_anomalies(self._model, width, height, rgb)
        except Exception as error:  # noqa: BLE001 - sorted by gRPC status below
            if grpc_code(error) == "INVALID_ARGUMENT":
                LOG.error("The model rejected %s: %s", path.name, error)
                self._file(path, "failed")
                return None
            raise
        record = {
            "image": path.name,
            "isAnomalous": is_anomalous,
            "confidence": round(confidence, 6),
            "modelComponent": self._model,
            "inferenceMs": round((time.monotonic() - started) * 1000, 1),
            "inspectedAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "thingName": self._thing,
        }
        self._results.write(record)
        try:
            self._publisher.publish(record)
        except Exception as error:  # noqa: BLE001 - the local log keeps the result
            LOG.warning("Could not publish the result of %s: %s", path.name, error)
        self._file(path, "anomalous" if is_anomalous else "normal")
        LOG.info(
            "%s: %s (confidence %.3f)",
            path.name, "anomalous" if is_anomalous else "normal", confidence,
        )
        return record

    def run_once(self):
        return [record for record in map(self.inspect, self.pending()) if record]


def serve(agent, inspector, model_component, stop, poll_interval_seconds, start_timeout_seconds):
    """Inspects images until `stop` is set, restarting the model if it stops; then stops it."""
    ensure_model_running(agent, model_component, start_timeout_seconds)
    try:
        while not stop.is_set():
            try:
                inspector.run_once()
            except Exception as error:  # noqa: BLE001 - a stopped model is started again
                if grpc_code(error) not in ("FAILED_PRECONDITION", "UNAVAILABLE"):
                    raise
                LOG.warning("The model is not running (%s); starting it again", grpc_code(error))
                ensure_model_running(agent, model_component, start_timeout_seconds)
            stop.wait(poll_interval_seconds)
    finally:
        stop_model(agent, model_component)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-component", required=True)
    parser.add_argument("--image-folder", required=True)
    parser.add_argument("--results-topic", required=True)
    parser.add_argument("--results-log", required=True)
    parser.add_argument("--poll-interval", type=float, default=1.0)
    parser.add_argument("--start-timeout", type=float, default=600.0)
    parser.add_argument("--socket", default=EDGE_AGENT_SOCKET)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        stream=sys.stdout, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    import grpc

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    with grpc.insecure_channel(args.socket) as channel:
        agent = EdgeAgent(channel)
        inspector = Inspector(
            agent,
            args.model_component,
            args.image_folder,
            ResultsLog(args.results_log),
            IotCorePublisher(args.results_topic),
        )
        LOG.info("Inspecting images in %s with %s", args.image_folder, args.model_component)
        serve(agent, inspector, args.model_component, stop, args.poll_interval, args.start_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
