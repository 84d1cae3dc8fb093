"""Inspecting a folder of real images against a fake EdgeAgent gRPC server: filing by outcome,
errors per image, frames over gRPC's message limit, and what the client keeps on the device."""

import json
import os
import signal
import threading
import time
import unittest
from pathlib import Path

import grpc
from PIL import Image

from client_under_test import FakePublisher, client, temporary_folder
from fake_edge_agent import FakeEdgeAgent, Server, read_shared_memory

MODEL = "part-model"

# Every gRPC status code but OK. INVALID_ARGUMENT files the image at once; any other is tried
# again and filed under failed/ after the last try.
GRPC_CODES = [code.name for code in grpc.StatusCode if code.name != "OK"]


def make_image(path, red, green=0, size=(64, 64), age_seconds=60.0):
    """A PNG of one colour: the fake EdgeAgent tells images apart by their red value."""
    Image.new("RGB", size, (red, green, 0)).save(path)
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


class InspectionTestCase(unittest.TestCase):
    def setUp(self):
        root = temporary_folder(self)
        self.folder = root / "images"
        self.folder.mkdir()
        self.results_path = root / "work" / "results.jsonl"
        self.fake = FakeEdgeAgent(MODEL, status="RUNNING")
        server = Server(self.fake).__enter__()
        self.addCleanup(server.__exit__)
        channel = grpc.insecure_channel(server.address)
        self.addCleanup(channel.close)
        self.stop = client.StopRequest()
        self.agent = client.EdgeAgent(channel, self.stop, detect_timeout_seconds=0.5)
        self.publisher = FakePublisher()

    def inspector(self, **options):
        options.setdefault("results", client.ResultsLog(self.results_path))
        inspector = client.Inspector(
            self.agent, MODEL, self.folder, publisher=self.publisher, **options
        )
        self.addCleanup(inspector.close)
        return inspector

    def filed(self, outcome):
        return sorted(path.name for path in (self.folder / outcome).iterdir())

    def rounds(self, inspector, limit=10):
        """Runs rounds until no image is left to inspect; returns how many it took."""
        for number in range(1, limit + 1):
            inspector.run_once(self.stop)
            if not inspector.pending():
                return number
        self.fail(f"images left after {limit} rounds: {inspector.pending()}")


class FilingTest(InspectionTestCase):
    def test_reports_each_image_and_files_it_by_outcome(self):
        make_image(self.folder / "part-1.jpg", 1, age_seconds=90)
        make_image(self.folder / "part-2-bad.png", 2, green=255, age_seconds=80)
        make_image(self.folder / "tiny.bmp", 3, size=(32, 32))
        (self.folder / "notes.txt").write_text("not an image")

        with self.assertLogs("inference_client"):
            round_ = self.inspector().run_once()

        records = round_.records
        self.assertEqual([(r["image"], r["isAnomalous"]) for r in records],
                         [("part-1.jpg", False), ("part-2-bad.png", True)])
        self.assertEqual(records[0]["confidence"], 0.875)
        self.assertEqual(records[0]["modelComponent"], MODEL)
        self.assertEqual(self.publisher.records, records)
        logged = [json.loads(line) for line in self.results_path.read_text().splitlines()]
        self.assertEqual(logged, records)
        self.assertEqual(self.filed("normal"), ["part-1.jpg"])
        self.assertEqual(self.filed("anomalous"), ["part-2-bad.png"])
        self.assertEqual(self.filed("failed"), ["tiny.bmp"])
        self.assertTrue((self.folder / "notes.txt").exists())
        self.assertEqual(self.fake.frames, [("byte_data", 64, 64, 64 * 64 * 3)] * 2)

    def test_an_image_still_being_written_waits(self):
        make_image(self.folder / "part-1.jpg", 1)
        fresh = make_image(self.folder / "part-3.jpg", 3, age_seconds=0)
        pending = self.inspector(settle_seconds=30).pending()
        self.assertEqual(pending, [self.folder / "part-1.jpg"])
        self.assertNotIn(fresh, pending)

    def test_a_failed_publish_keeps_the_local_result(self):
        make_image(self.folder / "part-1.jpg", 1)
        self.publisher.fail = True
        with self.assertLogs("inference_client", "WARNING"):
            self.assertEqual(len(self.inspector().run_once().records), 1)
        self.assertEqual(len(self.results_path.read_text().splitlines()), 1)

    def test_an_unreadable_image_is_filed_as_failed(self):
        truncated = self.folder / "truncated.jpg"
        truncated.write_bytes(b"\xff\xd8\xff\xe0 not really")
        os.utime(truncated, (time.time() - 60,) * 2)
        with self.assertLogs("inference_client", "ERROR") as logs:
            self.inspector().run_once()
        self.assertEqual(self.filed("failed"), ["truncated.jpg"])
        self.assertIn("truncated.jpg goes to failed/: it cannot be read as an image", logs.output[0])
        self.assertNotIn("DetectAnomalies", self.fake.names())

    def test_a_missing_image_folder_is_one_plain_error(self):
        # GG DG component-recipe-reference: a component that errors three times becomes BROKEN;
        # the install step checks the folder first (inference-client-recipe.test.ts).
        for signum in (signal.SIGTERM, signal.SIGINT):
            self.addCleanup(signal.signal, signum, signal.getsignal(signum))
        original = client.IotCorePublisher
        client.IotCorePublisher = lambda topic: self.publisher
        self.addCleanup(setattr, client, "IotCorePublisher", original)
        missing = self.folder.parent / "camera"
        with self.assertLogs("inference_client", "ERROR") as logs:
            status = client.main([
                "--model-component", MODEL, "--image-folder", str(missing), "--results-topic", "t",
                "--results-log", str(self.results_path), "--socket", "unix:///nonexistent",
            ])
        self.assertEqual(status, 1)
        self.assertRegex(
            logs.output[0],
            f"Cannot use the image folder {missing}: .*No such file or directory.*"
            " It must exist and be writable by ",
        )


