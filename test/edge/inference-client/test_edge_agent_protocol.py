"""The client's hand-written protocol buffers against stubs generated from the EdgeAgent proto.

Source: the EdgeAgent API reference of the Lookout for Vision developer guide and the official
proto/edge-agent.proto of awsdocs/amazon-lookout-for-vision-developer-guide, which
edge_agent_api.proto follows field by field.
"""

import grpc
import unittest

from client_under_test import client
from fake_edge_agent import STATUS, FakeEdgeAgent, Server, pb2

MODEL = "part-model"


class RequestsTest(unittest.TestCase):
    def test_a_bitmap_in_the_message_is_byte_data(self):
        rgb = bytes(range(256)) * 3
        request = pb2.DetectAnomaliesRequest.FromString(
            client.encode_detect_anomalies_request(MODEL, 300, 200, rgb=rgb)
        )
        self.assertEqual(request.model_component, MODEL)
        self.assertEqual(request.bitmap.WhichOneof("data"), "byte_data")
        self.assertEqual((request.bitmap.width, request.bitmap.height), (300, 200))
        self.assertEqual(request.bitmap.byte_data, rgb)
        self.assertFalse(request.HasField("anomaly_mask_params"))

    def test_a_bitmap_in_shared_memory_is_a_handle_with_64_bit_size_and_offset(self):
        handle = ("/lookout-vision-frame.part-model", 6_220_800, 2**33 + 5)
        request = pb2.DetectAnomaliesRequest.FromString(
            client.encode_detect_anomalies_request(MODEL, 1920, 1080, shared_memory=handle)
        )
        self.assertEqual(request.bitmap.WhichOneof("data"), "shared_memory_handle")
        shared = request.bitmap.shared_memory_handle
        self.assertEqual((shared.name, shared.size, shared.offset), handle)
        self.assertEqual((request.bitmap.width, request.bitmap.height), (1920, 1080))

    def test_model_requests_name_the_component(self):
        for message in (pb2.StartModelRequest, pb2.StopModelRequest, pb2.DescribeModelRequest):
            self.assertEqual(
                message.FromString(client.encode_model_request(MODEL)).model_component, MODEL
            )

    def test_varints_above_one_byte_round_trip(self):
        for value in (0, 1, 127, 128, 300, 4096, 2**31 - 1, 2**63):
            decoded, end = client._read_varint(client._varint(value), 0)
            self.assertEqual((decoded, end), (value, len(client._varint(value))))


class ResponsesTest(unittest.TestCase):
    def test_a_segmentation_result_gives_the_verdict_and_confidence(self):
        response = pb2.DetectAnomaliesResponse(
            detect_anomaly_result=pb2.DetectAnomalyResult(
                is_anomalous=True,
                confidence=0.875,
                anomaly_mask=pb2.Bitmap(width=64, height=64, byte_data=b"\x00" * 12288),
                anomalies=[
                    pb2.Anomaly(name="scratch", pixel_anomaly=pb2.PixelAnomaly(
                        total_percentage_area=0.25, hex_color="#ff0000")),
                ],
            )
        ).SerializeToString()
        self.assertEqual(client.decode_detect_anomalies_response(response), (True, 0.875))

    def test_proto3_defaults_are_absent_from_the_wire(self):
        self.assertEqual(client.decode_detect_anomalies_response(b""), (False, 0.0))
        self.assertEqual(client.decode_status(b""), client.STOPPED)
        self.assertEqual(client.decode_model_description(b"")["status"], client.STOPPED)

    def test_a_model_description_is_decoded_with_its_status_message(self):
        response = pb2.DescribeModelResponse(
            model_description=pb2.ModelDescription(
                model_component=MODEL,
                lookout_vision_model_arn="arn:aws:lookoutvision:us-east-1:123456789012:model/p/1",
                status=STATUS["FAILED"],
                status_message="out of GPU memory",
            )
        ).SerializeToString()
        self.assertEqual(client.decode_model_description(response), {
            "model_component": MODEL,
            "lookout_vision_model_arn": "arn:aws:lookoutvision:us-east-1:123456789012:model/p/1",
            "status": client.FAILED,
            "status_message": "out of GPU memory",
        })

    def test_the_status_numbers_are_the_protos(self):
        self.assertEqual(
            {name: getattr(client, name) for name in STATUS}, STATUS
        )

    def test_truncated_messages_are_rejected(self):
        with self.assertRaises(ValueError):
            client.parse_fields(b"\x0a\x05ab")


class ServiceTest(unittest.TestCase):
    """The client's calls reach the generated service's methods and are answered."""

    def setUp(self):
        self.fake = FakeEdgeAgent(MODEL, status="RUNNING")
        server = Server(self.fake).__enter__()
        self.addCleanup(server.__exit__)
        channel = grpc.insecure_channel(server.address)
        self.addCleanup(channel.close)
        self.agent = client.EdgeAgent(channel, client.StopRequest())

    def test_each_method_is_served(self):
        self.assertEqual(self.agent.describe_model(MODEL)["status"], client.RUNNING)
        self.assertEqual(
            self.agent.detect_anomalies(MODEL, 64, 64, rgb=b"\x01\xff\x00" * 4096), (True, 0.875)
        )
        self.assertEqual(self.agent.stop_model(MODEL), client.STOPPED)
        self.assertEqual(self.agent.start_model(MODEL), client.STARTING)
        self.assertEqual(self.fake.names(), ["DescribeModel", "DetectAnomalies", "StopModel", "StartModel"])
        self.assertEqual(self.fake.frames, [("byte_data", 64, 64, 12288)])

    def test_errors_carry_the_grpc_status(self):
        with self.assertRaises(grpc.RpcError) as raised:
            self.agent.describe_model("another-model")
        self.assertEqual(client.grpc_code(raised.exception), "NOT_FOUND")
        self.assertEqual(client.describe_error(raised.exception), "NOT_FOUND: no model another-model")

    def test_shutdown_gives_stop_model_at_most_3_seconds(self):
        # aws-greengrass-nucleus UnixExec.close: SIGTERM, then SIGKILL after a 5 s grace period.
        self.agent.stop_model(MODEL)
        _, _, remaining = self.fake.calls[-1]
        self.assertLessEqual(client.SHUTDOWN_STOP_TIMEOUT_SECONDS, 3.0)
        # the deadline reaches the server rounded up by a few milliseconds
        self.assertLess(remaining, client.SHUTDOWN_STOP_TIMEOUT_SECONDS + 0.1)


if __name__ == "__main__":
    unittest.main()
