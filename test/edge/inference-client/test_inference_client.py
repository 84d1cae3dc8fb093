"""Tests of the inference client component's script, with a fake EdgeAgent and no gRPC."""

import json
import logging
import os
import shutil
import struct
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "lib" / "edge" / "component" / "inference-client"))

import inference_client as client  # noqa: E402

logging.disable(logging.CRITICAL)


class RpcError(Exception):
    """Stands in for grpc.RpcError: carries a status code."""

    def __init__(self, code_name):
        super().__init__(code_name)
        self._code = type("Code", (), {"name": code_name})()

    def code(self):
        return self._code


class FakeAgent:
    """An EdgeAgent whose model starts after one STARTING status."""

    def __init__(self, statuses=None, anomalous_names=(), errors=None):
        self.statuses = list(statuses or [client.RUNNING])
        self.anomalous_names = anomalous_names
        self.errors = list(errors or [])
        self.calls = []

    def describe_model(self, model_component):
        self.calls.append(("DescribeModel", model_component))
        if self.errors:
            raise self.errors.pop(0)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return {"status": status}

    def start_model(self, model_component):
        self.calls.append(("StartModel", model_component))
        return client.STARTING

    def stop_model(self, model_component):
        self.calls.append(("StopModel", model_component))
        return client.STOPPED

    def detect_anomalies(self, model_component, width, height, rgb):
        self.calls.append(("DetectAnomalies", model_component, width, height, len(rgb)))
        return self.current_name in self.anomalous_names, 0.875


class FakePublisher:
    def __init__(self, fail=False):
        self.records = []
        self.fail = fail

    def publish(self, record):
        if self.fail:
            raise ConnectionError("IPC is down")
        self.records.append(record)


class WireFormatTest(unittest.TestCase):
    def test_detect_anomalies_request_has_the_component_and_an_rgb_bitmap(self):
        rgb = bytes(range(256)) * 3
        message = client.encode_detect_anomalies_request("part-model", 300, 200, rgb)
        fields = client.parse_fields(message)
        self.assertEqual(fields[1], b"part-model")
        bitmap = client.parse_fields(fields[2])
        self.assertEqual((bitmap[1], bitmap[2], bitmap[3]), (300, 200, rgb))

    def test_varints_above_one_byte_round_trip(self):
        for value in (0, 1, 127, 128, 300, 4096, 2**31 - 1):
            decoded, end = client._read_varint(client._varint(value), 0)
            self.assertEqual((decoded, end), (value, len(client._varint(value))))

    def test_detect_anomalies_response_gives_the_verdict_and_confidence(self):
        result = b"\x08\x01" + b"\x15" + struct.pack("<f", 0.875)
        response = b"\x0a" + bytes([len(result)]) + result
        self.assertEqual(client.decode_detect_anomalies_response(response), (True, 0.875))

    def test_proto3_defaults_are_absent_from_the_wire(self):
        self.assertEqual(client.decode_detect_anomalies_response(b""), (False, 0.0))
        self.assertEqual(client.decode_status(b""), client.STOPPED)
        self.assertEqual(client.decode_model_description(b"")["status"], client.STOPPED)

    def test_model_description_is_decoded(self):
        description = (
            client._string_field(1, "part-model")
            + client._string_field(2, "arn:aws:lookoutvision:us-east-1:123456789012:model/p/1")
            + client._int_field(3, client.RUNNING)
        )
        decoded = client.decode_model_description(client._length_delimited(1, description))
        self.assertEqual(decoded["model_component"], "part-model")
        self.assertEqual(decoded["status"], client.RUNNING)

    def test_truncated_messages_are_rejected(self):
        with self.assertRaises(ValueError):
            client.parse_fields(b"\x0a\x05ab")

    def test_the_agent_calls_the_edge_agent_service_methods(self):
        called = []

        class Channel:
            def unary_unary(self, path):
                def call(request, timeout):
                    called.append((path, request, timeout))
                    return b"\x08\x02" if path.endswith("StartModel") else b""

                return call

        agent = client.EdgeAgent(Channel(), timeout_seconds=5)
        self.assertEqual(agent.start_model("m"), client.RUNNING)
        self.assertEqual(called, [("/AWS.LookoutVision.EdgeAgent/StartModel", b"\x0a\x01m", 5)])


