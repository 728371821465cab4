# ruff: noqa: E402  (Django is set up before the imports that need it)
"""The image: build time (cold and with cache), size, cold start to the first 200, and the
memory of each container of compose.yaml's stack at idle and under the load benchmark's
reporters. Prints figures; asserts nothing. Needs root and podman (scripts/podman.sh); run by
`make bench` after `make image`, or alone: `scripts/bench.sh benchmarks/image.py`.

- Cold build: `podman build --no-cache` of the application image on the made base (apt, pip,
  npm and all). Cached: the same build after a change to one Python file (what a code change
  costs), and with nothing changed.
- Cold start: from `podman run` of a new read-only container to the first 200 of the home
  page, the median of three.
- Memory: `podman stats` of every container, at idle and the highest seen while four reporters
  share concerns through the public proxy for BENCH_IMAGE_LOAD_SECONDS (default 30).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safer_derbyshire.settings")

import django

django.setup()

from referrals import sealing
from tests.image.stack import IMAGE, Stack, podman, status
from tests.reporters import Load
from tests.servers import free_port

LOAD_SECONDS = float(os.environ.get("BENCH_IMAGE_LOAD_SECONDS", "30"))
BASE = os.environ.get("BASE", "localhost/debian:trixie-minbase")


def build(*options: str) -> float:
    command = ["build", "--quiet", "--format", "docker", "--build-arg", f"BASE={BASE}"]
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if bundle.exists():
        command += ["--volume", f"{bundle}:/run/build-ca.crt:ro"]
        command += ["--build-arg", "EXTRA_CA_CERTS=/run/build-ca.crt"]
    started = time.monotonic()
    podman(*command, *options, "--tag", IMAGE, str(ROOT), timeout=1800)
    return time.monotonic() - started


def build_times() -> None:
    cold = build("--no-cache")
    touched = ROOT / "safer_derbyshire/healthcheck.py"
    original = touched.read_text()
    try:
        touched.write_text(original + "\n# benchmark: one changed line\n")
        one_file = build()
    finally:
        touched.write_text(original)
    rebuilt = build()  # back to the committed file: its layers are cached from the cold build
    unchanged = build()
    size = int(podman("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout)
    print(f"build, cold (no cache):           {cold:6.0f} s")
    print(f"build, one Python file changed:   {one_file:6.0f} s")
    print(
        f"build, nothing changed:           {unchanged:6.1f} s   (after restoring: {rebuilt:.0f} s)"
    )
    print(f"image size:                       {size / 1e6:6.0f} MB  ({size / 2**20:.0f} MiB)")


def cold_start() -> float:
    port = free_port()
    name = f"bench-cold-{port}"
    started = time.monotonic()
    podman(
        "run", "--detach", "--name", name, "--read-only", "--tmpfs", "/tmp",  # noqa: S108
        "--publish", f"127.0.0.1:{port}:8000",
        "--env", "DEBUG=0", "--env", "SECRET_KEY=bench-only-" + "x" * 40,
        "--env", "ALLOWED_HOSTS=127.0.0.1", "--env", "SECURE_SSL_REDIRECT=0",
        "--env", "DATABASE_URL=postgres://nobody@127.0.0.1:9/none",
        "--env", "SEALING_PUBLIC_ONLY=1",
        "--env", "SEALING_PUBLIC_KEYS=" + sealing.generate_key_pair("bench")[0],
        IMAGE,
    )  # fmt: skip
    try:
        while status(f"http://127.0.0.1:{port}/", timeout=2) != 200:
            if time.monotonic() - started > 60:
                raise RuntimeError(podman("logs", name, check=False).stderr[-2000:])
            time.sleep(0.05)
        return time.monotonic() - started
    finally:
        podman("rm", "--force", "--time", "0", name, check=False)


def memory(stack: Stack) -> dict[str, float]:
    """MiB used by each of the stack's containers, by service name."""
    found = json.loads(podman("stats", "--no-stream", "--format", "json").stdout)
    prefix, used = stack.project + "_", {}
    for entry in found:
        name = entry.get("name") or entry.get("Name", "")
        if name.startswith(prefix):
            service = name[len(prefix) :].rsplit("_", 1)[0]
            used[service] = _mib(entry.get("mem_usage") or entry.get("MemUsage", "0B / 0B"))
    return used


def _mib(usage: str) -> float:
    amount = usage.split("/")[0].strip()
    units = {"kB": 1e3 / 2**20, "MB": 1e6 / 2**20, "GB": 1e9 / 2**20, "B": 1 / 2**20}
    for unit, factor in units.items():
        if amount.endswith(unit):
            return float(amount[: -len(unit)]) * factor
    return float(amount) / 2**20


def stack_memory() -> None:
    with tempfile.TemporaryDirectory() as home:
        # Four reporters from one address: the per-address limits would stop them at once.
        stack = Stack(
            home=Path(home), extra={"RATE_LIMIT_SENDS": "100000", "RATE_LIMIT_JOURNEYS": "100000"}
        )
        stack.start_api()
        try:
            up = stack.up()
            print(f"stack up (compose.yaml, cold):    {up:6.0f} s  to both sites answering")
            time.sleep(10)
            idle = memory(stack)
            load = Load(stack.public_url, reporters=4, prefix="img").start()
            peak: dict[str, float] = {}
            deadline = time.monotonic() + LOAD_SECONDS
            while time.monotonic() < deadline:
                for service, mib in memory(stack).items():
                    peak[service] = max(peak.get(service, 0), mib)
                time.sleep(1)
            sent = len([o for o in load.stop() if o.reference])
            print(f"under load: {sent} referrals sent in {LOAD_SECONDS:.0f} s by 4 reporters")
            print(f"{'container':<14} {'idle MiB':>9} {'load MiB':>9}")
            for service in sorted(idle):
                print(f"{service:<14} {idle[service]:9.1f} {peak.get(service, 0):9.1f}")
        finally:
            stack.down()


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("benchmarks/image.py needs root (podman with its runc settings); skipped")
        sys.exit(0)
    # The images, and podman itself, if `make image` has not run on this machine.
    subprocess.run([str(ROOT / "scripts/image.sh")], check=True, stdout=subprocess.DEVNULL)
    build_times()
    starts = [cold_start() for _ in range(3)]
    print(
        f"cold start to first 200:          {statistics.median(starts):6.2f} s  median of 3"
        f" ({', '.join(f'{s:.2f}' for s in starts)})"
    )
    stack_memory()
