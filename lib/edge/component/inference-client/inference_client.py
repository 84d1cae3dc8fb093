#!/usr/bin/env python3
"""Inspects the images that a camera drops into a folder with a Lookout for Vision model.

Runs as a Greengrass component next to the Lookout for Vision EdgeAgent: starts the model,
calls DetectAnomalies for every new image, writes one JSON line per image to a results log,
publishes the same record to an AWS IoT topic, files the image under normal/, anomalous/ or
failed/, keeps those folders and the results log within their limits, and stops the model when
Greengrass stops the component.

An image that the EdgeAgent cannot inspect is tried again in later rounds and filed under
failed/ after a number of tries, so that one bad image never stops the others. Greengrass stops
the component with SIGTERM and kills it 5 seconds later: every call to the EdgeAgent is
cancelled on SIGTERM, and the model is then stopped within 3 seconds.

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

# gRPC's default limit on a received message. The EdgeAgent's own limit is not documented, so a
# frame that would not fit under this one travels the way --large-frames says.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
# Room in a DetectAnomaliesRequest for everything but the pixels: the component name (at most
# 128 characters), the width, the height and the field headers.
REQUEST_OVERHEAD_BYTES = 1024
LARGE_FRAMES = ("shared-memory", "downscale", "message")
# Linux keeps POSIX shared memory objects (shm_open) as files in this tmpfs.
SHARED_MEMORY_FOLDER = "/dev/shm"

CONTROL_TIMEOUT_SECONDS = 10.0
DETECT_TIMEOUT_SECONDS = 30.0
# Greengrass sends SIGTERM and kills the process 5 s later; StopModel must end before that.
SHUTDOWN_STOP_TIMEOUT_SECONDS = 3.0
START_ATTEMPTS = 3
MAX_BUSY_BACKOFF_SECONDS = 30.0

# ModelStatus of the EdgeAgent API.
STOPPED, STARTING, RUNNING, FAILED, STOPPING = range(5)
STATUS_NAMES = {
    STOPPED: "STOPPED",
    STARTING: "STARTING",
    RUNNING: "RUNNING",
    FAILED: "FAILED",
    STOPPING: "STOPPING",
}

# gRPC codes of DetectAnomalies that say the model is not serving, rather than that the image is bad.
MODEL_NOT_SERVING = ("FAILED_PRECONDITION", "UNAVAILABLE", "NOT_FOUND")

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


def encode_detect_anomalies_request(model_component, width, height, rgb=None, shared_memory=None):
    """The bitmap carries the pixels itself, or a SharedMemoryHandle (name, size, offset) to them."""
    if shared_memory is None:
        data = _length_delimited(3, rgb)
    else:
        name, size, offset = shared_memory
        data = _length_delimited(
            4, _string_field(1, name) + _int_field(2, size) + _int_field(3, offset)
        )
    bitmap = _int_field(1, width) + _int_field(2, height) + data
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


def describe_error(error):
    """`CODE: details` of a gRPC error, or the type and text of any other."""
    code = grpc_code(error)
    if code is None:
        return f"{type(error).__name__}: {error}"
    details = getattr(error, "details", None)
    return f"{code}: {details() if callable(details) else error}"


class Stopped(Exception):
    """Greengrass asked the component to stop while it waited for the EdgeAgent."""


class ModelStartError(Exception):
    """The model cannot be started; the message says why."""


class StopRequest:
    """Whether the component was asked to stop.

    Set from a signal handler, so `set` takes no lock: the handler runs in the main thread
    between two bytecodes, and waiting there for a lock that the interrupted code holds (as
    threading.Event.set may) would never end. Waits wake at least every 50 ms to look.
    """

    def __init__(self):
        self._requested = False

    def set(self, *_):
        self._requested = True

    def is_set(self):
        return self._requested

    def wait(self, seconds):
        deadline = time.monotonic() + seconds
        while not self._requested:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, 0.05))
        return self._requested


class EdgeAgent:
    """The EdgeAgent API over a gRPC channel; payloads are the raw protobuf bytes.

    With a `stop` request, every call but StopModel is cancelled as soon as it is set.
    """

    def __init__(
        self,
        channel,
        stop=None,
        timeout_seconds=CONTROL_TIMEOUT_SECONDS,
        detect_timeout_seconds=DETECT_TIMEOUT_SECONDS,
    ):
        self._stop = stop
        self._timeout = timeout_seconds
        self._detect_timeout = detect_timeout_seconds
        self._methods = {
            name: channel.unary_unary(SERVICE_PATH + name)
            for name in ("StartModel", "StopModel", "DescribeModel", "DetectAnomalies")
        }

    def _call(self, name, request, timeout):
        method = self._methods[name]
        if self._stop is None:
            return method(request, timeout=timeout)
        if self._stop.is_set():
            raise Stopped()
        future = method.future(request, timeout=timeout)
        done = threading.Event()
        future.add_done_callback(lambda _: done.set())
        while not done.wait(0.05):
            if self._stop.is_set():
                future.cancel()
                raise Stopped()
        return future.result()

    def describe_model(self, model_component):
        request = encode_model_request(model_component)
        return decode_model_description(self._call("DescribeModel", request, self._timeout))

    def start_model(self, model_component):
        request = encode_model_request(model_component)
        return decode_status(self._call("StartModel", request, self._timeout))

    def stop_model(self, model_component, timeout_seconds=SHUTDOWN_STOP_TIMEOUT_SECONDS):
        """Not cancelled by the stop request: it is what shutting down does."""
        request = encode_model_request(model_component)
        return decode_status(self._methods["StopModel"](request, timeout=timeout_seconds))

    def detect_anomalies(self, model_component, width, height, rgb=None, shared_memory=None):
        request = encode_detect_anomalies_request(
            model_component, width, height, rgb=rgb, shared_memory=shared_memory
        )
        return decode_detect_anomalies_response(
            self._call("DetectAnomalies", request, self._detect_timeout)
        )


def ensure_model_running(
    agent,
    model_component,
    timeout_seconds,
    stop,
    start_attempts=START_ATTEMPTS,
    poll_seconds=1.0,
    clock=time.monotonic,
):
    """Starts the model unless it runs, and waits until it does; the EdgeAgent may still be starting.

    Returns True once the model runs, False when `stop` was set first. Raises ModelStartError
    when the model fails `start_attempts` times or the EdgeAgent lacks the resources to load it,
    and TimeoutError after `timeout_seconds`.
    """
    deadline = clock() + timeout_seconds
    starts, last_state = 0, None
    try:
        while not stop.is_set():
            state = None
            try:
                description = agent.describe_model(model_component)
                status, message = description["status"], description["status_message"]
                state = STATUS_NAMES.get(status, str(status))
                if status == RUNNING:
                    LOG.info("Model %s is running", model_component)
                    return True
                if status == FAILED:
                    LOG.error(
                        "Model %s FAILED: %s", model_component, message or "(no status message)"
                    )
                if status in (STOPPED, FAILED):
                    if starts >= start_attempts:
                        raise ModelStartError(
                            f"model {model_component} did not start after {starts} StartModel"
                            f" calls; it is {state}: {message or '(no status message)'}"
                        )
                    starts += 1
                    LOG.info(
                        "Starting model %s (it was %s; start %d of %d)",
                        model_component, state, starts, start_attempts,
                    )
                    _start_model(agent, model_component)
                elif state != last_state:
                    LOG.info("Model %s is %s; waiting", model_component, state)
            except (Stopped, ModelStartError):
                raise
            except Exception as error:  # noqa: BLE001 - the EdgeAgent answers UNAVAILABLE until it listens
                if grpc_code(error) not in ("UNAVAILABLE", "NOT_FOUND"):
                    raise
                state = grpc_code(error)
                if state != last_state:
                    LOG.info("Waiting for the EdgeAgent to serve %s: %s",
                             model_component, describe_error(error))
            last_state = state
            if clock() >= deadline:
                raise TimeoutError(
                    f"model {model_component} did not start within {timeout_seconds:g} s"
                    f" (last seen: {last_state})"
                )
            stop.wait(poll_seconds)
    except Stopped:
        pass
    LOG.info("Stopped while waiting for model %s", model_component)
    return False


def _start_model(agent, model_component):
    try:
        agent.start_model(model_component)
    except Stopped:
        raise
    except Exception as error:  # noqa: BLE001 - sorted by gRPC status below
        code = grpc_code(error)
        if code == "FAILED_PRECONDITION":
            return  # no longer STOPPED or FAILED: another client started it
        if code == "RESOURCE_EXHAUSTED":
            raise ModelStartError(
                f"the EdgeAgent lacks the resources to start model {model_component}"
                f" ({describe_error(error)}); a running Lookout for Vision model needs at least"
                " 6 GB of memory"
            ) from error
        raise


def stop_model(agent, model_component, timeout_seconds=SHUTDOWN_STOP_TIMEOUT_SECONDS):
    try:
        agent.stop_model(model_component, timeout_seconds)
        LOG.info("Stopped model %s", model_component)
    except Exception as error:  # noqa: BLE001 - stopping is best effort on shutdown
        LOG.warning("Could not stop model %s: %s", model_component, describe_error(error))


def fit_within(width, height, max_bytes):
    """The largest size of the same aspect that holds at most `max_bytes` of RGB888."""
    if width * height * 3 <= max_bytes:
        return width, height
    scale = (max_bytes / (width * height * 3)) ** 0.5
    fitted_width, fitted_height = max(1, int(width * scale)), max(1, int(height * scale))
    while fitted_width * fitted_height * 3 > max_bytes:
        fitted_width, fitted_height = max(1, fitted_width - 1), max(1, fitted_height - 1)
    return fitted_width, fitted_height


def load_rgb(path, max_bytes=None):
    """Reads an image as packed RGB888, which DetectAnomalies expects, scaled to fit `max_bytes`."""
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
        if max_bytes is not None:
            size = fit_within(rgb.width, rgb.height, max_bytes)
            if size != rgb.size:
                LOG.info("Scaling %s from %dx%d to %dx%d to fit in one message",
                         Path(path).name, rgb.width, rgb.height, *size)
                rgb = rgb.resize(size, Image.BILINEAR)
        return rgb.width, rgb.height, rgb.tobytes()


class SharedMemoryFrame:
    """One POSIX shared memory segment that holds the frame being inspected.

    The segment is named after the model component, so a restarted client reuses it instead
    of leaving another behind, and it is removed on shutdown. Its name is given in the
    `/name` form that shm_open(3) documents.
    """

    def __init__(self, model_component, folder=SHARED_MEMORY_FOLDER):
        file_name = f"lookout-vision-frame.{model_component}"
        self.name = "/" + file_name
        self._path = Path(folder) / file_name
        self._fd = None

    def put(self, rgb):
        """Writes the frame and returns its handle: (name, size, offset)."""
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o640)
        os.ftruncate(self._fd, len(rgb))
        view, written = memoryview(rgb), 0
        while written < len(view):
            written += os.pwrite(self._fd, view[written:], written)
        return self.name, len(rgb), 0

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        try:
            self._path.unlink()
        except FileNotFoundError:
            pass


class ResultsLog:
    """One JSON object per line, appended to a local file that is rotated at a size.

    `path` moves to `path.1` (and `path.1` to `path.2`, ...) when it reaches `max_bytes`;
    `backups` rotated files are kept, and none older than `max_age_seconds`.
    """

    def __init__(self, path, max_bytes=None, backups=4, max_age_seconds=None, clock=time.time):
        self._path = Path(path)
        self._max_bytes = max_bytes
        self._backups = backups
        self._max_age = max_age_seconds
        self._clock = clock
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._prune_backups()

    def _backup(self, number):
        return self._path.with_name(f"{self._path.name}.{number}")

    def write(self, record):
        line = (json.dumps(record, sort_keys=True) + "\n").encode("utf-8")
        with self._path.open("ab") as log:
            log.write(line)
            size = log.tell()
        if self._max_bytes and size >= self._max_bytes:
            self._rotate()

    def _rotate(self):
        if self._backups < 1:
            self._path.unlink()
            return
        self._backup(self._backups).unlink(missing_ok=True)
        for number in range(self._backups - 1, 0, -1):
            if self._backup(number).exists():
                self._backup(number).replace(self._backup(number + 1))
        self._path.replace(self._backup(1))
        self._prune_backups()

    def _prune_backups(self):
        """Removes backups beyond the count (after a lower setting) and past the age limit."""
        for candidate in self._path.parent.glob(self._path.name + ".*"):
            number = candidate.name[len(self._path.name) + 1 :]
            if not number.isdigit():
                continue
            too_old = (
                self._max_age is not None
                and self._clock() - candidate.stat().st_mtime > self._max_age
            )
            if int(number) > self._backups or too_old:
                candidate.unlink(missing_ok=True)


def prune_folder(folder, keep=None, max_age_seconds=None, clock=time.time):
    """Deletes the oldest files beyond `keep` and those older than `max_age_seconds`; returns how many."""
    files = sorted(
        ((path.stat().st_mtime, path.name, path) for path in folder.iterdir() if path.is_file()),
        reverse=True,
    )
    now, removed = clock(), 0
    for index, (modified, _, path) in enumerate(files):
        beyond_count = keep is not None and index >= keep
        too_old = max_age_seconds is not None and now - modified > max_age_seconds
        if beyond_count or too_old:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class Retention:
    """How many inspected images each outcome folder keeps, and for how long.

    Applied at most every `interval_seconds`, as it reads the date of every kept image.
    """

    def __init__(
        self, images_per_folder=None, max_age_seconds=None, interval_seconds=60.0, clock=time.time
    ):
        self.images_per_folder = images_per_folder
        self.max_age_seconds = max_age_seconds
        self._interval = interval_seconds
        self._clock = clock
        self._last = None

    def apply(self, folder):
        if self.images_per_folder is None and self.max_age_seconds is None:
            return
        now = self._clock()
        if self._last is not None and now - self._last < self._interval:
            return
        self._last = now
        for outcome in OUTCOME_FOLDERS:
            removed = prune_folder(
                folder / outcome, self.images_per_folder, self.max_age_seconds, self._clock
            )
            if removed:
                LOG.info("Deleted the %d oldest images of %s/", removed, outcome)


class TryLog:
    """Tries per image. The image being inspected is written down before each try, so that a
    try that ends the process (a crash, the OOM killer) still counts after Greengrass restarts it."""

    def __init__(self, path=None):
        self._path = Path(path) if path else None
        self._tries = {}
        if self._path and self._path.exists():
            try:
                last = json.loads(self._path.read_text(encoding="utf-8"))
                self._tries[last["image"]] = int(last["tries"])
            except (ValueError, KeyError, TypeError):
                pass

    def begin(self, name):
        """Counts a try of `name` and returns its number."""
        tries = self._tries.get(name, 0) + 1
        self._tries[name] = tries
        if self._path:
            self._path.write_text(json.dumps({"image": name, "tries": tries}), encoding="utf-8")
        return tries

    def forget(self, name):
        self._tries.pop(name, None)
        if self._path:
            self._path.unlink(missing_ok=True)

    def undo(self, name):
        """The try did not happen (the component is stopping)."""
        tries = self._tries.get(name, 1) - 1
        if tries > 0:
            self._tries[name] = tries
            if self._path:
                self._path.write_text(json.dumps({"image": name, "tries": tries}), encoding="utf-8")
        else:
            self.forget(name)


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


class Round:
    """What one pass over the folder did, and what the EdgeAgent said about itself."""

    def __init__(self):
        self.records = []
        self.filed = 0
        self.model_not_serving = False
        self.agent_busy = False


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
        max_tries=3,
        large_frames="shared-memory",
        shared_memory=None,
        retention=None,
        tries=None,
        edge_agent_version="",
    ):
        if large_frames not in LARGE_FRAMES:
            raise ValueError(f"large_frames is one of {', '.join(LARGE_FRAMES)}")
        self._agent = agent
        self._model = model_component
        self._folder = Path(folder)
        self._results = results
        self._publisher = publisher
        self._load_image = load_image
        self._settle = settle_seconds
        self._clock = clock
        self._max_tries = max_tries
        self._large_frames = large_frames
        self._shared_memory = shared_memory
        if large_frames == "shared-memory" and shared_memory is None:
            self._shared_memory = SharedMemoryFrame(model_component)
        self._retention = retention or Retention()
        self._tries = tries or TryLog()
        self._edge_agent_version = edge_agent_version
        self._thing = os.environ.get("AWS_IOT_THING_NAME", "")
        for outcome in OUTCOME_FOLDERS:  # in a folder that the install step checked
            (self._folder / outcome).mkdir(exist_ok=True)
        self._retention.apply(self._folder)

    def close(self):
        if self._shared_memory is not None:
            self._shared_memory.close()

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
        target = self._folder / outcome / path.name
        path.replace(target)
        os.utime(target)  # retention counts from the inspection, not from the capture
        self._tries.forget(path.name)

    def _fail(self, path, reason, *args):
        LOG.error("%s goes to failed/: " + reason, path.name, *args)
        self._file(path, "failed")

    def _load(self, path):
        if self._large_frames == "downscale":
            return self._load_image(path, MAX_MESSAGE_BYTES - REQUEST_OVERHEAD_BYTES)
        return self._load_image(path)

    def _detect(self, width, height, rgb, through_shared_memory):
        if not through_shared_memory:
            return self._agent.detect_anomalies(self._model, width, height, rgb=rgb)
        handle = self._shared_memory.put(rgb)
        return self._agent.detect_anomalies(self._model, width, height, shared_memory=handle)

    def inspect(self, path, round_):
        """Inspects one image: records and files it, or counts a failed try."""
        tries = self._tries.begin(path.name)
        if tries > self._max_tries:
            self._fail(path, "none of its last %d tries ended (the client crashed or was killed)",
                       tries - 1)
            round_.filed += 1
            return
        try:
            width, height, rgb = self._load(path)
        except Exception as error:  # noqa: BLE001 - any unreadable file goes to failed/
            self._fail(path, "it cannot be read as an image: %s", error)
            round_.filed += 1
            return
        if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
            self._fail(path, "it is %dx%d; the model takes %d to %d pixels a side",
                       width, height, MIN_SIDE, MAX_SIDE)
            round_.filed += 1
            return

        through_shared_memory = (
            self._large_frames == "shared-memory"
            and len(rgb) > MAX_MESSAGE_BYTES - REQUEST_OVERHEAD_BYTES
        )
        started = time.monotonic()
        try:
            is_anomalous, confidence = self._detect(width, height, rgb, through_shared_memory)
        except Stopped:
            self._tries.undo(path.name)
            raise
        except Exception as error:  # noqa: BLE001 - every failure counts against this image only
            frame = (width, height, len(rgb), through_shared_memory)
            self._failed_try(path, tries, frame, error, round_)
            return

        record = {
            "image": path.name,
            "isAnomalous": is_anomalous,
            "confidence": round(confidence, 6),
            "modelComponent": self._model,
            "inferenceMs": round((time.monotonic() - started) * 1000, 1),
            "inspectedAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "thingName": self._thing,
        }
        if self._edge_agent_version:
            record["edgeAgentVersion"] = self._edge_agent_version
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
        round_.records.append(record)
        round_.filed += 1

    def _failed_try(self, path, tries, frame, error, round_):
        code, reason = grpc_code(error), describe_error(error)
        width, height, size, through_shared_memory = frame
        if through_shared_memory:
            LOG.error(
                "The EdgeAgent refused the %dx%d frame of %s passed through the shared memory"
                " segment %s (%s). If every large frame fails like this, set the component's"
                " LargeFrames to downscale (or to message if this EdgeAgent takes messages over"
                " %d bytes)",
                width, height, path.name, self._shared_memory.name, reason, MAX_MESSAGE_BYTES,
            )
        elif code == "RESOURCE_EXHAUSTED" and "larger than max" in reason:
            LOG.error(
                "The %dx%d frame of %s (%d bytes) is over the EdgeAgent's message size limit:"
                " set the component's LargeFrames to shared-memory or downscale",
                width, height, path.name, size,
            )
        if code == "INVALID_ARGUMENT":
            self._fail(path, "the EdgeAgent rejected it: %s", reason)
            round_.filed += 1
            return
        round_.model_not_serving = round_.model_not_serving or code in MODEL_NOT_SERVING
        round_.agent_busy = round_.agent_busy or code == "RESOURCE_EXHAUSTED"
        if tries >= self._max_tries:
            self._fail(path, "try %d of %d failed: %s", tries, self._max_tries, reason)
            round_.filed += 1
        else:
            LOG.warning("Try %d of %d of %s failed: %s; it stays for the next round",
                        tries, self._max_tries, path.name, reason)

    def run_once(self, stop=None):
        """One pass over the settled images; stops early when the EdgeAgent cannot take more."""
        round_ = Round()
        for path in self.pending():
            if stop is not None and stop.is_set():
                break
            self.inspect(path, round_)
            if round_.model_not_serving or round_.agent_busy:
                break
        if round_.filed:
            self._retention.apply(self._folder)
        return round_


def serve(
    agent,
    inspector,
    model_component,
    stop,
    poll_interval_seconds,
    start_timeout_seconds,
    stop_timeout_seconds=SHUTDOWN_STOP_TIMEOUT_SECONDS,
):
    """Inspects images until `stop` is set, waiting for the model whenever it stops serving;
    then stops the model."""
    try:
        if not ensure_model_running(agent, model_component, start_timeout_seconds, stop):
            return
        backoff = 0.0
        while not stop.is_set():
            round_ = inspector.run_once(stop)
            if round_.model_not_serving:
                LOG.warning("Model %s is not serving; waiting for it", model_component)
                if not ensure_model_running(agent, model_component, start_timeout_seconds, stop):
                    return
            if round_.agent_busy:
                backoff = min(max(backoff * 2, 1.0), MAX_BUSY_BACKOFF_SECONDS)
                LOG.warning("The EdgeAgent cannot keep up; next round in %g s", backoff)
            else:
                backoff = 0.0
            stop.wait(max(poll_interval_seconds, backoff))
    except Stopped:
        LOG.info("Stopping")
    finally:
        stop_model(agent, model_component, stop_timeout_seconds)


def _limit(value):
    """Recipe values: 0 means no limit."""
    return value if value > 0 else None


def _whole_number(text):
    """A count from the recipe, which Greengrass may hand over as `3.0`."""
    return int(float(text))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-component", required=True)
    parser.add_argument("--image-folder", required=True)
    parser.add_argument("--results-topic", required=True)
    parser.add_argument("--results-log", required=True)
    parser.add_argument("--poll-interval", type=float, default=1.0)
    parser.add_argument("--start-timeout", type=float, default=600.0)
    parser.add_argument("--socket", default=EDGE_AGENT_SOCKET)
    parser.add_argument("--max-tries", type=_whole_number, default=3)
    parser.add_argument("--large-frames", choices=LARGE_FRAMES, default="shared-memory")
    parser.add_argument("--images-per-folder", type=_whole_number, default=0, help="0 keeps all")
    parser.add_argument("--max-age-days", type=float, default=0, help="0 keeps all")
    parser.add_argument("--results-log-megabytes", type=float, default=0, help="0 never rotates")
    parser.add_argument("--results-log-backups", type=_whole_number, default=4)
    parser.add_argument("--tries-file", help="where the image being inspected is written down")
    parser.add_argument("--edge-agent-version", default="")
    return parser.parse_args(argv)


def main(argv=None):
    stop = StopRequest()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop.set)
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        stream=sys.stdout, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    import grpc

    max_age = _limit(args.max_age_days)
    max_age_seconds = max_age * 86400 if max_age else None
    log_bytes = _limit(args.results_log_megabytes)
    try:
        inspector_options = dict(
            max_tries=max(1, args.max_tries),
            large_frames=args.large_frames,
            retention=Retention(_limit(args.images_per_folder), max_age_seconds),
            tries=TryLog(args.tries_file),
            edge_agent_version=args.edge_agent_version,
        )
        results = ResultsLog(
            args.results_log,
            max_bytes=int(log_bytes * 1024 * 1024) if log_bytes else None,
            backups=max(0, args.results_log_backups),
            max_age_seconds=max_age_seconds,
        )
    except OSError as error:
        LOG.error("Cannot use the results log %s: %s", args.results_log, error)
        return 1
    if args.edge_agent_version:
        LOG.info("The deployment pins EdgeAgent %s (its API does not report a version)",
                 args.edge_agent_version)
    inspector = None
    try:
        with grpc.insecure_channel(args.socket) as channel:
            agent = EdgeAgent(channel, stop)
            try:
                inspector = Inspector(
                    agent,
                    args.model_component,
                    args.image_folder,
                    results,
                    IotCorePublisher(args.results_topic),
                    **inspector_options,
                )
            except OSError as error:
                LOG.error(
                    "Cannot use the image folder %s: %s. It must exist and be writable by %s",
                    args.image_folder, error, _user(),
                )
                return 1
            LOG.info("Inspecting images in %s with %s", args.image_folder, args.model_component)
            serve(agent, inspector, args.model_component, stop, args.poll_interval,
                  args.start_timeout)
    except (ModelStartError, TimeoutError) as error:
        LOG.error("%s", error)
        return 1
    except Exception as error:  # noqa: BLE001 - a gRPC error is told in one line
        if grpc_code(error) is None:
            raise
        LOG.error("The EdgeAgent answered %s", describe_error(error))
        return 1
    finally:
        if inspector is not None:
            inspector.close()
    return 0


def _user():
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return f"uid {os.getuid()}"


if __name__ == "__main__":
    sys.exit(main())
