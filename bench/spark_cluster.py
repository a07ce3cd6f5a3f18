"""A Spark standalone cluster on loopback: one master and N workers, each its own JVM.

The pyspark wheel carries Spark's jars and ``bin/spark-class`` but not the ``sbin``
start scripts, so the master and workers are started the way those scripts start them:
``spark-class org.apache.spark.deploy.master.Master`` and ``…worker.Worker``. Used by the
tests (``tests/data_access/test_spark_refresh.py``) and the benchmark (``bench/spark.py``);
on a real cluster see docs/scaling.md.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class StandaloneCluster:
    master_url: str
    web_url: str
    workers: int
    processes: list[subprocess.Popen] = field(default_factory=list)
    log_dir: Path | None = None

    def alive_workers(self) -> int:
        with urllib.request.urlopen(f"{self.web_url}/json/", timeout=5) as response:
            state = json.load(response)
        return sum(1 for w in state.get("workers", []) if w.get("state") == "ALIVE")

    def logs(self) -> str:
        if self.log_dir is None:
            return ""
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.log_dir.glob("*.log"))
        )


@contextmanager
def standalone_cluster(
    workers: int = 2, cores: int = 1, memory: str = "1g", timeout: float = 90.0
) -> Iterator[StandaloneCluster]:
    """Start a master and ``workers`` workers (``cores`` and ``memory`` each), wait until
    every worker has registered, yield the cluster, stop every process."""
    home = spark_home()
    spark_class = home / "bin" / "spark-class"
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": HOST,
        "SPARK_NO_DAEMONIZE": "1",
    }
    log_dir = Path(tempfile.mkdtemp(prefix="ehospital-spark-cluster-"))
    port, web_port = _free_port(), _free_port()
    cluster = StandaloneCluster(
        master_url=f"spark://{HOST}:{port}",
        web_url=f"http://{HOST}:{web_port}",
        workers=workers,
        log_dir=log_dir,
    )

    def start(name: str, *args: str) -> None:
        log = (log_dir / f"{name}.log").open("wb")
        cluster.processes.append(
            subprocess.Popen(
                [str(spark_class), *args], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        )

    try:
        start(
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host", HOST, "--port", str(port), "--webui-port", str(web_port),
        )  # fmt: skip
        _wait(lambda: _answers(cluster.web_url), timeout, "the master", cluster)
        for k in range(workers):
            work_dir = log_dir / f"worker-{k}"
            work_dir.mkdir()
            start(
                f"worker-{k}",
                "org.apache.spark.deploy.worker.Worker",
                "--host", HOST, "--cores", str(cores), "--memory", memory,
                "--webui-port", str(_free_port()), "--work-dir", str(work_dir),
                cluster.master_url,
            )  # fmt: skip
        _wait(lambda: cluster.alive_workers() >= workers, timeout, "the workers", cluster)
        yield cluster
    finally:
        for process in reversed(cluster.processes):
            process.terminate()
        for process in cluster.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/json/", timeout=2):
            return True
    except OSError:
        return False


def _wait(ready, timeout: float, what: str, cluster: StandaloneCluster) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        if any(p.poll() is not None for p in cluster.processes):
            break
        time.sleep(0.5)
    raise RuntimeError(f"{what} of the Spark cluster did not start:\n{cluster.logs()}")
