"""A fake Lookout for Vision EdgeAgent: a real gRPC server generated from edge_agent_api.proto.

The stubs are generated at import time into a temporary folder with grpc_tools.protoc, so the
tests exercise the client against the same wire format as the EdgeAgent: method paths, field
numbers, the bitmap's oneof, gRPC status codes and gRPC's 4 MiB default message limit.
"""

import atexit
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent import futures
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTO = HERE / "edge_agent_api.proto"
DEBIAN_PACKAGES = "python3-grpcio python3-grpc-tools python3-pil"

try:
    import grpc
    import grpc_tools  # noqa: F401 - protoc is run from it below
    import PIL  # noqa: F401 - the client reads images with Pillow
except ImportError as missing:
    raise ImportError(
        f"{missing}: the inference client tests need gRPC, its code generator and Pillow for"
        f" {sys.executable}; on Debian: apt-get install -y {DEBIAN_PACKAGES}"
    ) from missing


def _generate_stubs():
    folder = tempfile.mkdtemp(prefix="edge-agent-stubs-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    subprocess.run(
        [
            sys.executable, "-m", "grpc_tools.protoc", f"--proto_path={HERE}",
            f"--python_out={folder}", f"--grpc_python_out={folder}", PROTO.name,
        ],
        check=True,
    )
    sys.path.insert(0, folder)
    return importlib.import_module("edge_agent_api_pb2"), importlib.import_module(
        "edge_agent_api_pb2_grpc"
    )


pb2, pb2_grpc = _generate_stubs()

STATUS = {name: pb2.ModelStatus.Value(name) for name in pb2.ModelStatus.keys()}


class FakeEdgeAgent(pb2_grpc.EdgeAgentServicer):
    """Serves one model component.

    `after_start` is the list of statuses DescribeModel reports after each StartModel, one per
    call, the last one repeated. DetectAnomalies looks at the red value of the first pixel:
    `detect_errors[red]` is a list of gRPC status code names (or None for an answer) used one
    per call, and a green value of 255 makes the image anomalous.
    """

    def __init__(self, model_component, status="STOPPED", status_message="",
                 after_start=("STARTING", "RUNNING")):
        self.model_component = model_component
        self.status = status
        self.status_message = status_message
        self.after_start = list(after_start)
        self.describe_errors = []
        self.start_errors = []
        self.detect_errors = {}
        self.detect_delay = {}
        self.stop_delay = 0.0
        self.reject_shared_memory = False
        self.calls = []
        self.frames = []
        self._pending = []
        self._lock = threading.Lock()
        self.closing = threading.Event()  # ends the scripted delays when the server stops

    def _record(self, rpc, request, context):
        with self._lock:
            self.calls.append((rpc, request, context.time_remaining()))

    def names(self):
        with self._lock:
            return [rpc for rpc, _, _ in self.calls]

    def _check_model(self, request, context):
        if request.model_component != self.model_component:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no model {request.model_component}")

    def DescribeModel(self, request, context):
        self._record("DescribeModel", request, context)
        if self.describe_errors:
            context.abort(getattr(grpc.StatusCode, self.describe_errors.pop(0)), "scripted")
        self._check_model(request, context)
        if self._pending:
            self.status = self._pending.pop(0) if len(self._pending) > 1 else self._pending[0]
        return pb2.DescribeModelResponse(
            model_description=pb2.ModelDescription(
                model_component=self.model_component,
                lookout_vision_model_arn="arn:aws:lookoutvision:us-east-1:123456789012:model/p/1",
                status=STATUS[self.status],
                status_message=self.status_message,
            )
        )

    def StartModel(self, request, context):
        self._record("StartModel", request, context)
        self._check_model(request, context)
        if self.start_errors:
            context.abort(
                getattr(grpc.StatusCode, self.start_errors.pop(0)), "not enough memory to load the model"
            )
        if self.status not in ("STOPPED", "FAILED"):
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "the model is not STOPPED or FAILED")
        self._pending = list(self.after_start)
        self.status = "STARTING"
        return pb2.StartModelResponse(status=STATUS["STARTING"])

    def StopModel(self, request, context):
        self._record("StopModel", request, context)
        self._check_model(request, context)
        self.closing.wait(self.stop_delay)
        if self.status != "RUNNING":
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "the model is not RUNNING")
        self.status = "STOPPED"
        return pb2.StopModelResponse(status=STATUS["STOPPED"])

    def ListModels(self, request, context):
        self._record("ListModels", request, context)
        return pb2.ListModelsResponse(
            models=[pb2.ModelMetadata(model_component=self.model_component, status=STATUS[self.status])]
        )

    def DetectAnomalies(self, request, context):
        self._record("DetectAnomalies", request, context)
        self._check_model(request, context)
        if self.status != "RUNNING":
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "the model is not RUNNING")
        bitmap = request.bitmap
        transport = bitmap.WhichOneof("data")
        if transport == "shared_memory_handle":
            handle = bitmap.shared_memory_handle
            if self.reject_shared_memory:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"cannot open {handle.name}")
            pixels = read_shared_memory(handle.name, handle.offset, handle.size)
        else:
            pixels = bitmap.byte_data
        with self._lock:
            self.frames.append((transport, bitmap.width, bitmap.height, len(pixels)))
        if len(pixels) != bitmap.width * bitmap.height * 3:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "the bitmap is not width x height RGB888")
        red, green = pixels[0], pixels[1]
        self.closing.wait(self.detect_delay.get(red, 0.0))
        errors = self.detect_errors.get(red)
        error = errors.pop(0) if errors else None
        if error:
            context.abort(getattr(grpc.StatusCode, error), f"scripted {error}")
        return pb2.DetectAnomaliesResponse(
            detect_anomaly_result=pb2.DetectAnomalyResult(
                is_anomalous=green == 255,
                confidence=0.875,
                anomalies=[pb2.Anomaly(name="background")],
            )
        )

    def tries(self, red):
        """DetectAnomalies calls for images whose first pixel has this red value."""
        with self._lock:
            return sum(
                1 for rpc, request, _ in self.calls
                if rpc == "DetectAnomalies" and _first_red(request) == red
            )


def _first_red(request):
    bitmap = request.bitmap
    if bitmap.WhichOneof("data") == "byte_data":
        return bitmap.byte_data[0]
    return None


def read_shared_memory(name, offset, size):
    """What shm_open(name) then mmap would see: Linux keeps the segment under /dev/shm."""
    with open(os.path.join("/dev/shm", name.lstrip("/")), "rb") as segment:
        segment.seek(offset)
        return segment.read(size)


class Server:
    """Serves a FakeEdgeAgent on a unix socket in a temporary folder."""

    def __init__(self, agent):
        self.agent = agent
        self.folder = tempfile.mkdtemp(prefix="edge-agent-")
        self.address = f"unix://{self.folder}/edge-agent.sock"
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        pb2_grpc.add_EdgeAgentServicer_to_server(agent, self._server)
        self._server.add_insecure_port(self.address)

    def __enter__(self):
        self._server.start()
        return self

    def __exit__(self, *_):
        self.agent.closing.set()
        self._server.stop(grace=None)
        shutil.rmtree(self.folder, ignore_errors=True)
