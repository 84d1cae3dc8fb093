"""Starting, waiting for and stopping the model, against a fake EdgeAgent gRPC server."""

import os
import signal
import subprocess
import sys
import threading
import time
import unittest

import grpc

from client_under_test import CLIENT_FOLDER, client, temporary_folder
from fake_edge_agent import FakeEdgeAgent, Server

MODEL = "part-model"


class AgentTestCase(unittest.TestCase):
    def serve(self, fake, **agent_options):
        server = Server(fake).__enter__()
        self.addCleanup(server.__exit__)
        channel = grpc.insecure_channel(server.address)
        self.addCleanup(channel.close)
        self.stop = client.StopRequest()
        return client.EdgeAgent(channel, self.stop, **agent_options), server

    def ensure(self, agent, timeout_seconds=10, **options):
        return client.ensure_model_running(
            agent, MODEL, timeout_seconds, self.stop, poll_seconds=0.01, **options
        )


class StartTest(AgentTestCase):
    def test_a_stopped_model_is_started_and_awaited(self):
        # LFV DG edge-agent-reference-start-model: StartModel answers STARTING; RUNNING later.
        fake = FakeEdgeAgent(MODEL, status="STOPPED", after_start=("STARTING", "STARTING", "RUNNING"))
        agent, _ = self.serve(fake)
        self.assertTrue(self.ensure(agent))
        self.assertEqual(
            fake.names(),
            ["DescribeModel", "StartModel", "DescribeModel", "DescribeModel", "DescribeModel"],
        )

    def test_a_running_model_is_used_as_it_is(self):
        fake = FakeEdgeAgent(MODEL, status="RUNNING")
        agent, _ = self.serve(fake)
        self.assertTrue(self.ensure(agent))
        self.assertEqual(fake.names(), ["DescribeModel"])

    def test_waits_while_the_edge_agent_does_not_know_the_model_yet(self):
        fake = FakeEdgeAgent(MODEL, status="RUNNING")
        fake.describe_errors = ["UNAVAILABLE", "NOT_FOUND"]
        agent, _ = self.serve(fake)
        self.assertTrue(self.ensure(agent))
        self.assertEqual(fake.names(), ["DescribeModel"] * 3)

    def test_a_failed_model_is_logged_with_its_status_message_and_started_again(self):
        # LFV DG edge-agent-reference-describe-model: ModelDescription.status_message.
        fake = FakeEdgeAgent(MODEL, status="FAILED", status_message="CUDA out of memory",
                             after_start=("STARTING", "RUNNING"))
        agent, _ = self.serve(fake)
        with self.assertLogs("inference_client", "ERROR") as logs:
            self.assertTrue(self.ensure(agent))
        self.assertIn("Model part-model FAILED: CUDA out of memory", logs.output[0])
        self.assertEqual(fake.names()[:2], ["DescribeModel", "StartModel"])

    def test_a_model_that_keeps_failing_is_given_up_after_three_starts(self):
        fake = FakeEdgeAgent(MODEL, status="STOPPED", status_message="TensorRT engine mismatch",
                             after_start=("FAILED",))
        agent, _ = self.serve(fake)
        with self.assertLogs("inference_client"), self.assertRaises(client.ModelStartError) as raised:
            self.ensure(agent)
        self.assertEqual(fake.names().count("StartModel"), 3)
        self.assertIn("did not start after 3 StartModel calls", str(raised.exception))
        self.assertIn("FAILED: TensorRT engine mismatch", str(raised.exception))

    def test_not_enough_memory_to_start_is_said_plainly(self):
        # LFV DG edge-agent-reference-start-model: RESOURCE_EXHAUSTED, e.g. not enough memory to
        # load the model; models-devices-setup-requirements: at least 6 GB for a running model.
        fake = FakeEdgeAgent(MODEL, status="STOPPED")
        fake.start_errors = ["RESOURCE_EXHAUSTED"]
        agent, _ = self.serve(fake)
        with self.assertLogs("inference_client"), self.assertRaises(client.ModelStartError) as raised:
            self.ensure(agent)
        self.assertIn("RESOURCE_EXHAUSTED: not enough memory to load the model", str(raised.exception))
        self.assertIn("at least 6 GB", str(raised.exception))

    def test_gives_up_after_the_timeout(self):
        fake = FakeEdgeAgent(MODEL, status="STOPPED", after_start=("STARTING",))
        agent, _ = self.serve(fake)
        with self.assertLogs("inference_client"), self.assertRaises(TimeoutError) as raised:
            self.ensure(agent, timeout_seconds=0.2)
        self.assertIn("last seen: STARTING", str(raised.exception))

    def test_other_errors_are_not_hidden(self):
        fake = FakeEdgeAgent(MODEL, status="RUNNING")
        fake.describe_errors = ["INTERNAL"]
        agent, _ = self.serve(fake)
        with self.assertRaises(grpc.RpcError):
            self.ensure(agent)


