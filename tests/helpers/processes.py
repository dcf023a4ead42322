"""Ending the servers the tests start."""

import subprocess


def terminate(process: subprocess.Popen, seconds: float = 10) -> None:
    """Ask the process to end; kill it if it has not within `seconds`."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