class ModelLifecycleTest(unittest.TestCase):
    def test_a_stopped_model_is_started_and_awaited(self):
        agent = FakeAgent(statuses=[client.STOPPED, client.STARTING, client.RUNNING])
        client.ensure_model_running(agent, "m", timeout_seconds=60, sleep=lambda _: None)
        self.assertEqual(
            [call[0] for call in agent.calls],
            ["DescribeModel", "StartModel", "DescribeModel", "DescribeModel"],
        )

    def test_waits_for_the_edge_agent_to_listen(self):
        agent = FakeAgent(errors=[RpcError("UNAVAILABLE")], statuses=[client.RUNNING])
        client.ensure_model_running(agent, "m", timeout_seconds=60, sleep=lambda _: None)
        self.assertEqual(len(agent.calls), 2)

    def test_gives_up_after_the_timeout(self):
        agent = FakeAgent(statuses=[client.STARTING])
        ticks = iter(range(0, 1000, 10))
        with self.assertRaises(TimeoutError):
            client.ensure_model_running(
                agent, "m", timeout_seconds=30, sleep=lambda _: None, clock=lambda: next(ticks)
            )

    def test_other_errors_are_not_hidden(self):
        agent = FakeAgent(errors=[RpcError("INTERNAL")])
        with self.assertRaises(RpcError):
            client.ensure_model_running(agent, "m", timeout_seconds=30, sleep=lambda _: None)

    def test_serve_stops_the_model_on_shutdown(self):
        agent = FakeAgent()
        stop = threading.Event()

        class Inspector:
            def run_once(self):
                stop.set()
                return []

        client.serve(agent, Inspector(), "m", stop, poll_interval_seconds=0, start_timeout_seconds=5)
        self.assertEqual(agent.calls[-1], ("StopModel", "m"))

    def test_serve_stops_the_model_when_inspection_breaks(self):
        agent = FakeAgent()

        class Inspector:
            def run_once(self):
                raise RpcError("INTERNAL")

        with self.assertRaises(RpcError):
            client.serve(agent, Inspector(), "m", threading.Event(), 0, 5)
        self.assertEqual(agent.calls[-1], ("StopModel", "m"))


class InspectorTest(unittest.TestCase):
    def setUp(self):
        root = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, root)
        self.folder = root / "images"
        self.folder.mkdir()
        self.log = root / "results" / "results.jsonl"
        old = time.time() - 60
        for name in ("part-1.jpg", "part-2-bad.png", "notes.txt", "tiny.bmp"):
            path = self.folder / name
            path.write_bytes(b"image")
            os.utime(path, (old, old))

    def inspector(self, agent, publisher, **options):
        def load_image(path):
            agent.current_name = path.name
            return (32, 32, b"\x00" * 32 * 32 * 3) if path.name == "tiny.bmp" else (96, 64, b"\x01" * 96 * 64 * 3)

        return client.Inspector(
            agent, "part-model", self.folder, client.ResultsLog(self.log), publisher,
            load_image=load_image, **options,
        )

    def test_reports_each_image_and_files_it_by_outcome(self):
        agent = FakeAgent(anomalous_names={"part-2-bad.png"})
        publisher = FakePublisher()
        records = self.inspector(agent, publisher).run_once()

        self.assertEqual([(r["image"], r["isAnomalous"]) for r in records],
                         [("part-1.jpg", False), ("part-2-bad.png", True)])
        self.assertEqual(records[0]["confidence"], 0.875)
        self.assertEqual(records[0]["modelComponent"], "part-model")
        self.assertEqual(publisher.records, records)
        logged = [json.loads(line) for line in self.log.read_text().splitlines()]
        self.assertEqual(logged, records)
        self.assertTrue((self.folder / "normal" / "part-1.jpg").exists())
        self.assertTrue((self.folder / "anomalous" / "part-2-bad.png").exists())
        self.assertTrue((self.folder / "failed" / "tiny.bmp").exists())
        self.assertTrue((self.folder / "notes.txt").exists())
        detect_calls = [call for call in agent.calls if call[0] == "DetectAnomalies"]
        self.assertEqual(detect_calls[0], ("DetectAnomalies", "part-model", 96, 64, 96 * 64 * 3))

    def test_an_image_still_being_written_waits(self):
        fresh = self.folder / "part-3.jpg"
        fresh.write_bytes(b"image")
        pending = self.inspector(FakeAgent(), FakePublisher(), settle_seconds=30).pending()
        self.assertNotIn(fresh, pending)
        self.assertIn(self.folder / "part-1.jpg", pending)

    def test_a_failed_publish_keeps_the_local_result(self):
        records = self.inspector(FakeAgent(), FakePublisher(fail=True)).run_once()
        self.assertEqual(len(records), 2)
        self.assertEqual(len(self.log.read_text().splitlines()), 2)

    def test_an_unreadable_image_is_filed_as_failed(self):
        agent = FakeAgent()

        def broken(path):
            raise OSError("cannot identify image file")

        inspector = client.Inspector(
            agent, "part-model", self.folder, client.ResultsLog(self.log), FakePublisher(),
            load_image=broken,
        )
        self.assertEqual(inspector.run_once(), [])
        self.assertEqual(sorted(p.name for p in (self.folder / "failed").iterdir()),
                         ["part-1.jpg", "part-2-bad.png", "tiny.bmp"])


class ArgumentsTest(unittest.TestCase):
    def test_the_recipe_arguments_are_understood(self):
        args = client.parse_args([
            "--model-component", "part-model", "--image-folder", "/var/images",
            "--results-topic", "inspection/results", "--results-log", "/tmp/r.jsonl",
            "--poll-interval", "0.5",
        ])
        self.assertEqual(args.poll_interval, 0.5)
        self.assertEqual(args.socket, client.EDGE_AGENT_SOCKET)


if __name__ == "__main__":
    unittest.main()
