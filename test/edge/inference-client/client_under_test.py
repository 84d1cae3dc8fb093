"""Imports the inference client from lib/ and gives the tests what they share."""

import logging
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLIENT_FOLDER = HERE.parents[2] / "lib" / "edge" / "component" / "inference-client"
sys.path.insert(0, str(CLIENT_FOLDER))

import inference_client as client  # noqa: E402

CLIENT_SCRIPT = CLIENT_FOLDER / "inference_client.py"
# Quiet, except where a test captures the client's log with assertLogs.
logging.getLogger("inference_client").addHandler(logging.NullHandler())
logging.getLogger("inference_client").propagate = False


def temporary_folder(test):
    folder = Path(tempfile.mkdtemp(prefix="inference-client-"))
    test.addCleanup(shutil.rmtree, folder, ignore_errors=True)
    return folder


class FakePublisher:
    def __init__(self, fail=False):
        self.records = []
        self.fail = fail

    def publish(self, record):
        if self.fail:
            raise ConnectionError("IPC is down")
        self.records.append(record)