class ShutdownTest(AgentTestCase):
    """aws-greengrass-nucleus UnixExec.close (util/platforms/unix): on stop, SIGTERM, a grace
    period of 5 s, then SIGKILL. The client must stop waiting at once and stop the model in time."""

    def test_stop_during_the_start_returns_at_once(self):
        fake = FakeEdgeAgent(MODEL, status="STOPPED", after_start=("STARTING",))
        agent, _ = self.serve(fake)
        threading.Timer(0.2, self.stop.set).start()
        started = time.monotonic()
        with self.assertLogs("inference_client"):
            self.assertFalse(client.ensure_model_running(agent, MODEL, 600, self.stop))
        self.assertLess(time.monotonic() - started, 0.5)

    def test_stop_cancels_a_call_in_flight(self):
        fake = FakeEdgeAgent(MODEL, status="RUNNING")
        fake.detect_delay = {7: 10.0}
        agent, _ = self.serve(fake)
        threading.Timer(0.2, self.stop.set).start()
        started = time.monotonic()
        with self.assertRaises(client.Stopped):
            agent.detect_anomalies(MODEL, 64, 64, rgb=b"\x07\x00\x00" * 4096)
        self.assertLess(time.monotonic() - started, 0.5)

    def test_a_slow_stop_model_is_abandoned_at_its_timeout(self):
        fake = FakeEdgeAgent(MODEL, status="RUNNING")
        fake.stop_delay = 2.0
        agent, _ = self.serve(fake)
        started = time.monotonic()
        with self.assertLogs("inference_client", "WARNING") as logs:
            client.stop_model(agent, MODEL, timeout_seconds=0.3)
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertIn("DEADLINE_EXCEEDED", logs.output[0])

    def test_sigterm_while_the_model_starts_stops_the_client_and_tries_stop_model(self):
        fake = FakeEdgeAgent(MODEL, status="STOPPED", after_start=("STARTING",))
        _, server = self.serve(fake)
        folder = temporary_folder(self)
        (folder / "images").mkdir()
        # The real entry point, with the IoT publisher (which needs Greengrass IPC) left out.
        program = (
            "import sys; sys.path.insert(0, sys.argv[1]); import inference_client as c;"
            " c.IotCorePublisher = lambda topic: None; sys.exit(c.main(sys.argv[2:]))"
        )
        process = subprocess.Popen(
            [sys.executable, "-B", "-c", program, str(CLIENT_FOLDER),
             "--model-component", MODEL, "--image-folder", str(folder / "images"),
             "--results-topic", "t", "--results-log", str(folder / "results.jsonl"),
             "--socket", server.address],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.addCleanup(lambda: process.poll() is None and process.kill())
        deadline = time.monotonic() + 10
        while "StartModel" not in fake.names() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertIn("StartModel", fake.names())
        time.sleep(0.2)  # well into the wait for RUNNING

        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=5)
        exited = time.monotonic() - sent

        self.assertEqual(process.returncode, 0, output)
        self.assertLess(exited, 1.5, output)
        self.assertEqual(fake.names()[-1], "StopModel")
        _, _, remaining = fake.calls[-1]
        self.assertLess(remaining, 3.1)
        # LFV DG edge-agent-reference-stop-model: FAILED_PRECONDITION when the model is not RUNNING.
        self.assertIn("Could not stop model part-model: FAILED_PRECONDITION", output)
        print(f"\n  SIGTERM during the start: the client exited after {exited:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
