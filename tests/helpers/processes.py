"""Ending the servers the tests start, and every process they started."""

import subprocess
from pathlib import Path


def terminate(process: subprocess.Popen, seconds: float = 10) -> None:
    """Ask the process to end; kill it if it has not within `seconds`."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def descendants(pid: int) -> dict[int, str]:
    """The processes below this one (honcho starts each in a session of its own): pid -> command."""
    table = subprocess.run(
        ["ps", "-e", "-ww", "-o", "pid=,ppid=,args="], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split(None, 2) for line in table.splitlines() if line.strip()]
    children: dict[int, list[tuple[int, str]]] = {}
    for child, parent, *command in rows:
        children.setdefault(int(parent), []).append((int(child), " ".join(command)))
    found, todo = {}, [pid]
    while todo:
        for child, command in children.get(todo.pop(), []):
            found[child] = command
            todo.append(child)
    return found


def alive(processes: dict[int, str]) -> list[int]:
    """Those of the processes still running: the same pid with the same command line (a
    pid that ended may already name another process)."""
    running = []
    for pid, command in processes.items():
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if " ".join(part.decode(errors="replace") for part in argv if part) == command:
            running.append(pid)
    return running