class ErrorPerImageTest(InspectionTestCase):
    """LFV DG edge-agent-reference-detect-anomalies lists UNKNOWN, INVALID_ARGUMENT, NOT_FOUND,
    RESOURCE_EXHAUSTED, FAILED_PRECONDITION and INTERNAL; gRPC itself adds DEADLINE_EXCEEDED,
    UNAVAILABLE and RESOURCE_EXHAUSTED (message over 4 MiB). No code may stop the component."""

    def test_every_status_code_costs_the_image_a_try_and_never_the_others(self):
        for code in GRPC_CODES:
            with self.subTest(code=code):
                self.setUp()
                make_image(self.folder / "bad.png", 9, age_seconds=90)
                make_image(self.folder / "good.png", 1, age_seconds=80)
                self.fake.detect_errors = {9: [code] * 10}
                inspector = self.inspector(max_tries=3)
                with self.assertLogs("inference_client") as logs:
                    self.rounds(inspector)
                self.assertEqual(self.filed("failed"), ["bad.png"])
                self.assertEqual(self.filed("normal"), ["good.png"])
                self.assertEqual(self.fake.tries(9), 1 if code == "INVALID_ARGUMENT" else 3)
                self.assertIn("bad.png goes to failed/", "\n".join(logs.output))
                self.assertIn(f"{code}: scripted {code}", "\n".join(logs.output))

    def test_a_real_deadline_counts_as_a_try(self):
        make_image(self.folder / "slow.png", 9, age_seconds=90)
        self.fake.detect_delay = {9: 1.0}
        inspector = self.inspector(max_tries=2)
        with self.assertLogs("inference_client", "WARNING") as logs:
            self.rounds(inspector)
        self.assertEqual(self.filed("failed"), ["slow.png"])
        self.assertIn("Try 1 of 2 of slow.png failed: DEADLINE_EXCEEDED", logs.output[0])

    def test_an_image_that_fails_once_is_inspected_in_the_next_round(self):
        make_image(self.folder / "flaky.png", 9, age_seconds=90)
        make_image(self.folder / "good.png", 1, age_seconds=80)
        self.fake.detect_errors = {9: ["INTERNAL"]}
        with self.assertLogs("inference_client"):
            self.assertEqual(self.rounds(self.inspector()), 2)
        self.assertEqual(self.filed("normal"), ["flaky.png", "good.png"])

    def test_a_busy_agent_ends_the_round_and_the_model_is_awaited_when_it_stops_serving(self):
        make_image(self.folder / "a.png", 9, age_seconds=90)
        make_image(self.folder / "b.png", 1, age_seconds=80)
        for code, flag in (("RESOURCE_EXHAUSTED", "agent_busy"),
                           ("FAILED_PRECONDITION", "model_not_serving"),
                           ("UNAVAILABLE", "model_not_serving")):
            with self.subTest(code=code):
                self.fake.detect_errors = {9: [code]}
                with self.assertLogs("inference_client"):
                    round_ = self.inspector().run_once()
                self.assertTrue(getattr(round_, flag))
                self.assertEqual(round_.records, [])  # b.png waits for the next round

    def test_serve_keeps_going_past_a_bad_image(self):
        make_image(self.folder / "bad.png", 9, age_seconds=90)
        make_image(self.folder / "good.png", 1, age_seconds=80)
        self.fake.detect_errors = {9: ["INTERNAL"] * 10}
        inspector = self.inspector(max_tries=3)

        class StopWhenDone:
            def __init__(self, inner):
                self.inner = inner

            def run_once(self, stop):
                round_ = self.inner.run_once(stop)
                if not self.inner.pending():
                    stop.set()
                return round_

        with self.assertLogs("inference_client"):
            client.serve(self.agent, StopWhenDone(inspector), MODEL, self.stop, 0.01, 5)
        self.assertEqual(self.filed("failed"), ["bad.png"])
        self.assertEqual(self.filed("normal"), ["good.png"])
        self.assertEqual(self.fake.names()[-1], "StopModel")

    def test_tries_that_ended_the_process_count_after_a_restart(self):
        make_image(self.folder / "killer.png", 9)
        tries_file = self.folder.parent / "work" / "tries.json"
        tries_file.parent.mkdir(exist_ok=True)
        for _ in range(3):  # three runs, each killed during its try of the same image
            client.TryLog(tries_file).begin("killer.png")
        self.assertEqual(json.loads(tries_file.read_text()), {"image": "killer.png", "tries": 3})
        with self.assertLogs("inference_client", "ERROR") as logs:
            self.inspector(max_tries=3, tries=client.TryLog(tries_file)).run_once()
        self.assertEqual(self.filed("failed"), ["killer.png"])
        self.assertIn("none of its last", logs.output[0])
        self.assertNotIn("DetectAnomalies", self.fake.names())
        self.assertFalse(tries_file.exists())

    def test_a_stop_during_the_call_costs_no_try(self):
        make_image(self.folder / "slow.png", 9)
        self.fake.detect_delay = {9: 5.0}
        tries = client.TryLog(self.folder.parent / "tries.json")
        inspector = self.inspector(tries=tries)
        threading.Timer(0.2, self.stop.set).start()
        with self.assertRaises(client.Stopped):
            inspector.run_once()
        self.assertEqual(tries.begin("slow.png"), 1)
        self.assertTrue((self.folder / "slow.png").exists())


class LargeFrameTest(InspectionTestCase):
    """gRPC's default limit on a received message is 4 MiB (grpc.max_receive_message_length),
    which a 1920x1080 RGB888 frame (6,220,800 bytes) is over. The EdgeAgent's own limit is not
    documented; the API reference recommends shared memory for large images."""

    def setUp(self):
        super().setUp()
        make_image(self.folder / "full-hd.png", 5, green=255, size=(1920, 1080))

    def test_a_frame_over_the_limit_goes_through_shared_memory_by_default(self):
        inspector = self.inspector()
        with self.assertLogs("inference_client"):
            records = inspector.run_once().records
        self.assertEqual([r["isAnomalous"] for r in records], [True])
        self.assertEqual(self.fake.frames, [("shared_memory_handle", 1920, 1080, 6_220_800)])
        _, request, _ = [call for call in self.fake.calls if call[0] == "DetectAnomalies"][0]
        handle = request.bitmap.shared_memory_handle
        self.assertEqual((handle.name, handle.offset), (f"/lookout-vision-frame.{MODEL}", 0))
        self.assertEqual(read_shared_memory(handle.name, 0, 3), bytes([5, 255, 0]))
        inspector.close()
        self.assertFalse(Path("/dev/shm", handle.name.lstrip("/")).exists())

    def test_a_frame_that_fits_stays_in_the_message(self):
        make_image(self.folder / "sxga.png", 6, size=(1280, 1024), age_seconds=120)  # 3,932,160 bytes
        with self.assertLogs("inference_client"):
            self.inspector().run_once()
        self.assertEqual(self.fake.frames[0], ("byte_data", 1280, 1024, 3_932_160))

    def test_a_refused_shared_memory_frame_is_said_loudly(self):
        self.fake.reject_shared_memory = True
        with self.assertLogs("inference_client", "ERROR") as logs:
            self.inspector().run_once()
        self.assertIn(
            f"passed through the shared memory segment /lookout-vision-frame.{MODEL}"
            " (INVALID_ARGUMENT: cannot open", logs.output[0],
        )
        self.assertIn("set the component's LargeFrames to downscale", logs.output[0])
        self.assertEqual(self.filed("failed"), ["full-hd.png"])

    def test_downscale_fits_the_frame_in_one_message_at_the_same_aspect(self):
        with self.assertLogs("inference_client") as logs:
            self.inspector(large_frames="downscale").run_once()
        [(transport, width, height, size)] = self.fake.frames
        self.assertEqual(transport, "byte_data")
        self.assertLessEqual(size, client.MAX_MESSAGE_BYTES - client.REQUEST_OVERHEAD_BYTES)
        self.assertGreater(size, 0.99 * (client.MAX_MESSAGE_BYTES - client.REQUEST_OVERHEAD_BYTES))
        self.assertAlmostEqual(width / height, 1920 / 1080, places=2)
        self.assertIn(f"Scaling full-hd.png from 1920x1080 to {width}x{height}", "\n".join(logs.output))
        self.assertEqual(self.filed("anomalous"), ["full-hd.png"])

    def test_in_the_message_a_large_frame_is_refused_by_grpc_and_said_so(self):
        with self.assertLogs("inference_client") as logs:
            self.rounds(self.inspector(large_frames="message"))
        output = "\n".join(logs.output)
        self.assertIn("RESOURCE_EXHAUSTED: Received message larger than max", output)
        self.assertIn("is over the EdgeAgent's message size limit: set the component's LargeFrames", output)
        self.assertEqual(self.filed("failed"), ["full-hd.png"])

    def test_fit_within(self):
        self.assertEqual(client.fit_within(1280, 1024, 4_000_000), (1280, 1024))
        width, height = client.fit_within(4096, 4096, 4_193_280)
        self.assertLessEqual(width * height * 3, 4_193_280)
        self.assertEqual(width, height)


class RetentionTest(InspectionTestCase):
    def test_each_outcome_folder_keeps_its_newest_images(self):
        for number in range(5):
            make_image(self.folder / f"part-{number}.png", 1, age_seconds=100 - number)
        with self.assertLogs("inference_client"):
            self.inspector(
                retention=client.Retention(images_per_folder=2, interval_seconds=0)
            ).run_once()
        self.assertEqual(self.filed("normal"), ["part-3.png", "part-4.png"])

    def test_images_older_than_the_age_limit_are_deleted(self):
        folder = self.folder / "normal"
        folder.mkdir()
        for name, age in (("old.png", 3 * 86400), ("new.png", 3600)):
            make_image(folder / name, 1, age_seconds=age)
        self.inspector(retention=client.Retention(max_age_seconds=2 * 86400))
        self.assertEqual(self.filed("normal"), ["new.png"])

    def test_filing_restarts_the_age_so_a_backlog_is_not_deleted_at_once(self):
        make_image(self.folder / "last-week.png", 1, age_seconds=7 * 86400)
        with self.assertLogs("inference_client"):
            self.inspector(retention=client.Retention(max_age_seconds=86400, interval_seconds=0)).run_once()
        self.assertEqual(self.filed("normal"), ["last-week.png"])

    def test_the_results_log_is_rotated_at_its_size_and_keeps_its_backups(self):
        log = client.ResultsLog(self.results_path, max_bytes=1000, backups=2)
        for number in range(60):
            log.write({"image": f"part-{number:03}.png", "isAnomalous": False})
        files = sorted(path.name for path in self.results_path.parent.iterdir())
        self.assertEqual(files, ["results.jsonl", "results.jsonl.1", "results.jsonl.2"])
        for path in self.results_path.parent.iterdir():
            self.assertLess(path.stat().st_size, 1000 + 100)
        newest = json.loads(self.results_path.with_name("results.jsonl.1").read_text().splitlines()[-1])
        current = [json.loads(line) for line in self.results_path.read_text().splitlines()]
        self.assertEqual(int(newest["image"][5:8]) + 1, int(current[0]["image"][5:8]))
        self.assertEqual(current[-1]["image"], "part-059.png")

    def test_rotated_results_logs_older_than_the_age_limit_are_deleted(self):
        self.results_path.parent.mkdir(parents=True)
        old = self.results_path.with_name("results.jsonl.3")
        old.write_text("{}\n")
        os.utime(old, (time.time() - 30 * 86400,) * 2)
        kept = self.results_path.with_name("results.jsonl.1")
        kept.write_text("{}\n")
        client.ResultsLog(self.results_path, max_bytes=1000, backups=4, max_age_seconds=7 * 86400)
        self.assertFalse(old.exists())
        self.assertTrue(kept.exists())


class ArgumentsTest(unittest.TestCase):
    def test_the_recipe_arguments_are_understood(self):
        args = client.parse_args([
            "--model-component", "part-model", "--image-folder", "/var/images",
            "--results-topic", "inspection/results", "--results-log", "/tmp/r.jsonl",
            "--poll-interval", "0.5", "--max-tries", "5", "--large-frames", "downscale",
            "--images-per-folder", "0", "--max-age-days", "14", "--results-log-megabytes", "10",
            "--results-log-backups", "4", "--tries-file", "/tmp/tries.json",
            "--edge-agent-version", "1.1.1",
        ])
        self.assertEqual(args.poll_interval, 0.5)
        self.assertEqual((args.max_tries, args.large_frames), (5, "downscale"))
        self.assertIsNone(client._limit(args.images_per_folder))
        self.assertEqual(args.socket, client.EDGE_AGENT_SOCKET)


if __name__ == "__main__":
    unittest.main()
